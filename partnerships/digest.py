"""The partnerships section of the digest (``settings.DIGEST_SECTIONS``; composed by
``kitb_portal.notifications.digest``).

Staff who may view MoUs see every MoU; a partner user sees the MoUs their organisation is a party
to. Three groups: MoUs whose status changed in the reader's window, live MoUs expiring within 90
days, and open commitments due within 14 days or overdue. New items: a status change in the window,
an MoU that reached a reminder stage (90, 30 or 7 days before expiry) in the window, a commitment
that became due soon, due or was created in the window.

Six queries whatever the number of readers: permissions, status history (with the previous
status by a window function), MoUs, parties, commitments, and the targets the daily sweep last
measured as behind (a fourth group, "MoU targets behind").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial

from django.db.models import F, Q, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kitb_portal.notifications.digest import (
    DigestGroup,
    DigestItem,
    DigestSection,
    after,
    lazy_date,
    lazy_text,
    shared,
    site_url,
    users_with_perm,
)

from .models import Commitment, CommitmentStatus, MoU, MoUParty, MoUStatus, MoUTarget, TargetStatus
from .reminders import COMMITMENT_DAYS_BEFORE, EXPIRY_DAYS_BEFORE
from .selectors import LIVE_STATUSES

HORIZON_DAYS = max(EXPIRY_DAYS_BEFORE)  # 90


def _status_label(value):
    return MoUStatus(value).label if value in MoUStatus.values else value


def _mou_text(mou):
    return lazy_text(lambda: f"{mou.reference} “{mou.title}”")


def _link(staff: bool, mou_id: int) -> str:
    return site_url("admin:partnerships_mou_change", mou_id) if staff else site_url("partnerships:mou_detail", mou_id)


def _entered_stage(expiry: dt.date, since_day: dt.date, today: dt.date) -> bool:
    """Did a reminder stage (90/30/7 days before expiry) begin in (since_day, today]?"""
    return any(since_day < expiry - dt.timedelta(days=days) <= today for days in EXPIRY_DAYS_BEFORE)


def section(recipients, since, now) -> dict:
    staff_ids = users_with_perm(recipients, "partnerships.view_mou")
    partners = [u for u in recipients if not u.is_staff and u.organization_id]
    readers = [u for u in recipients if u.pk in staff_ids] + partners
    if not readers:
        return {}
    today = timezone.localdate(now)
    earliest = min(since[u.pk] for u in readers)

    # 1. status changes in the widest window, with the status each history row replaced
    History = MoU.history.model
    changed = History.objects.filter(history_date__gt=earliest, history_date__lte=now).values("id")
    changes: dict[int, list[tuple]] = defaultdict(list)  # mou id -> [(when, from, to)]
    rows = (
        History.objects.filter(id__in=changed)
        .annotate(previous=Window(Lag("status"), partition_by=[F("id")], order_by=[F("history_date").asc(), F("history_id").asc()]))
        .values_list("id", "history_date", "previous", "status")
        .order_by("history_date", "history_id")
    )
    for mou_id, when, previous, status in rows:
        if when > earliest and when <= now and previous != status:
            changes[mou_id].append((when, previous, status))

    # 2. the MoUs: changed ones, and live ones expiring within 90 days
    mous = {
        m.pk: m
        for m in MoU.objects.filter(
            Q(pk__in=list(changes)) | Q(status__in=LIVE_STATUSES, expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=HORIZON_DAYS))
        ).only("pk", "reference", "title_en", "title_id", "title_ko", "status", "expiry_date")
    }
    # 3. open commitments of live MoUs due within 14 days or overdue
    commitments = list(
        Commitment.objects.filter(
            status=CommitmentStatus.OPEN, due_date__isnull=False,
            due_date__lte=today + dt.timedelta(days=COMMITMENT_DAYS_BEFORE), mou__status__in=LIVE_STATUSES,
        )
        .select_related("mou", "responsible_organization")
        .only("pk", "description", "due_date", "created_at", "mou__id", "mou__reference", "mou__title_en", "mou__title_id",
              "mou__title_ko", "responsible_organization__name")
        .order_by("due_date", "pk")
    )
    # 3b. targets the daily sweep last measured as behind (current and last year's periods)
    behind = list(
        MoUTarget.objects.filter(last_status=TargetStatus.BEHIND, year__gte=today.year - 1, mou__status__in=LIVE_STATUSES)
        .select_related("mou").only("pk", "kind", "description", "year", "target_value", "last_actual", "evaluated_on",
                                    "mou__id", "mou__reference", "mou__title_en", "mou__title_id", "mou__title_ko")
        .order_by("mou_id", "year", "pk")
    )
    # 4. which organisations are party to which MoU
    mou_ids = set(mous) | {c.mou_id for c in commitments} | {t.mou_id for t in behind}
    orgs_of: dict[int, set[int]] = defaultdict(set)
    for mou_id, org_id in MoUParty.objects.filter(mou_id__in=mou_ids).values_list("mou_id", "organization_id"):
        orgs_of[mou_id].add(org_id)

    def build(scope, reader_since: dt.datetime):
        staff = scope == "staff"

        def visible(mou_id):
            return staff or scope in orgs_of.get(mou_id, ())

        since_day = timezone.localdate(reader_since)
        status_items = []
        for mou_id, events in changes.items():
            window = [e for e in events if e[0] > reader_since]
            if not window or mou_id not in mous or not visible(mou_id):
                continue
            first, last = window[0], window[-1]
            detail = (
                format_lazy(_("{old} → {new}"), old=_status_label(first[1]), new=_status_label(last[2]))
                if first[1] else format_lazy(_("new, {status}"), status=_status_label(last[2]))
            )
            status_items.append(DigestItem(_mou_text(mous[mou_id]), _link(staff, mou_id), detail, new=True))
        expiring = []
        for mou in sorted(mous.values(), key=lambda m: (m.expiry_date or dt.date.max, m.pk)):
            if mou.status not in LIVE_STATUSES or not mou.expiry_date or not (today <= mou.expiry_date <= today + dt.timedelta(days=HORIZON_DAYS)):
                continue
            if not visible(mou.pk):
                continue
            days = (mou.expiry_date - today).days
            detail = format_lazy(
                ngettext_lazy("expires on {date}, in {days} day", "expires on {date}, in {days} days", days),
                date=lazy_date(mou.expiry_date), days=days,
            )
            expiring.append(DigestItem(_mou_text(mou), _link(staff, mou.pk), detail,
                                       new=_entered_stage(mou.expiry_date, since_day, today)))
        due = []
        for c in commitments:
            if not visible(c.mou_id):
                continue
            overdue = c.due_date < today
            detail = format_lazy(
                _("overdue since {date} — {org}") if overdue else _("due {date} — {org}"),
                date=lazy_date(c.due_date), org=c.responsible_organization.name,
            )
            became = (
                since_day < c.due_date - dt.timedelta(days=COMMITMENT_DAYS_BEFORE) <= today
                or since_day < c.due_date <= today
                or after(c.created_at, reader_since)
            )
            text = format_lazy("{description} ({mou})", description=str(c), mou=c.mou.reference)
            due.append(DigestItem(text, _link(staff, c.mou_id), detail, new=became))
        behind_items = []
        for t in behind:
            if not visible(t.mou_id):
                continue
            text = format_lazy("{what} {year} ({mou})", what=t.description or t.get_kind_display(), year=t.year, mou=t.mou.reference)
            detail = format_lazy(_("behind: {actual} of {target}"), actual=t.last_actual if t.last_actual is not None else "—",
                                 target=t.target_value.normalize())
            behind_items.append(DigestItem(text, _link(staff, t.mou_id), detail,
                                           new=t.evaluated_on is not None and t.evaluated_on > since_day))
        groups = [
            DigestGroup.of(_("MoUs whose status changed"), status_items),
            DigestGroup.of(_("MoUs expiring within 90 days"), expiring),
            DigestGroup.of(_("Commitments due or overdue"), due),
            DigestGroup.of(_("MoU targets behind"), behind_items),
        ]
        url = site_url("admin:partnerships_mou_changelist") if staff else site_url("partnerships:mou_list")
        return DigestSection("partnerships", _("MoUs and commitments"), groups, url=url)

    cache: dict = {}
    answer = {}
    for user in readers:
        scope = "staff" if user.pk in staff_ids else user.organization_id
        answer[user.pk] = shared(cache, (scope, since[user.pk]), partial(build, scope, since[user.pk]))
    return answer
