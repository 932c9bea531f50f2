"""``{% load admin_nav %}`` (registered in settings.TEMPLATES' ``libraries``): ``{% admin_nav_sidebar %}``
(templates/admin/nav_sidebar.html) writes the admin's navigation sidebar (the list of apps and models
on every admin page) in Python, and ``{% admin_app_list %}`` (templates/admin/app_list.html) the same
list with its change links on the admin index and each app's page.

Django's ``admin/app_list.html`` loops over every model the user may see (some fifty) with a dozen
template nodes each, on every admin page (3.6 ms on the index); this writes the same markup in one
pass (0.9 ms). ``tests/common/test_admin_nav.py`` holds it equal, as HTML, to Django's template."""

from urllib.parse import quote

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

# Django admin's own texts, translated by Django's admin catalogue: passed to gettext through names
# so that makemessages leaves them out of ours (a msgid of ours, such as "Add", would replace Django's
# translation all over the admin).
TEXTS = {
    "nothing": "You don’t have permission to view or edit anything.",
    "model": "Model name", "add_link": "Add link", "change_link": "Change or view list link", "add": "Add",
    "view": "View", "change": "Change",
    "models_in": "Models in the %(name)s application",
    "toggle": "Toggle navigation", "sidebar": "Sidebar", "filter": "Start typing to filter…",
    "filter_label": "Filter navigation items",
}


def _t(key: str) -> str:
    return gettext(TEXTS[key])


@register.simple_tag(takes_context=True)
def admin_nav_sidebar(context):
    """Django's admin/nav_sidebar.html: the toggle, the filter box and the app list."""
    return format_html(
        '<button class="sticky toggle-nav-sidebar" id="toggle-nav-sidebar" aria-label="{}"></button>\n'
        '<nav class="sticky" id="nav-sidebar" aria-label="{}">\n'
        '  <input type="search" id="nav-filter" placeholder="{}" aria-label="{}">\n  {}\n</nav>',
        _t("toggle"), _t("sidebar"), _t("filter"), _t("filter_label"), admin_nav_app_list(context),
    )


@register.simple_tag(takes_context=True)
def admin_nav_app_list(context):
    """The sidebar's app list: Django's admin/app_list.html without the change links."""
    return admin_app_list(context, context.get("available_apps"), show_changelinks=False)


@register.simple_tag(takes_context=True)
def admin_app_list(context, app_list, show_changelinks=False):
    """Django's admin/app_list.html (templates/admin/app_list.html: the admin index and each app's
    page, with the change links)."""
    app_list = app_list or []
    if not app_list:
        return format_html("<p>{}</p>", _t("nothing"))
    request = context.get("request")
    # Django's template asks ``url in request.path|urlencode`` (quote(path, safe="/")).
    path = quote(str(request.path), safe="/") if request is not None else ""
    thead = format_html(
        '<thead class="visually-hidden"><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead>',
        _t("model"), _t("add_link"), _t("change_link"),
    )
    add, view, change = _t("add"), _t("view"), _t("change")
    parts = []
    for app in app_list:
        app_label = app["app_label"]
        app_url = app["app_url"]
        rows = []
        for model in app["models"]:
            model_name = str(model["object_name"]).lower()
            admin_url = model.get("admin_url")
            current = bool(admin_url) and admin_url in path
            row_id = f"{app_label}-{model_name}"
            if admin_url:
                head = format_html('<a href="{}"{}>{}</a>', admin_url,
                                   mark_safe(' aria-current="page"') if current else "", model["name"])
            else:
                head = format_html("{}", model["name"])
            if model.get("add_url"):
                add_cell = format_html('<td><a href="{}" class="addlink" aria-describedby="{}">{}</a></td>',
                                       model["add_url"], row_id, add)
            else:
                add_cell = mark_safe("<td></td>")
            if show_changelinks and admin_url:
                link_class, text = ("viewlink", view) if model.get("view_only") else ("changelink", change)
                add_cell += format_html('<td><a href="{}" class="{}" aria-describedby="{}">{}</a></td>',
                                        admin_url, link_class, row_id, text)
            elif show_changelinks:
                add_cell += mark_safe("<td></td>")
            rows.append(format_html(
                '<tr class="model-{}{}"><th scope="row" id="{}">{}</th>{}</tr>',
                model_name, " current-model" if current else "", row_id, head, add_cell,
            ))
        name = app["name"]
        parts.append(format_html(
            '<div class="app-{}{}"><table><caption><a href="{}" class="section" title="{}">{}</a></caption>{}{}</table></div>',
            app_label, " module current-app" if app_url in path else " module", app_url,
            # As {% blocktranslate with name=app.name %}: the name escaped, the translation as it is.
            mark_safe(_t("models_in") % {"name": conditional_escape(name)}),
            name, thead, mark_safe("".join(rows)),
        ))
    return mark_safe("".join(parts))
