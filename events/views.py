"""Portal pages for partner users (and staff): events, registering, my registrations, calendar
feed, QR codes, feedback; and the staff check-in page used at the door."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitb_portal.common.pagination import PageFirstPaginator

from . import ical, links, permissions, selectors, services
from .forms import CheckInSearchForm, EventFilterForm, FeedbackForm
from .models import RegistrationStatus

PAGE_SIZE = 20


def _messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_GET
def event_list(request):
    form = EventFilterForm(request.GET or None)
    query = request.GET.copy()
    page_number = query.pop("page", [None])[-1]
    filters = form.filters()
    encoded = query.urlencode()

    page = PageFirstPaginator(selectors.event_list_for(request.user, **filters), PAGE_SIZE).get_page(page_number)
    return render(request, "events/event_list.html", {"form": form, "page": page, "events": page.object_list, "query": encoded})


@login_required
@require_GET
def event_detail(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    registration = selectors.registration_current_for(request.user, event)
    context = {
        "event": event,
        "registration": registration,
        "can_register": permissions.can_register_event(request.user, event)
        and (registration is None or not registration.is_active),
        "can_cancel": registration is not None and permissions.can_cancel_registration(request.user, registration),
        "show_meeting_link": permissions.can_see_meeting_link(registration) and event.has_online_part,
        "show_code": permissions.can_see_check_in_code(registration),
        "can_give_feedback": permissions.can_give_feedback(registration),
        "waitlist_place": selectors.waitlist_place(registration) if registration else None,
        "is_full": event.confirmed_count >= event.total_capacity,
        "pools": selectors.place_pools(event),
        "can_register_delegation": permissions.can_register_delegation(request.user) and event.registration_open_at(),
    }
    return render(request, "events/event_detail.html", context)


@login_required
@require_POST
def event_register(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    try:
        registration = services.registration_create(
            event_id=event.pk, user=request.user, actor=request.user, attendance=request.POST.get("attendance") or None
        )
    except ValidationError as exc:
        _messages_from(request, exc)
    else:
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(request, _("You have a place. A confirmation with the calendar file is on its way by e-mail."))
        else:
            messages.warning(
                request,
                _("The event is full: you are on the waitlist (number %(n)s). We will e-mail you if a place frees up.")
                % {"n": selectors.waitlist_place(registration)},
            )
    return redirect("events:event_detail", pk=event.pk)


@login_required
@require_POST
def registration_cancel(request, pk: int):
    registration = selectors.registration_get_for(request.user, pk)
    try:
        services.registration_cancel(registration_id=registration.pk, actor=request.user)
    except ValidationError as exc:
        _messages_from(request, exc)
    else:
        messages.success(request, _("Your registration is cancelled."))
    next_url = request.POST.get("next")
    if next_url == "mine":
        return redirect("events:my_registrations")
    return redirect("events:event_detail", pk=registration.event_id)


@login_required
@require_GET
def my_registrations(request):
    page_number = request.GET.get("page")

    page = Paginator(selectors.registration_list_for(request.user), PAGE_SIZE).get_page(page_number)
    feed = services.calendar_feed_get_or_create(user=request.user)
    return render(request, "events/my_registrations.html", {
        "page": page, "registrations": page.object_list, "feed_url": links.feed_url(feed),
    })


@login_required
@require_POST
def feed_reset(request):
    services.calendar_feed_reset(user=request.user)
    messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
    return redirect("events:my_registrations")


@require_GET
def feed(request, token: str):
    """The private calendar feed (no login: calendar clients fetch it); a wrong or reset token is a 404."""
    calendar_feed = selectors.feed_get_by_token(token)
    events = selectors.feed_events_for(calendar_feed.user)
    # The meeting link only for a place that is confirmed or attended, as on the pages and in the
    # e-mails; a waitlisted registration sees the event without it.
    body = ical.calendar(
        [
            (event, links.event_url(event), permissions.status_sees_meeting_link(
                event.my_registration_status, event.my_registration_attendance, event.mode))
            for event in events
        ],
        name=gettext_lazy("KITB events"),
        include_meeting_link=False,
        language=calendar_feed.user.preferred_language,  # calendar clients send no language of their own
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def event_ics(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    registration = selectors.registration_current_for(request.user, event)
    body = ical.event_ics(
        event, url=links.event_url(event), include_meeting_link=permissions.can_see_meeting_link(registration)
    )
    return ical.ics_download(body, f"event-{event.pk}.ics")


def qr_svg_response(registration) -> HttpResponse:
    import segno

    buffer = io.BytesIO()
    segno.make(links.check_in_url(registration), error="m").save(
        buffer, kind="svg", scale=5, border=2, title=registration.check_in_code
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def registration_qr(request, pk: int):
    registration = selectors.registration_get_for(request.user, pk)
    if not permissions.can_see_check_in_code(registration):
        raise Http404
    return qr_svg_response(registration)


def feedback_page(request, registration, *, actor, done_url: str, base_template: str):
    """The feedback form of one registration, for the portal and for a guest's secret link: shows it
    with the earlier answer filled in, records it (services.feedback_submit) and goes to ``done_url``."""
    if not permissions.can_give_feedback(registration):
        raise Http404
    existing = selectors.feedback_for(registration)
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else None
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(
                registration_id=registration.pk, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"], actor=actor,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(done_url)
    return render(request, "events/feedback.html", {"event": registration.event, "form": form, "base_template": base_template})


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    registration = selectors.registration_current_for(request.user, event)
    return feedback_page(request, registration, actor=request.user, done_url=reverse("events:event_detail", args=[event.pk]),
                         base_template="portal/base.html")


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request, event_id: int):
    """Staff at the door: find by code or name, check in, see the running count. Phone-sized."""
    if not permissions.can_check_in(request.user):
        raise Http404
    event = selectors.staff_event_get(event_id)
    url = reverse("events:checkin", args=[event.pk])
    if request.method == "POST":
        try:
            registration_id = int(request.POST.get("registration", ""))
        except ValueError:
            messages.error(request, _("Choose a person to check in."))
            return redirect(url)
        registration = selectors.checkin_registration_get(event, registration_id)
        try:
            services.registration_check_in(registration_id=registration.pk, actor=request.user)
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, _("%(name)s is checked in.") % {"name": registration.name})
        return redirect(url)
    form = CheckInSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    results = list(selectors.checkin_search(event, q))
    return render(
        request, "events/checkin.html",
        {"event": event, "form": form, "results": results, "q": q, "counts": selectors.checkin_counts(event)},
    )
