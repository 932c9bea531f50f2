"""Portal pages of partners as co-workers: proposals of co-organised events, authorised proposers,
and the co-organisers' pages of an event (agenda, sessions, speakers, registrations, export, feedback).

Every page is scoped: another organisation's proposal or event answers 404, as one that does not exist.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitb_portal.common.downloads import attachment_response
from kitb_portal.common.forms import add_service_errors
from kitb_portal.jobs.formats import neutralise_formula

from . import permissions, selectors, services
from .forms import ProposalForm, SessionForm, SpeakerBioForm
from .models import EventProposer, Session, Speaker

PAGE_SIZE = 50


def _form_page(request, form, save, *, done: str, refused_is_404: bool = True, **context):
    """A cowork form page (``events/cowork/form.html``): on a valid POST ``save(cleaned_data)`` goes
    through the service and returns where to go next, with the message ``done``; a value the service
    rejects is shown on the form (status 400), a refusal is a 404 (the page is scoped) unless
    ``refused_is_404`` is off."""
    if request.method == "POST" and form.is_valid():
        try:
            response = save(dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            if refused_is_404:
                raise Http404 from None
            raise
        else:
            messages.success(request, done)
            return response
    return render(request, "events/cowork/form.html", {"form": form, **context}, status=400 if request.method == "POST" else 200)



# --- proposals ------------------------------------------------------------------------------------
@login_required
@require_GET
def proposal_list(request):
    page = Paginator(selectors.proposals_for(request.user), 20).get_page(request.GET.get("page"))
    events = Paginator(selectors.coorganised_events_for(request.user), 20).get_page(request.GET.get("events_page"))
    return render(request, "events/cowork/proposal_list.html", {
        "page": page, "proposals": page.object_list, "events": events.object_list, "events_page": events,
        "can_propose": permissions.can_propose_events(request.user),
        "can_authorise": permissions.can_authorise_proposers(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request):
    if not permissions.can_propose_events(request.user):
        raise Http404
    form = ProposalForm(request.POST or None, user=request.user)

    def save(data):
        proposal = services.proposal_submit(actor=request.user, **data)
        return redirect("events:proposal_detail", pk=proposal.pk)

    return _form_page(request, form, save, done=_("Your proposal was sent to KITB's events officer."), refused_is_404=False,
                      title=_("Propose an event"))


@login_required
@require_GET
def proposal_detail(request, pk: int):
    proposal = selectors.proposal_get_for(request.user, pk)
    return render(request, "events/cowork/proposal_detail.html", {
        "proposal": proposal,
        "can_edit": proposal.is_editable and permissions.can_propose_events(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk: int):
    proposal = selectors.proposal_get_for(request.user, pk)
    if not (proposal.is_editable and permissions.can_propose_events(request.user)):
        raise Http404
    initial = {name: getattr(proposal, name) for name in ProposalForm.base_fields}
    form = ProposalForm(request.POST or None, user=request.user, initial=initial)

    def save(data):
        services.proposal_update(actor=request.user, proposal_id=proposal.pk, **data)
        return redirect("events:proposal_detail", pk=proposal.pk)

    return _form_page(request, form, save, done=_("Your proposal was updated and sent again."),
                      title=_("Change the proposal"), proposal=proposal)


@login_required
@require_http_methods(["GET", "POST"])
def proposers(request):
    """The organisation administrator authorises colleagues to propose and co-organise events."""
    if not permissions.can_authorise_proposers(request.user):
        raise Http404
    User = get_user_model()
    if request.method == "POST":
        try:
            user_id = int(request.POST.get("user", ""))
        except ValueError:
            raise Http404 from None
        try:
            services.proposer_set(actor=request.user, user_id=user_id, authorised=request.POST.get("authorised") == "1")
        except ValidationError:
            raise Http404 from None
        messages.success(request, _("Saved."))
        return redirect("events:proposers")
    colleagues = User.objects.filter(organization_id=request.user.organization_id, is_active=True, is_staff=False).exclude(
        pk=request.user.pk).order_by("full_name", "pk")
    page = Paginator(colleagues, PAGE_SIZE).get_page(request.GET.get("page"))
    authorised = set(EventProposer.objects.filter(user__in=[u.pk for u in page.object_list]).values_list("user_id", flat=True))
    return render(request, "events/cowork/proposers.html", {"page": page, "colleagues": page.object_list, "authorised": authorised})


# --- the co-organisers' event pages ---------------------------------------------------------------
@login_required
@require_GET
def manage_event(request, pk: int):
    event = selectors.managed_event_get(request.user, pk)
    return render(request, "events/cowork/manage.html", {
        "event": event, "can_edit": permissions.can_manage_agenda(request.user, event),
        "feedback_summary": selectors.managed_feedback_summary(event),
    })


def _session_initial(session: Session) -> dict:
    data = {name: getattr(session, name) for name in SessionForm.base_fields if name != "speakers"}
    data["start"] = timezone.localtime(session.start).strftime("%Y-%m-%dT%H:%M")
    data["end"] = timezone.localtime(session.end).strftime("%Y-%m-%dT%H:%M")
    data["speakers"] = "\n".join(
        f"{s.name} — {s.organization_name}" if s.organization_name else s.name for s in session.speakers.all()
    )
    return data


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk: int, session_id: int | None = None):
    event = selectors.managed_event_get(request.user, pk, agenda=False)
    if not permissions.can_manage_agenda(request.user, event):
        raise Http404
    session = None
    if session_id is not None:
        session = Session.objects.filter(pk=session_id, event=event).prefetch_related("speakers").first()
        if session is None:
            raise Http404
    form = SessionForm(request.POST or None, initial=_session_initial(session) if session else None)

    def save(data):
        speakers = data.pop("speakers")
        services.agenda_session_save(
            actor=request.user, event_id=event.pk, session_id=session.pk if session else None, speakers=speakers, **data
        )
        return redirect("events:manage_event", pk=event.pk)

    title = _("Change the session") if session else _("Add a session")
    return _form_page(request, form, save, done=_("The agenda was saved."), title=title, event=event)


@login_required
@require_POST
def session_delete(request, pk: int, session_id: int):
    event = selectors.managed_event_get(request.user, pk, agenda=False)
    try:
        services.agenda_session_delete(actor=request.user, event_id=event.pk, session_id=session_id)
    except (ValidationError, PermissionDenied):
        raise Http404 from None
    messages.success(request, _("The session was removed."))
    return redirect("events:manage_event", pk=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def speaker_edit(request, pk: int, speaker_id: int):
    event = selectors.managed_event_get(request.user, pk, agenda=False)
    if not permissions.can_manage_agenda(request.user, event):
        raise Http404
    speaker = Speaker.objects.filter(pk=speaker_id, sessions__event=event).distinct().first()
    if speaker is None:
        raise Http404
    form = SpeakerBioForm(request.POST or None, initial={"bio": speaker.bio, "bio_id": speaker.bio_id, "bio_ko": speaker.bio_ko})

    def save(data):
        services.agenda_speaker_update(actor=request.user, event_id=event.pk, speaker_id=speaker.pk, **data)
        return redirect("events:manage_event", pk=event.pk)

    return _form_page(request, form, save, done=_("The speaker's bio was saved."), title=speaker.name, event=event)


@login_required
@require_GET
def manage_registrations(request, pk: int):
    event = selectors.managed_event_get(request.user, pk, agenda=False)
    page = Paginator(selectors.managed_registrations(event), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/cowork/registrations.html", {"event": event, "page": page, "registrations": page.object_list})


REGISTRATION_COLUMNS = ["name", "email", "organization_name", "country", "language", "status", "checked_in_at", "created_at"]


@login_required
@require_GET
def manage_registrations_csv(request, pk: int):
    """The registrations as CSV; every text a spreadsheet would run as a formula is neutralised."""
    event = selectors.managed_event_get(request.user, pk, agenda=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REGISTRATION_COLUMNS)
    for registration in selectors.managed_registrations(event).iterator(chunk_size=500):
        row = []
        for name in REGISTRATION_COLUMNS:
            value = getattr(registration, name)
            if hasattr(value, "isoformat"):
                value = timezone.localtime(value).isoformat()
            row.append(neutralise_formula("" if value is None else value))
        writer.writerow(row)
    return attachment_response(buffer.getvalue().encode("utf-8-sig"), f"event-{event.pk}-registrations.csv", "text/csv; charset=utf-8")


@login_required
@require_GET
def manage_feedback(request, pk: int):
    event = selectors.managed_event_get(request.user, pk, agenda=False)
    page = Paginator(selectors.managed_feedback(event), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/cowork/feedback.html", {
        "event": event, "page": page, "feedback": page.object_list, "summary": selectors.managed_feedback_summary(event),
    })
