"""``{% load kitb_admin %}``: the admin's navigation sidebar, drawn once per user, language and current entry.

``templates/admin/nav_sidebar.html`` calls :func:`cached_nav_sidebar`, which renders Django's own
``admin/nav_sidebar.html`` (the next one in the template search) and keeps the HTML in the admin
site's LRU (see :mod:`kitb_portal.common.admin_site`). Besides the user's app list and the language,
that HTML depends on the request only through which app and model links contain the current path
(Django's ``current-app`` / ``current-model`` marks), so those links are part of the key.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django import template
from django.contrib import admin
from django.utils.safestring import mark_safe

from .admin_site import user_key

register = template.Library()

TEMPLATE_NAME = "admin/nav_sidebar.html"


@lru_cache(maxsize=4)
def _django_sidebar(engine):
    """Django's nav_sidebar.html: the one found after our override (the first one found)."""
    _override, override_origin = engine.find_template(TEMPLATE_NAME)
    found, _origin = engine.find_template(TEMPLATE_NAME, skip=[override_origin])
    return found


@register.simple_tag(takes_context=True)
def cached_nav_sidebar(context):
    request = context["request"]
    original = _django_sidebar(context.template.engine)
    site = admin.site
    base = user_key(request.user) if hasattr(site, "sidebars") else None
    if base is None:
        return mark_safe(original.render(context))  # noqa: S308 - Django's template
    path = quote(request.path)  # what the template's request.path|urlencode compares with
    current = tuple(
        url
        for app in context.get("available_apps") or ()
        for url in (app.get("app_url"), *(model.get("admin_url") for model in app.get("models", ())))
        if url and url in path
    )
    key = (*base, current)
    html = site.sidebars.get(key)
    if html is None:
        html = original.render(context)
        site.sidebars.set(key, html)
    return mark_safe(html)  # noqa: S308 - Django's template, rendered with autoescaping
