"""The partnerships section of the annual review pack (``settings.REVIEW_SECTIONS``), and the
contexts of a pack: one MoU's period, or the whole programme's calendar year.

Section content: the parties; the targets against what was achieved (judged in ``finish``, once the
other sections have published their measures); the commitments due or closed in the period (done,
overdue, waived, with what fulfilled them); the decisions recorded in the MoU's notes in the period.
Measure: ``commitments_on_time`` (done by their due date, due in the period). Five queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.charts import DataTable, cell, fmt_number
from kitb_portal.reports.compose import Block, Figure, ReviewContext, ReviewSection, ncell

from .models import Commitment, CommitmentStatus, MoU, MoUNote, MoUParty, MoUStatus, MoUTarget, NoteKind, TargetKind, TargetStatus
from .targets import judge, period_bounds

PROGRAMME_DECISIONS = 30  # the programme pack lists the latest decisions only

STATUS_CLASS = {TargetStatus.MET: "target-met", TargetStatus.BEHIND: "target-behind"}


# --- contexts ---------------------------------------------------------------------------------
def mou_context(mou: MoU, *, year: int, period_kind: str = "calendar", as_of: dt.date | None = None) -> ReviewContext:
    start, end = period_bounds(mou, period_kind, year)
    return ReviewContext(mou_ids=[mou.pk], period_start=start, period_end=end, as_of=as_of or timezone.localdate(),
                         year=year, period_kind=period_kind)


def programme_mou_ids(year: int) -> list[int]:
    """The MoUs of a year: in force at some time of it (signed, active or expired, effective before its
    end and not expired before its start), or carrying targets for it."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return list(
        MoU.objects.filter(
            Q(status__in=[MoUStatus.SIGNED, MoUStatus.ACTIVE, MoUStatus.EXPIRED], effective_date__lte=end)
            & (Q(expiry_date__isnull=True) | Q(expiry_date__gte=start))
            | Q(targets__year=year, targets__period_kind="calendar")
        ).distinct().order_by("pk").values_list("pk", flat=True)
    )


def programme_context(year: int, *, as_of: dt.date | None = None) -> ReviewContext:
    return ReviewContext(mou_ids=programme_mou_ids(year), period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
                         as_of=as_of or timezone.localdate(), year=year, period_kind="calendar", programme=True)


# --- judging targets --------------------------------------------------------------------------
def target_actual(target: MoUTarget, measures: dict) -> Decimal | None:
    if target.kind == TargetKind.MANUAL:
        return target.manual_actual
    values = measures.get(target.mou_id, {})
    if target.measure_key not in values:
        return Decimal(0) if target.measure_key.startswith(("events_held", "attendees:")) else None
    return values[target.measure_key]


def evaluate(targets, measures: dict, ctx: ReviewContext) -> list[tuple[MoUTarget, Decimal | None, str]]:
    return [(t, a, judge(target=t.target_value, actual=a, start=ctx.period_start, end=ctx.period_end, as_of=ctx.as_of))
            for t in targets for a in [target_actual(t, measures)]]


def _value_text(target: MoUTarget, value) -> str:
    if value is None:
        return "—"
    decimals = 2 if target.kind == TargetKind.LAND_ALLOCATED else 0
    return fmt_number(value, decimals)


# --- the section ------------------------------------------------------------------------------
def section(ctx: ReviewContext) -> ReviewSection:
    mous = {m.pk: m for m in MoU.objects.filter(pk__in=ctx.mou_ids).only("pk", "reference", "title_en", "title_id", "title_ko",
                                                                         "status", "effective_date", "expiry_date")}
    parties = defaultdict(list)
    for p in MoUParty.objects.filter(mou_id__in=ctx.mou_ids).select_related("organization").order_by("mou_id", "role", "pk"):
        parties[p.mou_id].append(p)
    targets = list(
        MoUTarget.objects.filter(mou_id__in=ctx.mou_ids, year=ctx.year, period_kind=ctx.period_kind)
        .select_related("owner_party__organization").order_by("mou_id", "kind", "pk")
    )
    commitments = list(
        Commitment.objects.filter(mou_id__in=ctx.mou_ids).filter(
            Q(due_date__range=(ctx.period_start, ctx.period_end)) | Q(closed_on__range=(ctx.period_start, ctx.period_end))
        ).select_related("responsible_organization").prefetch_related("events").order_by("due_date", "pk")
    )
    decisions = list(
        MoUNote.objects.filter(mou_id__in=ctx.mou_ids, kind=NoteKind.DECISION, noted_on__range=(ctx.period_start, ctx.period_end))
        .order_by("noted_on", "pk")
    )

    measures: dict[int, dict[str, Decimal | None]] = {mou_id: {"commitments_on_time": Decimal(0)} for mou_id in ctx.mou_ids}
    state_counts = {"done": 0, "overdue": 0, "waived": 0, "open": 0}
    rows = []
    for c in commitments:
        if c.status == CommitmentStatus.DONE:
            state = "done"
            if c.due_date and ctx.period_start <= c.due_date <= ctx.period_end and c.closed_on and c.closed_on <= c.due_date:
                measures[c.mou_id]["commitments_on_time"] += 1
        elif c.status == CommitmentStatus.WAIVED:
            state = "waived"
        elif c.due_date and c.due_date < ctx.as_of:
            state = "overdue"
        else:
            state = "open"
        state_counts[state] += 1
        labels = {"done": _("Done"), "waived": _("Waived"), "overdue": _("Overdue"), "open": _("Open")}
        evidence = c.fulfilment_note
        linked = ", ".join(e.title for e in c.events.all())
        if linked:
            evidence = f"{evidence} ({_('events')}: {linked})" if evidence else f"{_('events')}: {linked}"
        rows.append([cell(str(c)), cell(mous[c.mou_id].reference), cell(c.responsible_organization.name),
                     cell(c.due_date.isoformat() if c.due_date else "—", nowrap=True), cell(labels[state], nowrap=True),
                     cell(c.closed_on.isoformat() if c.closed_on else "—", nowrap=True), cell(evidence or "—")])

    target_block = Block(heading=_("Targets"), empty=_("No targets are set for this period."))
    section_ = ReviewSection(key="partnerships", title=_("The MoU"), measures=measures, order=10)

    def finish(ctx_, all_measures):
        judged = evaluate(targets, all_measures, ctx_)
        status_labels = dict(TargetStatus.choices)
        counts = defaultdict(int)
        table_rows = []
        for t, actual, status in judged:
            counts[status] += 1
            what = t.description or t.get_kind_display()
            if t.kind == TargetKind.EVENTS_HELD and t.event_kind:
                kinds = {"conference": _("Conference"), "seminar": _("Seminar"), "workshop": _("Workshop")}
                what = f"{what} ({kinds.get(t.event_kind, t.event_kind)})"
            if t.kind == TargetKind.PARTNER_ATTENDEES:
                what = f"{what} ({t.country or 'KR'})"
            owner = t.owner_party.organization.name if t.owner_party_id else _("All parties")
            row = [cell(what)]
            if ctx_.programme:
                row.append(cell(mous[t.mou_id].reference))
            row += [cell(owner), ncell(t.target_value, _value_text(t, t.target_value)), ncell(actual, _value_text(t, actual)),
                    cell(str(status_labels[status]))]
            table_rows.append(row)
        columns = [_("Target")] + ([_("MoU")] if ctx_.programme else []) + [_("Owner"), _("Aimed at"), _("Achieved"), _("Status")]
        if judged:
            target_block.figures = [Figure(str(status_labels[s]), fmt_number(counts.get(s, 0))) for s in TargetStatus.values]
            target_block.tables = [DataTable(_("Targets against what was achieved"), columns, table_rows, id="pack-targets")]
            target_block.paragraphs = [_("On track: at least the share of the number that matches the share of the period "
                                         "elapsed. Amounts are in USD.")]
        section_.judged = judged

    section_.finish = finish
    lang_titles = []
    for mou_id in ([] if ctx.programme else ctx.mou_ids):
        m = mous.get(mou_id)
        if m is None:
            continue
        names = ", ".join(f"{p.organization.name} ({p.get_role_display()})" for p in parties[mou_id])
        lang_titles.append([cell(m.reference), cell(m.title), cell(m.get_status_display(), nowrap=True), cell(names)])
    if ctx.programme:  # thousands of MoUs: totals here, each MoU's figures in its own pack
        about = Block(heading=_("MoUs"), figures=[Figure(_("MoUs in force"), fmt_number(len(mous)))])
    else:
        about = Block(heading=_("Parties"), tables=[DataTable(_("The parties"), [_("Reference"), _("Title"), _("Status"), _("Parties")],
                                                              lang_titles)])
    commitments_block = Block(
        heading=_("Commitments"), empty=_("No commitment was due or closed in this period."),
        figures=[Figure(_("Done"), fmt_number(state_counts["done"])), Figure(_("Overdue"), fmt_number(state_counts["overdue"])),
                 Figure(_("Waived"), fmt_number(state_counts["waived"])), Figure(_("Open"), fmt_number(state_counts["open"]))],
        tables=[DataTable(_("Commitments due or closed in the period"),
                          [_("Commitment"), _("MoU"), _("Responsible"), _("Due"), _("State"), _("Closed on"), _("Evidence")],
                          rows)] if rows and not ctx.programme else [],
    )
    shown = decisions[-PROGRAMME_DECISIONS:] if ctx.programme else decisions
    decision_rows = [[cell(n.noted_on.isoformat(), nowrap=True), cell(mous[n.mou_id].reference), cell(n.text)] for n in shown]
    decisions_block = Block(heading=_("Decisions"), empty=_("No decision was recorded in this period."),
                            tables=[DataTable(_("Decisions recorded in the MoU's notes"), [_("Date"), _("MoU"), _("Decision")],
                                              decision_rows)] if decision_rows else [])
    section_.blocks = [about, target_block, commitments_block, decisions_block]
    return section_
