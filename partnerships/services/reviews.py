"""Services of targets and of the annual review pack (re-exported by ``partnerships.services``).

* ``target_save`` / ``target_delete``: staff with the target permissions (the admin's MoU inline).
* ``review_pack_generate``: queues the background job that builds and freezes a version;
  ``review_pack_build`` does the work (the job's builder calls it through ``build_version_job``).
* ``review_pack_sign_off``: a party approves the current version or asks for changes; recorded on the
  version, in the MoU's notes, and e-mailed to the MoU's owner.
* ``review_reminders_sweep``: 30 days before a period with targets ends, the owner is reminded to
  prepare the pack (deterministic outbox keys: once per MoU, period and owner); it also stores each
  current target's measured status (the digest's "targets behind").
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify
from kitb_portal.reports import compose as pack_compose
from kitb_portal.reports import services as reports
from kitb_portal.reports.models import ReviewPackVersion, SignOffDecision, Subject

from .. import selectors
from ..models import MoU, MoUNote, MoUParty, MoUTarget, NoteKind, TargetPeriod
from ..review import evaluate, mou_context, programme_context
from ..targets import period_bounds
from .common import require_staff

logger = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = 30
BUILDER = "partnerships.services.reviews.build_version_job"


# --- targets ----------------------------------------------------------------------------------
@transaction.atomic
def target_save(*, actor, target: MoUTarget) -> MoUTarget:
    """Create or change a target (validated; history records who)."""
    require_staff(actor, "partnerships.change_moutarget" if target.pk else "partnerships.add_moutarget")
    target.full_clean()
    target._history_user = actor
    target._change_reason = "target changed" if target.pk else "target set"
    target.save()
    return target


@transaction.atomic
def target_create(*, actor, mou_id: int, kind: str, year: int, target_value, period_kind: str = TargetPeriod.CALENDAR_YEAR,
                  event_kind: str = "", country: str = "", description: str = "", owner_party=None, manual_actual=None) -> MoUTarget:
    return target_save(actor=actor, target=MoUTarget(
        mou_id=mou_id, kind=kind, year=year, target_value=target_value, period_kind=period_kind, event_kind=event_kind,
        country=country, description=description, owner_party=owner_party, manual_actual=manual_actual,
    ))


@transaction.atomic
def target_delete(*, actor, target_id: int) -> None:
    require_staff(actor, "partnerships.delete_moutarget")
    target = MoUTarget.objects.get(pk=target_id)
    target._history_user = actor
    target._change_reason = "target removed"
    target.delete()


# --- building a pack ----------------------------------------------------------------------------
def pack_titles(mou: MoU | None, year: int, period_kind: str):
    if mou is None:
        return (lambda: _("KITB partnership programme: annual review %(year)s") % {"year": year},
                lambda: _("Every MoU in force in %(year)s") % {"year": year})
    return (lambda: f"{mou.reference} — {mou.title}",
            lambda: _("Annual review %(year)s (%(period)s)") % {"year": year, "period": TargetPeriod(period_kind).label})


def pack_context(*, mou: MoU | None, year: int, period_kind: str, as_of: dt.date | None = None) -> pack_compose.ReviewContext:
    if mou is None:
        return programme_context(year, as_of=as_of)
    return mou_context(mou, year=year, period_kind=period_kind, as_of=as_of)


def _check_period(year: int, period_kind: str) -> None:
    if period_kind not in TargetPeriod.values:
        raise ValidationError(_("Choose a calendar year or an anniversary year."))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("Choose a year between 2000 and 2100."))


def review_pack_build(*, actor, mou_id: int | None, year: int, period_kind: str = TargetPeriod.CALENDAR_YEAR,
                      as_of: dt.date | None = None, step=None) -> ReviewPackVersion:
    """Build and freeze the next version of the pack of ``mou_id`` (``None``: the programme)."""
    require_staff(actor, "reports.add_reviewpackversion")
    _check_period(year, period_kind)
    mou = MoU.objects.get(pk=mou_id) if mou_id else None
    if mou is None:
        period_kind = TargetPeriod.CALENDAR_YEAR
    ctx = pack_context(mou=mou, year=year, period_kind=period_kind, as_of=as_of)
    title, subtitle = pack_titles(mou, year, period_kind)
    version = reports.version_freeze(
        actor=actor, subject=Subject.MOU if mou else Subject.PROGRAMME, subject_id=mou.pk if mou else 0, ctx=ctx,
        title=title, subtitle=subtitle, step=step,
    )
    if mou is not None:
        _notify_new_version(mou, version, actor=actor)
    return version


def steps_of_build() -> int:
    return len(reports.LANGUAGES) * 2 + 1


def build_version_job(*, job, reporter) -> dict:
    """The background job's builder (``jobs.runner.run_report``)."""
    p = job.params
    version = review_pack_build(actor=job.started_by, mou_id=p.get("mou_id"), year=int(p["year"]),
                                period_kind=p.get("period_kind", "calendar"), step=lambda: reporter.advance(1))
    return {"version_id": version.pk, "url": reverse("admin:reports_reviewpackversion_change", args=[version.pk])}


def review_pack_generate(*, actor, mou_id: int | None, year: int, period_kind: str = TargetPeriod.CALENDAR_YEAR):
    """Queue the job that builds and freezes the next version (its page shows the progress bar).
    ``job_start_report`` refuses (PermissionDenied) whoever may not add review pack versions: the one check."""
    from kitb_portal.jobs.services import job_start_report

    _check_period(year, period_kind)
    if mou_id is not None and not MoU.objects.filter(pk=mou_id).exists():
        raise ValidationError(_("This MoU does not exist."))
    return job_start_report(
        actor=actor, model_label="reports.reviewpackversion", builder_path=BUILDER,
        params={"mou_id": mou_id, "year": int(year), "period_kind": period_kind}, steps=steps_of_build(),
    )


def _portal_version_url(version) -> str:
    return settings.SITE_URL + reverse("partnerships:review_version", args=[version.subject_id, version.pk])


def _notify_new_version(mou: MoU, version: ReviewPackVersion, *, actor) -> None:
    org_ids = list(MoUParty.objects.filter(mou=mou).values_list("organization_id", flat=True))
    for person in selectors.partner_contacts_queryset().filter(organization_id__in=org_ids):
        notify(recipient=person, template="partnerships/email/review_pack_ready", kind="review_pack",
               context={"mou": mou, "version": version, "link": _portal_version_url(version)},
               key=f"review-pack-ready:{version.pk}:{person.pk}")


# --- sign-off ---------------------------------------------------------------------------------
@transaction.atomic
def review_pack_sign_off(*, actor, version_id: int, decision: str, comment: str = ""):
    """The actor's organisation, a party to the version's MoU, approves it or asks for changes."""
    version = ReviewPackVersion.objects.filter(pk=version_id, subject=Subject.MOU).first()
    if version is None:
        raise ValidationError(_("This version of the review pack does not exist."))
    mou = MoU.objects.select_for_update(of=("self",)).select_related("owner").get(pk=version.subject_id)
    party = MoUParty.objects.filter(mou=mou, organization_id=actor.organization_id).select_related("organization").first() \
        if actor.organization_id else None
    if party is None or actor.is_staff:
        raise PermissionDenied(_("Your organisation is not a party to this MoU."))
    sign_off = reports.sign_off_record(actor=actor, version_id=version.pk, organization=party.organization,
                                       decision=decision, comment=comment)
    if decision == SignOffDecision.APPROVED:
        text = _("%(org)s approved version %(v)s of the %(year)s review pack.") % {
            "org": party.organization.name, "v": version.number, "year": version.year}
    else:
        text = _("%(org)s asked for changes to version %(v)s of the %(year)s review pack: %(comment)s") % {
            "org": party.organization.name, "v": version.number, "year": version.year, "comment": sign_off.comment}
    MoUNote.objects.create(mou=mou, kind=NoteKind.DECISION, text=text, author=actor)
    owner = mou.owner
    if owner is not None and owner.is_active:
        notify(recipient=owner, template="partnerships/email/review_pack_decision", kind="review_pack",
               context={"mou": mou, "version": version, "sign_off": sign_off, "party": party,
                        "link": settings.SITE_URL + reverse("admin:reports_reviewpackversion_change", args=[version.pk])},
               key=f"review-pack-decision:{version.pk}:{party.pk}:{decision}:{owner.pk}")
    return sign_off


# --- reminders and measured statuses -----------------------------------------------------------
def review_reminders_sweep(*, today: dt.date | None = None) -> dict:
    """Daily: remind owners 30 days before a period with targets ends; store the targets' statuses."""
    today = today or timezone.localdate()
    targets = list(
        MoUTarget.objects.filter(year__in=[today.year - 1, today.year, today.year + 1]).select_related("mou", "mou__owner")
        .order_by("mou_id", "period_kind", "year", "pk")
    )
    periods: dict[tuple, list[MoUTarget]] = {}
    for t in targets:
        start, end = period_bounds(t.mou, t.period_kind, t.year)
        if start <= today <= end + dt.timedelta(days=REMIND_DAYS_BEFORE):
            periods.setdefault((t.mou_id, t.period_kind, t.year), []).append(t)
    reminded = 0
    evaluated = 0
    for (_mou_id, period_kind, year), group in periods.items():
        mou = group[0].mou
        start, end = period_bounds(mou, period_kind, year)
        ctx = mou_context(mou, year=year, period_kind=period_kind, as_of=today)
        pack = pack_compose.compose(ctx)
        for target, actual, status in evaluate(group, pack.measures, ctx):
            MoUTarget.objects.filter(pk=target.pk).update(last_status=status, last_actual=actual, evaluated_on=today)
            evaluated += 1
        owner = mou.owner
        if owner is not None and owner.is_active and end - dt.timedelta(days=REMIND_DAYS_BEFORE) <= today <= end:
            message = notify(
                recipient=owner, template="partnerships/email/review_pack_reminder", kind="review_pack", mandatory=True,
                mandatory_reason=_("You own this MoU, so the reminder to prepare its annual review cannot be switched off."),
                context={"mou": mou, "year": year, "period_end": end,
                         "link": settings.SITE_URL + reverse("admin:partnerships_mou_review", args=[mou.pk, year])
                         + f"?period={period_kind}"},
                key=f"review-pack-reminder:{mou.pk}:{period_kind}:{year}:{owner.pk}",
            )
            reminded += message is not None
    logger.info("review sweep: %s reminders, %s targets measured", reminded, evaluated)
    return {"reminded": reminded, "evaluated": evaluated}
