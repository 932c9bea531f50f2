"""Rendered parts of portal pages, cached in Redis until the records behind them change.

A list page of twenty MoUs or events costs most of its time in the ORM and the template engine, and
the same rows are drawn again for every colleague of the same organisation. :func:`cached` keeps the
rendered HTML of such a part under a key made of

* the content version (:mod:`kitb_portal.common.freshness`: any save or delete of a partnership,
  event, tenant or account record moves it on, so nothing is served after it changed),
* the fragment's name and the caller's ``parts`` (whose rows: the organisation or the user, the
  filters, the page number),
* the active language and time zone (times and labels are rendered into the HTML),

for at most ``timeout`` seconds, which bounds what the model signals cannot see: a sweep's bulk
``UPDATE`` and the passing of time (an event that started, a registration window that closed).

Fragments are rendered without the request, from the context the caller builds (``build`` runs only
on a miss, so the queries behind it do too). A form inside a fragment writes ``{% csrf_token %}`` as
usual: it is rendered as a slot and each response fills in its own request's token, so one viewer's
token never reaches another. Without Redis, fragments are simply drawn every time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import freshness

logger = logging.getLogger(__name__)

#: Seconds a fragment is kept at most (see the module docstring).
FRAGMENT_SECONDS = 60

# Stands for the CSRF token inside cached HTML; replaced by the viewer's own token on every response.
CSRF_SLOT = "kitb-csrf-slot-3f9c1d7e"


def scope_of(user) -> str:
    """The part of a key that says whose records a partner page shows: the organisation's for partners
    (colleagues share the copy), the user's own for staff."""
    if not user.is_staff and user.organization_id:
        return f"org{user.organization_id}"
    return f"user{user.pk}"


def _key(name: str, parts: tuple) -> str:
    raw = "|".join(str(p) for p in (name, get_language(), timezone.get_current_timezone_name(), *parts))
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def render(template_name: str, context: dict) -> str:
    """A fragment's HTML, drawn from ``context`` alone, with the CSRF slot where a token goes."""
    return render_to_string(template_name, {**context, "csrf_token": CSRF_SLOT})


def cached(request, name: str, parts: tuple, template_name: str, build: Callable[[], dict],
           *, timeout: int = FRAGMENT_SECONDS) -> SafeString:
    """The HTML of ``template_name`` rendered from ``build()``, from the cache when it is there."""
    html = None
    try:
        key = f"frag:{freshness.version()}:{name}:{_key(name, parts)}"
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - without Redis the fragment is drawn every time
        logger.warning("fragment cache: unavailable", exc_info=True)
        key = None
    if html is None:
        html = render(template_name, build())
        if key is not None:
            try:
                cache.set(key, html, timeout)
            except Exception:  # noqa: BLE001
                logger.warning("fragment cache: could not store", exc_info=True)
    if CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by our own templates, with autoescaping
