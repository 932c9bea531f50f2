"""The events section of the annual review pack (``settings.REVIEW_SECTIONS``).

Counts, for the MoUs of the pack and its period: the events **held** under each MoU (not a draft
and not cancelled, starting within the period and already ended on the day measured), their
attendance (registrations checked in: ``attended``) by country and by organisation, and the average
feedback rating. Measures for targets: ``events_held``, ``events_held:<kind>``, ``attendees`` and
``attendees:<country>``. Four queries whatever the number of events.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.charts import Bar, DataTable, bar_chart, cell, fmt_number
from kitb_portal.reports.compose import Block, Figure, ReviewContext, ReviewSection, ncell, start_of_day

from .models import Event, EventKind, EventStatus, Registration, RegistrationStatus

TOP_ORGANISATIONS = 15
PROGRAMME_EVENT_ROWS = 0  # the programme pack lists totals per MoU, not each event


def held_events(ctx: ReviewContext):
    """The events held under the pack's MoUs in its period (see the module's docstring)."""
    start, end = ctx.period_instants
    as_of_end = start_of_day(ctx.as_of + dt.timedelta(days=1))
    return Event.objects.filter(
        mou_id__in=ctx.mou_ids, start__gte=start, start__lt=end, end__lte=as_of_end,
        status__in=[EventStatus.PUBLISHED, EventStatus.COMPLETED],
    )


def section(ctx: ReviewContext) -> ReviewSection:
    events_qs = held_events(ctx)
    attended = Registration.objects.filter(event__in=events_qs, status=RegistrationStatus.ATTENDED)
    kind_labels = dict(EventKind.choices)

    # 1. per event (or per MoU and kind): attendance and feedback
    measures: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    rows = list(
        events_qs.annotate(
            attended_n=Count("registrations", filter=Q(registrations__status=RegistrationStatus.ATTENDED)),
            rating_avg=Avg("registrations__feedback__rating"),
        ).values("pk", "mou_id", "kind", "title_en", "title_id", "title_ko", "start", "attended_n", "rating_avg").order_by("start", "pk")
    )
    for mou_id in ctx.mou_ids:
        measures[mou_id].update({"events_held": Decimal(0), "attendees": Decimal(0)})
        for kind in EventKind.values:
            measures[mou_id][f"events_held:{kind}"] = Decimal(0)
    for r in rows:
        m = measures[r["mou_id"]]
        m["events_held"] += 1
        m[f"events_held:{r['kind']}"] += 1
    # 2. attendees by MoU and country
    by_country: dict[str, int] = defaultdict(int)
    for mou_id, country, n in attended.values_list("event__mou_id", "country").annotate(n=Count("pk")).order_by():
        code = (country or "").upper()
        measures[mou_id]["attendees"] += n
        if code:
            key = f"attendees:{code}"
            measures[mou_id][key] = measures[mou_id].get(key, Decimal(0)) + n
        by_country[code or "—"] += n
    # 3. attendees by organisation
    by_org = list(
        attended.annotate(org=Coalesce(F("organization__name"), NullIf(F("organization_name"), Value("")), Value("—")))
        .values("org").annotate(n=Count("pk")).order_by("-n", "org")[:TOP_ORGANISATIONS]
    )
    # 4. the feedback average over every attended registration with feedback
    rating = attended.aggregate(avg=Avg("feedback__rating"), n=Count("feedback"))

    lang = (translation_language() or "en")
    total_events = len(rows)
    total_attended = sum(by_country.values())
    figures = [
        Figure(_("Events held"), fmt_number(total_events)),
        Figure(_("Attendees"), fmt_number(total_attended)),
        Figure(_("Average feedback (1–5)"), fmt_number(rating["avg"], 1) if rating["avg"] is not None else "—"),
        Figure(_("Feedback answers"), fmt_number(rating["n"])),
    ]
    blocks = [Block(heading=_("Events held"), figures=figures)]
    kind_counts = defaultdict(int)
    for r in rows:
        kind_counts[r["kind"]] += 1
    kind_table = DataTable(_("Events held by kind"), [_("Kind"), _("Events")],
                           [[cell(str(kind_labels[k])), ncell(kind_counts.get(k, 0))] for k in EventKind.values])
    blocks[0].charts.append(bar_chart(
        chart_id="review-events-kind", title=_("Events held by kind"), description=_("Number of events held in the period, by kind."),
        bars=[Bar(str(kind_labels[k]), kind_counts.get(k, 0)) for k in EventKind.values], table=kind_table,
    ))
    if not ctx.programme:
        def title(r):
            return {"id": r["title_id"], "ko": r["title_ko"]}.get(lang) or r["title_en"]

        blocks[0].tables.append(DataTable(
            _("Events and their attendance"), [_("Event"), _("Kind"), _("Date"), _("Attendees"), _("Average feedback")],
            [[cell(title(r)), cell(str(kind_labels.get(r["kind"], r["kind"]))),
              cell(timezone.localtime(r["start"]).date().isoformat(), nowrap=True), ncell(r["attended_n"]),
              ncell(round(r["rating_avg"], 1) if r["rating_avg"] is not None else None)] for r in rows],
        ))
    countries = sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))
    country_table = DataTable(_("Attendees by country"), [_("Country"), _("Attendees")],
                              [[cell(code), ncell(n)] for code, n in countries])
    blocks.append(Block(heading=_("Attendance"), empty=_("Nobody attended an event in this period."), charts=[bar_chart(
        chart_id="review-attendees-country", title=_("Attendees by country"), description=_("Checked-in attendees by country."),
        bars=[Bar(code, n) for code, n in countries[:10]], table=country_table,
    )] if countries else [], tables=[DataTable(_("Attendees by organisation"), [_("Organisation"), _("Attendees")],
                                               [[cell(r["org"]), ncell(r["n"])] for r in by_org])] if by_org else []))
    return ReviewSection(key="events", title=_("Joint events"), blocks=blocks, measures=dict(measures), order=30)


def translation_language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "en")[:2]
