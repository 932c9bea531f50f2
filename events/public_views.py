"""Public pages (no login): public events, the guest registration form, and the guest's own
registration reached through the secret link in their e-mail (confirm, cancel, QR, feedback)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitb_portal.common.downloads import stored_file_response

from . import ical, links, permissions, public_filters, ratelimit, selectors, services
from .forms import GuestRegistrationForm
from .models import EventStatus, RegistrationStatus
from .views import feedback_page, qr_svg_response


@require_GET
def public_event_list(request):
    return _filtered_list(request, past=False)


@require_GET
def public_event_archive(request):
    """Past public events, latest first, with the same filters; each links to its page (agenda and
    published presentation files)."""
    return _filtered_list(request, past=True)


def _filtered_list(request, *, past: bool):
    form, filters, problems = public_filters.read_filters(request.GET)
    month = public_filters.month_bounds(filters["month"]) if filters.get("month") else None
    events = selectors.public_events_filtered(
        past=past, kind=filters.get("kind", ""), topic=filters.get("topic", ""), month=month,
        language=filters.get("language", ""),
    )
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and k in form.fields and v})
    return render(request, "events/public/event_list.html", {
        "page": page, "events": page.object_list, "filter_form": form, "filter_problems": problems,
        "query": query, "past": past, "filtered": bool(filters),
    })


@require_GET
def public_calendar_ics(request):
    """Every upcoming public event as one calendar, in the reader's language."""
    events = selectors.public_events_filtered()[:500]
    body = ical.calendar(
        [(event, links.event_url(event, for_guest=True)) for event in events], name=_("KITB public events"),
        include_meeting_link=False, method="PUBLISH", language=translation.get_language() or "en",
    )
    return ical.ics_download(body, "kitb-public-events.ics")


@require_GET
def presentation_file(request, slug: str, pk: int):
    """A published presentation file of a public event (404 otherwise), as a PDF download."""
    presentation = selectors.public_presentation_get(slug, pk)
    return stored_file_response(presentation.file, presentation.original_name, private=False)


@require_http_methods(["GET", "POST"])
def public_event_detail(request, slug: str):
    event = selectors.public_event_get(slug)
    form = GuestRegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # Say the same as for a person, create nothing.
            return redirect("events_public:registration_sent", slug=event.slug)
        if form.is_valid():
            email = form.cleaned_data["email"].lower()
            if not ratelimit.request_allowed(request, email):  # see events/ratelimit.py for what counts
                form.add_error(None, _("Too many registration attempts. Please try again in an hour."))
                status = 429
            else:
                try:
                    services.registration_request_guest(
                        event_id=event.pk, name=form.cleaned_data["name"], email=email,
                        organization_name=form.cleaned_data["organization_name"],
                        country=form.cleaned_data["country"], language=translation.get_language() or "en",
                        attendance=form.cleaned_data.get("attendance") or None,
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
                else:
                    return redirect("events_public:registration_sent", slug=event.slug)
        else:
            status = 400
    context = {
        "event": event,
        "presentations": selectors.public_presentations(event),
        "form": form,
        "open": event.registration_open_at(),
        "is_full": event.confirmed_count >= event.total_capacity,
        "pools": selectors.place_pools(event),
    }
    return render(request, "events/public/event_detail.html", context, status=status)


@require_GET
def registration_sent(request, slug: str):
    event = selectors.public_event_get(slug)
    return render(request, "events/public/registration_sent.html", {"event": event})


@require_GET
def public_event_ics(request, slug: str):
    event = selectors.public_event_get(slug)
    body = ical.event_ics(event, url=links.event_url(event, for_guest=True), include_meeting_link=False)
    return ical.ics_download(body, f"{event.slug}.ics")


@require_http_methods(["GET", "POST"])
def registration_confirm(request, token: str):
    """GET shows a button (mail scanners follow links); POST confirms the place."""
    registration = selectors.registration_get_by_token(token)
    if request.method == "POST":
        try:
            was_pending = registration.status == RegistrationStatus.PENDING
            registration = services.registration_confirm_guest(token=token)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if was_pending:
                ratelimit.count_confirmation(registration.email)
            if registration.status == RegistrationStatus.CONFIRMED:
                messages.success(request, _("Your place is confirmed. The confirmation is on its way by e-mail."))
            elif registration.status == RegistrationStatus.WAITLISTED:
                messages.warning(request, _("The event is full: you are on the waitlist. We will e-mail you if a place frees up."))
        return redirect("events_public:registration_manage", token=token)
    if registration.status != RegistrationStatus.PENDING:
        return redirect("events_public:registration_manage", token=token)
    return render(request, "events/public/registration_confirm.html", {"registration": registration, "event": registration.event})


@require_GET
def registration_manage(request, token: str):
    registration = selectors.registration_get_by_token(token)
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "show_code": permissions.can_see_check_in_code(registration),
        "show_meeting_link": permissions.can_see_meeting_link(registration) and event.has_online_part,
        "can_cancel": registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING)
        and not event.is_past and event.status != EventStatus.CANCELLED,
        "can_give_feedback": permissions.can_give_feedback(registration),
        "waitlist_place": selectors.waitlist_place(registration),
    }
    return render(request, "events/public/registration_manage.html", context)


@require_POST
def registration_cancel(request, token: str):
    registration = selectors.registration_get_by_token(token)
    try:
        services.registration_cancel(registration_id=registration.pk, actor=None)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("events_public:registration_manage", token=token)


@require_GET
def registration_qr(request, token: str):
    registration = selectors.registration_get_by_token(token)
    if not permissions.can_see_check_in_code(registration):
        raise Http404
    return qr_svg_response(registration)


@require_GET
def registration_ics(request, token: str):
    registration = selectors.registration_get_by_token(token)
    event = registration.event
    body = ical.event_ics(
        event, url=links.event_url(event, for_guest=True), include_meeting_link=permissions.can_see_meeting_link(registration),
        language=registration.language,  # the language the guest registered in, as their e-mails
    )
    return ical.ics_download(body, f"{event.slug}.ics")


@require_http_methods(["GET", "POST"])
def feedback(request, token: str):
    registration = selectors.registration_get_by_token(token)
    return feedback_page(request, registration, actor=None, done_url=reverse("events_public:registration_manage", args=[token]),
                         base_template="base.html")


@require_GET
def registration_certificate(request, token: str):
    """A guest's (or a delegation member's) certificate of attendance, from their registration link."""
    from .delegation_views import pdf_response
    from .services.documents import certificate_pdf

    registration = selectors.registration_get_by_token(token)
    try:
        document = services.certificate_for(registration)
    except ValidationError:
        raise Http404 from None
    return pdf_response(certificate_pdf(document), f"certificate-{registration.event_id}.pdf")


@require_GET
def verify_document(request, code: str):
    """Public proof that a letter or certificate is genuine: the name, the event and its dates; nothing else.
    A code that was never issued answers 404."""
    document = selectors.document_by_code(code)
    response = render(request, "events/public/verify.html", {"document": document, "event": document.registration.event})
    response["X-Robots-Tag"] = "noindex"
    return response
