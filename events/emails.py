"""The e-mails about registrations and events (all through ``notify()``, in the recipient's
language, with WIB and KST side by side and the recipient's own zone)."""

from __future__ import annotations

import io

from kitb_portal.notifications.selectors import language_of
from kitb_portal.notifications.services import Attachment, notify

from . import ical, links, permissions
from .models import ACTIVE_REGISTRATION_STATUSES, Event, Registration, RegistrationStatus


def recipient_kwargs(registration: Registration) -> dict:
    if registration.user_id:
        return {"recipient": registration.user}
    return {"email": registration.email, "language": registration.language}


def reader_language(registration: Registration) -> str:
    """The language of the e-mail and of its .ics: a guest's registration language, a user's e-mail language."""
    return language_of(registration.user_id) if registration.user_id else registration.language


def viewer_tz(registration: Registration) -> str:
    """The recipient's own zone (a guest has none: WIB and KST only, whoever triggered the e-mail)."""
    return (registration.user.time_zone if registration.user_id else "") or "Asia/Jakarta"


def email_context(registration: Registration, **extra) -> dict:
    event = registration.event
    return {
        "event": event,
        "registration": registration,
        "viewer_tz": viewer_tz(registration),
        "event_url": links.event_url(event, for_guest=registration.is_guest),
        "registration_url": links.registration_link(registration),
        "show_meeting_link": permissions.can_see_meeting_link(registration) and bool(event.meeting_link),
        **extra,
    }


def qr_png(registration: Registration) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(links.check_in_url(registration), error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def notify_confirmed(registration: Registration, *, promoted: bool = False) -> None:
    event = registration.event
    ics = ical.event_ics(
        event, url=links.event_url(event, for_guest=registration.is_guest),
        include_meeting_link=permissions.can_see_meeting_link(registration), language=reader_language(registration),
    )
    notify(
        **recipient_kwargs(registration),
        template="events/email/registration_confirmed",
        context=email_context(registration, promoted=promoted, qr_url=links.qr_link(registration)),
        key=f"registration-confirmed:{registration.pk}",
        kind="event_registration",
        mandatory=True,  # it carries the check-in code
        attachments=[
            Attachment(filename="event.ics", content=ics, mimetype="text/calendar"),
            Attachment(filename=f"check-in-{registration.check_in_code}.png", content=qr_png(registration), mimetype="image/png"),
        ],
    )


def notify_waitlisted(registration: Registration) -> None:
    notify(
        **recipient_kwargs(registration),
        template="events/email/registration_waitlisted",
        context=email_context(registration),
        key=f"registration-waitlisted:{registration.pk}",
        kind="event_registration",
    )


def notify_rescheduled(event: Event, previous: Event) -> None:
    registrations = (
        Registration.objects.filter(event=event, status__in=ACTIVE_REGISTRATION_STATUSES)
        .exclude(status=RegistrationStatus.PENDING)
        .select_related("user")
    )
    for registration in registrations:
        registration.event = event
        notify(
            **recipient_kwargs(registration),
            template="events/email/event_rescheduled",
            context=email_context(registration, previous_start=previous.start, previous_end=previous.end),
            key=f"event-rescheduled:{event.pk}:{event.sequence}:{registration.pk}",
            kind="event_change",
            attachments=[
                Attachment(
                    filename="event.ics",
                    content=ical.event_ics(
                        event, url=links.event_url(event, for_guest=registration.is_guest),
                        include_meeting_link=permissions.can_see_meeting_link(registration), language=reader_language(registration),
                    ),
                    mimetype="text/calendar",
                )
            ],
        )


def notify_guest_link(registration: Registration, now) -> None:
    if registration.is_guest:
        url = (
            links.guest_confirm_link(registration)
            if registration.status == RegistrationStatus.PENDING
            else links.registration_link(registration)
        )
    else:
        url = links.registration_link(registration)
    notify(
        **recipient_kwargs(registration),
        template="events/email/registration_link",
        context=email_context(registration, link_url=url),
        key=f"registration-link:{registration.pk}:{now:%Y-%m-%d}",
        kind="event_registration",
    )
