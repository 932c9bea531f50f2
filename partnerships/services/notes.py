"""Notes on an MoU's timeline: internal to KITB unless shared; a partner's note reaches the owner."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify

from .. import permissions
from ..models import MoU, MoUNote, NoteKind
from .common import full_clean, mou_link_for


# --- notes ------------------------------------------------------------------------------------
@transaction.atomic
def note_add(
    *, actor, mou_id: int, text: str, kind: str = NoteKind.NOTE, noted_on: dt.date | None = None,
    internal: bool | None = None,
) -> MoUNote:
    """A dated entry in the MoU's timeline, recorded with its author.

    KITB staff's notes are internal (never shown to partners, on the portal or by e-mail) unless
    ``internal=False`` shares them; a partner's note is always shared.
    """
    mou = MoU.objects.prefetch_related("parties").select_related("owner").get(pk=mou_id)
    if not permissions.can_add_note(actor, mou):
        raise PermissionDenied(_("You may not add notes to this MoU."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    internal = bool(actor.is_staff) if internal is None else bool(internal and actor.is_staff)
    note = MoUNote(
        mou=mou, text=text, kind=kind, noted_on=noted_on or timezone.localdate(), author=actor, internal=internal
    )
    full_clean(note)
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError as exc:  # pragma: no cover - constraints mirror full_clean
        raise ValidationError(str(exc)) from exc
    owner = mou.owner
    if not actor.is_staff and owner is not None and owner.is_active:
        notify(
            recipient=owner, template="partnerships/email/mou_note_added",
            context={"mou": mou, "note": note, "link": mou_link_for(owner, mou)},
            key=f"mou-note:{note.pk}:{owner.pk}", kind="mou_note",
        )
    return note
