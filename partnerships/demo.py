"""Demo data of the partnerships app (the people named as signatories are fictitious), created through the services; idempotent.

* KITB/MOU/2024/001 — KITB, Chungbuk Technopark and the Chungcheongbuk-do provincial government:
  conferences/seminars/workshops, internationalisation, MSME support, investment. Active, with an
  approved draft, a signed copy (a small PDF generated here) and a few commitments.
* KITB/MOU/2024/002 — KITB and the province alone: investment facilitation for motor and battery
  makers. Under negotiation: KITB approved the draft, the province has not answered yet.
  Chungbuk Technopark's users cannot see it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from kitb_portal.accounts import demo as accounts_demo
from kitb_portal.accounts.models import Organization
from kitb_portal.common.pdf import simple_pdf

from . import services
from .models import DocumentApproval, DocumentKind, MoU, MoUParty, ScopeArea

MOU_MAIN = "KITB/MOU/2024/001"
MOU_PROVINCE = "KITB/MOU/2024/002"


def _pdf(name: str, lines: list[str], title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, simple_pdf(lines, title=title), content_type="application/pdf")


def _lookup():
    User = get_user_model()
    orgs = {o.name: o for o in Organization.objects.filter(
        name__in=[accounts_demo.KITB, accounts_demo.TECHNOPARK, accounts_demo.PROVINCE])}
    officer_email = accounts_demo.DEMO_USERS["partnerships-officer"][0]
    officer = User.objects.filter(email__iexact=officer_email).first()
    return orgs, officer


def _seed_main(officer, kitb, technopark, province, stdout) -> None:
    today = timezone.localdate()
    mou = services.mou_create(
        actor=officer, reference=MOU_MAIN, owner=officer,
        title_en="Memorandum of Understanding on cooperation in innovation, industry and investment "
                 "between KITB, Chungbuk Technopark and Chungcheongbuk-do",
        title_id="Nota Kesepahaman tentang kerja sama inovasi, industri dan investasi "
                 "antara KITB, Chungbuk Technopark dan Provinsi Chungcheongbuk-do",
        title_ko="KITB·충북테크노파크·충청북도 간 혁신·산업·투자 협력에 관한 업무협약",
        summary="The parties hold joint conferences, seminars and workshops on innovation, startups and "
                "entrepreneurship; internationalise each other's programmes; support MSMEs (UMKM); and "
                "promote investment in KITB, in particular by makers of motors and batteries.",
        scope=[ScopeArea.EVENTS, ScopeArea.INTERNATIONALISATION, ScopeArea.MSME, ScopeArea.INVESTMENT],
        effective_date=dt.date(2024, 6, 12), expiry_date=dt.date(2027, 6, 11), auto_renew=True, renewal_notice_days=90,
    )
    signed_on = dt.date(2024, 6, 12)
    signatories = {
        kitb.pk: ("Hendra Wijaya", "President Director, PT Kawasan Industri Terpadu Batang"),
        technopark.pk: ("Park Ji-hoon", "President, Chungbuk Technopark"),
        province.pk: ("Choi Seung-woo", "Director-General for Economic Affairs, Chungcheongbuk-do"),
    }
    parties = [
        services.party_add(actor=officer, mou_id=mou.pk, organization=kitb, role=MoUParty.Role.FIRST_PARTY),
        services.party_add(actor=officer, mou_id=mou.pk, organization=technopark, role=MoUParty.Role.SECOND_PARTY),
        services.party_add(actor=officer, mou_id=mou.pk, organization=province, role=MoUParty.Role.SECOND_PARTY),
    ]
    draft = services.document_upload(
        actor=officer, mou_id=mou.pk, kind=DocumentKind.DRAFT, language="en", governing_language="en",
        comment="Final draft agreed at the Cheongju meeting.",
        uploaded_file=_pdf("MoU-KITB-CBTP-Chungbuk-final-draft.pdf", [
            "MEMORANDUM OF UNDERSTANDING - FINAL DRAFT", "", "Kawasan Industri Terpadu Batang (KITB)",
            "Chungbuk Technopark", "Chungcheongbuk-do Provincial Government", "",
            "1. Joint conferences, seminars and workshops (innovation, startups, entrepreneurship)",
            "2. Internationalisation of each side's programmes", "3. MSME (UMKM) support",
            "4. Investment (motors, batteries)",
        ], "KITB MoU final draft"),
    )
    services.mou_start_negotiation(mou_id=mou.pk, actor=officer)
    for party in parties:
        services.document_decide(actor=officer, document_id=draft.pk, party_id=party.pk,
                                 decision=DocumentApproval.Decision.APPROVED, comment="Approved at the signing meeting.")
        name, title = signatories[party.organization_id]
        services.party_set_signatory(actor=officer, party_id=party.pk, signatory_name=name, signatory_title=title, signed_on=signed_on)
    services.document_upload(
        actor=officer, mou_id=mou.pk, kind=DocumentKind.SIGNED_COPY, language="en", governing_language="en",
        comment="Scan of the signed original.",
        uploaded_file=_pdf("MoU-KITB-CBTP-Chungbuk-signed.pdf", [
            "MEMORANDUM OF UNDERSTANDING - SIGNED COPY", "", f"Signed on {signed_on.isoformat()} by:",
            *[f"{n}, {t}" for n, t in signatories.values()],
        ], "KITB MoU signed copy"),
    )
    services.mou_sign(mou_id=mou.pk, actor=officer, signed_date=signed_on)
    services.mou_activate(mou_id=mou.pk, actor=officer)
    seminar = services.commitment_create(
        actor=officer, mou_id=mou.pk, responsible_organization=technopark, responsible_person="Startup support team",
        description="Hold at least two joint seminars a year on innovation, startups and entrepreneurship.",
        due_date=today + dt.timedelta(days=45),
    )
    services.commitment_create(
        actor=officer, mou_id=mou.pk, responsible_organization=kitb, responsible_person="Investment desk", responsible_user=officer,
        description="Share the KITB investment guide in Korean.", due_date=today + dt.timedelta(days=10),
    )
    services.commitment_create(
        actor=officer, mou_id=mou.pk, responsible_organization=province, responsible_person="Investment promotion division",
        description="Organise an MSME (UMKM) business-matching visit of Chungbuk companies to KITB.",
        due_date=today + dt.timedelta(days=120),
    )
    first = services.commitment_create(
        actor=officer, mou_id=mou.pk, responsible_organization=technopark,
        description="Exchange programme catalogues for internationalisation.", due_date=dt.date(2024, 9, 30),
    )
    services.commitment_complete(actor=officer, commitment_id=first.pk, closed_on=dt.date(2024, 9, 20),
                                 note="Catalogues exchanged by e-mail and presented at the 2024 kick-off workshop.")
    services.note_add(actor=officer, mou_id=mou.pk, kind="decision", noted_on=signed_on,
                      text="MoU signed in Cheongju; the signed original is kept by KITB's legal division.")
    stdout.write(f"partnerships: created {MOU_MAIN} (active, {seminar.mou.commitments.count()} commitments)\n")


def _seed_province(officer, kitb, province, stdout) -> None:
    mou = services.mou_create(
        actor=officer, reference=MOU_PROVINCE, owner=officer,
        title_en="Memorandum of Understanding on investment facilitation for motor and battery makers",
        title_id="Nota Kesepahaman tentang fasilitasi investasi bagi produsen motor dan baterai",
        title_ko="모터·배터리 제조기업 투자 촉진에 관한 업무협약",
        summary="KITB and Chungcheongbuk-do help motor and battery makers from Chungbuk invest in KITB: "
                "site visits, plot reservation and licensing support.",
        scope=[ScopeArea.INVESTMENT],
    )
    services.party_add(actor=officer, mou_id=mou.pk, organization=kitb, role=MoUParty.Role.FIRST_PARTY)
    services.party_add(actor=officer, mou_id=mou.pk, organization=province, role=MoUParty.Role.SECOND_PARTY)
    draft = services.document_upload(
        actor=officer, mou_id=mou.pk, kind=DocumentKind.DRAFT, language="en", governing_language="en",
        comment="First draft for the province's review.",
        uploaded_file=_pdf("MoU-KITB-Chungbuk-investment-draft-1.pdf", [
            "MEMORANDUM OF UNDERSTANDING - DRAFT 1", "Investment facilitation for motor and battery makers",
            "KITB and Chungcheongbuk-do Provincial Government",
        ], "KITB-Chungbuk investment MoU draft"),
    )
    services.mou_start_negotiation(mou_id=mou.pk, actor=officer)
    kitb_party = mou.parties.get(organization=kitb)
    services.document_decide(actor=officer, document_id=draft.pk, party_id=kitb_party.pk,
                             decision=DocumentApproval.Decision.APPROVED)
    services.commitment_create(
        actor=officer, mou_id=mou.pk, responsible_organization=province, responsible_person="Investment promotion division",
        description="Facilitate site visits to KITB for motor and battery makers from Chungbuk.",
        due_date=timezone.localdate() + dt.timedelta(days=90),
    )
    stdout.write(f"partnerships: created {MOU_PROVINCE} (under negotiation)\n")


def _seed_targets(officer, mou, technopark, province, stdout) -> None:
    """Targets of this year and last for the main MoU, so its annual review pack has content."""
    from .models import MoUTarget, TargetKind

    if MoUTarget.objects.filter(mou=mou).exists():
        return
    parties = {p.organization_id: p for p in mou.parties.all()}
    year = timezone.localdate().year
    for y in (year - 1, year):
        for kind, value, owner, extra in (
            (TargetKind.EVENTS_HELD, 4, technopark, {}),
            (TargetKind.EVENTS_HELD, 2, technopark, {"event_kind": "workshop"}),
            (TargetKind.PARTNER_ATTENDEES, 40, technopark, {"country": "KR"}),
            (TargetKind.COMPANIES_REFERRED, 5, province, {}),
            (TargetKind.APPLICATIONS_APPROVED, 2, None, {}),
            (TargetKind.INVESTMENT_PLANNED, 20_000_000, province, {}),
            (TargetKind.JOBS, 300, None, {}),
            (TargetKind.LAND_ALLOCATED, 10, None, {}),
            (TargetKind.COMMITMENTS_ON_TIME, 2, None, {}),
            (TargetKind.MANUAL, 1, technopark, {"description": "Joint startup exchange programme launched"}),
        ):
            services.target_create(actor=officer, mou_id=mou.pk, kind=kind, year=y, target_value=value,
                                   owner_party=parties.get(owner.pk) if owner else None, **extra)
    stdout.write(f"partnerships: targets for {mou.reference} ({year - 1}, {year})\n")


def seed(stdout) -> None:
    """The two demo MoUs; a second run adds nothing."""
    orgs, officer = _lookup()
    kitb, technopark, province = (orgs.get(n) for n in (accounts_demo.KITB, accounts_demo.TECHNOPARK, accounts_demo.PROVINCE))
    if not (kitb and technopark and province and officer):
        stdout.write("partnerships: demo organisations or the partnerships officer do not exist yet; nothing seeded.\n")
        return
    if not officer.has_perm("partnerships.add_mou"):
        stdout.write("partnerships: the partnerships officer has no MoU permissions yet; nothing seeded.\n")
        return
    if MoU.objects.filter(reference=MOU_MAIN).exists():
        stdout.write(f"partnerships: {MOU_MAIN} already exists.\n")
    else:
        with transaction.atomic():
            _seed_main(officer, kitb, technopark, province, stdout)
    if MoU.objects.filter(reference=MOU_PROVINCE).exists():
        stdout.write(f"partnerships: {MOU_PROVINCE} already exists.\n")
    else:
        with transaction.atomic():
            _seed_province(officer, kitb, province, stdout)
    main = MoU.objects.filter(reference=MOU_MAIN).prefetch_related("parties").first()
    if main is not None and officer.has_perm("partnerships.add_moutarget"):
        with transaction.atomic():
            _seed_targets(officer, main, technopark, province, stdout)
