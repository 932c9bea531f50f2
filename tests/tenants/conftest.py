"""Fixtures of the tenants tests: role groups, staff of each role, criteria, land, PDFs."""
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from kitb_portal.accounts.roles import KITB_ADMINISTRATOR, PARTNERSHIPS_OFFICER, SCREENING_COMMITTEE
from tenants import services
from tenants.documents import sample_pdf_bytes
from tenants.models import Application, DocumentKind
from tests.factories import UserFactory

from .factories import ApplicationFactory, CriterionFactory, PlotFactory, SectorFactory, ZoneFactory


@pytest.fixture(autouse=True)
def _site_url(settings):
    """The e-mail links these tests read point at a production-like address."""
    settings.SITE_URL = "https://portal.kitb.example"


def _group(name: str, codenames: list[str] | None, all_tenants=False) -> Group:
    """The role group (the accounts app syncs its permissions too; here they are made explicit)."""
    group, _ = Group.objects.get_or_create(name=name)
    perms = Permission.objects.filter(content_type__app_label="tenants")
    if not all_tenants:
        perms = perms.filter(codename__in=codenames)
    group.permissions.add(*perms)
    return group


@pytest.fixture
def groups(db):
    return {
        KITB_ADMINISTRATOR: _group(KITB_ADMINISTRATOR, None, all_tenants=True),
        PARTNERSHIPS_OFFICER: _group(PARTNERSHIPS_OFFICER, [
            "view_application", "view_review", "view_plot", "view_zone", "view_allocation", "view_sector",
            "view_screeningcriterion", "view_applicationdocument", "view_statuschange", "view_reviewassignment",
        ]),
        SCREENING_COMMITTEE: _group(SCREENING_COMMITTEE, [
            "view_application", "view_review", "change_review", "add_review", "add_reviewscore", "change_reviewscore",
            "view_reviewscore", "add_applicationcomment", "view_screeningcriterion", "view_sector",
        ]),
    }


@pytest.fixture
def kitb_admin(db, kitb, groups):
    """A staff user in the KITB administrator role (not a superuser)."""
    user = UserFactory(staff=True, organization=kitb, email="kitb-admin@kitb.example", full_name="Dewi Lestari")
    user.groups.add(groups[KITB_ADMINISTRATOR])
    return user


@pytest.fixture
def viewer(db, kitb, groups):
    """A partnerships officer: may view applications, not move them."""
    user = UserFactory(staff=True, organization=kitb, email="viewer@kitb.example", full_name="Budi Santoso")
    user.groups.add(groups[PARTNERSHIPS_OFFICER])
    return user


def _reviewer(kitb, groups, n):
    user = UserFactory(staff=True, organization=kitb, email=f"reviewer{n}@kitb.example", full_name=f"Reviewer Number{n}", preferred_language="id")
    user.groups.add(groups[SCREENING_COMMITTEE])
    return user


@pytest.fixture
def reviewer1(db, kitb, groups):
    return _reviewer(kitb, groups, 1)


@pytest.fixture
def reviewer2(db, kitb, groups):
    return _reviewer(kitb, groups, 2)


@pytest.fixture
def reviewer3(db, kitb, groups):
    return _reviewer(kitb, groups, 3)


@pytest.fixture
def criteria(db):
    """Three criteria weighted 1, 2 and 3."""
    return [
        CriterionFactory(code="fit", name="Sector fit", weight=Decimal("1"), position=1),
        CriterionFactory(code="tech", name="Technology level", weight=Decimal("2"), position=2),
        CriterionFactory(code="jobs", name="Jobs per hectare", weight=Decimal("3"), position=3),
    ]


@pytest.fixture
def sector(db):
    return SectorFactory(code="new-energy", name_en="New energy", name_id="Energi baru", name_ko="신에너지")


def pdf_upload(name="plan.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else sample_pdf_bytes(), content_type="application/pdf")


def add_required_documents(application, actor):
    for kind in (DocumentKind.BUSINESS_PLAN, DocumentKind.REGISTRATION):
        services.document_add(application_id=application.pk, actor=actor, uploaded=pdf_upload(f"{kind}.pdf"), kind=kind)


@pytest.fixture
def draft_a(db, technopark, partner_a, sector):
    """A complete draft referred by partner A's organisation, with its required documents."""
    application = ApplicationFactory(referrer=technopark, sector=sector, created_by=partner_a)
    add_required_documents(application, partner_a)
    return application


@pytest.fixture
def screening_a(draft_a, partner_a, kitb_admin):
    """``draft_a`` submitted by partner A and in screening (started by the KITB administrator)."""
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    services.application_start_screening(application_id=draft_a.pk, actor=kitb_admin)
    draft_a.refresh_from_db()
    return draft_a


@pytest.fixture
def draft_b(db, province, partner_b, sector):
    application = ApplicationFactory(referrer=province, sector=sector, created_by=partner_b, company_name="Province Co.")
    add_required_documents(application, partner_b)
    return application


def advance(application, to: str, *, partner, officer, decider=None, reason="Not a fit."):
    """Move an application along the workflow through the services, up to ``to``."""
    order = ["submitted", "screening", "due_diligence", "committee"]
    steps = {
        "submitted": lambda: services.application_submit(application_id=application.pk, actor=partner),
        "screening": lambda: services.application_start_screening(application_id=application.pk, actor=officer),
        "due_diligence": lambda: services.application_start_due_diligence(application_id=application.pk, actor=officer),
        "committee": lambda: services.application_to_committee(application_id=application.pk, actor=officer),
    }
    target_index = order.index(to) if to in order else len(order) - 1
    for status in order[: target_index + 1]:
        steps[status]()
    if to in ("approved", "rejected"):
        decide_through_meeting(application, "approve" if to == "approved" else "reject", chair=decider or officer, reason=reason)
    application.refresh_from_db()
    return application


def committee_meeting_votes(application, decision: str, *, chair, voters=(), minutes="Discussed and voted."):
    """A committee meeting that votes ``decision`` ("approve", "reject") on ``application``: scheduled
    with ``chair`` and ``voters`` (quorum: all of them), everyone present and voting, then closed."""
    from django.utils import timezone

    members = [chair, *voters]
    meeting = services.meeting_schedule(actor=chair, title=f"Committee on {application.company_name}", held_at=timezone.now(),
                                        chair=chair, members=members, quorum=len(members))
    services.meeting_agenda_add(meeting_id=meeting.pk, application_id=application.pk, actor=chair)
    services.meeting_attendance_set(meeting_id=meeting.pk, present_user_ids=[u.pk for u in members], actor=chair)
    for user in members:
        services.meeting_vote(meeting_id=meeting.pk, application_id=application.pk, voter=user, choice=decision, actor=chair)
    services.meeting_minutes_write(meeting_id=meeting.pk, minutes=minutes, actor=chair)
    return services.meeting_close(meeting_id=meeting.pk, actor=chair)


def decide_through_meeting(application, decision: str, *, chair, voters=(), decider=None, reason="Not a fit."):
    """The committee's decision in one call: a closed meeting votes it, then the decision service records it."""
    committee_meeting_votes(application, decision, chair=chair, voters=voters)
    if decision == "approve":
        return services.application_approve(application_id=application.pk, actor=decider or chair)
    return services.application_reject(application_id=application.pk, actor=decider or chair, reason=reason)


def complete_review(application, reviewer, scores: dict, *, conflict=False, assigner=None):
    """Assign (if needed), score and submit a review through the services."""
    from tenants.models import ReviewAssignment

    assignment = ReviewAssignment.objects.filter(application=application, reviewer=reviewer).first()
    if assignment is None:
        assignment = services.review_assign(application_id=application.pk, reviewer=reviewer, actor=assigner)
    review = assignment.review
    services.review_save(
        review_id=review.pk, actor=reviewer, conflict_of_interest=conflict, conflict_note="Former employer" if conflict else "",
        comment="ok", scores={c.pk: (s, f"comment {s}") for c, s in scores.items()},
    )
    services.review_submit(review_id=review.pk, actor=reviewer)
    review.refresh_from_db()
    return review


@pytest.fixture
def land(db):
    """KITB 4,300 ha → cluster 1 3,100 ha → phase 1 450 ha, and a 'small' zone of 25 ha in phase 1."""
    kitb_zone = ZoneFactory(code="kitb", name="KITB", area_ha=Decimal("4300"))
    cluster = ZoneFactory(code="cluster-1", name="Cluster 1", area_ha=Decimal("3100"), parent=kitb_zone)
    phase = ZoneFactory(code="phase-1", name="Phase 1", area_ha=Decimal("450"), parent=cluster)
    small = ZoneFactory(code="small", name="Small block", area_ha=Decimal("25"), parent=phase)
    plots = [PlotFactory(code=f"P1-A{i:02d}", zone=phase, area_ha=Decimal("12"), grid_row=0, grid_col=i) for i in range(6)]
    small_plots = [PlotFactory(code=f"S-{i}", zone=small, area_ha=Decimal("10"), grid_row=1, grid_col=i) for i in range(3)]
    return {"kitb": kitb_zone, "cluster": cluster, "phase": phase, "small": small, "plots": plots, "small_plots": small_plots}


@pytest.fixture
def approved_factory(db, technopark, sector):
    """Approved applications made directly (land tests need many; the workflow is tested elsewhere)."""
    def make(**kwargs):
        return ApplicationFactory(referrer=technopark, sector=sector, status=Application.Status.APPROVED, **kwargs)
    return make
