"""Digests: what changed for each person since their last digest, by e-mail, daily or weekly.

**When.** Celery beat runs :func:`digests_send_due` every hour (``schedules.py``). A person is due
when it is at least 07:00 (``DIGEST_HOUR``) on their digest day in their own time zone — every day
for ``daily``, Monday (``DIGEST_WEEKDAY``) for ``weekly`` — and no digest was built for them for
this period (the local date, or the ISO week) yet. So a digest goes out in the hour of 07:00 local
time, and a sweep that did not run then catches up later the same day.

**What.** The sections come from the apps, found through ``settings.DIGEST_SECTIONS`` (dotted paths:
the core imports no app). A section is a function ``section(recipients, since, now)``:

- ``recipients``: the whole batch (users, with ``is_staff``, ``is_superuser``, ``organization_id``),
- ``since``: ``{user_id: datetime}``, the end of each person's previous digest,
- ``now``: the end of this one,

and answers ``{user_id: DigestSection}`` for those it has something for, with a **fixed number of
queries whatever the number of recipients** (it reads its models in bulk and shares the section
objects between people who see the same thing). Items that changed in the person's window are
``new``; a digest with nothing new is not sent (a ``DigestRun`` with status ``empty`` records it).

**Writing.** Outbox rows with keys ``digest:{frequency}:{user_id}:{period}`` are written with one
``bulk_create(ignore_conflicts=True)``, the runs with another, and deliveries are queued after
commit; a transaction-scoped advisory lock makes two sweeps at the same moment take turns, and the
unique keys make the second one write nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.module_loading import import_string

from . import kinds
from .digest_letters import Renderer, site_url, zone_of
from .models import DigestFrequency, DigestRun, DigestRunStatus, OutboxMessage
from .rendering import RecipientPreferences
from .services import enqueue_delivery

# What the apps' sections use (site_url is defined beside the renderer, which uses it too).
__all__ = [
    "DigestGroup", "DigestItem", "DigestResult", "DigestSection", "after", "digests_send_due", "lazy_date", "lazy_text",
    "recipients_queryset", "shared", "site_url", "users_with_perm",
]

logger = logging.getLogger(__name__)

TEMPLATE = "notifications/email/digest"
ADVISORY_LOCK_ID = 7_260_301  # pg_advisory_xact_lock key of the digest sweep
LOOKBACK_CAP_DAYS = 31  # a digest never reaches further back than this
ITEMS_PER_GROUP = 25  # longer lists end with "and N more"


# --- what a section answers ---------------------------------------------------------------------


@dataclass
class DigestItem:
    """One line of a digest. ``text`` and ``detail`` may be lazy strings (rendered in the reader's language)."""

    text: object
    url: str = ""
    detail: object = ""
    new: bool = False


@dataclass
class DigestGroup:
    title: object
    items: list[DigestItem] = field(default_factory=list)
    more: int = 0  # items left out (the group shows the first ITEMS_PER_GROUP)

    @classmethod
    def of(cls, title, items: Iterable[DigestItem], limit: int = ITEMS_PER_GROUP) -> DigestGroup:
        """A group with new items first, cut at ``limit``."""
        ordered = sorted(items, key=lambda item: not item.new)  # stable: keeps the section's order
        return cls(title=title, items=ordered[:limit], more=max(len(ordered) - limit, 0))


@dataclass
class DigestSection:
    key: str
    title: object
    groups: list[DigestGroup]
    url: str = ""  # the section's page in the portal or the admin

    @cached_property
    def new_count(self) -> int:
        return sum(1 for group in self.groups for item in group.items if item.new)

    @property
    def is_empty(self) -> bool:
        return not any(group.items for group in self.groups)


SectionFunction = Callable[[Sequence, Mapping[int, dt.datetime], dt.datetime], Mapping[int, DigestSection]]


# --- helpers for sections ------------------------------------------------------------------------


def _call(fn: Callable[[], str]) -> str:
    return fn()


# One lazy proxy class for every lazy text: lazy(fn, str) builds a new class on each call (costly, and
# a digest build would do it thousands of times).
_lazy_call = lazy(_call, str)


def lazy_text(fn: Callable[[], str]):
    """A string computed when the digest is rendered, i.e. in the reader's language."""
    return _lazy_call(fn)


def lazy_date(value: dt.date | dt.datetime | None, fmt: str = "DATE_FORMAT"):
    """A date formatted in the reader's language when rendered."""
    if value is None:
        return ""
    return lazy_text(lambda: _date_format(value, str(getattr(value, "tzinfo", "")), fmt, translation.get_language()))


@functools.lru_cache(maxsize=8192)
def _date_format(value, zone: str, fmt: str, language: str) -> str:
    """The same dates come again and again across readers (an event's start, a due date): formatted once
    per language. ``date_format`` uses the active language and the value's own time zone; ``zone`` is in
    the key because two aware datetimes of the same moment are equal whatever their zones."""
    return formats.date_format(value, fmt)


def users_with_perm(recipients: Sequence, perm: str) -> set[int]:
    """Ids of the active staff among ``recipients`` who hold ``perm`` (directly, by group, or as
    superuser). One query, whatever the number of recipients."""
    staff = {u.pk for u in recipients if u.is_staff and u.is_active}
    if not staff:
        return set()
    app_label, codename = perm.split(".", 1)
    User = get_user_model()
    holders = (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
            | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    return staff & set(holders)


def shared(cache: dict, key, build: Callable[[], object]):
    """Build a section (or an item) once per ``key`` (same scope and same window) and share it between
    readers: the renderer renders a shared object once per language."""
    if key not in cache:
        cache[key] = build()
    return cache[key]


def after(value, since: dt.datetime) -> bool:
    return value is not None and value > since


# --- who is due -----------------------------------------------------------------------------------


@dataclass
class DueDigest:
    user: object
    frequency: str
    period: str
    since: dt.datetime
    preferences: RecipientPreferences


def digest_hour() -> int:
    return int(getattr(settings, "DIGEST_HOUR", 7))


def digest_weekday() -> int:
    return int(getattr(settings, "DIGEST_WEEKDAY", 0))


def period_of(frequency: str, local_date: dt.date) -> str:
    if frequency == DigestFrequency.DAILY:
        return local_date.isoformat()
    year, week, _day = local_date.isocalendar()
    return f"{year}-W{week:02d}"


def is_due(frequency: str, local: dt.datetime) -> bool:
    if frequency == DigestFrequency.OFF or local.hour < digest_hour():
        return False
    return frequency == DigestFrequency.DAILY or local.weekday() == digest_weekday()


def recipients_queryset():
    """Active users who have not switched the digest off (no preference row: weekly)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(notification_preference__isnull=True) | ~Q(notification_preference__digest_frequency=DigestFrequency.OFF))
        .select_related("notification_preference")
        .only(
            "pk", "email", "full_name", "is_staff", "is_superuser", "is_active", "organization_id", "preferred_language",
            "time_zone", "notification_preference__email_language", "notification_preference__digest_frequency",
            "notification_preference__muted_kinds",
        )
        .order_by("pk")
    )


def _preferences(user) -> RecipientPreferences:
    try:
        pref = user.notification_preference
    except Exception:  # RelatedObjectDoesNotExist: no row, the defaults
        return RecipientPreferences()
    return RecipientPreferences(pref.email_language, pref.digest_frequency, tuple(pref.muted_kinds))


def due_digests(*, now: dt.datetime, users: Iterable | None = None, force: bool = False) -> list[DueDigest]:
    """The digests due at ``now`` (three queries: users, runs of these periods, last runs).

    ``users``: restrict to these (already loaded with :func:`recipients_queryset`); ``force``: every
    one of them is due now, whatever the hour (the benchmark).
    """
    users = list(recipients_queryset() if users is None else users)
    zones: dict = {}
    candidates = []
    for user in users:
        prefs = _preferences(user)
        if not prefs.receives(kinds.DIGEST):
            continue
        frequency = prefs.digest_frequency
        local = now.astimezone(zone_of(user.time_zone, zones))
        if not force and not is_due(frequency, local):
            continue
        candidates.append((user, frequency, period_of(frequency, local.date()), prefs))
    if not candidates:
        return []
    periods = {period for _u, _f, period, _p in candidates}
    done = set(DigestRun.objects.filter(period__in=periods).values_list("user_id", "frequency", "period"))
    candidates = [c for c in candidates if (c[0].pk, c[1], c[2]) not in done]
    if not candidates:
        return []
    cap = now - dt.timedelta(days=LOOKBACK_CAP_DAYS)
    last = dict(
        DigestRun.objects.filter(until__gt=cap, until__lte=now).values("user_id").annotate(last=Max("until")).values_list("user_id", "last")
    )
    due = []
    for user, frequency, period, prefs in candidates:
        default = now - (dt.timedelta(days=1) if frequency == DigestFrequency.DAILY else dt.timedelta(days=7))
        due.append(DueDigest(user=user, frequency=frequency, period=period, since=last.get(user.pk, default), preferences=prefs))
    return due


# --- composing and rendering --------------------------------------------------------------------


def section_functions() -> list[SectionFunction]:
    return [import_string(path) for path in getattr(settings, "DIGEST_SECTIONS", [])]


def compose(recipients: Sequence, since: Mapping[int, dt.datetime], now: dt.datetime) -> dict[int, list[DigestSection]]:
    """Every section's answer, per recipient, in the order of ``DIGEST_SECTIONS`` (empty ones left out)."""
    result: dict[int, list[DigestSection]] = {user.pk: [] for user in recipients}
    if not recipients:
        return result
    for fn in section_functions():
        answer = fn(recipients, since, now) or {}
        for user_id, section in answer.items():
            if section is not None and not section.is_empty and user_id in result:
                result[user_id].append(section)
    return result


@dataclass
class DigestResult:
    due: int = 0
    written: int = 0  # outbox rows written
    empty: int = 0  # nothing new: not sent
    queued: list[int] = field(default_factory=list)
    seconds: float = 0.0


def digest_key(frequency: str, user_id: int, period: str) -> str:
    return f"digest:{frequency}:{user_id}:{period}"


@transaction.atomic
def digests_send_due(*, now: dt.datetime | None = None, users: Iterable | None = None, force: bool = False) -> DigestResult:
    """Build and write the digests due at ``now``; deliveries are queued after commit (see module doc)."""
    started = time.monotonic()
    now = now or timezone.now()
    with connection.cursor() as cursor:  # two sweeps at once take turns; the second finds the runs written
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_ID])
    dues = due_digests(now=now, users=users, force=force)
    result = DigestResult(due=len(dues))
    if not dues:
        return result
    recipients = [d.user for d in dues]
    composed = compose(recipients, {d.user.pk: d.since for d in dues}, now)
    renderer = Renderer(TEMPLATE)
    messages: list[OutboxMessage] = []
    runs: list[DigestRun] = []
    for due in dues:
        sections = composed.get(due.user.pk, [])
        new_items = sum(s.new_count for s in sections)
        run = DigestRun(user=due.user, frequency=due.frequency, period=due.period, since=min(due.since, now), until=now,
                        new_items=new_items, status=DigestRunStatus.EMPTY)
        runs.append(run)
        if not new_items:
            result.empty += 1
            continue
        key = digest_key(due.frequency, due.user.pk, due.period)
        language, subject, text, html, headers, secret_refs = renderer.message(due, sections)
        run.status, run.outbox_key = DigestRunStatus.SENT, key
        messages.append(OutboxMessage(
            key=key, kind=kinds.DIGEST, recipient=due.user, to_email=due.user.email or "", language=language,
            template=TEMPLATE, subject=subject, body_text=text, body_html=html, headers=headers, attachments=[],
            secret_refs=secret_refs,
        ))
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    DigestRun.objects.bulk_create(runs, ignore_conflicts=True)
    if messages:
        # ignore_conflicts leaves the pks unset: read back the rows of these keys still waiting to go out.
        ids = list(
            OutboxMessage.objects.filter(key__in=[m.key for m in messages], status=OutboxMessage.Status.PENDING)
            .values_list("pk", flat=True)
        )
        result.queued = ids
        result.written = len(ids)
        transaction.on_commit(lambda: enqueue_delivery(*ids))
    result.seconds = time.monotonic() - started
    logger.info("digests: %s due, %s written, %s with nothing new (%.1fs)", result.due, result.written, result.empty, result.seconds)
    return result
