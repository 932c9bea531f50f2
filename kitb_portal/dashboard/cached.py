"""The staff dashboard's sections, kept in the cache until a record they count changes.

A staff section (``partnerships.dashboard.section`` for a staff user, say) is the same for every
member of staff holding the same permissions: it counts the whole partnership. Its function names
the models it reads (``section.staff_models = ("partnerships.MoU", ...)``) and may name what it
depends on about its reader (``section.staff_reader = is_staff_viewer``: then the administrator and
an officer who may both see MoUs share one entry); the section is kept under a key made of the
function, the reader (that, or all the reader's permissions), the language, the day and the current
*version* of each of those models. Saving or deleting a row of one of them (any ``save()`` or
``delete()``, the admin's and the import's included, and many-to-many changes) moves that model's
version on (at once, and again when the transaction commits), so the next dashboard draws the
section again; a bulk write that sends no signal (``QuerySet.update``, ``bulk_update``,
``bulk_create``) calls :func:`changed` itself. A version lives
in the cache too and never expires; when it is missing (a new cache, an eviction) it starts again at
the clock's nanoseconds, never at a value an older entry was stored under. An entry lives at most
``TIMEOUT`` seconds, which bounds what the clock alone changes (the events "held" up to now).

Partners' sections are not kept: they count one organisation's records, which the same writes touch.
"""

from __future__ import annotations

import hashlib
import time
from functools import cache as memoize

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

TIMEOUT = 60  # seconds
_PREFIX = "dashboard:"
_NONE = "none"  # a section with nothing for this reader, kept as such


def _version_key(label: str) -> str:
    return f"{_PREFIX}version:{label.lower()}"


def versions(labels) -> list[int]:
    """The current version of each model (``"app_label.Model"``), starting missing ones afresh."""
    keys = [_version_key(label) for label in labels]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, time.time_ns(), timeout=None)  # another process may have just started it
        found.update(cache.get_many(missing))
    return [found.get(key, 0) for key in keys]


def changed(*labels: str) -> None:
    """Move the version of each model on: what was kept under the old one is not read again."""
    for label in labels:
        key = _version_key(label)
        try:
            cache.incr(key)
        except ValueError:  # no version yet (or evicted): a fresh one differs from any earlier
            cache.add(key, time.time_ns(), timeout=None)


@memoize
def watched_models() -> dict[type, str]:
    """{model class: "app_label.Model"} of every model a staff section reads."""
    from kitb_portal.dashboard import section_functions

    watched = {}
    for fn in section_functions():
        for label in getattr(fn, "staff_models", ()):
            watched[apps.get_model(label)] = label
    return watched


def changed_all() -> None:
    """Every watched model changed (after a bulk load such as ``seed_bulk`` or the demo data)."""
    changed(*watched_models().values())


def _changed_now_and_on_commit(*labels: str) -> None:
    """Moved on at once (what this transaction reads next is drawn afresh) and again when it commits:
    a section another request drew from the data before the commit was kept under the version
    before the first move, so neither it nor one kept in between is read after the commit."""
    if labels:
        changed(*labels)
        transaction.on_commit(lambda: changed(*labels))


def _on_write(sender, **kwargs) -> None:
    label = watched_models().get(sender)
    if label is not None:
        _changed_now_and_on_commit(label)


def _on_m2m(sender, instance, action, model, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed_now_and_on_commit(*({watched_models().get(type(instance)), watched_models().get(model)} - {None}))


def connect() -> None:
    """Listen to the writes of every watched model (from the dashboard app's ``ready()``)."""
    for model in watched_models():
        post_save.connect(_on_write, sender=model, dispatch_uid=f"dashboard-save-{model._meta.label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"dashboard-delete-{model._meta.label}")
    m2m_changed.connect(_on_m2m, dispatch_uid="dashboard-m2m")


def _reader(fn, user) -> str:
    """What a staff section depends on about its reader. A section that declares it
    (``section.staff_reader(user)``: whether the reader may see MoUs, say) is kept once for all
    readers alike, whatever else their roles hold; otherwise superuser or not, and the permissions
    (worked out once per request's user, for all its sections)."""
    declared = getattr(fn, "staff_reader", None)
    if declared is not None:
        return f"declared:{declared(user)!r}"
    reader = user.__dict__.get("_dashboard_reader")
    if reader is None:
        perms = sorted(user.get_all_permissions())
        reader = hashlib.blake2b(f"{user.is_superuser}|{'|'.join(perms)}".encode(), digest_size=12).hexdigest()
        user.__dict__["_dashboard_reader"] = reader
    return reader


def staff_section(fn, path: str, user, *, now):
    """``fn(user, now=now)``, from the cache while none of ``fn.staff_models`` has changed."""
    labels = getattr(fn, "staff_models", None)
    if not labels or not user.is_staff:
        return fn(user, now=now)
    stamp = ".".join(str(v) for v in versions(labels))
    day = timezone.localdate(now).isoformat()
    # One digest of what the entry depends on: the versions alone made keys of some 300 characters.
    depends = hashlib.blake2b(f"{_reader(fn, user)}:{get_language() or ''}:{day}:{stamp}".encode(), digest_size=16).hexdigest()
    key = f"{_PREFIX}section:{path}:{depends}"
    kept = cache.get(key)
    if kept is not None:
        return None if kept == _NONE else kept
    section = fn(user, now=now)
    cache.set(key, _NONE if section is None else section, TIMEOUT)
    return section
