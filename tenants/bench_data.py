"""Generated tenant applications for ``manage.py seed_bulk``: 200 per unit of scale, with their reviews.

Bypasses the services on purpose (see kitb_portal/accounts/bench_data.py) and keeps their rules itself:
each application walks the workflow (draft → submitted → screening → due diligence → committee →
approved / rejected, or withdrawn) with a status change per step; decided applications have a
quorum of complete, conflict-free reviews scored on every active criterion; rejections give a
reason. Approved applications hold plots of this batch's own zones, at most one live allocation
per plot and never more area than a zone has (the land triggers check both). Registration
numbers start with ``BULK-``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kitb_portal.accounts.bench_data import BulkContext, IdPool, company_name, copy_rows, person_name, pick_weighted, random_hex, take_ids

from . import demo, services
from .models import (
    Allocation,
    Application,
    ApplicationComment,
    ApplicationDocument,
    ExchangeRate,
    Plot,
    Review,
    ReviewAssignment,
    ReviewScore,
    ScreeningCriterion,
    Sector,
    StatusChange,
    Zone,
)

APPLICATIONS_PER_SCALE = 200
# The demo partners refer their share (Chungbuk Technopark: one in eight, a full page at scale 1).
TECHNOPARK_SHARE = 0.12
PLOTS_PER_SCALE = 10
PLOTS_PER_PHASE = 50
D = Decimal

OLD_OUTCOMES = {"approved": 0.45, "rejected": 0.35, "withdrawn": 0.2}
RECENT_OUTCOMES = {"draft": 0.2, "submitted": 0.15, "screening": 0.2, "due_diligence": 0.15, "committee": 0.1,
                   "approved": 0.1, "rejected": 0.07, "withdrawn": 0.03}
PATH = ["draft", "submitted", "screening", "due_diligence", "committee"]
TRANSITION_TO = {"submitted": "submit", "screening": "start_screening", "due_diligence": "start_due_diligence",
                 "committee": "to_committee", "approved": "approve", "rejected": "reject", "withdrawn": "withdraw"}
REJECTION_REASONS = [
    "The plan needs more water than the zone can supply before the next phase; please apply again later.",
    "The sector is outside KITB's priority list and the investment per hectare is below the threshold.",
    "The environmental mitigation plan is not sufficient.",
]
COMMENTS = [
    ("shared", "Could you confirm the peak power demand in the first year of operation?"),
    ("shared", "Please upload the audited financial statements of the last two years."),
    ("internal", "Check the environmental permit of the home plant."),
    ("internal", "Strong fit with the battery supply chain in cluster 1."),
    ("shared", "Thank you, the documents are complete."),
]
CURRENCIES = {"USD": 0.55, "KRW": 0.35, "IDR": 0.05, "EUR": 0.05}
AMOUNT_USD = {"USD": D("1"), "KRW": D("1400"), "IDR": D("16000"), "EUR": D("0.93")}


def _reference_data(ctx: BulkContext) -> tuple[list[Sector], list[ScreeningCriterion]]:
    """Sectors, criteria and rates come from the demo step; created the same way when it was not run."""
    for code, en, id_, ko, priority in demo.SECTORS:
        services.sector_ensure(code=code, name_en=en, name_id=id_, name_ko=ko, is_priority=priority)
    for position, (code, name, weight, description) in enumerate(demo.CRITERIA):
        services.criterion_ensure(code=code, name=name, weight=weight, position=position, description=description)
    for currency, usd, idr in demo.RATES:
        if not ExchangeRate.objects.filter(currency=currency).exists():
            services.exchange_rate_set(currency=currency, usd_rate=usd, idr_rate=idr)
    return list(Sector.objects.order_by("code")), list(ScreeningCriterion.objects.filter(is_active=True).order_by("position", "code"))


def _land(ctx: BulkContext, rng) -> list[tuple[int, Decimal]]:
    """This batch's own estate: a root zone, phases of up to 50 plots; returns (plot id, area) in order."""
    n_plots = ctx.n(PLOTS_PER_SCALE)
    areas = [D(rng.choice(["1.50", "2.00", "2.50", "3.00", "4.00", "5.00"])) for _i in range(n_plots)]
    n_phases = -(-n_plots // PLOTS_PER_PHASE)
    zone_ids = take_ids(Zone, n_phases + 1)
    root = zone_ids[0]
    phase_rows, plot_rows, plots = [], [], []
    plot_ids = take_ids(Plot, n_plots)
    created = ctx.start
    for p in range(n_phases):
        chunk = list(range(p * PLOTS_PER_PHASE, min(n_plots, (p + 1) * PLOTS_PER_PHASE)))
        area = sum(areas[i] for i in chunk) * D("1.2")
        phase_rows.append((zone_ids[p + 1], created, created, f"bulk-{ctx.batch:02d}-phase-{p + 1}",
                           f"Generated phase {p + 1} (batch {ctx.batch})", root, area.quantize(D("0.01"))))
        for k, i in enumerate(chunk):
            row, col = divmod(k, 10)
            plot_rows.append([plot_ids[i], created, created, f"B{ctx.batch:02d}-{p + 1:02d}-{chr(65 + row)}{col + 1:02d}",
                              zone_ids[p + 1], areas[i], "available", row, col, True, True, row >= 3, True, True])
            plots.append((plot_ids[i], areas[i]))
    root_area = sum(r[6] for r in phase_rows)
    zone_rows = [(root, created, created, f"bulk-{ctx.batch:02d}", f"Generated estate (batch {ctx.batch})", None, root_area)]
    copy_rows(Zone, ["id", "created_at", "updated_at", "code", "name", "parent_id", "area_ha"], zone_rows + phase_rows)
    ctx.shared["tenants.plot_rows"] = plot_rows
    return plots


def seed(ctx: BulkContext) -> None:
    from kitb_portal.accounts.models import User

    rng = ctx.rng("tenants")
    sectors, criteria = _reference_data(ctx)
    plots = _land(ctx, rng)
    plot_rows = ctx.shared.pop("tenants.plot_rows")
    base = ctx.base
    officers = ctx.officer_ids or ctx.staff_ids
    reviewers = ctx.reviewer_ids or officers
    users_by_org: dict[int, list[int]] = {}
    for user in ctx.partner_users:
        users_by_org.setdefault(user[3], []).append(user[0])
    for org_id in (ctx.technopark_id, ctx.province_id):
        if org_id:
            users_by_org[org_id] = list(
                User.objects.filter(organization_id=org_id, is_staff=False).order_by("pk").values_list("pk", flat=True)
            )
    referrers = [o[0] for o in ctx.organizations]

    n = ctx.n(APPLICATIONS_PER_SCALE)
    app_ids = take_ids(Application, n)
    app_rows, change_rows, doc_rows, comment_rows = [], [], [], []
    assignment_rows, review_rows, score_rows = [], [], []
    approved = []
    assignment_ids, review_ids, score_ids = IdPool(ReviewAssignment), IdPool(Review), IdPool(ReviewScore)
    for i, pk in enumerate(app_ids):
        roll = rng.random()
        referrer = (ctx.technopark_id if roll < TECHNOPARK_SHARE and ctx.technopark_id else
                    ctx.province_id if roll < TECHNOPARK_SHARE + 0.03 and ctx.province_id else referrers[rng.randrange(len(referrers))])
        created = ctx.moment(rng, hi=base - dt.timedelta(days=1))
        old = created < base - dt.timedelta(days=540)
        target = pick_weighted(rng, OLD_OUTCOMES if old else RECENT_OUTCOMES)
        # the steps it went through
        if target in ("approved", "rejected"):
            steps = PATH[1:] + [target]
        elif target == "withdrawn":
            steps = PATH[1:rng.randrange(2, 5)] + ["withdrawn"]
        else:
            steps = PATH[1:PATH.index(target) + 1]
        people = users_by_org.get(referrer) or [None]
        author = people[rng.randrange(len(people))]
        officer = officers[rng.randrange(len(officers))] if officers else None
        when, previous, submitted_at, decided_at = created, "draft", None, None
        step_times = {}
        for step in steps:
            when = min(base, when + dt.timedelta(days=rng.randrange(3, 45), seconds=rng.randrange(86400)))
            step_times[step] = when
            change_rows.append((pk, TRANSITION_TO[step], previous, step,
                                author if step in ("submitted",) else officer, "", when))
            previous = step
        status = steps[-1] if steps else "draft"
        submitted_at = step_times.get("submitted")
        decided_at = step_times.get(status) if status in ("approved", "rejected", "withdrawn") else None
        country = "KR" if rng.random() < 0.8 else "ID"
        sector = sectors[rng.randrange(len(sectors))]
        currency = pick_weighted(rng, CURRENCIES)
        usd = D(rng.randrange(2, 150)) * D("1000000")
        pioneer = sector.is_priority and rng.random() < 0.6
        land = D(rng.choice(["2", "3", "5", "8", "10", "12", "15", "20"]))
        app_rows.append((
            pk, created, when, company_name(rng, country), country, f"BULK-{ctx.batch:02d}-{i + 1:06d}",
            "https://example.com/", referrer, author, person_name(rng, country), f"contact.{ctx.batch}.{i + 1}@example.com",
            "+82 43 000 0000" if country == "KR" else "+62 285 000 000", "ko" if country == "KR" else "id", sector.pk,
            f"{sector.name_en}: products for the ASEAN market.", (usd * AMOUNT_USD[currency]).quantize(D("1")), currency,
            rng.randrange(20, 900), "Construction within a year of approval; operation the year after.", pioneer,
            "Pioneer industry under the investment regulation." if pioneer else "", land, D(rng.randrange(1, 40)),
            D(rng.randrange(50, 2500)), D(rng.randrange(0, 95)), status, when, officer if submitted_at else None,
            rng.choice(REJECTION_REASONS) if status == "rejected" else ("Approved by the committee." if status == "approved" else ""),
            submitted_at, decided_at,
        ))
        if submitted_at:
            for kind, title in (("business_plan", "Business plan"), ("registration", "Company registration certificate"),
                                ("financials", "Financial statements")):
                if kind == "financials" and rng.random() < 0.6:
                    continue
                doc_time = submitted_at - dt.timedelta(days=1)
                doc_rows.append((doc_time, doc_time, pk, kind, title, f"tenants/applications/bulk/{pk}/{kind}.pdf",
                                 f"{kind}.pdf", rng.randrange(50_000, 3_000_000), random_hex(rng), author))
            for _c in range(rng.choice([0, 0, 1, 2, 3])):
                visibility, body = rng.choice(COMMENTS)
                at = submitted_at + dt.timedelta(days=rng.randrange(1, 20))
                comment_rows.append((at, at, pk, officer if visibility == "internal" else rng.choice([officer, author]),
                                     visibility, body))
        # reviews once screening started: a quorum of complete, conflict-free ones before any decision
        if "screening" in step_times and reviewers:
            chosen = rng.sample(reviewers, min(len(reviewers), rng.choice([2, 2, 3])))
            decided = status in ("approved", "rejected", "committee", "due_diligence") or (
                status == "withdrawn" and "due_diligence" in step_times)
            for r, reviewer in enumerate(chosen):
                assigned = step_times["screening"] - dt.timedelta(hours=1)
                aid, rid = assignment_ids(), review_ids()
                assignment_rows.append((aid, assigned, assigned, pk, reviewer, officer))
                conflict = r >= 2 and rng.random() < 0.3
                complete = decided or rng.random() < 0.5
                submitted = min(base, assigned + dt.timedelta(days=rng.randrange(2, 20))) if complete else None
                review_rows.append((rid, assigned, submitted or assigned, aid, conflict,
                                    "Former employer of the applicant's director." if conflict else "",
                                    "Reviewed the business plan and the site needs." if complete else "", submitted))
                if complete and not conflict:
                    lean = 1 if status == "approved" else (-1 if status == "rejected" else 0)
                    for criterion in criteria:
                        score = max(1, min(5, 3 + lean + rng.choice([-1, 0, 0, 1])))
                        score_rows.append((score_ids(), submitted, submitted, rid, criterion.pk, score, ""))
        if status == "approved":
            approved.append((pk, decided_at))

    ctx.add("applications", copy_rows(Application, [
        "id", "created_at", "updated_at", "company_name", "company_country", "company_registration_number",
        "company_website", "referrer_id", "created_by_id", "contact_name", "contact_email", "contact_phone",
        "contact_language", "sector_id", "products", "investment_amount", "investment_currency", "jobs_planned",
        "timeline", "claims_pioneer", "pioneer_reason", "land_ha", "power_mva", "water_m3_per_day", "export_share_pct",
        "status", "status_changed_at", "owning_officer_id", "decision_reason", "submitted_at", "decided_at",
    ], app_rows))
    ids = take_ids(StatusChange, len(change_rows))
    ctx.add("status changes", copy_rows(StatusChange, [
        "id", "application_id", "transition", "from_status", "to_status", "actor_id", "note", "created_at",
    ], [(i, *r) for i, r in zip(ids, change_rows, strict=True)]))
    ids = take_ids(ApplicationDocument, len(doc_rows))
    ctx.add("application documents", copy_rows(ApplicationDocument, [
        "id", "created_at", "updated_at", "application_id", "kind", "title", "file", "original_name", "size", "sha256",
        "uploaded_by_id",
    ], [(i, *r) for i, r in zip(ids, doc_rows, strict=True)]))
    ids = take_ids(ApplicationComment, len(comment_rows))
    copy_rows(ApplicationComment, ["id", "created_at", "updated_at", "application_id", "author_id", "visibility", "body"],
              [(i, *r) for i, r in zip(ids, comment_rows, strict=True)])
    ctx.add("review assignments", copy_rows(ReviewAssignment, [
        "id", "created_at", "updated_at", "application_id", "reviewer_id", "assigned_by_id",
    ], assignment_rows))
    ctx.add("reviews", copy_rows(Review, [
        "id", "created_at", "updated_at", "assignment_id", "conflict_of_interest", "conflict_note", "comment", "submitted_at",
    ], review_rows))
    ctx.add("review scores", copy_rows(ReviewScore, [
        "id", "created_at", "updated_at", "review_id", "criterion_id", "score", "comment",
    ], score_rows))

    # land: about two thirds of the plots held by approved applications (most allocated, some reserved);
    # a few earlier allocations released, which left the plot to its next holder
    allocation_rows = []
    rng.shuffle(approved)
    held = 0
    for (plot_id, _area), row in zip(plots, plot_rows, strict=True):
        if held >= len(approved) or rng.random() > 0.66:
            continue
        app_id, decided_at = approved[held]
        held += 1
        kind = "allocated" if rng.random() < 0.8 else "reserved"
        at = (decided_at or base) + dt.timedelta(days=rng.randrange(1, 60))
        if rng.random() < 0.1 and held < len(approved):
            earlier_app, earlier_at = approved[held]
            held += 1
            e_at = (earlier_at or base) + dt.timedelta(days=1)
            officer = officers[0] if officers else None
            allocation_rows.append((e_at, e_at, plot_id, earlier_app, "reserved", False, "Released: plans changed.", officer,
                                    e_at + dt.timedelta(days=30), officer))
        allocation_rows.append((at, at, plot_id, app_id, kind, True, "", officers[0] if officers else None, None, None))
        row[6] = kind
    ctx.add("plots", copy_rows(Plot, [
        "id", "created_at", "updated_at", "code", "zone_id", "area_ha", "status", "grid_row", "grid_col", "has_power",
        "has_water", "has_gas", "has_telecom", "has_wastewater",
    ], [tuple(r) for r in plot_rows]))
    ids = take_ids(Allocation, len(allocation_rows))
    ctx.add("allocations", copy_rows(Allocation, [
        "id", "created_at", "updated_at", "plot_id", "application_id", "kind", "is_live", "note", "created_by_id",
        "released_at", "released_by_id",
    ], [(i, *r) for i, r in zip(ids, allocation_rows, strict=True)]))
