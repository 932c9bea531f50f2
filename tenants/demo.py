"""Demo data of the tenants app, created through its services; idempotent (a second run adds nothing).

Sectors, screening criteria, exchange rates, the zones (KITB 4,300 ha → cluster 1 3,100 ha → phase 1
450 ha), a 6 × 5 grid of plots in phase 1 (432 ha), and applications at several steps referred by
Chungbuk Technopark and by the provincial government, one of them approved with a plot allocated.
"""

from __future__ import annotations

import zlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from kitb_portal.accounts import demo as accounts_demo
from kitb_portal.accounts.models import Organization

from . import services
from .documents import sample_pdf_bytes
from .models import Application, DocumentKind, ExchangeRate, Plot, Sector

D = Decimal

SECTORS = [
    ("it", "Information technology", "Teknologi informasi", "정보기술", True),
    ("health", "Health", "Kesehatan", "보건·의료", True),
    ("transport-parts", "Transport-machine parts", "Komponen mesin transportasi", "수송기계 부품", True),
    ("new-energy", "New energy (motors, batteries)", "Energi baru (motor, baterai)", "신에너지 (모터, 배터리)", True),
    ("premium-consumer", "Premium consumer goods", "Barang konsumsi premium", "프리미엄 소비재", True),
    ("general", "General manufacturing", "Manufaktur umum", "일반 제조업", False),
]

CRITERIA = [
    ("sector-fit", "Sector fit", D("3"), "Fit with KITB's pioneer, high-tech sectors."),
    ("investment-per-ha", "Investment per hectare", D("2"), "Planned investment in USD per hectare of land wanted."),
    ("jobs-per-ha", "Jobs per hectare", D("1.5"), "Jobs planned per hectare."),
    ("technology", "Technology level", D("2"), "Degree of automation, R&D, technology transfer."),
    ("export-share", "Export share", D("1"), "Share of production exported."),
    ("environment", "Environmental risk", D("1.5"), "5 = low risk; 1 = high risk or unclear mitigation."),
    ("utility-load", "Utility load", D("1"), "5 = light load on power and water for the value created."),
]

RATES = [("USD", D("1"), D("16250")), ("KRW", D("0.00072"), D("11.70")), ("IDR", D("0.0000615"), D("1")),
         ("EUR", D("1.08"), D("17550"))]

ROW_AREAS = [D("10"), D("12"), D("15"), D("15"), D("20")]  # ha per plot in each grid row; 6 plots a row → 432 ha
COLUMNS = "ABCDEF"

# company, country, sector, referrer, target step, currency, amount, jobs, land, power, water, export, pioneer
APPLICATIONS = [
    ("Cheongju Battery Materials Co.", "KR", "new-energy", accounts_demo.TECHNOPARK, "approved", "USD", D("85000000"),
     420, D("12"), D("25"), D("1800"), D("70"), True),
    ("Osong BioMed Devices", "KR", "health", accounts_demo.TECHNOPARK, "screening", "KRW", D("48000000000"),
     180, D("10"), D("6"), D("400"), D("55"), True),
    ("Chungju Smart Mobility Parts", "KR", "transport-parts", accounts_demo.TECHNOPARK, "draft", "USD", D("30000000"),
     250, D("15"), D("10"), D("600"), D("40"), False),
    ("Jecheon Premium Cosmetics", "KR", "premium-consumer", accounts_demo.PROVINCE, "committee", "USD", D("22000000"),
     310, D("10"), D("4"), D("350"), D("65"), False),
    ("Eumseong EV Motor Systems", "KR", "new-energy", accounts_demo.PROVINCE, "due_diligence", "KRW", D("95000000000"),
     520, D("20"), D("30"), D("1200"), D("80"), True),
    ("Jincheon Semiconductor Test Labs", "KR", "it", accounts_demo.PROVINCE, "rejected", "USD", D("15000000"),
     90, D("10"), D("18"), D("900"), D("90"), True),
]
STEPS = ["draft", "submitted", "screening", "due_diligence", "committee"]


def _demo_score(target: str, reviewer_index: int, criterion_code: str) -> int:
    """Approved: 4s and 5s; rejected: 2s; committee: a split on environmental risk (5 vs 2)."""
    if target == "approved":
        return 5 if reviewer_index and criterion_code != "utility-load" else 4
    if target == "rejected":
        return 2 if criterion_code != "sector-fit" else 4
    if criterion_code == "environment":
        return 5 if reviewer_index == 0 else 2
    return 3 + reviewer_index


def seed(stdout) -> None:
    User = get_user_model()
    orgs = {o.name: o for o in Organization.objects.filter(name__in=[accounts_demo.KITB, accounts_demo.TECHNOPARK, accounts_demo.PROVINCE])}
    emails = {role: spec[0] for role, spec in accounts_demo.DEMO_USERS.items()}
    users = {u.email: u for u in User.objects.filter(email__in=emails.values())}
    needed = ["kitb-administrator", "screening-committee", "screening-committee-2", "partner-technopark", "partner-province"]
    if len(orgs) < 3 or any(emails[r] not in users for r in needed):
        stdout.write("tenants: the demo organisations and users do not exist yet (run the accounts step first); nothing done.")
        return
    admin = users[emails["kitb-administrator"]]
    officer = users.get(emails["partnerships-officer"], admin)
    reviewers = [users[emails["screening-committee"]], users[emails["screening-committee-2"]]]
    partners = {accounts_demo.TECHNOPARK: users[emails["partner-technopark"]], accounts_demo.PROVINCE: users[emails["partner-province"]]}

    created = {"sectors": 0, "criteria": 0, "zones": 0, "plots": 0, "applications": 0}
    for code, en, id_, ko, priority in SECTORS:
        created["sectors"] += services.sector_ensure(code=code, name_en=en, name_id=id_, name_ko=ko, is_priority=priority)[1]
    criteria = []
    for position, (code, name, weight, description) in enumerate(CRITERIA):
        criterion, new = services.criterion_ensure(code=code, name=name, weight=weight, position=position, description=description)
        criteria.append(criterion)
        created["criteria"] += new
    for currency, usd, idr in RATES:
        if not ExchangeRate.objects.filter(currency=currency).exists():
            services.exchange_rate_set(currency=currency, usd_rate=usd, idr_rate=idr, actor=admin)
    kitb, new1 = services.zone_ensure(code="kitb", name="KITB", area_ha=D("4300"))
    cluster, new2 = services.zone_ensure(code="cluster-1", name="Cluster 1", area_ha=D("3100"), parent=kitb)
    phase, new3 = services.zone_ensure(code="phase-1", name="Phase 1", area_ha=D("450"), parent=cluster)
    created["zones"] += new1 + new2 + new3
    for row, area in enumerate(ROW_AREAS):
        for col, letter in enumerate(COLUMNS):
            _plot, new = services.plot_ensure(
                code=f"P1-{letter}{row + 1:02d}", zone=phase, area_ha=area, grid_row=row, grid_col=col,
                has_gas=row >= 3, has_wastewater=True,
            )
            created["plots"] += new

    sectors = {s.code: s for s in Sector.objects.all()}
    pdf = sample_pdf_bytes("KITB demo document")
    # Referred under the main demo MoU where the referrer is party to it (the review pack counts them).
    from django.apps import apps as django_apps

    party_model = django_apps.get_model("partnerships", "MoUParty")
    mou_of = {p.organization_id: p.mou for p in party_model.objects.filter(mou__reference="KITB/MOU/2024/001").select_related("mou")}
    for (company, country, sector, referrer, target, currency, amount, jobs, land, power, water, export, pioneer) in APPLICATIONS:
        if Application.objects.filter(company_name=company, referrer=orgs[referrer]).exists():
            continue
        partner = partners[referrer]
        application = services.application_create(actor=partner, data={
            "company_name": company, "company_country": country, "company_registration_number": f"KR-{zlib.crc32(company.encode()) % 10**8:08d}",
            "company_website": "https://example.com/", "contact_name": "Park Ji-ho", "contact_email": f"contact+{sector}@example.com",
            "contact_language": "ko", "mou": mou_of.get(orgs[referrer].pk),
        })
        services.application_update_draft(application_id=application.pk, actor=partner, data={
            "sector": sectors[sector], "products": f"{sectors[sector].name_en}: products for the ASEAN market.",
            "investment_amount": amount, "investment_currency": currency, "jobs_planned": jobs, "export_share_pct": export,
            "timeline": "Construction 2025; operation 2026.", "claims_pioneer": pioneer,
            "pioneer_reason": "Pioneer industry under the investment regulation; new technology in Indonesia." if pioneer else "",
        })
        services.application_update_draft(application_id=application.pk, actor=partner, data={"land_ha": land, "power_mva": power, "water_m3_per_day": water})
        created["applications"] += 1
        if target == "draft":
            continue
        for kind in (DocumentKind.BUSINESS_PLAN, DocumentKind.REGISTRATION):
            services.document_add(application_id=application.pk, actor=partner, kind=kind, title=DocumentKind(kind).label,
                                  uploaded=SimpleUploadedFile(f"{kind}.pdf", pdf, content_type="application/pdf"))
        services.application_submit(application_id=application.pk, actor=partner)
        services.application_set_officer(application_id=application.pk, officer=officer, actor=admin)
        if target == "submitted":
            continue
        for reviewer in reviewers:
            services.review_assign(application_id=application.pk, reviewer=reviewer, actor=admin)
        services.application_start_screening(application_id=application.pk, actor=admin)
        if target in ("approved", "rejected", "committee"):
            for i, reviewer in enumerate(reviewers):
                review = reviewer.review_assignments.get(application=application).review
                scores = {c.pk: (_demo_score(target, i, c.code), "") for c in criteria}
                services.review_save(review_id=review.pk, actor=reviewer, conflict_of_interest=False, comment="Demo review.", scores=scores)
                services.review_submit(review_id=review.pk, actor=reviewer)
        if target == "screening":
            services.comment_add(application_id=application.pk, actor=admin, visibility="shared",
                                 body="Could you confirm the peak power demand in the first year of operation?")
            services.comment_add(application_id=application.pk, actor=reviewers[0], visibility="internal",
                                 body="Internal: check the environmental permit of the Korean plant.")
            continue
        services.application_start_due_diligence(application_id=application.pk, actor=admin)
        if target == "due_diligence":
            continue
        services.application_to_committee(application_id=application.pk, actor=admin)
        if target == "committee":
            continue
        _committee_votes(application, "reject" if target == "rejected" else "approve", admin, reviewers)
        if target == "rejected":
            services.application_reject(application_id=application.pk, actor=admin,
                                        reason="The plan needs more water than phase 1 can supply before 2027; please apply again for phase 2.")
            continue
        services.application_approve(application_id=application.pk, actor=admin, note="Approved by the committee.")
        plot = Plot.objects.get(code="P1-A01")
        if plot.status == Plot.Status.AVAILABLE:
            services.plot_allocate(plot_id=plot.pk, application_id=application.pk, actor=admin, note="Demo allocation.")
        reserve = Plot.objects.get(code="P1-B01")
        if reserve.status == Plot.Status.AVAILABLE:
            services.plot_reserve(plot_id=reserve.pk, application_id=application.pk, actor=admin, note="Option for expansion.")
    _seed_journey(admin, reviewers, partners, sectors, created)
    stdout.write(
        "tenants: " + ", ".join(f"{n} {what}" for what, n in created.items()) + " created"
        + ("" if any(created.values()) else " (all present already)")
    )


def _committee_votes(application, decision: str, admin, reviewers) -> None:
    """A closed committee meeting (the administrator chairs, the reviewers sit) that voted ``decision``."""
    from datetime import timedelta

    from django.utils import timezone

    members = [admin, *reviewers]
    meeting = services.meeting_schedule(actor=admin, title=f"Screening committee: {application.company_name}",
                                        held_at=timezone.now() - timedelta(days=2), chair=admin, members=reviewers,
                                        location="KITB office, Batang")
    services.meeting_agenda_add(meeting_id=meeting.pk, application_id=application.pk, actor=admin)
    services.meeting_attendance_set(meeting_id=meeting.pk, present_user_ids=[u.pk for u in members], actor=admin)
    for user in members:
        services.meeting_vote(meeting_id=meeting.pk, application_id=application.pk, voter=user, choice=decision, actor=admin)
    services.meeting_minutes_write(meeting_id=meeting.pk, actor=admin,
                                   minutes=f"The committee discussed {application.company_name} and voted to {decision} it.")
    services.meeting_close(meeting_id=meeting.pk, actor=admin)


def _seed_journey(admin, reviewers, partners, sectors, created) -> None:
    """The journey around the screening (each piece once): this week's committee meeting with the
    application waiting at the committee on its agenda, an expression of interest from the
    Technopark naming a preferred plot, a site visit, and the approved company's first milestone."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import CommitteeMeeting, ExpressionOfInterest, SiteVisit, TenantProject

    created.setdefault("journey", 0)
    title = "Screening committee: this week"
    waiting = Application.objects.filter(status=Application.Status.COMMITTEE).order_by("pk").first()
    if waiting is not None and not CommitteeMeeting.objects.filter(title=title).exists():
        meeting = services.meeting_schedule(actor=admin, title=title, held_at=timezone.now() + timedelta(hours=2), chair=admin,
                                            members=reviewers, location="KITB office, Batang (and video call from Cheongju)")
        services.meeting_agenda_add(meeting_id=meeting.pk, application_id=waiting.pk, actor=admin)
        created["journey"] += 1
    technopark_partner = next(iter(partners.values()))
    if not ExpressionOfInterest.objects.exists():
        plot = Plot.objects.filter(code="P1-D02", status=Plot.Status.AVAILABLE).first()
        services.interest_submit(actor=technopark_partner, company_name="Chungju Precision Optics", company_country="KR",
                                 sector=sectors["it"], investment_min=D("8000000"), investment_max=D("15000000"),
                                 investment_currency="USD", land_ha=D("6"), timing="Construction in 2026, operation in 2027",
                                 plot_ids=[plot.pk] if plot else [])
        created["journey"] += 1
    visited = Application.objects.filter(status=Application.Status.SCREENING).order_by("pk").first()
    if visited is not None and not SiteVisit.objects.exists():
        services.site_visit_schedule(application_id=visited.pk, scheduled_at=timezone.now() + timedelta(days=10), host=admin,
                                     visitors="Park Ji-ho (CEO), Lee Min-ho (plant engineer)", actor=admin)
        created["journey"] += 1
    project = TenantProject.objects.order_by("pk").first()
    if project is not None and not project.milestones.filter(actual_on__isnull=False).exists():
        licence = project.milestones.get(kind="licence")
        services.milestone_confirm(milestone_id=licence.pk, actual_on=timezone.localdate(), actor=admin,
                                   evidence=SimpleUploadedFile("nib.pdf", sample_pdf_bytes("NIB"), content_type="application/pdf"))
        services.project_update(project_id=project.pk, actor=admin, owner=admin, investment_realised=D("1500000"),
                                jobs_realised=25, jobs_local=22)
        created["journey"] += 1
