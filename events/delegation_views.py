"""Portal pages of delegations: register one for an event, see it (passport data only for its own
administrator), change it until its deadline, download its visa list. Another organisation's
delegation answers 404."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from kitb_portal.common.downloads import attachment_response
from kitb_portal.jobs.formats import neutralise_formula

from . import permissions, selectors, services
from .forms import DelegationForm, DelegationMemberFormSet, apply_member_errors, member_rows


def _rows_wanted(request, default: int = 3) -> int:
    try:
        return max(1, min(int(request.GET.get("rows", default)), 100))
    except ValueError:
        return default


@login_required
@require_GET
def delegation_list(request):
    page = Paginator(selectors.delegations_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "events/delegations/list.html", {"page": page, "delegations": page.object_list})


def _placed_message(request, delegation) -> None:
    counts = services.delegation_counts(delegation)
    if counts["waitlisted"] and not counts["confirmed"]:
        messages.warning(request, ngettext(
            "Not enough places are left for the whole delegation: its %(n)s member is on the waitlist together.",
            "Not enough places are left for the whole delegation: all %(n)s members are on the waitlist together.",
            counts["waitlisted"]) % {"n": counts["waitlisted"]})
    elif counts["waitlisted"]:
        messages.warning(request, _("%(c)s members have a place; %(w)s are on the waitlist (you allowed a split).") % {
            "c": counts["confirmed"], "w": counts["waitlisted"]})
    else:
        messages.success(request, ngettext("The delegation is registered: %(n)s place is confirmed.",
                                           "The delegation is registered: all %(n)s places are confirmed.",
                                           counts["confirmed"]) % {"n": counts["confirmed"]})


@login_required
@require_http_methods(["GET", "POST"])
def delegation_create(request, pk: int):
    event = selectors.event_get_for(request.user, pk, agenda=False)
    if not permissions.can_register_delegation(request.user):
        raise Http404
    form = DelegationForm(request.POST or None)
    formset = DelegationMemberFormSet(request.POST or None, prefix="members", initial=[{}] * _rows_wanted(request))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows, _remove = member_rows(formset)
        try:
            delegation = services.delegation_register(
                actor=request.user, event_id=event.pk, members=rows, name=form.cleaned_data["name"],
                attendance=form.cleaned_data["attendance"] or None, split_allowed=form.cleaned_data["split_allowed"],
            )
        except ValidationError as exc:
            apply_member_errors(formset, form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            _placed_message(request, delegation)
            return redirect("events:delegation_detail", pk=delegation.pk)
    return render(request, "events/delegations/form.html", {
        "event": event, "form": form, "formset": formset, "title": _("Register a delegation"),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def delegation_detail(request, pk: int):
    delegation = selectors.delegation_get_for(request.user, pk)
    return render(request, "events/delegations/detail.html", {
        "delegation": delegation, "members": list(delegation.members.all()),
        "show_passport": permissions.can_see_passport(request.user, delegation),
        "can_edit": delegation.is_editable and permissions.can_manage_delegation(request.user, delegation),
        "counts": services.delegation_counts(delegation),
    })


@login_required
@require_http_methods(["GET", "POST"])
def delegation_edit(request, pk: int):
    delegation = selectors.delegation_get_for(request.user, pk)
    if not (delegation.is_editable and permissions.can_manage_delegation(request.user, delegation)):
        raise Http404
    initial = [
        {"id": m.pk, **{f: getattr(m, f) for f in services.MEMBER_FIELDS}} for m in delegation.members.all()
    ]
    formset = DelegationMemberFormSet(request.POST or None, prefix="members", initial=initial + [{}] * _rows_wanted(request, 1))
    form = DelegationForm(None, initial={"name": delegation.name})
    if request.method == "POST" and formset.is_valid():
        rows, remove = member_rows(formset)
        try:
            services.delegation_update(actor=request.user, delegation_id=delegation.pk, members=rows, remove_ids=remove)
        except ValidationError as exc:
            apply_member_errors(formset, form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The delegation was saved."))
            return redirect("events:delegation_detail", pk=delegation.pk)
    return render(request, "events/delegations/form.html", {
        "event": delegation.event, "form": None, "formset": formset, "delegation": delegation,
        "title": _("Change the delegation"), "non_form_errors": form.non_field_errors(),
    }, status=400 if request.method == "POST" else 200)


VISA_COLUMNS = ["full_name", "position", "passport_name", "passport_number", "nationality", "date_of_birth", "email"]


def visa_list_csv(delegations) -> bytes:
    """The visa list: the only export with passport data (formula-neutralised)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["delegation", "event", *VISA_COLUMNS, "status"])
    for delegation in delegations:
        for member in delegation.members.all():
            values = [getattr(member, c) for c in VISA_COLUMNS]
            values = ["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v) for v in values]
            writer.writerow([neutralise_formula(v) for v in [delegation.name, delegation.event.title_en, *values,
                                                            member.registration.status]])
    return buffer.getvalue().encode("utf-8-sig")


@login_required
@require_GET
def delegation_visa_list(request, pk: int):
    delegation = selectors.delegation_get_for(request.user, pk)
    if not permissions.can_see_passport(request.user, delegation):
        raise Http404
    return attachment_response(visa_list_csv([delegation]), f"delegation-{delegation.pk}-visa-list.csv", "text/csv; charset=utf-8")


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    return attachment_response(content, filename, "application/pdf")


@login_required
@require_GET
def delegation_letter(request, pk: int, member_id: int):
    """A member's visa invitation letter: the delegation's own administrator only (it holds passport data)."""
    from .services.documents import letter_pdf

    document = selectors.letter_get_for(request.user, delegation_id=pk, member_id=member_id)
    return pdf_response(letter_pdf(document), f"invitation-letter-{member_id}.pdf")


@login_required
@require_GET
def registration_certificate(request, pk: int):
    """The certificate of attendance of the user's own attended registration."""
    from .services.documents import certificate_pdf

    registration = selectors.registration_get_for(request.user, pk)
    try:
        document = services.certificate_for(registration)
    except ValidationError:
        raise Http404 from None
    return pdf_response(certificate_pdf(document), f"certificate-{registration.event_id}.pdf")
