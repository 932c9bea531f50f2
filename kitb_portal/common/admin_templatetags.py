"""``{% load kitb_admin %}``: parts of admin pages drawn once and kept until the records change.

Sidebar.
``templates/admin/nav_sidebar.html`` calls :func:`cached_nav_sidebar`, which renders Django's own
``admin/nav_sidebar.html`` (the next one in the template search) and keeps the HTML in the admin
site's LRU (see :mod:`kitb_portal.common.admin_site`). Besides the user's app list and the language,
that HTML depends on the request only through which app and model links contain the current path
(Django's ``current-app`` / ``current-model`` marks), so those links are part of the key.

Change list rows. ``templates/admin/change_list.html`` calls :func:`cached_result_list` instead of
Django's ``{% result_list cl %}``, whose per-cell work (lookup, display, escaping) is a third of a
changelist's time. For models of the apps the content version watches
(:func:`kitb_portal.common.freshness.watched_app_labels`) the rows' HTML is kept in Redis per user,
language, time zone and full URL (filters, search, ordering, page), for at most
``RESULT_LIST_SECONDS``; every admin POST moves the version on (:class:`KitbAdminSite`), so an
action's result shows at once even when it updated rows in bulk. A model admin outside those apps
may set ``rows_fingerprint`` to a column every write of a row sets (the outbox: ``updated_at``,
set by delivery's conditional updates too): its key then holds the page's (pk, column) pairs,
read by one light query, so a changed row is never served from the cache. Editable lists
(``list_editable``) and the other models are drawn every time.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.contrib import admin
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import freshness
from .admin_site import user_key

logger = logging.getLogger(__name__)

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


#: Seconds a changelist's rows are kept at most (bulk updates that bypass the model signals).
RESULT_LIST_SECONDS = 60


@lru_cache(maxsize=4)
def _result_list_template(engine):
    return engine.from_string("{% load admin_list %}{% result_list cl %}")


@register.simple_tag(takes_context=True)
def cached_result_list(context, cl):
    request = context["request"]
    draw = _result_list_template(context.template.engine)
    fingerprint_field = getattr(cl.model_admin, "rows_fingerprint", None)
    watched = cl.model._meta.app_label in freshness.watched_app_labels()
    if request.method != "GET" or cl.formset is not None or cl.is_popup or not (watched or fingerprint_field):
        return mark_safe(draw.render(context))  # noqa: S308 - Django's template
    base = user_key(request.user)
    if base is None:
        return mark_safe(draw.render(context))  # noqa: S308
    parts = [*base, timezone.get_current_timezone_name(), cl.opts.label, request.get_full_path()]
    if fingerprint_field:
        rows = cl.result_list
        queryset = getattr(rows, "queryset", rows)
        parts.append(list(queryset.prefetch_related(None).values_list("pk", fingerprint_field)))
    raw = "|".join(str(p) for p in parts)
    key = "admin-rows:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    try:
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - without Redis, drawn every time
        logger.warning("admin rows cache: unavailable", exc_info=True)
        return mark_safe(draw.render(context))  # noqa: S308
    if html is None:
        html = draw.render(context)
        try:
            cache.set(key, html, RESULT_LIST_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("admin rows cache: could not store", exc_info=True)
    return mark_safe(html)  # noqa: S308 - Django's template, rendered with autoescaping
