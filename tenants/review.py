"""The tenants section of the annual review pack (``settings.REVIEW_SECTIONS``).

The cohort of an MoU's period: the applications referred under the MoU (``Application.mou``) and
submitted within the period. The funnel: **referred** (the cohort), **screened** (reached screening),
**approved**, **allocated** (holds a live allocation of kind "allocated"). Investment planned (the
approved applications' amounts) and realised (what staff recorded as realised for them), converted
at the exchange rates valid on ``ctx.rate_date`` into USD, IDR and KRW; jobs planned by the approved
ones; land allocated under the MoU in the period (live allocations made in it). Measures for
targets: ``companies_referred``, ``applications_approved``, ``investment_planned`` and
``investment_realised`` (USD; ``None`` when a currency has no rate), ``jobs``, ``land_allocated``.
Four queries whatever the number of applications.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from kitb_portal.charts import Bar, DataTable, bar_chart, cell, fmt_number
from kitb_portal.reports.compose import Block, Figure, ReviewContext, ReviewSection, ncell

from .models import Allocation, AllocationKind, Application, ApplicationStatus, StatusChange
from .selectors import convert, rates_on

CURRENCIES = ("usd", "idr", "krw")


def cohort(ctx: ReviewContext):
    start, end = ctx.period_instants
    return Application.objects.filter(mou_id__in=ctx.mou_ids, submitted_at__gte=start, submitted_at__lt=end)


def section(ctx: ReviewContext) -> ReviewSection:
    start, end = ctx.period_instants
    screened = Exists(StatusChange.objects.filter(application=OuterRef("pk"), to_status=ApplicationStatus.SCREENING))
    allocated = Exists(Allocation.objects.filter(application=OuterRef("pk"), is_live=True, kind=AllocationKind.ALLOCATED))
    approved = Q(status=ApplicationStatus.APPROVED)
    # 1. the funnel per MoU
    funnel = {
        r["mou_id"]: r
        for r in cohort(ctx).annotate(is_screened=screened, is_allocated=allocated).values("mou_id").annotate(
            referred=Count("pk"),
            screened=Count("pk", filter=Q(is_screened=True)),
            approved=Count("pk", filter=approved),
            allocated=Count("pk", filter=Q(is_allocated=True)),
            jobs=Sum("jobs_planned", filter=approved),
        ).order_by()
    }
    # 2. approved amounts per MoU and currency
    sums = list(
        cohort(ctx).filter(approved).values("mou_id", "investment_currency").annotate(
            planned=Sum("investment_amount"), realised=Sum("investment_realised"),
        ).order_by()
    )
    # 3. the rates of the period
    rates = rates_on(ctx.rate_date)
    # 4. land allocated in the period
    land = {
        r["application__mou_id"]: r["ha"]
        for r in Allocation.objects.filter(
            application__mou_id__in=ctx.mou_ids, is_live=True, kind=AllocationKind.ALLOCATED, created_at__gte=start, created_at__lt=end,
        ).values("application__mou_id").annotate(ha=Sum("plot__area_ha")).order_by()
    }

    money: dict[int, dict[str, dict[str, Decimal | None]]] = defaultdict(
        lambda: {"planned": dict.fromkeys(CURRENCIES, Decimal(0)), "realised": dict.fromkeys(CURRENCIES, Decimal(0))}
    )
    missing_rates: set[str] = set()
    for r in sums:
        for what in ("planned", "realised"):
            amount = r[what]
            if amount is None:
                continue
            converted = convert(amount, r["investment_currency"], rates)
            for cur in CURRENCIES:
                value = converted[cur]
                if value is None:
                    missing_rates.add(r["investment_currency"] if cur != "krw" or "KRW" in rates else "KRW")
                    money[r["mou_id"]][what][cur] = None
                elif money[r["mou_id"]][what][cur] is not None:
                    money[r["mou_id"]][what][cur] += value

    measures: dict[int, dict[str, Decimal | None]] = {}
    totals = defaultdict(Decimal)
    total_money = {"planned": dict.fromkeys(CURRENCIES, Decimal(0)), "realised": dict.fromkeys(CURRENCIES, Decimal(0))}
    for mou_id in ctx.mou_ids:
        f = funnel.get(mou_id, {})
        m = money[mou_id] if mou_id in money else {"planned": dict.fromkeys(CURRENCIES, Decimal(0)),
                                                     "realised": dict.fromkeys(CURRENCIES, Decimal(0))}
        measures[mou_id] = {
            "companies_referred": Decimal(f.get("referred", 0)),
            "applications_approved": Decimal(f.get("approved", 0)),
            "investment_planned": m["planned"]["usd"],
            "investment_realised": m["realised"]["usd"],
            "jobs": Decimal(f.get("jobs") or 0),
            "land_allocated": Decimal(land.get(mou_id) or 0),
        }
        for key in ("referred", "screened", "approved", "allocated", "jobs"):
            totals[key] += Decimal(f.get(key) or 0)
        totals["land"] += Decimal(land.get(mou_id) or 0)
        for what in ("planned", "realised"):
            for cur in CURRENCIES:
                if total_money[what][cur] is not None:
                    total_money[what][cur] = None if m[what][cur] is None else total_money[what][cur] + m[what][cur]

    stages = [(_("Referred"), totals["referred"]), (_("Screened"), totals["screened"]), (_("Approved"), totals["approved"]),
              (_("Allocated"), totals["allocated"])]
    funnel_table = DataTable(_("Referral funnel"), [_("Stage"), _("Companies")], [[cell(label), ncell(int(n))] for label, n in stages])
    funnel_block = Block(heading=_("Referred companies"), charts=[bar_chart(
        chart_id="review-funnel", title=_("Referral funnel"),
        description=_("Companies referred under the MoU in the period, and how far they came."),
        bars=[Bar(label, int(n)) for label, n in stages], table=funnel_table,
    )])
    money_rows = []
    for what, label in (("planned", _("Investment planned")), ("realised", _("Investment realised"))):
        money_rows.append([cell(label)] + [ncell(total_money[what][cur], fmt_number(total_money[what][cur], 0) if total_money[what][cur] is not None else "—")
                                           for cur in CURRENCIES])
    money_table = DataTable(
        _("Investment of the approved companies"), [_("Amount"), "USD", "IDR", "KRW"], money_rows,
    )
    rate_rows = [[cell(code), ncell(rates[code].usd_rate, fmt_number(rates[code].usd_rate, 6)),
                  ncell(rates[code].idr_rate, fmt_number(rates[code].idr_rate, 2)), cell(rates[code].valid_from.isoformat(), nowrap=True)]
                 for code in sorted(rates)]
    rate_table = DataTable(_("Exchange rates used"), [_("Currency"), _("value in USD"), _("value in IDR"), _("valid from")], rate_rows)
    paragraphs = []
    if missing_rates:
        paragraphs.append(_("No exchange rate is set for %(codes)s on %(date)s: the totals in those columns cannot be given.")
                          % {"codes": ", ".join(sorted(missing_rates)), "date": ctx.rate_date.isoformat()})
    investment_block = Block(
        heading=_("Investment, jobs and land"),
        figures=[Figure(_("Jobs planned"), fmt_number(totals["jobs"])), Figure(_("Land allocated (ha)"), fmt_number(totals["land"], 2))],
        tables=[money_table, rate_table], paragraphs=paragraphs,
    )
    blocks = [funnel_block, investment_block]
    if ctx.programme:
        pass  # the partnerships section lists per-MoU figures
    return ReviewSection(key="tenants", title=_("Companies and investment"), blocks=blocks, measures=measures, order=40)
