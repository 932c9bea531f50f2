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
