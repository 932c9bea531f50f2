"""The daily reminders sweep (a service; celery beat calls it through ``tasks.reminders_sweep``).

Who gets what (the recipients rule):

* MoU expiry — 90, 30 and 7 days before the expiry date of a signed or active MoU: the MoU's owner
  and the *partner contacts* of every party organisation. Partner contacts of an organisation are
  its active users who are not KITB staff (the host's staff are reached through the owner).
  The owner's expiry reminders are mandatory (``notify(mandatory=True)``: sent whatever their
  preferences, and the footer says why); the partner contacts may switch the kind off.
* Commitment — 14 days before its due date, on the due date, then every 7 days while it stays
  open and overdue: the MoU's owner, the commitment's responsible user (when the responsible
  person has an account) and the partner contacts of the responsible organisation.

Each message is due in a window, not on one day only (the 30-day reminder is due from 30 down to
8 days before expiry), so a sweep that did not run one day catches up the next; the outbox key
names the stage, so each stage is sent once per recipient, and running the sweep twice sends
nothing twice. Keys include the due/expiry date, so a renewed term or a moved due date starts over.

Queries are bounded: a fixed number of selects whatever the number of MoUs and commitments, one
look-up of the keys already in the outbox, then one write per new message.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from kitb_portal.notifications.models import OutboxMessage
from kitb_portal.notifications.services import notify

from . import selectors

logger = logging.getLogger(__name__)

EXPIRY_DAYS_BEFORE = (90, 30, 7)
COMMITMENT_DAYS_BEFORE = 14
OVERDUE_EVERY_DAYS = 7


def expiry_stage(days_left: int) -> int | None:
    """The reminder due when ``days_left`` days remain: 90 (90..31), 30 (30..8), 7 (7..0), else None."""
    if days_left < 0:
        return None
    for days in sorted(EXPIRY_DAYS_BEFORE):
        if days_left <= days:
            return days
    return None


def commitment_stage(today: dt.date, due: dt.date) -> str | None:
    """``before-14`` (14..1 days before), ``due`` (due date .. 6 days after), ``overdue-N`` (week N after)."""
    delta = (due - today).days
    if delta > COMMITMENT_DAYS_BEFORE:
        return None
    if delta > 0:
        return f"before-{COMMITMENT_DAYS_BEFORE}"
    weeks = (-delta) // OVERDUE_EVERY_DAYS
    return "due" if weeks == 0 else f"overdue-{weeks}"


def _unique(people) -> list:
    seen, result = set(), []
    for person in people:
        if person is None or not person.is_active or person.pk in seen:
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def expiry_recipients(mou) -> list:
    """Owner + partner contacts of each party organisation (needs the sweep's prefetching)."""
    people = [mou.owner]
    for party in mou.parties.all():
        people.extend(party.organization.contacts)
    return _unique(people)


def commitment_recipients(commitment) -> list:
    people = [commitment.mou.owner, commitment.responsible_user]
    people.extend(commitment.responsible_organization.contacts)
    return _unique(people)


def _close_past_terms(today: dt.date, summary: dict) -> None:
    """Active MoUs past their expiry date: renew those with automatic renewal, expire the others."""
    from . import services

    for mou in selectors.mous_to_close(today):
        try:
            if mou.auto_renew and mou.effective_date:
                length = mou.expiry_date - mou.effective_date
                new_effective = mou.expiry_date + dt.timedelta(days=1)
                services.mou_renew(mou_id=mou.pk, actor=None, new_effective_date=new_effective,
                                   new_expiry_date=new_effective + length)
                summary["renewed"] += 1
            else:
                services.mou_expire(mou_id=mou.pk, actor=None, today=today)
                summary["expired"] += 1
        except Exception:  # one bad row must not stop the reminders
            logger.exception("Could not close the term of MoU %s", mou.pk)


def reminders_sweep(*, today: dt.date) -> dict[str, int]:
    """Close past terms, then write the expiry and commitment reminders due on ``today``."""
    from .services import mou_link_for

    summary = {"expired": 0, "renewed": 0, "expiry_reminders": 0, "commitment_reminders": 0}
    _close_past_terms(today, summary)

    candidates: list[dict] = []
    for mou in selectors.mous_for_expiry_reminders(today, max(EXPIRY_DAYS_BEFORE)):
        days_left = (mou.expiry_date - today).days
        stage = expiry_stage(days_left)
        if stage is None:
            continue
        for person in expiry_recipients(mou):
            candidates.append({
                "counter": "expiry_reminders",
                "key": f"mou-expiry:{mou.pk}:{mou.expiry_date.isoformat()}:{stage}:{person.pk}",
                "recipient": person,
                "template": "partnerships/email/mou_expiry",
                "kind": "mou_expiry",
                # The owner must hear of their MoU's expiry (the footer says so); partner contacts may opt out.
                "mandatory": person.pk == mou.owner_id,
                "context": {"mou": mou, "days_left": days_left, "stage": stage, "link": mou_link_for(person, mou)},
            })
    for commitment in selectors.commitments_for_reminders(today, COMMITMENT_DAYS_BEFORE):
        stage = commitment_stage(today, commitment.due_date)
        if stage is None:
            continue
        days = (commitment.due_date - today).days
        for person in commitment_recipients(commitment):
            candidates.append({
                "counter": "commitment_reminders",
                "key": f"commitment-due:{commitment.pk}:{commitment.due_date.isoformat()}:{stage}:{person.pk}",
                "recipient": person,
                "template": "partnerships/email/commitment_reminder",
                "kind": "commitment_due",
                "mandatory": person.pk == commitment.mou.owner_id,
                "context": {
                    "commitment": commitment, "mou": commitment.mou, "stage": stage, "days_left": days,
                    "days_overdue": -days, "overdue": days < 0, "link": mou_link_for(person, commitment.mou),
                },
            })
    if not candidates:
        return summary
    existing = set(OutboxMessage.objects.filter(key__in=[c["key"] for c in candidates]).values_list("key", flat=True))
    with transaction.atomic():
        for c in candidates:
            if c["key"] in existing:
                continue
            message = notify(recipient=c["recipient"], template=c["template"], context=c["context"], key=c["key"], kind=c["kind"],
                             mandatory=c["mandatory"])
            if message is not None:
                summary[c["counter"]] += 1
    return summary
