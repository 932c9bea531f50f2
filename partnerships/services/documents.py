"""Document versions of an MoU (PDF uploads) and each party's answer to the current draft."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify

from .. import permissions, selectors
from ..files import check_pdf
from ..models import DocumentApproval, DocumentKind, MoU, MoUDocument, MoUParty, MoUStatus
from .common import lock_mou, mou_audience, mou_link_for, save_with_history


# --- documents and draft approvals ------------------------------------------------------------
@transaction.atomic
def document_upload(
    *, actor, mou_id: int, uploaded_file, kind: str = DocumentKind.DRAFT, language: str = "en",
    governing_language: str = "en", comment: str = "",
) -> MoUDocument:
    """A new version of the MoU's document (a PDF ≤ MAX_UPLOAD_MB). Nothing is stored if refused."""
    mou = lock_mou(mou_id)
    mou_with_parties = MoU.objects.prefetch_related("parties").get(pk=mou.pk)
    if not permissions.can_upload_document(actor, mou_with_parties):
        raise PermissionDenied(_("You may not upload documents to this MoU."))
    checked = check_pdf(uploaded_file)  # raises ValidationError; nothing written yet
    version = (MoUDocument.objects.filter(mou=mou).aggregate(v=Max("version"))["v"] or 0) + 1
    document = MoUDocument(
        mou=mou, version=version, kind=kind, language=language, governing_language=governing_language,
        original_name=checked.display_name, size=checked.size, sha256=checked.sha256, comment=comment, uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.file.save("upload.pdf", uploaded_file, save=False)  # name comes from upload_to: random
    try:
        with transaction.atomic():  # savepoint: a failed insert leaves the caller's transaction usable
            save_with_history(document, actor=actor, reason=f"version {version} uploaded")
    except Exception:
        document.file.storage.delete(document.file.name)  # no row, no file
        raise
    if kind == DocumentKind.DRAFT:
        for person in mou_audience(mou, exclude_user=actor):
            notify(
                recipient=person, template="partnerships/email/mou_draft_uploaded",
                context={"mou": mou, "document": document, "link": mou_link_for(person, mou), "actor": actor},
                key=f"mou-draft:{document.pk}:{person.pk}", kind="mou_draft",
            )
    return document


@transaction.atomic
def document_decide(
    *, actor, document_id: int, decision: str, comment: str = "", party_id: int | None = None
) -> DocumentApproval:
    """A party approves the current draft or asks for changes (with a comment)."""
    try:
        document = MoUDocument.objects.select_related("mou").get(pk=document_id)
    except MoUDocument.DoesNotExist:
        raise ValidationError(_("This document version does not exist.")) from None
    mou = lock_mou(document.mou_id)
    document.mou = mou
    if party_id is None:
        party = MoUParty.objects.filter(mou=mou, organization_id=actor.organization_id).first() if actor.organization_id else None
        if party is None:
            raise PermissionDenied(_("Your organisation is not a party to this MoU."))
    else:
        party = MoUParty.objects.filter(mou=mou, pk=party_id).first()
        if party is None:
            raise ValidationError(_("This party is not a party to the MoU."))
    if document.kind != DocumentKind.DRAFT:
        raise ValidationError(_("Only draft versions are approved; version %(v)s is a %(kind)s.") % {
            "v": document.version, "kind": document.get_kind_display()})
    if not permissions.can_decide_on_draft(actor, document, party):
        if mou.status not in (MoUStatus.DRAFT, MoUStatus.NEGOTIATION):
            raise ValidationError(_("Drafts can only be approved while the MoU is a draft or under negotiation."))
        raise PermissionDenied(_("You may not answer for this party."))
    latest = selectors.current_draft_id(mou.pk)
    if latest != document.pk:
        raise ValidationError(
            _("Version %(v)s is no longer the current draft; please review the latest draft.") % {"v": document.version}
        )
    if decision not in DocumentApproval.Decision.values:
        raise ValidationError(_("Choose “approve” or “request changes”."))
    comment = (comment or "").strip()
    if decision == DocumentApproval.Decision.CHANGES_REQUESTED and not comment:
        raise ValidationError({"comment": _("Say which changes you ask for.")})
    approval = DocumentApproval.objects.filter(document=document, party=party).first() or DocumentApproval(
        document=document, party=party
    )
    approval.decision, approval.comment, approval.decided_by, approval.decided_at = decision, comment, actor, timezone.now()
    save_with_history(approval, actor=actor, reason=decision)
    owner = mou.owner
    if owner is not None and owner.is_active and owner.pk != actor.pk:
        notify(
            recipient=owner, template="partnerships/email/mou_draft_decision",
            context={"mou": mou, "document": document, "approval": approval, "party": party, "link": mou_link_for(owner, mou)},
            key=f"mou-draft-decision:{document.pk}:{party.pk}:{decision}:{owner.pk}", kind="mou_draft",
        )
    return approval
