"""Visa invitation letters and certificates of attendance: PDFs with a verification code; the public
verification URL answers for a real document (name, event, dates; nothing else) and 404 for a forged
code; certificates only for attended registrations; scoped downloads."""
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from events import services
from events.models import IssuedDocument, Registration
from events.services.documents import letter_pdf
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import UserFactory

from .factories import EventFactory, VenueFactory, events_officer
from .test_delegations import member


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def officer(kitb):
    return events_officer(kitb, email="eo@kitb.example", full_name="Dewi Lestari")


@pytest.fixture
def delegation(org_admin, staff_user):
    event = EventFactory(published=True, capacity=10, venue=VenueFactory(name="Letter hall"), actor=staff_user,
                         title_en="Battery Forum")
    return services.delegation_register(actor=org_admin, event_id=event.pk, members=[member(1, passport_number="M1234567")])


@pytest.mark.django_db
def test_visa_letter_is_signed_verifiable_and_scoped(client, delegation, officer, org_admin, province):
    with pytest.raises(PermissionDenied):
        services.visa_letters_issue(actor=org_admin, delegation_id=delegation.pk)
    [letter] = services.visa_letters_issue(actor=officer, delegation_id=delegation.pk)
    assert OutboxMessage.objects.filter(kind="event_documents", recipient=org_admin).exists()
    text = pdf_text(letter_pdf(letter))
    assert "Letter of invitation" in text and "Surat undangan" in text  # English, then Indonesian
    assert "M1234567" in text and "Dewi Lestari" in text and letter.code in text and "Battery Forum" in text

    member_obj = delegation.members.get()
    url = reverse("events:delegation_letter", args=[delegation.pk, member_obj.pk])
    client.force_login(org_admin)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(UserFactory(organization=province, email="b-admin@province.example", is_org_admin=True))
    assert client.get(url).status_code == 404
    client.logout()

    verify = client.get(reverse("events_public:verify", args=[letter.code]))
    body = verify.content.decode()
    assert verify.status_code == 200 and "MEMBER 1" in body and "Battery Forum" in body
    assert "M1234567" not in body and "member1@cbtp.example" not in body and "Engineer" not in body
    assert client.get(reverse("events_public:verify", args=[letter.code[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("events_public:verify", args=["forged-code"])).status_code == 404


@pytest.mark.django_db
def test_certificates_only_for_attended_and_attached_to_the_thanks(client, staff_user, partner_a, partner_b, mail_on_commit):
    event = EventFactory(published=True, capacity=10, venue=VenueFactory(name="Cert hall"), actor=staff_user)
    partner_a.preferred_language = "ko"
    partner_a.save()
    attended = services.registration_create(event_id=event.pk, user=partner_a)
    absent = services.registration_create(event_id=event.pk, user=partner_b)
    guest = Registration.objects.create(event=event, name="Guest One", email="guest@example.org", token="t" * 43,
                                        status="confirmed", language="id")
    services.registration_check_in(registration_id=attended.pk, actor=staff_user)
    services.registration_check_in(registration_id=guest.pk, actor=staff_user)
    attended.refresh_from_db()
    with pytest.raises(ValidationError):
        services.certificate_for(absent)

    client.force_login(partner_b)
    assert client.get(reverse("events:registration_certificate", args=[absent.pk])).status_code == 404
    assert client.get(reverse("events:registration_certificate", args=[attended.pk])).status_code == 404  # not theirs
    client.force_login(partner_a)
    response = client.get(reverse("events:registration_certificate", args=[attended.pk]))
    assert response.status_code == 200
    certificate = IssuedDocument.objects.get(registration=attended, kind="certificate")
    assert "참석 증명서" in pdf_text(response.content)  # the attendee's language
    guest_pdf = client.get(reverse("events_public:registration_certificate", args=[guest.token]))
    assert guest_pdf.status_code == 200 and "Sertifikat kehadiran" in pdf_text(guest_pdf.content)

    Registration.objects.filter(event=event).update(updated_at=timezone.now())
    event.__class__.objects.filter(pk=event.pk).update(
        start=timezone.now() - dt.timedelta(hours=5), end=timezone.now() - dt.timedelta(hours=1))
    mail_on_commit(services.event_followup_send)
    thanks = OutboxMessage.objects.get(key=f"event-thanks:{event.pk}:{attended.pk}")
    assert [a["filename"] for a in thanks.attachments] == ["certificate-of-attendance.pdf"]
    assert not OutboxMessage.objects.filter(key=f"event-thanks:{event.pk}:{absent.pk}").exists()
    assert not IssuedDocument.objects.filter(registration=absent).exists()
    client.logout()
    assert client.get(reverse("events_public:verify", args=[certificate.code])).status_code == 200


@pytest.mark.django_db
def test_waitlisted_members_get_no_letter(org_admin, officer, staff_user):
    event = EventFactory(published=True, capacity=1, venue=VenueFactory(name="Tiny hall"), actor=staff_user)
    delegation = services.delegation_register(actor=org_admin, event_id=event.pk, members=[member(1), member(2)])
    with pytest.raises(ValidationError):
        services.visa_letters_issue(actor=officer, delegation_id=delegation.pk)
    assert not IssuedDocument.objects.exists()
