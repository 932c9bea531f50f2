"""Every workflow transition, allowed and refused; history and e-mail of each step."""
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kitb_portal.notifications.models import OutboxMessage
from tenants import services, workflow
from tenants.models import Application, ScreeningSettings, StatusChange
from tests.factories import UserFactory

from .conftest import advance, committee_meeting_votes, complete_review
from .factories import ApplicationFactory

S = Application.Status
SERVICE = {
    "submit": services.application_submit,
    "start_screening": services.application_start_screening,
    "start_due_diligence": services.application_start_due_diligence,
    "to_committee": services.application_to_committee,
    "approve": services.application_approve,
    "withdraw": services.application_withdraw,
}


def fire(name, application, actor):
    if name in ("approve", "reject") and application.status == S.COMMITTEE:
        committee_meeting_votes(application, name, chair=actor)  # a closed meeting voted it
    if name == "reject":
        return services.application_reject(application_id=application.pk, actor=actor, reason="Does not fit phase 1.")
    return SERVICE[name](application_id=application.pk, actor=actor)


def _actor_for(name, partner, kitb_admin):
    return partner if name == "submit" else kitb_admin


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(workflow.TRANSITIONS))
@pytest.mark.parametrize("status", list(S.values))
def test_each_transition_from_each_status(name, status, draft_a, partner_a, kitb_admin, reviewer1, reviewer2, criteria):
    """Matrix: every transition succeeds exactly from the statuses it leaves from, and moves the
    application to its target; from any other status it is refused and nothing changes."""
    transition = workflow.TRANSITIONS[name]
    Application.objects.filter(pk=draft_a.pk).update(status=S.SCREENING)
    for reviewer in (reviewer1, reviewer2):  # quorum (2) met, so only the status decides
        complete_review(draft_a, reviewer, {c: 4 for c in criteria}, assigner=kitb_admin)
    Application.objects.filter(pk=draft_a.pk).update(status=status, decision_reason="Earlier reason" if status == S.REJECTED else "")
    draft_a.refresh_from_db()
    actor = _actor_for(name, partner_a, kitb_admin)
    changes_before = StatusChange.objects.count()
    if status in transition.sources:
        fire(name, draft_a, actor)
        draft_a.refresh_from_db()
        assert draft_a.status == transition.target
        change = StatusChange.objects.latest("pk")
        assert (change.from_status, change.to_status, change.actor, change.transition) == (status, transition.target, actor, name)
    else:
        with pytest.raises(workflow.TransitionNotAllowed):
            fire(name, draft_a, actor)
        draft_a.refresh_from_db()
        assert draft_a.status == status
        assert StatusChange.objects.count() == changes_before


@pytest.mark.django_db
def test_full_path_records_every_step_with_who_and_when(draft_a, partner_a, kitb_admin, reviewer1, reviewer2, criteria):
    advance(draft_a, "screening", partner=partner_a, officer=kitb_admin)
    for reviewer in (reviewer1, reviewer2):
        complete_review(draft_a, reviewer, {c: 4 for c in criteria}, assigner=kitb_admin)
    for fn in [services.application_start_due_diligence, services.application_to_committee]:
        fn(application_id=draft_a.pk, actor=kitb_admin)
    committee_meeting_votes(draft_a, "approve", chair=kitb_admin)
    services.application_approve(application_id=draft_a.pk, actor=kitb_admin)
    draft_a.refresh_from_db()
    assert draft_a.status == S.APPROVED and draft_a.decided_at is not None and draft_a.submitted_at is not None
    steps = list(StatusChange.objects.filter(application=draft_a).values_list("from_status", "to_status", "actor__email"))
    assert steps == [
        ("draft", "submitted", partner_a.email),
        ("submitted", "screening", kitb_admin.email),
        ("screening", "due_diligence", kitb_admin.email),
        ("due_diligence", "committee", kitb_admin.email),
        ("committee", "approved", kitb_admin.email),
    ]
    # simple-history also keeps the field changes, with who made them
    assert draft_a.history.filter(status="approved").first().history_user == kitb_admin


@pytest.mark.django_db
def test_submit_refused_without_required_fields_and_documents(technopark, partner_a, sector):
    application = ApplicationFactory(referrer=technopark, sector=None, products="", land_ha=None)
    with pytest.raises(ValidationError) as exc:
        services.application_submit(application_id=application.pk, actor=partner_a)
    text = " ".join(exc.value.messages)
    for expected in ("sector", "products", "land wanted (ha)", "Business plan", "Company registration certificate"):
        assert expected in text
    application.refresh_from_db()
    assert application.status == S.DRAFT and not StatusChange.objects.exists()


@pytest.mark.django_db
def test_submit_refused_when_pioneer_claim_has_no_reason(draft_a, partner_a):
    Application.objects.filter(pk=draft_a.pk).update(claims_pioneer=False)
    draft_a.claims_pioneer, draft_a.pioneer_reason = True, ""
    assert "why pioneer or high-tech" in services.application_missing_requirements(draft_a)


@pytest.mark.django_db
def test_submit_refused_for_another_organisation_and_for_staff_without_permission(draft_a, partner_b, viewer):
    for actor in (partner_b, viewer):
        with pytest.raises(PermissionDenied):
            services.application_submit(application_id=draft_a.pk, actor=actor)
    draft_a.refresh_from_db()
    assert draft_a.status == S.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("name,status", [
    ("start_screening", S.SUBMITTED), ("start_due_diligence", S.SCREENING), ("to_committee", S.DUE_DILIGENCE),
])
def test_officer_steps_refused_to_partners_reviewers_and_viewers(name, status, draft_a, partner_a, reviewer1, viewer):
    Application.objects.filter(pk=draft_a.pk).update(status=status)
    for actor in (partner_a, reviewer1, viewer):
        with pytest.raises(PermissionDenied):
            SERVICE[name](application_id=draft_a.pk, actor=actor)
    draft_a.refresh_from_db()
    assert draft_a.status == status


@pytest.mark.django_db
def test_owning_officer_may_move_their_application(draft_a, partner_a, kitb_admin, kitb):
    officer = UserFactory(staff=True, organization=kitb, email="owner@kitb.example")
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    with pytest.raises(PermissionDenied):
        services.application_start_screening(application_id=draft_a.pk, actor=officer)
    services.application_set_officer(application_id=draft_a.pk, officer=officer, actor=kitb_admin)
    services.application_start_screening(application_id=draft_a.pk, actor=officer)
    draft_a.refresh_from_db()
    assert draft_a.status == S.SCREENING


@pytest.mark.django_db
def test_decision_needs_the_quorum_of_non_conflicted_complete_reviews(draft_a, partner_a, kitb_admin, reviewer1, reviewer2, reviewer3, criteria):
    advance(draft_a, "screening", partner=partner_a, officer=kitb_admin)
    complete_review(draft_a, reviewer1, {c: 4 for c in criteria}, assigner=kitb_admin)
    complete_review(draft_a, reviewer2, {c: 5 for c in criteria}, conflict=True, assigner=kitb_admin)
    services.review_assign(application_id=draft_a.pk, reviewer=reviewer3, actor=kitb_admin)  # pending, not counted
    advance_to_committee = [services.application_start_due_diligence, services.application_to_committee]
    for fn in advance_to_committee:
        fn(application_id=draft_a.pk, actor=kitb_admin)
    for fn in (services.application_approve,):
        with pytest.raises(ValidationError) as exc:
            fn(application_id=draft_a.pk, actor=kitb_admin)
        assert "2 complete reviews" in exc.value.messages[0] and "has 1" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.application_reject(application_id=draft_a.pk, actor=kitb_admin, reason="No")
    complete_review(draft_a, reviewer3, {c: 3 for c in criteria})
    committee_meeting_votes(draft_a, "approve", chair=kitb_admin)
    services.application_approve(application_id=draft_a.pk, actor=kitb_admin)
    draft_a.refresh_from_db()
    assert draft_a.status == S.APPROVED


@pytest.mark.django_db
def test_quorum_is_the_administrators_setting(draft_a, partner_a, kitb_admin, reviewer1, criteria):
    services.screening_settings_update(actor=kitb_admin, quorum=1, overdue_days=14)
    advance(draft_a, "screening", partner=partner_a, officer=kitb_admin)
    complete_review(draft_a, reviewer1, {c: 4 for c in criteria}, assigner=kitb_admin)
    services.application_start_due_diligence(application_id=draft_a.pk, actor=kitb_admin)
    services.application_to_committee(application_id=draft_a.pk, actor=kitb_admin)
    committee_meeting_votes(draft_a, "approve", chair=kitb_admin)
    services.application_approve(application_id=draft_a.pk, actor=kitb_admin)
    assert Application.objects.get(pk=draft_a.pk).status == S.APPROVED
    assert ScreeningSettings.load().quorum == 1


@pytest.mark.django_db
def test_settings_only_changed_by_the_administrator(viewer, reviewer1):
    for actor in (viewer, reviewer1):
        with pytest.raises(PermissionDenied):
            services.screening_settings_update(actor=actor, quorum=5, overdue_days=3)
    assert ScreeningSettings.load().quorum == 2 and ScreeningSettings.load().overdue_days == 14


@pytest.mark.django_db
def test_decisions_only_by_the_kitb_administrator(draft_a, partner_a, kitb_admin, kitb, reviewer1, reviewer2, criteria):
    officer = UserFactory(staff=True, organization=kitb, email="owner@kitb.example")
    services.application_set_officer(application_id=draft_a.pk, officer=officer, actor=kitb_admin)
    advance(draft_a, "committee", partner=partner_a, officer=officer)
    for reviewer in (reviewer1, reviewer2):
        complete_review(draft_a, reviewer, {c: 4 for c in criteria}, assigner=kitb_admin)
    for actor in (officer, partner_a, reviewer1):
        with pytest.raises(PermissionDenied):
            services.application_approve(application_id=draft_a.pk, actor=actor)
        with pytest.raises(PermissionDenied):
            services.application_reject(application_id=draft_a.pk, actor=actor, reason="No")
    assert Application.objects.get(pk=draft_a.pk).status == S.COMMITTEE


@pytest.mark.django_db
def test_rejection_needs_a_reason_the_referrer_reads(
    draft_a, partner_a, kitb_admin, reviewer1, reviewer2, criteria, client_a, django_capture_on_commit_callbacks,
):
    advance(draft_a, "committee", partner=partner_a, officer=kitb_admin)
    for reviewer in (reviewer1, reviewer2):
        complete_review(draft_a, reviewer, {c: 2 for c in criteria}, assigner=kitb_admin)
    for blank in ("", "   "):
        with pytest.raises(ValidationError):
            services.application_reject(application_id=draft_a.pk, actor=kitb_admin, reason=blank)
    committee_meeting_votes(draft_a, "reject", chair=kitb_admin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application_id=draft_a.pk, actor=kitb_admin, reason="Water demand exceeds phase 1 supply.")
    draft_a.refresh_from_db()
    assert draft_a.status == S.REJECTED and draft_a.decision_reason == "Water demand exceeds phase 1 supply."
    to_partner = [m for m in mail.outbox if m.to == [partner_a.email]]
    assert len(to_partner) == 1 and "Water demand exceeds phase 1 supply." in to_partner[0].body
    page = client_a.get(f"/portal/applications/{draft_a.pk}/").content.decode()
    assert "Water demand exceeds phase 1 supply." in page


@pytest.mark.django_db
def test_withdraw_by_the_referrer_and_refused_once_decided(draft_a, partner_a, partner_b, kitb_admin):
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application_id=draft_a.pk, actor=partner_b)
    services.application_withdraw(application_id=draft_a.pk, actor=partner_a)
    assert Application.objects.get(pk=draft_a.pk).status == S.WITHDRAWN
    with pytest.raises(workflow.TransitionNotAllowed):
        services.application_withdraw(application_id=draft_a.pk, actor=kitb_admin)


@pytest.mark.django_db
def test_each_step_tells_referrer_users_and_contact_in_their_language(draft_a, partner_a, technopark, kitb_admin, django_capture_on_commit_callbacks):
    colleague = UserFactory(organization=technopark, email="colleague@technopark.example", preferred_language="id")
    UserFactory(organization=technopark, email="gone@technopark.example", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application_id=draft_a.pk, actor=partner_a)
    rows = OutboxMessage.objects.filter(kind="application_status").order_by("to_email")
    assert {(r.to_email, r.language) for r in rows} == {
        (partner_a.email, "en"), (colleague.email, "id"), (draft_a.contact_email, "ko"),
    }
    assert all("Submitted" in r.subject or r.language != "en" for r in rows)
    assert {m.to[0] for m in mail.outbox} == {partner_a.email, colleague.email, draft_a.contact_email}
    contact_mail = next(m for m in mail.outbox if m.to == [draft_a.contact_email])
    assert "/portal/" not in contact_mail.body  # the applicant contact has no portal account
