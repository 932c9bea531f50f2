"""Partner portal pages of the partnerships app (/portal/mous/). Reads through selectors only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kitb_portal.common.downloads import stored_file_response
from kitb_portal.common.forms import add_service_errors
from kitb_portal.common.pagination import PageFirstPaginator

from . import permissions, selectors, services
from .forms import ApprovalForm, DocumentUploadForm, NoteForm, ProgressForm, bound_args
from .models import MoUStatus

PAGE_SIZE = 20


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)



@login_required
@require_GET
def mou_list(request):
    status = request.GET.get("status") or None
    if status not in MoUStatus.values:
        status = None
    search = (request.GET.get("q") or "").strip()[:100] or None
    page_number = request.GET.get("page")

    page = PageFirstPaginator(selectors.mou_list_for(request.user, status=status, search=search), PAGE_SIZE).get_page(page_number)
    return render(request, "partnerships/mou_list.html", {
        "page": page, "status": status or "", "q": search or "", "statuses": MoUStatus.choices,
    })


def _detail_context(user, mou) -> dict:
    draft = selectors.current_draft(mou)
    approvals = selectors.draft_approvals(mou, draft)
    my_party = selectors.party_of_user(mou, user)
    can_decide = bool(draft and my_party and permissions.can_decide_on_draft(user, draft, my_party))
    my_approval = next((a.approval for a in approvals if my_party and a.party.pk == my_party.pk), None)
    detail_url = reverse("partnerships:mou_detail", args=[mou.pk])
    return {
        "mou": mou,
        "parties": list(mou.parties.all()),
        "commitments": list(mou.commitments.all()),
        "documents": list(mou.documents.all()),
        "notes": list(mou.notes.all()),
        "terms": list(mou.terms.all()),
        "targets": list(selectors.targets_of(mou)),
        "draft": draft,
        "approvals": approvals,
        "all_approved": bool(draft) and all(a.approved for a in approvals),
        "my_party": my_party,
        "my_approval": my_approval,
        "can_decide": can_decide,
        "can_add_note": permissions.can_add_note(user, mou),
        "can_upload": permissions.can_upload_document(user, mou),
        "reportable": {c.pk for c in mou.commitments.all() if c.status == "open" and permissions.can_report_progress(user, c)},
        "note_form": NoteForm(action=reverse("partnerships:note_add", args=[mou.pk])),
        "approval_form": ApprovalForm(action=reverse("partnerships:document_decide", args=[mou.pk, draft.pk])) if can_decide else None,
        "detail_url": detail_url,
    }


@login_required
@require_GET
def mou_detail(request, pk: int):
    mou = selectors.mou_get_for(request.user, pk)  # Http404 outside the user's scope
    return render(request, "partnerships/mou_detail.html", _detail_context(request.user, mou))


@login_required
@require_GET
def document_download(request, pk: int, document_id: int):
    document = selectors.document_get_for(request.user, mou_id=pk, document_id=document_id)
    return stored_file_response(document.file, document.original_name)


def _form_page(request, form, save, *, mou, anchor: str, refused_404: str | None = None, refused: str = "", **context):
    """An MoU's form page (``partnerships/form_page.html``): on a valid POST ``save(cleaned_data)`` goes
    through the service and returns the success message, then back to the MoU's page at ``anchor``.
    A value the service rejects is shown on the form (status 400); a refusal is a 404 with the message
    ``refused_404`` when given, else an error on the form (the service's text, or ``refused``)."""
    if request.method == "POST" and form.is_valid():
        try:
            done = save(form.cleaned_data)
        except PermissionDenied as exc:
            if refused_404 is not None:
                raise Http404(refused_404) from None
            form.add_error(None, str(exc) or refused)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("partnerships:mou_detail", args=[mou.pk]) + anchor)
    return render(request, "partnerships/form_page.html", {"mou": mou, "form": form, **context},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def note_add(request, pk: int):
    mou = selectors.mou_get_plain_for(request.user, pk)
    if not permissions.can_add_note(request.user, mou):  # before any form: a viewer is not shown one
        raise PermissionDenied(_("You may not add notes to this MoU."))
    action = reverse("partnerships:note_add", args=[mou.pk])
    form = NoteForm(*bound_args(request, files=False), action=action)

    def save(data):
        services.note_add(actor=request.user, mou_id=mou.pk, text=data["text"], kind=data["kind"], noted_on=data["noted_on"])
        return _("Your note was added.")

    return _form_page(request, form, save, mou=mou, anchor="#notes", refused_404="No MoU found.", title=_("Add a note"))


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, pk: int):
    mou = selectors.mou_get_plain_for(request.user, pk)
    if not permissions.can_upload_document(request.user, mou):
        raise PermissionDenied(_("You may not upload documents to this MoU."))
    action = reverse("partnerships:document_upload", args=[mou.pk])
    form = DocumentUploadForm(*bound_args(request), action=action)

    def save(data):
        document = services.document_upload(
            actor=request.user, mou_id=mou.pk, uploaded_file=data["file"], kind=data["kind"],
            language=data["language"], governing_language=data["governing_language"], comment=data["comment"],
        )
        return _("Version %(v)s was uploaded.") % {"v": document.version}

    return _form_page(request, form, save, mou=mou, anchor="#documents", refused=_("You may not upload documents to this MoU."),
                      title=_("Upload a document version"))


@login_required
@require_http_methods(["GET", "POST"])
def document_decide(request, pk: int, document_id: int):
    document = selectors.document_get_for(request.user, mou_id=pk, document_id=document_id)
    mou = document.mou
    if not permissions.may_answer_drafts(request.user, mou):
        raise PermissionDenied(_("You may not answer for this MoU."))
    action = reverse("partnerships:document_decide", args=[mou.pk, document.pk])
    form = ApprovalForm(*bound_args(request, files=False), action=action)

    def save(data):
        services.document_decide(actor=request.user, document_id=document.pk, decision=data["decision"], comment=data["comment"])
        return _("Your answer on version %(v)s was recorded.") % {"v": document.version}

    return _form_page(request, form, save, mou=mou, anchor="#approvals", refused=_("You may not answer for this MoU."),
                      document=document, title=_("Approve or request changes: version %(v)s") % {"v": document.version})


@login_required
@require_http_methods(["GET", "POST"])
def progress_add(request, pk: int, commitment_id: int):
    """The responsible organisation reports progress on a commitment (and may propose it done)."""
    commitment = selectors.commitment_get_for(request.user, mou_id=pk, commitment_id=commitment_id)
    if not permissions.can_report_progress(request.user, commitment):
        raise Http404("No commitment found.")
    mou = commitment.mou
    action = reverse("partnerships:progress_add", args=[mou.pk, commitment.pk])
    form = ProgressForm(*bound_args(request), action=action)

    def save(data):
        services.commitment_progress_post(
            actor=request.user, commitment_id=commitment.pk, text=data["text"], reported_on=data["reported_on"],
            evidence=data["evidence"] or None, propose_done=data["propose_done"],
        )
        return _("Your progress report was posted.")

    return _form_page(request, form, save, mou=mou, anchor="#commitments", refused_404="No commitment found.",
                      title=_("Report progress"), commitment=commitment)


@login_required
@require_GET
def progress_evidence(request, pk: int, commitment_id: int, entry_id: int):
    entry = selectors.progress_get_for(request.user, mou_id=pk, commitment_id=commitment_id, entry_id=entry_id)
    if not entry.evidence:
        raise Http404("No evidence.")
    return stored_file_response(entry.evidence, entry.evidence_name or "evidence.pdf")
