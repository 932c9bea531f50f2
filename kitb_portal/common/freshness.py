"""One version number for everything cached from the partnership's records.

Cached dashboards (``kitb_portal.dashboard``) and cached page fragments (``kitb_portal.common.fragments``)
put :func:`version` in their keys. A save or delete of any model of the watched apps (the dashboard's
section apps, accounts and auth) calls :func:`invalidate`, which moves the number on: every cached copy
becomes unreachable at once and is rebuilt on its next read. It moves on right away (so the writer's
next page is fresh) and again when the transaction commits, so a page drawn by another request
between the write and the commit, from the data before it, is not kept under the new number.

Writes that bypass the model signals (a sweep's ``QuerySet.update``) are covered by the short time
limits of the caches themselves.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction

logger = logging.getLogger(__name__)

_VERSION_KEY = "content:version"


def version() -> int:
    """The current version (raises if the cache is down: callers then draw without it)."""
    return cache.get_or_set(_VERSION_KEY, 1, timeout=None)


def _bump() -> None:
    try:
        try:
            cache.incr(_VERSION_KEY)
        except ValueError:  # no version yet (or evicted)
            cache.set(_VERSION_KEY, 1, timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must never fail the write; the time limits still bound staleness
        logger.warning("content cache: could not invalidate", exc_info=True)


def invalidate(*, using: str | None = None, **_signal_kwargs) -> None:
    """Drop every cached copy now, and again when the current transaction (if any) commits."""
    _bump()
    if connections[using or "default"].in_atomic_block:
        transaction.on_commit(_bump, using=using)


def watched_app_labels() -> set[str]:
    # auth: groups and their permissions decide what the admin shows (kitb_portal.common.admin_site).
    return {path.split(".", 1)[0] for path in getattr(settings, "DASHBOARD_SECTIONS", [])} | {"accounts", "auth"}


def _on_change(sender, **kwargs) -> None:
    if sender._meta.app_label in watched_app_labels():
        instance = kwargs.get("instance")
        using = kwargs.get("using") or (router.db_for_write(type(instance)) if instance is not None else None)
        invalidate(using=using)


def connect_invalidation() -> None:
    """Invalidate on every save or delete of the watched apps' models (called from AccountsConfig.ready)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(_on_change, dispatch_uid="content_invalidate_save")
    post_delete.connect(_on_change, dispatch_uid="content_invalidate_delete")
    m2m_changed.connect(_on_change, dispatch_uid="content_invalidate_m2m")
