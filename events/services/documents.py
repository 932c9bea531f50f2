"""Visa invitation letters (one per delegation member, English with an Indonesian version, signed by
the issuing events officer) and certificates of attendance (in the attendee's language, for
attended registrations only). Each carries a code proving it genuine at a public URL.
Services (re-exported by ``events.services``) and the PDF drawing (through ``kitb_portal.common.pdf.render_pdf``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kitb_portal.common.pdf import render_pdf
from kitb_portal.notifications.services import notify

from .. import permissions
from ..models import Delegation, DocumentKind, IssuedDocument, Registration, RegistrationStatus
from .delegations import _delegation_audience


def verify_url(document: IssuedDocument) -> str:
    return settings.SITE_URL + reverse("events_public:verify", args=[document.code])


def _get_or_create(**fields) -> IssuedDocument:
    kind, registration = fields["kind"], fields["registration"]
    existing = IssuedDocument.objects.filter(kind=kind, registration=registration).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return IssuedDocument.objects.create(**fields)
    except IntegrityError:  # issued at the same moment by another request
        return IssuedDocument.objects.get(kind=kind, registration=registration)


@transaction.atomic
def visa_letters_issue(*, actor, delegation_id: int) -> list[IssuedDocument]:
    """KITB's events officer issues a letter to each member of a delegation (those already issued are
    kept); the delegation's administrator is told the letters are ready."""
    if not permissions.is_events_officer(actor):
        raise PermissionDenied(_("Only KITB's events officer issues visa invitation letters."))
    delegation = Delegation.objects.select_related("event", "administrator").get(pk=delegation_id)
    members = list(delegation.members.select_related("registration"))
    missing = [m.full_name for m in members if not (m.passport_name and m.passport_number and m.nationality and m.date_of_birth)]
    if missing:
        raise ValidationError(_("Passport details are missing for: %(names)s.") % {"names": ", ".join(missing)})
    letters = []
    for member in members:
        if member.registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED):
            continue  # a waitlisted member gets no invitation until they have a place
        letters.append(_get_or_create(
            kind=DocumentKind.VISA_LETTER, registration=member.registration, holder_name=member.passport_name,
            language="en", signer_name=actor.full_name or actor.email, signer_title=settings.EVENTS_LETTER_SIGNER_TITLE,
            issued_by=actor,
        ))
    if not letters:
        raise ValidationError(_("No member of this delegation has a confirmed place yet."))
    for person in _delegation_audience(delegation):
        notify(
            recipient=person, template="events/email/letters_ready",
            context={"delegation": delegation, "event": delegation.event, "count": len(letters), "viewer_tz": person.time_zone,
                     "link": settings.SITE_URL + reverse("events:delegation_detail", args=[delegation.pk])},
            key=f"letters-ready:{delegation.pk}:{len(letters)}:{person.pk}", kind="event_documents",
        )
    return letters


def certificate_for(registration: Registration) -> IssuedDocument:
    """The certificate of an attended registration (issued the first time it is asked for)."""
    if registration.status != RegistrationStatus.ATTENDED:
        raise ValidationError(_("Certificates are issued only to people who attended."), code="not_attended")
    return _get_or_create(
        kind=DocumentKind.CERTIFICATE, registration=registration, holder_name=registration.name,
        language=registration.language if registration.language in ("id", "ko", "en") else "en",
    )


def letter_pdf(document: IssuedDocument) -> bytes:
    registration = document.registration
    member = getattr(registration, "delegation_member", None)
    return render_pdf("events/documents/visa_letter.html", {
        "document": document, "event": registration.event, "member": member, "delegation": member.delegation if member else None,
        "verify_url": verify_url(document),
    }, language="en")


def certificate_pdf(document: IssuedDocument) -> bytes:
    registration = document.registration
    return render_pdf("events/documents/certificate.html", {
        "document": document, "event": registration.event, "registration": registration, "verify_url": verify_url(document),
    }, language=document.language)
