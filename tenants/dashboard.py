"""The tenants section of the dashboard (listed in ``settings.DASHBOARD_SECTIONS``).

Staff: the screening pipeline by step and by sector with planned investment (in USD at the exchange
rates staff set) and jobs; land per zone (allocated, reserved, free) as a stacked bar; the phase-1
site plan (the SVG ``tenants.siteplan`` draws). Partners: the status of the applications their
organisation referred. A fixed number of queries whatever the data size.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kitb_portal.charts import PALETTE, Bar, DataTable, Fill, Series, Stack, bar_chart, cell, fmt_number, stacked_bar_chart
from kitb_portal.dashboard import Figure, Panel, Section

from . import selectors
from .models import IN_REVIEW_STATUSES, ApplicationStatus, PlotStatus, Sector, Zone
from .permissions import can_view_land, staff_may
from .siteplan import site_plan_context

SITE_PLAN_ZONE = "phase-1"
LIST_LIMIT = 10
PIPELINE_STATUSES = [s for s in ApplicationStatus if s != ApplicationStatus.DRAFT]
LIVE_STATUSES = [*IN_REVIEW_STATUSES, ApplicationStatus.APPROVED]  # in review, or approved and coming


def section(user, *, now=None) -> Section | None:
    if user.is_staff:
        applications, projects, land = _staff_reader(user)
        panels = []
        if applications:
            panels += pipeline_panels(user)
        if projects:
            panels += project_panels()
        if land:
            panels += land_panels()
        return Section(key="tenants", title=_("Tenants"), panels=panels) if panels else None
    if not user.organization_id:
        return None
    return partner_section(user)


# What the staff section reads: kitb_portal.dashboard.cached keeps it until one of these is written.
section.staff_models = (
    "tenants.Application", "tenants.Sector", "tenants.ExchangeRate", "tenants.TenantProject", "tenants.Milestone",
    "tenants.Zone", "tenants.Plot", "tenants.Allocation",
)


def _staff_reader(user) -> tuple[bool, bool, bool]:
    """All a staff reader changes in the section: which of its three parts they may see (``section``
    decides with this, so what is declared is what is read)."""
    return staff_may(user, "tenants.view_application"), staff_may(user, "tenants.view_tenantproject"), can_view_land(user)


section.staff_reader = _staff_reader


def _admin_url(name: str, **params) -> str:
    url = reverse(f"admin:tenants_{name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _money(value) -> str:
    return f"USD {fmt_number(value, 0)}" if value is not None else "—"


# --- staff: pipeline --------------------------------------------------------------------------
def _roll_up(rows: list[dict], key) -> dict:
    """Sum the grouped rows that share ``key(row)`` (counts add up; a sum stays None only if all are None)."""
    out: dict = {}
    for row in rows:
        total = out.get(key(row))
        if total is None:
            out[key(row)] = dict(row)
            continue
        total["n"] += row["n"]
        total["no_rate"] += row["no_rate"]
        for name in ("usd", "jobs"):
            if row[name] is not None:
                total[name] = row[name] if total[name] is None else total[name] + row[name]
    return out


def _pipeline_cells(user) -> list[dict]:
    """The applications grouped by status and sector (a few dozen rows at most), with count, planned
    investment in USD, jobs, and how many amounts have no exchange rate (left out of the USD sum).

    The database sums the amounts per currency as well, and the conversion to USD happens on those
    few sums here: converting each application in SQL (a rate subquery per row, grouped with the
    sector's names) took 21 ms over the 20,000 applications of the scale-100 bench data, this
    grouping 6 ms."""
    applications = selectors.application_list_for(user).order_by()
    grouped = applications.values("status", "sector_id", "investment_currency").annotate(
        n=Count("pk"), amount=Sum("investment_amount"), jobs=Sum("jobs_planned"), amounts=Count("investment_amount"),
    )
    rates = selectors.current_rates()  # valid today
    cells = []
    for row in grouped:
        currency = row.pop("investment_currency")
        amount, amounts = row.pop("amount"), row.pop("amounts")
        row["usd"] = selectors.convert_money(amount, currency, rates=rates)["USD"]
        row["no_rate"] = 0 if currency == "USD" or currency in rates else amounts
        cells.append(row)
    return list(_roll_up(cells, lambda row: (row["status"], row["sector_id"])).values())


def pipeline_panels(user) -> list[Panel]:
    cells = _pipeline_cells(user)
    by_status = _roll_up(cells, lambda row: row["status"])
    empty = {"n": 0, "usd": None, "jobs": None, "no_rate": 0}

    steps = DataTable(
        caption=_("Screening pipeline by step"),
        columns=[_("Step"), _("Applications"), _("Planned investment (USD)"), _("Jobs planned")],
    )
    bars = []
    for status in PIPELINE_STATUSES:
        row = by_status.get(status.value, empty)
        url = _admin_url("application", status__exact=status.value)
        bars.append(Bar(str(status.label), row["n"]))
        steps.rows.append([cell(status.label, url), cell(row["n"], url), cell(_money(row["usd"]), numeric=True), cell(row["jobs"] or 0)])
    live = [by_status.get(s, empty) for s in LIVE_STATUSES]
    live_url = _admin_url("application", status__in=",".join(LIVE_STATUSES))
    review_url = _admin_url("application", status__in=",".join(IN_REVIEW_STATUSES))
    live_usd = sum((r["usd"] for r in live if r["usd"] is not None), start=0)
    live_jobs = sum((r["jobs"] or 0 for r in live), start=0)
    steps.foot = [cell(_("In review or approved"), live_url), cell(sum(r["n"] for r in live), live_url),
                  cell(_money(live_usd), numeric=True), cell(live_jobs)]
    no_rate = sum(r["no_rate"] for r in live)

    step_chart = bar_chart(
        chart_id="dash-pipeline-steps", title=_("Screening pipeline by step"),
        description=_("Number of applications at each step of the screening, from submitted to decided."),
        bars=bars, table=steps,
    )
    in_review = sum(by_status.get(s, empty)["n"] for s in IN_REVIEW_STATUSES)
    rates_note = ""
    if no_rate:
        rates_note = _("%(n)s planned investments are in a currency without an exchange rate and are left out of the USD totals.") % {"n": no_rate}
    pipeline = Panel(
        key="pipeline", title=_("Screening pipeline"),
        figures=[
            Figure(_("In review"), fmt_number(in_review), review_url),
            Figure(_("Approved"), fmt_number(by_status.get(ApplicationStatus.APPROVED, empty)["n"]),
                   _admin_url("application", status__exact=ApplicationStatus.APPROVED)),
            Figure(_("Planned investment, in review or approved"), _money(live_usd), live_url),
            Figure(_("Jobs planned, in review or approved"), fmt_number(live_jobs), live_url),
        ],
        charts=[step_chart], note=rates_note,
        links=[(_("All applications"), _admin_url("application")), (_("Exchange rates"), _admin_url("exchangerate"))],
    )

    names = {sector.pk: sector for sector in Sector.objects.all()}
    sectors = sorted(
        _roll_up([row for row in cells if row["status"] in LIVE_STATUSES], lambda row: row["sector_id"]).values(),
        key=lambda row: (row["usd"] is None, -(row["usd"] or 0), -row["n"], names[row["sector_id"]].name_en if row["sector_id"] else ""),
    )
    by_sector = DataTable(
        caption=_("Applications in review or approved, by sector"),
        columns=[_("Sector"), _("Applications"), _("Planned investment (USD)"), _("Jobs planned")],
    )
    sector_bars = []
    for row in sectors:
        name = names[row["sector_id"]].name if row["sector_id"] else _("No sector yet")
        filter_ = {"sector__id__exact": row["sector_id"]} if row["sector_id"] else {"sector__isnull": "True"}
        url = _admin_url("application", status__in=",".join(LIVE_STATUSES), **filter_)
        sector_bars.append(Bar(name, row["usd"] or 0, text=_money(row["usd"])))
        by_sector.rows.append([cell(name, url), cell(row["n"], url), cell(_money(row["usd"]), numeric=True), cell(row["jobs"] or 0)])
    sector_panel = Panel(
        key="pipeline-sectors", title=_("Pipeline by sector"),
        charts=[bar_chart(
            chart_id="dash-pipeline-sectors", title=_("Planned investment by sector"),
            description=_("Planned investment in USD of the applications in review or approved, by sector."),
            bars=sector_bars, table=by_sector,
        )] if sectors else [],
        note=rates_note, empty=_("No application is in review or approved."),
    )
    return [pipeline, sector_panel]


# --- staff: tenant projects --------------------------------------------------------------------
def project_panels() -> list[Panel]:
    """Investment realised vs planned (USD, and IDR / KRW in the table), jobs, projects at risk and
    the milestones due in the next weeks. One query (selectors.project_figures)."""
    figures = selectors.project_figures(limit=LIST_LIMIT)
    if not figures.projects:
        return [Panel(key="projects", title=_("Tenant projects"), empty=_("No application has been approved yet."))]
    url = _admin_url("tenantproject")
    money = DataTable(caption=_("Investment of the tenant projects"), columns=[_("Currency"), _("Planned"), _("Realised")])
    for code in selectors.MONEY_CURRENCIES:
        money.rows.append([cell(code), cell(fmt_number(figures.planned[code], 0) if figures.planned[code] is not None else "—", numeric=True),
                           cell(fmt_number(figures.realised[code], 0) if figures.realised[code] is not None else "—", numeric=True)])
    upcoming = DataTable(caption=_("Milestones due in the next %(days)s days") % {"days": selectors.UPCOMING_DAYS},
                         columns=[_("Company"), _("Milestone"), _("Planned on")], id="dash-upcoming-milestones")
    for m in figures.upcoming:
        link = reverse("admin:tenants_tenantproject_change", args=[m.project_id])
        upcoming.rows.append([cell(m.company_name, link), cell(m.label),
                              cell(date_format(m.planned_on, "SHORT_DATE_FORMAT"), nowrap=True)])
    note = ""
    if figures.missing_rates:
        note = _("Amounts in %(currencies)s have no exchange rate and are left out of the converted totals.") % {
            "currencies": ", ".join(figures.missing_rates)}
    return [Panel(
        key="projects", title=_("Tenant projects"),
        figures=[
            Figure(_("Investment realised / planned"), f"{_money(figures.realised['USD'])} / {_money(figures.planned['USD'])}", url),
            Figure(_("Jobs realised / planned (local)"),
                   f"{fmt_number(figures.jobs_realised)} / {fmt_number(figures.jobs_planned)} ({fmt_number(figures.jobs_local)})", url),
            Figure(_("Projects at risk"), fmt_number(figures.at_risk), _admin_url("tenantproject", at_risk="1")),
            Figure(_("Milestones due in the next %(days)s days") % {"days": selectors.UPCOMING_DAYS}, fmt_number(figures.upcoming_count), url),
        ],
        tables=[money] + ([upcoming] if figures.upcoming else []), note=note,
        links=[(_("All tenant projects"), url), (_("Committee meetings"), _admin_url("committeemeeting"))],
    )]


# --- staff: land ------------------------------------------------------------------------------
# Allocated: solid dark blue; reserved: amber with hatching; free: white with dots.
LAND_FILLS = [PALETTE[0], PALETTE[1], Fill("#ffffff", "dots", "#6b7280")]


def _subtrees(zones) -> dict[int, list[int]]:
    children: dict[int | None, list[int]] = {}
    for zone in zones:
        children.setdefault(zone.parent_id, []).append(zone.id)
    result = {}
    for zone in zones:
        ids, todo = [], [zone.id]
        while todo:
            current = todo.pop()
            ids.append(current)
            todo.extend(children.get(current, []))
        result[zone.id] = sorted(ids)
    return result


def land_panels() -> list[Panel]:
    zones = selectors.land_summary()
    subtree = _subtrees(zones)
    series = [
        Series("allocated", _("Allocated"), LAND_FILLS[0]),
        Series("reserved", _("Reserved"), LAND_FILLS[1]),
        Series("free", _("Free"), LAND_FILLS[2]),
    ]
    table = DataTable(
        caption=_("Land per zone (each zone counts its sub-zones)"),
        columns=[_("Zone"), _("Area (ha)"), _("Allocated (ha)"), _("Reserved (ha)"), _("Free (ha)"), _("Plots")],
    )
    stacks = []
    for zone in zones:
        ids = ",".join(str(i) for i in subtree[zone.id])
        plots_url = _admin_url("plot", zone__id__in=ids)
        texts = [f"{fmt_number(zone.allocated_ha)} ha ({fmt_number(zone.allocated_pct, 1)}%)",
                 f"{fmt_number(zone.reserved_ha)} ha ({fmt_number(zone.reserved_pct, 1)}%)",
                 f"{fmt_number(zone.free_ha)} ha ({fmt_number(zone.free_pct, 1)}%)"]
        stacks.append(Stack(zone.name, [zone.allocated_ha, zone.reserved_ha, max(zone.free_ha, 0)], texts,
                            total_text=f"{fmt_number(zone.area_ha)} ha"))
        table.rows.append([
            cell(zone.name, plots_url), cell(zone.area_ha),
            cell(zone.allocated_ha, _admin_url("plot", zone__id__in=ids, status__exact=PlotStatus.ALLOCATED)),
            cell(zone.reserved_ha, _admin_url("plot", zone__id__in=ids, status__exact=PlotStatus.RESERVED)),
            cell(zone.free_ha, _admin_url("plot", zone__id__in=ids, status__exact=PlotStatus.AVAILABLE)),
            cell(zone.plots, plots_url),
        ])
    land = Panel(
        key="land", title=_("Land per zone"), wide=True,
        charts=[stacked_bar_chart(
            chart_id="dash-land", title=_("Land per zone: allocated, reserved and free"),
            description=_("For each zone, the hectares allocated, reserved and still free; each zone counts its sub-zones."),
            series=series, stacks=stacks, table=table,
        )] if zones else [],
        note=_("Free land includes land not yet divided into plots; its link lists the available plots.") if zones else "",
        empty=_("No zones yet."),
        links=[(_("Land summary"), reverse("admin:tenants_land_summary")), (_("Allocations"), _admin_url("allocation", is_live__exact="1"))],
    )

    # The zone row is already in the land summary: no second query for it.
    plan_zone = next((Zone(id=z.id, code=z.code, name=z.name, parent_id=z.parent_id, area_ha=z.area_ha)
                      for z in zones if z.code == SITE_PLAN_ZONE), None)
    plan = site_plan_context(SITE_PLAN_ZONE, zone=plan_zone) if plan_zone else None
    if plan is None:
        return [land, Panel(key="site-plan", title=_("Site plan of phase 1"), empty=_("There is no phase-1 zone yet."))]
    svg = mark_safe(render_to_string("tenants/site_plan.svg", plan))  # our own template, autoescaped
    ids = ",".join(str(i) for i in subtree.get(plan["zone"].pk, [plan["zone"].pk]))
    legend = DataTable(caption=_("Plots of the site plan by status"), columns=[_("Status"), _("Plots"), _("Area (ha)")])
    for item, status in zip(plan["legend"], PlotStatus.values, strict=True):
        url = _admin_url("plot", zone__id__in=ids, status__exact=status)
        legend.rows.append([cell(f"{item['style']['letter']} · {item['label']}", url), cell(item["count"], url), cell(item["area"])])
    site = Panel(
        key="site-plan", title=plan["title"], wide=True, html=svg, tables=[legend],
        links=[(_("Site plan with every plot"), reverse("admin:tenants_site_plan_zone", args=[SITE_PLAN_ZONE]))],
    )
    return [land, site]


# --- partners ---------------------------------------------------------------------------------
def partner_section(user) -> Section:
    applications = selectors.application_list_for(user)
    counts = {row["status"]: row["n"] for row in applications.order_by().values("status").annotate(n=Count("pk"))}
    list_url = reverse("tenants:application_list")
    figures = [
        Figure(str(status.label), fmt_number(counts[status.value]), f"{list_url}?{urlencode({'status': status.value})}")
        for status in ApplicationStatus if counts.get(status.value)
    ]
    rows = list(applications[:LIST_LIMIT])
    table = DataTable(
        caption=_("Applications your organisation referred, newest first"),
        columns=[_("Company"), _("Sector"), _("Status"), _("In this step since")], id="dash-partner-applications",
    )
    for application in rows:
        table.rows.append([
            cell(application.company_name, reverse("tenants:application_detail", args=[application.pk])),
            cell(application.sector.name if application.sector_id else "—"),
            cell(application.get_status_display()),
            cell(date_format(timezone.localtime(application.status_changed_at), "SHORT_DATE_FORMAT"), nowrap=True),
        ])
    total = sum(counts.values())
    panel = Panel(
        key="applications", title=_("Applications you referred"), figures=figures, tables=[table] if rows else [],
        note=_("Showing the %(shown)s newest of %(total)s.") % {"shown": len(rows), "total": fmt_number(total)} if total > len(rows) else "",
        empty=_("Your organisation has not referred any application yet."),
        links=[(_("All your applications"), list_url), (_("Refer a company"), reverse("tenants:application_create"))],
    )
    return Section(key="tenants", title=_("Tenant applications"), panels=[panel])
