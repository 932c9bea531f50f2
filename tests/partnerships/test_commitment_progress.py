"""Commitments partners report on: progress with evidence, a proposal of "done", the owner's answer;
and internal MoU notes that never reach a partner (portal or e-mail)."""
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kitb_portal.notifications.models import OutboxMessage
from partnerships import services
from partnerships.models import Commitment, CommitmentProgress, MoUNote
from tests.factories import UserFactory
from tests.utils import assert_flat_queries, count_queries

from .factories import CommitmentFactory, pdf_upload, png_renamed_upload


@pytest.fixture
def commitment_a(mou_a, technopark):
    return CommitmentFactory(mou=mou_a, responsible_organization=technopark, description="Hold a joint seminar")


@pytest.fixture
def commitment_b(mou_b, province):
    return CommitmentFactory(mou=mou_b, responsible_organization=province, description="Province commitment")


@pytest.mark.django_db
def test_progress_proposal_and_confirmation_with_history_and_mail(client_a, partner_a, officer, commitment_a):
    url = reverse("partnerships:progress_add", args=[commitment_a.mou_id, commitment_a.pk])
    response = client_a.post(url, {"text": "Venue booked", "evidence": pdf_upload("booking.pdf", "Booking")})
    assert response.status_code == 302
    entry = CommitmentProgress.objects.get(commitment=commitment_a)
    assert entry.kind == "progress" and entry.evidence_name == "booking.pdf" and entry.evidence.name.startswith("partnerships/")
    evidence = client_a.get(reverse("partnerships:progress_evidence", args=[commitment_a.mou_id, commitment_a.pk, entry.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(b"%PDF-")
    mail = OutboxMessage.objects.get(key=f"commitment-progress:{entry.pk}:{officer.pk}")
    assert mail.language == "id" and "Venue booked" in mail.body_text

    client_a.post(url, {"text": "Seminar held on 3 March", "propose_done": "on"})
    commitment_a.refresh_from_db()
    assert commitment_a.done_proposed_at is not None and commitment_a.status == "open"
    with pytest.raises(ValidationError):  # a second proposal while one waits
        services.commitment_progress_post(actor=partner_a, commitment_id=commitment_a.pk, text="again", propose_done=True)

    services.commitment_confirm_done(actor=officer, commitment_id=commitment_a.pk)
    commitment_a.refresh_from_db()
    assert commitment_a.status == "done" and commitment_a.closed_on and commitment_a.done_proposed_at is None
    assert commitment_a.fulfilment_note == "Seminar held on 3 March"
    kinds = list(CommitmentProgress.objects.filter(commitment=commitment_a).values_list("kind", flat=True))
    assert kinds == ["progress", "done_proposed", "confirmed"]
    reasons = list(commitment_a.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert "proposed as done" in reasons and "confirmed as done" in reasons
    decision = OutboxMessage.objects.get(kind="commitment_progress", recipient=partner_a)
    assert "confirmed" in decision.subject
    page = client_a.get(reverse("partnerships:mou_detail", args=[commitment_a.mou_id])).content.decode()
    assert "Seminar held on 3 March" in page and "Confirmed as done" in page


@pytest.mark.django_db
def test_send_back_needs_a_message_and_keeps_it_open(partner_a, officer, commitment_a):
    services.commitment_progress_post(actor=partner_a, commitment_id=commitment_a.pk, text="done", propose_done=True)
    with pytest.raises(ValidationError):
        services.commitment_send_back(actor=officer, commitment_id=commitment_a.pk, message="")
    services.commitment_send_back(actor=officer, commitment_id=commitment_a.pk, message="Send the attendance list")
    commitment_a.refresh_from_db()
    assert commitment_a.status == "open" and commitment_a.done_proposed_at is None
    assert "sent back" in commitment_a.history.first().history_change_reason
    assert OutboxMessage.objects.filter(kind="commitment_progress", recipient=partner_a, subject__contains="sent back").exists()
    # proposing again after a send-back works
    services.commitment_progress_post(actor=partner_a, commitment_id=commitment_a.pk, text="list attached", propose_done=True)


@pytest.mark.django_db
def test_only_the_owner_decides_and_only_the_responsible_org_reports(partner_a, partner_b, officer, commitment_a, kitb):
    other_staff = UserFactory(staff=True, organization=kitb, email="other@kitb.example")
    with pytest.raises(PermissionDenied):
        services.commitment_progress_post(actor=partner_b, commitment_id=commitment_a.pk, text="x")
    with pytest.raises(PermissionDenied):
        services.commitment_progress_post(actor=officer, commitment_id=commitment_a.pk, text="x")
    services.commitment_progress_post(actor=partner_a, commitment_id=commitment_a.pk, text="x", propose_done=True)
    with pytest.raises(PermissionDenied):
        services.commitment_confirm_done(actor=other_staff, commitment_id=commitment_a.pk)
    with pytest.raises(PermissionDenied):
        services.commitment_confirm_done(actor=partner_a, commitment_id=commitment_a.pk)


@pytest.mark.django_db
def test_bad_evidence_and_future_date_store_nothing(client_a, commitment_a, private_media):
    url = reverse("partnerships:progress_add", args=[commitment_a.mou_id, commitment_a.pk])
    response = client_a.post(url, {"text": "scan", "evidence": png_renamed_upload()})
    assert response.status_code == 400 and "not a PDF" in response.content.decode()
    response = client_a.post(url, {"text": "later", "reported_on": "2999-01-01"})
    assert response.status_code == 400 and "future" in response.content.decode()
    assert not CommitmentProgress.objects.exists()
    assert not list(private_media.rglob("*.pdf"))


@pytest.mark.django_db
def test_progress_urls_are_scoped(client_a, partner_b, commitment_a, commitment_b):
    entry = services.commitment_progress_post(
        actor=partner_b, commitment_id=commitment_b.pk, text="B's", evidence=pdf_upload("b.pdf", "B")
    )
    assert client_a.get(reverse("partnerships:progress_add", args=[commitment_b.mou_id, commitment_b.pk])).status_code == 404
    assert client_a.get(
        reverse("partnerships:progress_evidence", args=[commitment_b.mou_id, commitment_b.pk, entry.pk])
    ).status_code == 404
    # the right MoU in the URL but another MoU's commitment: 404 too
    assert client_a.get(reverse("partnerships:progress_add", args=[commitment_a.mou_id, commitment_b.pk])).status_code == 404


@pytest.mark.django_db
def test_internal_notes_never_reach_the_portal_or_a_partners_mail(client_a, partner_a, officer, mou_a):
    internal = services.note_add(actor=officer, mou_id=mou_a.pk, text="Budget ceiling is 50 million")
    shared = services.note_add(actor=officer, mou_id=mou_a.pk, text="Meeting set for Monday", internal=False)
    partner_note = services.note_add(actor=partner_a, mou_id=mou_a.pk, text="We agree", internal=True)
    assert internal.internal and not shared.internal and not partner_note.internal
    page = client_a.get(reverse("partnerships:mou_detail", args=[mou_a.pk])).content.decode()
    assert "Meeting set for Monday" in page and "We agree" in page
    assert "Budget ceiling" not in page
    partner_mail = " ".join(OutboxMessage.objects.exclude(recipient__is_staff=True).values_list("body_text", flat=True))
    assert "Budget ceiling" not in partner_mail
    assert MoUNote.objects.get(pk=internal.pk).internal


@pytest.mark.django_db
def test_mou_page_queries_flat_with_progress(client_a, partner_a, mou_a, technopark):
    url = reverse("partnerships:mou_detail", args=[mou_a.pk])

    def grow(n):
        for i in range(n):
            c = CommitmentFactory(mou=mou_a, responsible_organization=technopark)
            services.commitment_progress_post(actor=partner_a, commitment_id=c.pk, text=f"step {i}")

    grow(2)
    client_a.get(url)
    small = count_queries(client_a.get, url)
    grow(6)
    large = count_queries(client_a.get, url)
    assert Commitment.objects.filter(mou=mou_a).count() == 8
    assert_flat_queries(small, large)


@pytest.mark.django_db
def test_the_owners_change_page_links_to_the_decision_once_done_is_proposed(client, partner_a, officer, commitment_a, kitb):
    change = reverse("admin:partnerships_commitment_change", args=[commitment_a.pk])
    decide = reverse("admin:partnerships_commitment_decide", args=[commitment_a.pk])
    client.force_login(officer)
    assert decide not in client.get(change).content.decode()  # nothing proposed yet
    services.commitment_progress_post(actor=partner_a, commitment_id=commitment_a.pk, text="done", propose_done=True)
    assert decide in client.get(change).content.decode()
    other = UserFactory(staff=True, organization=kitb, is_superuser=False)
    other.user_permissions.add(*Permission.objects.filter(codename__in=["view_commitment", "change_commitment"]))
    client.force_login(other)  # staff who may change commitments but do not own the MoU
    page = client.get(change)
    assert page.status_code == 200 and decide not in page.content.decode()
