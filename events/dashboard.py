"""The events section of the dashboard (listed in ``settings.DASHBOARD_SECTIONS``).

Staff (with ``events.view_event``): published events of the next 60 days with their fill rate, and
events held per quarter by kind over the last eight quarters. Partners: their own upcoming
registrations. A fixed number of queries (four for staff, one for partners) whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum, Window
from django.db.models.functions import Coalesce, TruncQuarter
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kitb_portal.charts import Bar, DataTable, Series, Stack, bar_chart, cell, column_chart, fmt_number, fmt_percent
from kitb_portal.dashboard import Figure, Panel, Section

from . import selectors
from .models import HOLDS_PLACE_STATUSES, Event, EventKind, EventStatus, RegistrationStatus

UPCOMING_DAYS = 60
QUARTERS = 8
LIST_LIMIT = 10
HELD_STATUSES = [EventStatus.PUBLISHED, EventStatus.COMPLETED]
UPCOMING_REGISTRATION_STATUSES = [RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


def section(user, *, now=None) -> Section | None:
    now = now or timezone.now()
    if user.is_staff:
        return staff_section(user, now=now) if _staff_reader(user) else None
    return partner_section(user, now=now)


# What the staff section reads: kitb_portal.dashboard.cached keeps it until one of these is written.
section.staff_models = ("events.Event", "events.Registration", "events.Venue")


def _staff_reader(user) -> bool:
    """All a staff reader changes in the section: whether they may see events (``section`` decides
    with this, so what is declared is what is read)."""
    return user.has_perm("events.view_event")


section.staff_reader = _staff_reader


def _admin_url(name: str, **params) -> str:
    url = reverse(f"admin:events_{name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def quarter_starts(today: dt.date, count: int = QUARTERS) -> list[dt.date]:
    """The first days of the last ``count`` quarters, oldest first, the current one last."""
    year, quarter = today.year, (today.month - 1) // 3
    starts = []
    for _i in range(count):
        starts.append(dt.date(year, quarter * 3 + 1, 1))
        quarter -= 1
        if quarter < 0:
            quarter, year = 3, year - 1
    return starts[::-1]


def _next_quarter(start: dt.date) -> dt.date:
    return dt.date(start.year + 1, 1, 1) if start.month == 10 else dt.date(start.year, start.month + 3, 1)


# --- staff ------------------------------------------------------------------------------------
def staff_section(user, *, now: dt.datetime) -> Section:
    return Section(key="events", title=_("Events"), panels=[_upcoming_panel(now), _quarters_panel(now)])


def _upcoming_panel(now: dt.datetime) -> Panel:
    today = timezone.localdate(now)
    start, end = _local_midnight(today), _local_midnight(today + dt.timedelta(days=UPCOMING_DAYS))
    upcoming = Event.objects.filter(status=EventStatus.PUBLISHED, start__gte=start, start__lt=end)
    list_url = _admin_url("event", status__exact=EventStatus.PUBLISHED, start__gte=start.isoformat(), start__lt=end.isoformat())

    # The first events with their counts, then the totals of the whole window in one aggregate.
    # (Window functions over the page's query did it in one statement, but made PostgreSQL build every
    # event's row with all its counts before the LIMIT: 9 ms for the 656 events of the scale-100 bench
    # data, against 3 ms for these two.)
    rows = list(selectors.event_admin_queryset(upcoming).order_by("start", "pk")[:LIST_LIMIT])
    totals = upcoming.aggregate(
        events=Count("pk"), capacity=Coalesce(Sum("capacity"), 0),
        taken=Coalesce(Sum(selectors.registration_count(HOLDS_PLACE_STATUSES)), 0),
    )

    table = DataTable(
        caption=_("Fill rate of the next published events"),
        columns=[_("Event"), _("Starts"), _("Places taken"), _("Capacity"), _("Fill rate"), _("Waitlist")],
    )
    bars = []
    for event in rows:
        when = date_format(timezone.localtime(event.start), "SHORT_DATE_FORMAT")
        summary_url = reverse("admin:events_event_summary", args=[event.pk])
        rate = fmt_percent(event.confirmed_count, event.capacity)
        bars.append(Bar(f"{when} · {event.title}", 100 * event.confirmed_count / event.capacity,
                        text=f"{fmt_number(event.confirmed_count)} / {fmt_number(event.capacity)} · {rate}"))
        table.rows.append([
            cell(event.title, summary_url), cell(when, nowrap=True),
            cell(event.confirmed_count, _admin_url("registration", event__id__exact=event.pk, status__in=",".join(HOLDS_PLACE_STATUSES))),
            cell(event.capacity), cell(rate, summary_url, numeric=True),
            cell(event.waitlisted_count, _admin_url("registration", event__id__exact=event.pk, status__exact=RegistrationStatus.WAITLISTED)),
        ])
    charts = []
    if rows:
        charts.append(bar_chart(
            chart_id="dash-event-fill", max_value=100, title=_("Fill rate of the next published events"),
            description=_("For each published event of the next %(days)s days (the first %(n)s by date): places taken out of its capacity.")
            % {"days": UPCOMING_DAYS, "n": len(rows)},
            bars=bars, table=table,
        ))
    shown = ""
    if totals["events"] > len(rows):
        shown = _("The chart shows the first %(shown)s of %(total)s events; the list has them all.") % {
            "shown": len(rows), "total": fmt_number(totals["events"])}
    return Panel(
        key="upcoming-events", title=_("Events in the next %(days)s days") % {"days": UPCOMING_DAYS},
        figures=[
            Figure(_("Published events"), fmt_number(totals["events"]), list_url),
            Figure(_("Places taken"), f"{fmt_number(totals['taken'])} / {fmt_number(totals['capacity'])}", list_url,
                   hint=fmt_percent(totals["taken"], totals["capacity"])),
        ],
        charts=charts, note=shown, empty=_("No published event in the next %(days)s days.") % {"days": UPCOMING_DAYS},
        links=[(_("Calendar"), reverse("admin:events_event_calendar")), (_("All events"), _admin_url("event"))],
    )


def _quarters_panel(now: dt.datetime) -> Panel:
    cutoff = now.replace(second=0, microsecond=0)
    today = timezone.localdate(now)
    starts = quarter_starts(today)
    first = _local_midnight(starts[0])
    counts: dict[tuple[dt.date, str], int] = {}
    for row in (
        Event.objects.filter(status__in=HELD_STATUSES, start__gte=first, start__lt=cutoff)
        .annotate(quarter=TruncQuarter("start")).order_by().values("quarter", "kind").annotate(n=Count("pk"))
    ):
        counts[(timezone.localtime(row["quarter"]).date(), row["kind"])] = row["n"]

    kinds = list(EventKind)
    series = [Series(kind.value, str(kind.label)) for kind in kinds]
    table = DataTable(caption=_("Events held per quarter by kind"), columns=[_("Quarter"), *[str(k.label) for k in kinds], _("Total")])
    stacks = []
    held = ",".join(HELD_STATUSES)
    grand = 0
    for q_start in starts:
        q_end = _next_quarter(q_start)
        lo = _local_midnight(q_start)
        hi = min(_local_midnight(q_end), cutoff)
        params = {"status__in": held, "start__gte": lo.isoformat(), "start__lt": hi.isoformat()}
        values = [counts.get((q_start, kind.value), 0) for kind in kinds]
        number = (q_start.month - 1) // 3 + 1
        label = _("Q%(quarter)s %(year)s") % {"quarter": number, "year": q_start.year}
        short = _("Q%(quarter)s") % {"quarter": number}  # a literal xgettext can extract (not inside an f-string)
        stacks.append(Stack(f"{short}\n{q_start.year}", values))
        row = [cell(label, _admin_url("event", **params))]
        row += [cell(v, _admin_url("event", kind__exact=kind.value, **params)) for kind, v in zip(kinds, values, strict=True)]
        row.append(cell(sum(values), _admin_url("event", **params)))
        table.rows.append(row)
        grand += sum(values)
    chart = column_chart(
        chart_id="dash-event-quarters", title=_("Events held per quarter by kind"),
        description=_("Conferences, seminars and workshops held in each of the last %(n)s quarters; %(total)s in all.")
        % {"n": QUARTERS, "total": fmt_number(grand)},
        series=series, stacks=stacks, table=table,
    )
    return Panel(key="events-per-quarter", title=_("Events held per quarter"), charts=[chart],
                 figures=[Figure(_("Held in the last %(n)s quarters") % {"n": QUARTERS}, fmt_number(grand),
                                 _admin_url("event", status__in=held, start__gte=first.isoformat(), start__lt=cutoff.isoformat()))])


# --- partners ---------------------------------------------------------------------------------
def partner_section(user, *, now: dt.datetime) -> Section:
    """The user's own upcoming registrations (never a colleague's): one query, counts by window."""
    rows = list(
        selectors.registration_list_for(user)
        .filter(event__end__gte=now, status__in=UPCOMING_REGISTRATION_STATUSES)
        .annotate(
            n_all=Window(Count("pk")),
            n_confirmed=Window(Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED))),
            n_waitlisted=Window(Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED))),
            n_pending=Window(Count("pk", filter=Q(status=RegistrationStatus.PENDING))),
        )
        .order_by("event__start", "pk")[:LIST_LIMIT]
    )
    first = rows[0] if rows else None
    mine_url = reverse("events:my_registrations")
    table = DataTable(caption=_("Your upcoming registrations"), columns=[_("Event"), _("Starts"), _("Your place")], id="dash-partner-registrations")
    for registration in rows:
        event = registration.event
        state = registration.get_status_display()
        if registration.status == RegistrationStatus.WAITLISTED:
            state = _("Waitlisted")
        table.rows.append([
            cell(event.title, reverse("events:event_detail", args=[event.pk])),
            cell(date_format(timezone.localtime(event.start), "SHORT_DATETIME_FORMAT"), nowrap=True),
            cell(state),
        ])
    figures = [
        Figure(_("Upcoming registrations"), fmt_number(first.n_all if first else 0), mine_url),
        Figure(_("Confirmed"), fmt_number(first.n_confirmed if first else 0), mine_url),
        Figure(_("Waitlisted"), fmt_number(first.n_waitlisted if first else 0), mine_url),
    ]
    if first and first.n_pending:
        figures.append(Figure(_("Awaiting your confirmation"), fmt_number(first.n_pending), mine_url, tone="attention"))
    panel = Panel(
        key="registrations", title=_("Your registrations"), figures=figures, tables=[table] if rows else [],
        empty=_("You are not registered for any upcoming event."),
        links=[(_("Your registrations"), mine_url), (_("Events open for registration"), reverse("events:event_list"))],
    )
    return Section(key="events", title=_("Events"), panels=[panel])
