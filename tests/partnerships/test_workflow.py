"""MoU status transitions: allowed ones change the status and history, refused ones say what is missing."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from partnerships import services, workflow
from partnerships.models import DocumentApproval, DocumentKind, MoU, MoUStatus, MoUTerm

from .factories import MoUFactory, pdf_upload

APPROVED = DocumentApproval.Decision.APPROVED


def prepare_for_signing(mou, actor, *, approve=True, signatories=True, signed_copy=True):
    """Draft uploaded, negotiation started, then (optionally) approvals, signatories and the signed copy."""
    draft = services.document_upload(actor=actor, mou_id=mou.pk, uploaded_file=pdf_upload("draft.pdf"), kind=DocumentKind.DRAFT)
    services.mou_start_negotiation(mou_id=mou.pk, actor=actor)
    for party in mou.parties.all():
        if approve:
            services.document_decide(actor=actor, document_id=draft.pk, party_id=party.pk, decision=APPROVED)
        if signatories:
            services.party_set_signatory(actor=actor, party_id=party.pk, signatory_name=f"Signatory {party.pk}",
                                         signatory_title="Director", signed_on=dt.date(2025, 3, 1))
    if signed_copy:
        services.document_upload(actor=actor, mou_id=mou.pk, uploaded_file=pdf_upload("signed.pdf"), kind=DocumentKind.SIGNED_COPY)
    return draft


@pytest.mark.django_db
def test_full_life_draft_to_renewal(mou_a, officer):
    assert mou_a.status == MoUStatus.DRAFT
    prepare_for_signing(mou_a, officer)
    mou = services.mou_sign(mou_id=mou_a.pk, actor=officer)
    assert mou.status == MoUStatus.SIGNED
    assert mou.signed_date == dt.date(2025, 3, 1)  # the last signatory's date
    mou = services.mou_activate(mou_id=mou.pk, actor=officer, effective_date=dt.date(2025, 3, 1), expiry_date=dt.date(2026, 2, 28))
    assert mou.status == MoUStatus.ACTIVE
    mou = services.mou_expire(mou_id=mou.pk, actor=officer, today=dt.date(2026, 3, 1))
    assert mou.status == MoUStatus.EXPIRED
    mou = services.mou_renew(mou_id=mou.pk, actor=officer, new_expiry_date=dt.date(2029, 2, 28))
    mou.refresh_from_db()
    assert (mou.status, mou.term_number, mou.effective_date, mou.expiry_date) == (
        MoUStatus.ACTIVE, 2, dt.date(2026, 3, 1), dt.date(2029, 2, 28))
    term = MoUTerm.objects.get(mou=mou)
    assert (term.term_number, term.effective_date, term.expiry_date, term.ended_status) == (
        1, dt.date(2025, 3, 1), dt.date(2026, 2, 28), MoUStatus.EXPIRED)
    statuses = [h.status for h in mou.history.order_by("history_id")]
    assert statuses[-5:] == ["negotiation", "signed", "active", "expired", "active"]
    assert mou.history.latest().history_user == officer
    assert mou.history.latest().history_change_reason == "renewed: term 2"


@pytest.mark.django_db
def test_sign_refused_without_signed_copy_signatories_and_approvals(mou_a, officer, technopark, kitb):
    prepare_for_signing(mou_a, officer, approve=False, signatories=False, signed_copy=False)
    with pytest.raises(ValidationError) as exc:
        services.mou_sign(mou_id=mou_a.pk, actor=officer)
    text = " ".join(exc.value.messages)
    assert "signed copy" in text
    assert f"{technopark.name}: signatory name, signatory title, signing date" in text
    assert f"approval of the final draft (version 1) by {technopark.name}" in text
    assert f"by {kitb.name}" in text
    mou_a.refresh_from_db()
    assert mou_a.status == MoUStatus.NEGOTIATION


@pytest.mark.django_db
def test_sign_refused_when_one_party_has_not_approved_the_current_draft(mou_a, officer, technopark):
    prepare_for_signing(mou_a, officer)
    # a newer draft replaces the approved one: its approvals are missing again
    services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("draft-2.pdf"), kind=DocumentKind.DRAFT)
    with pytest.raises(ValidationError) as exc:
        services.mou_sign(mou_id=mou_a.pk, actor=officer)
    assert f"approval of the final draft (version 3) by {technopark.name}" in " ".join(exc.value.messages)
    assert "signed copy" not in " ".join(exc.value.messages)


@pytest.mark.django_db
def test_changes_requested_blocks_signing_and_needs_a_comment(mou_a, officer, technopark):
    draft = prepare_for_signing(mou_a, officer, approve=False)
    party = mou_a.parties.get(organization=technopark)
    with pytest.raises(ValidationError):
        services.document_decide(actor=officer, document_id=draft.pk, party_id=party.pk, decision="changes_requested", comment="")
    services.document_decide(actor=officer, document_id=draft.pk, party_id=party.pk, decision="changes_requested",
                             comment="Article 4: add batteries.")
    for other in mou_a.parties.exclude(pk=party.pk):
        services.document_decide(actor=officer, document_id=draft.pk, party_id=other.pk, decision=APPROVED)
    with pytest.raises(ValidationError, match=f"by {technopark.name}"):
        services.mou_sign(mou_id=mou_a.pk, actor=officer)


@pytest.mark.django_db
def test_negotiation_needs_two_parties(officer, kitb):
    mou = MoUFactory(owner=officer)
    with pytest.raises(ValidationError, match="at least two parties"):
        services.mou_start_negotiation(mou_id=mou.pk, actor=officer)


@pytest.mark.django_db
def test_wrong_status_is_refused_with_the_needed_status(mou_a, officer):
    with pytest.raises(ValidationError) as exc:
        services.mou_activate(mou_id=mou_a.pk, actor=officer)
    assert "Activate" in exc.value.messages[0] and "Signed" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.mou_sign(mou_id=mou_a.pk, actor=officer)
    with pytest.raises(ValidationError):
        services.mou_expire(mou_id=mou_a.pk, actor=officer)
    with pytest.raises(ValidationError):
        services.mou_renew(mou_id=mou_a.pk, actor=officer, new_expiry_date=dt.date(2030, 1, 1))


@pytest.mark.django_db
def test_no_way_back_from_terminated(mou_a, officer):
    with pytest.raises(ValidationError, match="reason"):
        services.mou_terminate(mou_id=mou_a.pk, actor=officer, reason="  ")
    services.mou_terminate(mou_id=mou_a.pk, actor=officer, reason="Superseded by a new MoU.")
    mou_a.refresh_from_db()
    assert mou_a.status == MoUStatus.TERMINATED and mou_a.termination_date is not None
    assert workflow.available(mou_a, officer) == []
    for name in workflow.TRANSITIONS:
        with pytest.raises(ValidationError, match="terminated"):
            workflow.check(mou_a, name, officer)
    with pytest.raises(ValidationError, match="terminated"):
        services.mou_start_negotiation(mou_id=mou_a.pk, actor=officer)
    with pytest.raises(ValidationError, match="terminated"):
        services.mou_renew(mou_id=mou_a.pk, actor=officer, new_expiry_date=dt.date(2030, 1, 1))


@pytest.mark.django_db
def test_activation_refuses_expiry_before_effective_date(mou_a, officer):
    prepare_for_signing(mou_a, officer)
    services.mou_sign(mou_id=mou_a.pk, actor=officer)
    with pytest.raises(ValidationError, match="expiry date .* must be after the effective date"):
        services.mou_activate(mou_id=mou_a.pk, actor=officer, effective_date=dt.date(2025, 3, 1), expiry_date=dt.date(2025, 3, 1))
    mou_a.refresh_from_db()
    assert mou_a.status == MoUStatus.SIGNED


@pytest.mark.django_db
def test_database_refuses_expiry_not_after_effective_date(mou_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        MoU.objects.filter(pk=mou_a.pk).update(effective_date=dt.date(2025, 1, 2), expiry_date=dt.date(2025, 1, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        MoU.objects.filter(pk=mou_a.pk).update(status=MoUStatus.SIGNED)  # signed without a signed date


@pytest.mark.django_db
def test_expire_refused_before_expiry_date(officer, kitb, technopark):
    from .factories import mou_with_parties

    mou = mou_with_parties(kitb, technopark, owner=officer, active=True)
    with pytest.raises(ValidationError, match="before its expiry date"):
        services.mou_expire(mou_id=mou.pk, actor=officer, today=mou.expiry_date - dt.timedelta(days=1))
    assert services.mou_expire(mou_id=mou.pk, actor=officer, today=mou.expiry_date).status == MoUStatus.EXPIRED


@pytest.mark.django_db
def test_partner_cannot_fire_transitions(mou_a, partner_a):
    with pytest.raises(PermissionDenied):
        services.mou_start_negotiation(mou_id=mou_a.pk, actor=partner_a)
    assert workflow.available(mou_a, partner_a) == []


@pytest.mark.django_db
def test_available_transitions_follow_the_declared_workflow(mou_a, officer):
    names = lambda: {t.name for t in workflow.available(mou_a, officer)}  # noqa: E731
    assert names() == {"start_negotiation", "terminate"}
    mou_a.status = MoUStatus.ACTIVE
    assert names() == {"expire", "terminate", "renew"}
    mou_a.status = MoUStatus.EXPIRED
    assert names() == {"renew"}


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["nothing", "approved", "newer draft"])
def test_sign_blockers_from_prefetched_rows_equal_the_queried_ones(mou_a, officer, state):
    """The admin's change page reads the blockers from the rows it prefetched; the signing service
    queries. Both must say the same."""
    from django.db.models import prefetch_related_objects

    from partnerships.models import MoU

    if state != "nothing":
        prepare_for_signing(mou_a, officer, signed_copy=state == "approved")
    if state == "newer draft":
        services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("draft-2.pdf"), kind=DocumentKind.DRAFT)
    mou = MoU.objects.get(pk=mou_a.pk)
    queried = services.sign_blockers(mou)
    prefetch_related_objects([mou], "parties__organization", "documents__approvals")
    assert services.sign_blockers(mou, prefetched=True) == queried
