"""``{% load admin_nav %}`` (registered in settings.TEMPLATES' ``libraries``): ``{% admin_nav_app_list %}``
writes the admin's navigation sidebar (the list of apps and models on every admin page) in Python.

Django's ``admin/app_list.html`` loops over every model the user may see (some fifty) with a dozen
template nodes each, on every admin page; this writes the same markup (``show_changelinks=False``,
the sidebar's case) in one pass. ``tests/admin_site/test_nav_sidebar.py`` holds it equal, as HTML,
to Django's template."""

from urllib.parse import quote

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_nav_app_list(context):
    app_list = context.get("available_apps") or []
    if not app_list:
        return format_html("<p>{}</p>", gettext("You don’t have permission to view or edit anything."))
    request = context.get("request")
    # Django's template asks ``url in request.path|urlencode`` (quote(path, safe="/")).
    path = quote(str(request.path), safe="/") if request is not None else ""
    thead = format_html(
        '<thead class="visually-hidden"><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead>',
        gettext("Model name"), gettext("Add link"), gettext("Change or view list link"),
    )
    add = gettext("Add")
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
            rows.append(format_html(
                '<tr class="model-{}{}"><th scope="row" id="{}">{}</th>{}</tr>',
                model_name, " current-model" if current else "", row_id, head, add_cell,
            ))
        name = app["name"]
        parts.append(format_html(
            '<div class="app-{}{}"><table><caption><a href="{}" class="section" title="{}">{}</a></caption>{}{}</table></div>',
            app_label, " module current-app" if app_url in path else " module", app_url,
            # As {% blocktranslate with name=app.name %}: the name escaped, the translation as it is.
            mark_safe(gettext("Models in the %(name)s application") % {"name": conditional_escape(name)}),
            name, thead, mark_safe("".join(rows)),
        ))
    return mark_safe("".join(parts))
