"""Absolute links used in e-mail, calendars and QR codes."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def event_url(event, *, for_guest: bool = False) -> str:
    """The portal page of an event; for a guest, its public page (public events only)."""
    if for_guest and event.is_public:
        return absolute(reverse("events_public:event_detail", args=[event.slug]))
    return absolute(reverse("events:event_detail", args=[event.pk]))


def registration_url(registration) -> str:
    """Where the person sees their registration: the event page (users) or the guest page."""
    if registration.is_guest:
        return absolute(reverse("events_public:registration_manage", args=[registration.token]))
    return absolute(reverse("events:event_detail", args=[registration.event_id]))


def guest_confirm_url(registration) -> str:
    return absolute(reverse("events_public:registration_confirm", args=[registration.token]))


def feedback_url(registration) -> str:
    if registration.is_guest:
        return absolute(reverse("events_public:feedback", args=[registration.token]))
    return absolute(reverse("events:feedback", args=[registration.event_id]))


def qr_url(registration) -> str:
    if registration.is_guest:
        return absolute(reverse("events_public:registration_qr", args=[registration.token]))
    return absolute(reverse("events:registration_qr", args=[registration.pk]))


def check_in_url(registration) -> str:
    """What the QR code holds: the staff check-in page with the code filled in."""
    return absolute(reverse("events:checkin", args=[registration.event_id]) + f"?q={registration.check_in_code}")


def feed_url(feed) -> str:
    return absolute(reverse("events:feed", args=[feed.token]))


# --- links in e-mail: a guest's token is never written to the outbox -----------------------------
#
# A guest's registration token is their key to the registration (manage, cancel, confirm, give
# feedback). E-mails carry a reference instead (kitb_portal/notifications/secrets.py); delivery
# reads the token from the registration and makes the link. A portal user's links hold no secret.

GUEST_LINK = "event_guest_link"
_GUEST_LINKS = {
    "manage": registration_url,
    "confirm": guest_confirm_url,
    "qr": qr_url,
    "feedback": feedback_url,
}


def _email_link(registration, which: str):
    if not registration.is_guest:
        return _GUEST_LINKS[which](registration)
    from kitb_portal.notifications.secrets import SecretRef

    return SecretRef(GUEST_LINK, {"registration": registration.pk, "link": which})


def registration_link(registration):
    """``registration_url`` for an e-mail (a reference for a guest)."""
    return _email_link(registration, "manage")


def guest_confirm_link(registration):
    return _email_link(registration, "confirm")


def qr_link(registration):
    return _email_link(registration, "qr")


def feedback_link(registration):
    return _email_link(registration, "feedback")


def resolve_guest_link(params: dict) -> str:
    """The guest's link, made at delivery from the registration's token."""
    from kitb_portal.notifications.secrets import SecretUnavailable

    from .models import Registration

    which = params.get("link")
    if which not in _GUEST_LINKS:
        raise SecretUnavailable(f"unknown registration link {which!r}")
    registration = Registration.objects.filter(pk=params.get("registration")).first()
    if registration is None or not registration.token:
        raise SecretUnavailable("the registration no longer exists")
    return _GUEST_LINKS[which](registration)
