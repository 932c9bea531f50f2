"""Partner portal: what a partner sees and does on their own MoUs, and that nothing of another MoU leaks."""
import pytest
from django.urls import reverse

from partnerships import services
from partnerships.models import DocumentApproval, MoUNote
from tests.factories import UserFactory

from .factories import pdf_upload


@pytest.fixture
def docs(mou_a, mou_b, officer):
    """A draft on each MoU."""
    return (
        services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("a.pdf"), kind="draft"),
        services.document_upload(actor=officer, mou_id=mou_b.pk, uploaded_file=pdf_upload("b.pdf"), kind="draft"),
    )


def portal_urls(mou, doc):
    return {
        "detail": reverse("partnerships:mou_detail", args=[mou.pk]),
        "download": reverse("partnerships:document_download", args=[mou.pk, doc.pk]),
        "note": reverse("partnerships:note_add", args=[mou.pk]),
        "upload": reverse("partnerships:document_upload", args=[mou.pk]),
        "decide": reverse("partnerships:document_decide", args=[mou.pk, doc.pk]),
    }


@pytest.mark.django_db
def test_list_shows_only_the_partners_mous(client_a, mou_a, mou_b):
    response = client_a.get(reverse("partnerships:mou_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert mou_a.reference in body and mou_b.reference not in body
    assert list(response.context["page"].object_list) == [mou_a]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["detail", "download", "note", "upload", "decide"])
def test_every_portal_url_of_another_mou_answers_404(client_a, mou_b, docs, name):
    url = portal_urls(mou_b, docs[1])[name]
    assert client_a.get(url).status_code == 404
    post = {"text": "hi", "kind": "note", "decision": "approved", "comment": "x", "language": "en",
            "governing_language": "en"}
    if name == "upload":
        post["file"] = pdf_upload("intrude.pdf")
    if name != "detail" and name != "download":
        assert client_a.post(url, post).status_code == 404
    assert MoUNote.objects.filter(mou=mou_b).count() == 0
    assert mou_b.documents.count() == 1 and DocumentApproval.objects.count() == 0


@pytest.mark.django_db
def test_own_document_of_the_other_mou_url_mix_answers_404(client_a, mou_a, docs):
    """A document id of MoU B under MoU A's URL is not found either."""
    url = reverse("partnerships:document_download", args=[mou_a.pk, docs[1].pk])
    assert client_a.get(url).status_code == 404
    url = reverse("partnerships:document_decide", args=[mou_a.pk, docs[1].pk])
    assert client_a.post(url, {"decision": "approved"}).status_code == 404


@pytest.mark.django_db
def test_partner_b_sees_b_and_not_a(client, partner_b, mou_a, mou_b, docs):
    client.force_login(partner_b)
    assert mou_a.reference not in client.get(reverse("partnerships:mou_list")).content.decode()
    for url in portal_urls(mou_a, docs[0]).values():
        assert client.get(url).status_code == 404
    for url in portal_urls(mou_b, docs[1]).values():
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, mou_a, docs):
    for url in [reverse("partnerships:mou_list"), *portal_urls(mou_a, docs[0]).values()]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.django_db
def test_detail_shows_parties_commitments_documents_and_approvals(client_a, mou_a, docs, technopark, officer):
    services.commitment_create(actor=officer, mou_id=mou_a.pk, description="Share the investment guide in Korean",
                               responsible_organization=technopark)
    response = client_a.get(reverse("partnerships:mou_detail", args=[mou_a.pk]))
    body = response.content.decode()
    assert technopark.name in body
    assert "Share the investment guide in Korean" in body
    assert "a.pdf" in body and "b.pdf" not in body
    assert response.context["can_decide"] is True
    assert [row.approval for row in response.context["approvals"]] == [None, None]
    assert "<script>" not in body and 'style="' not in body  # CSP: no inline script or style on portal pages


@pytest.mark.django_db
def test_partner_approves_for_their_own_party_only(client_a, mou_a, docs, technopark, partner_a):
    url = reverse("partnerships:document_decide", args=[mou_a.pk, docs[0].pk])
    assert client_a.post(url, {"decision": "changes_requested", "comment": ""}).status_code == 400
    assert DocumentApproval.objects.count() == 0
    response = client_a.post(url, {"decision": "approved", "comment": "Looks good"})
    assert response.status_code == 302
    approval = DocumentApproval.objects.get()
    assert (approval.party.organization, approval.decided_by, approval.decision) == (technopark, partner_a, "approved")
    detail = client_a.get(reverse("partnerships:mou_detail", args=[mou_a.pk]))
    rows = {row.party.organization.name: row.approved for row in detail.context["approvals"]}
    assert rows == {technopark.name: True, "Kawasan Industri Terpadu Batang": False}


@pytest.mark.django_db
def test_old_draft_cannot_be_approved(client_a, mou_a, docs, officer):
    newer = services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("a2.pdf"), kind="draft")
    response = client_a.post(reverse("partnerships:document_decide", args=[mou_a.pk, docs[0].pk]), {"decision": "approved"})
    assert response.status_code == 400 and "no longer the current draft" in response.content.decode()
    assert client_a.post(reverse("partnerships:document_decide", args=[mou_a.pk, newer.pk]), {"decision": "approved"}).status_code == 302


@pytest.mark.django_db
def test_partner_adds_a_note_recorded_with_their_name(client_a, mou_a, partner_a, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(reverse("partnerships:note_add", args=[mou_a.pk]), {"text": "Called the KITB desk.", "kind": "contact"})
    assert response.status_code == 302
    note = MoUNote.objects.get(mou=mou_a)
    assert (note.author, note.text, note.kind) == (partner_a, "Called the KITB desk.", "contact")
    assert partner_a.full_name in client_a.get(reverse("partnerships:mou_detail", args=[mou_a.pk])).content.decode()
    assert [m.to for m in mailoutbox] == [[mou_a.owner.email]]  # the owner hears about it


@pytest.mark.django_db
def test_empty_note_gives_a_form_error(client_a, mou_a):
    response = client_a.post(reverse("partnerships:note_add", args=[mou_a.pk]), {"text": "   ", "kind": "note"})
    assert response.status_code == 400 and MoUNote.objects.count() == 0


@pytest.mark.django_db
def test_inactive_partner_and_staff_without_permission_see_nothing(client, mou_a, technopark, kitb):
    inactive = UserFactory(organization=technopark, is_active=False, email="gone@technopark.example")
    from partnerships.selectors import mou_list_for

    assert list(mou_list_for(inactive)) == []
    plain_staff = UserFactory(staff=True, organization=kitb, email="noperm@kitb.example")
    assert list(mou_list_for(plain_staff)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("q, found", [
    ("mou a", True), ("kitb/a", True), ("업무협약", True), ("KERJA SAMA", True),
    ("%", False), ("_", False), ("MoU C", False),
])
def test_list_search_reads_every_title_and_the_reference_of_the_partners_own_mous(client_a, mou_a, mou_b, q, found):
    """Case does not matter, LIKE's own characters are taken as written, and a match in another
    organisation's MoU (mou_b's titles match most of these too) is not shown."""
    mou_a.title_id = "Nota Kerja Sama A"
    mou_a.save(update_fields=["title_id"])
    mou_b.title_id = "Nota Kerja Sama B"
    mou_b.save(update_fields=["title_id"])
    response = client_a.get(reverse("partnerships:mou_list"), {"q": q})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == ([mou_a] if found else [])
