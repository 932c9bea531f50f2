"""Portal pages of applications for referrers (/portal/applications/): the list, the multi-step
form of a draft, documents, comments, submission and withdrawal.

Every page loads the application through ``selectors.application_get_for``, which answers 404 for
an application another organisation referred. Partners never see reviewers, scores or internal
comments: only the status, its dates, the outcome and its reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitb_portal.common.downloads import stored_file_response

from .. import selectors, services, workflow
from ..forms import STEP_FORMS, STEP_TITLES, DocumentForm, PartnerCommentForm, error_text
from ..models import Application
from ..permissions import can_create_application, can_edit_application, can_upload_document
from .common import PAGE_SIZE, partner_view


def _step_nav(application, current: int) -> list[dict]:
    return [
        {"number": n, "title": title, "current": n == current,
         "url": reverse("tenants:application_step", args=[application.pk, n]) if application else ""}
        for n, title in STEP_TITLES.items()
    ]


@login_required
@require_GET
def application_list(request):
    if request.user.is_staff:
        return redirect("admin:tenants_application_changelist")
    status = request.GET.get("status") or None
    if status not in Application.Status.values:  # an unknown filter shows everything rather than an error
        status = None
    page = Paginator(selectors.application_list_for(request.user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tenants/portal/application_list.html", {
        "page": page, "can_create": can_create_application(request.user), "status": status or "",
    })


@partner_view
@require_http_methods(["GET", "POST"])
def application_create(request):
    """Step 1 of the form: saving it creates the draft, so nothing typed is lost."""
    if not can_create_application(request.user):
        raise PermissionDenied
    form = STEP_FORMS[1](request.POST or None, organization_id=request.user.organization_id)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(actor=request.user, data={f: form.cleaned_data[f] for f in form.Meta.fields})
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Draft saved."))
            step = 2 if "next" in request.POST else 1
            return redirect("tenants:application_step", application.pk, step)
    return render(request, "tenants/portal/application_step.html", {
        "form": form, "step": 1, "steps": _step_nav(None, 1), "application": None, "title": STEP_TITLES[1],
    })


@partner_view
@require_http_methods(["GET", "POST"])
def application_step(request, pk: int, step: int):
    application = selectors.application_get_for(request.user, pk)
    if step not in STEP_TITLES:
        raise Http404
    if not can_edit_application(request.user, application):
        messages.info(request, _("This application has been submitted; it can no longer be edited."))
        return redirect("tenants:application_detail", application.pk)
    context = {"application": application, "step": step, "steps": _step_nav(application, step), "title": STEP_TITLES[step]}
    if step == 4:
        context.update({
            "document_form": DocumentForm(),
            "documents": selectors.document_list_for(request.user, application),
            "missing": services.application_missing_requirements(application),
        })
        return render(request, "tenants/portal/application_documents.html", context)
    form = STEP_FORMS[step](request.POST or None, instance=application, organization_id=application.referrer_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update_draft(
                application_id=application.pk, actor=request.user, data={f: form.cleaned_data[f] for f in form.Meta.fields},
            )
            if "preferred_plots" in form.cleaned_data:
                services.preferred_plots_set(application_id=application.pk, actor=request.user,
                                             plot_ids=[p.pk for p in form.cleaned_data["preferred_plots"]])
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("tenants:application_step", application.pk, step + 1 if "next" in request.POST else step)
    context["form"] = form
    return render(request, "tenants/portal/application_step.html", context)


@partner_view
@require_GET
def application_detail(request, pk: int):
    application = selectors.application_get_for(request.user, pk)
    return _render_detail(request, application, PartnerCommentForm())


def _render_detail(request, application, comment_form, status=200):
    context = {
        "application": application,
        "changes": selectors.status_changes_for(request.user, application),
        "comments": selectors.comment_list_for(request.user, application),
        "documents": selectors.document_list_for(request.user, application),
        "allocations": selectors.allocation_list_for(request.user, application),
        "amounts": selectors.application_amounts(application),
        "site_visits": selectors.site_visits_for(request.user, application),
        "preferred_plots": selectors.preferred_plots_of(application=application),
        "project": getattr(application, "project", None) if application.status == Application.Status.APPROVED else None,
        "comment_form": comment_form,
        "can_edit": can_edit_application(request.user, application),
        "can_upload": can_upload_document(request.user, application),
        "can_withdraw": workflow.can_fire(request.user, application, "withdraw"),
    }
    return render(request, "tenants/portal/application_detail.html", context, status=status)


@partner_view
@require_POST
def comment_add(request, pk: int):
    """A partner's answer to staff questions (always shared with KITB)."""
    application = selectors.application_get_for(request.user, pk)
    form = PartnerCommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(application_id=application.pk, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error("body", error_text(exc))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Your message was sent to KITB."))
            return redirect(reverse("tenants:application_detail", args=[application.pk]) + "#comments")
    return _render_detail(request, application, form, status=400)


@partner_view
@require_http_methods(["GET", "POST"])
def document_upload(request, pk: int):
    application = selectors.application_get_for(request.user, pk)
    if not can_upload_document(request.user, application):
        messages.error(request, _("Documents can no longer be added to this application."))
        return redirect("tenants:application_detail", application.pk)
    back = "step" if request.POST.get("back", request.GET.get("back")) == "step" and application.is_draft else "detail"
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                application_id=application.pk, actor=request.user, uploaded=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            form.add_error("file", error_text(exc))
        else:
            messages.success(request, _("Document uploaded."))
            if back == "step":
                return redirect("tenants:application_step", application.pk, 4)
            return redirect("tenants:application_detail", application.pk)
    return render(request, "tenants/portal/document_upload.html", {"application": application, "form": form, "back": back},
                  status=400 if request.method == "POST" else 200)


@partner_view
@require_GET
def document_download(request, pk: int, document_pk: int):
    document = selectors.document_get_for(request.user, pk, document_pk)
    return stored_file_response(document.file, document.original_name)


@partner_view
@require_POST
def application_submit(request, pk: int):
    application = selectors.application_get_for(request.user, pk)
    try:
        services.application_submit(application_id=application.pk, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        if application.is_draft:
            return redirect("tenants:application_step", application.pk, 4)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Application submitted. KITB will screen it; you will be told of each step by e-mail."))
    return redirect("tenants:application_detail", application.pk)


@partner_view
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk: int):
    application = selectors.application_get_for(request.user, pk)
    if request.method == "POST":
        try:
            services.application_withdraw(application_id=application.pk, actor=request.user, note=request.POST.get("note", "")[:2000])
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The application was withdrawn."))
        return redirect("tenants:application_detail", application.pk)
    if not workflow.can_fire(request.user, application, "withdraw"):
        messages.info(request, _("This application can no longer be withdrawn."))
        return redirect("tenants:application_detail", application.pk)
    return render(request, "tenants/portal/application_withdraw.html", {"application": application})
