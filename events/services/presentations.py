"""Presentation files: add a PDF to an event (or one of its sessions), rename, re-label or
(un)publish it. The model and its private storage: ``events.models.Presentation``,
``events.presentations``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.pdf import check_pdf

from ..models import Event, Presentation


def presentation_add(*, actor, event_id: int, title: str, uploaded, session_id: int | None = None, language: str = "en",
                     is_published: bool = False):
    """Store a presentation PDF for an event (or one of its sessions). The file is checked as a PDF
    (``kitb_portal.common.pdf``: size, content, readable) and kept private."""
    if not (actor.is_staff and actor.has_perm("events.add_presentation")):
        raise PermissionDenied(_("You may not add presentation files."))
    checked = check_pdf(uploaded)
    event = Event.objects.get(pk=event_id)
    presentation = Presentation(
        event=event, session_id=session_id, title=(title or "").strip() or checked.display_name, language=language,
        original_name=checked.display_name, size=checked.size, sha256=checked.sha256, is_published=is_published,
        uploaded_by=actor,
    )
    presentation.full_clean(exclude=["file"])
    presentation.file.save(checked.display_name, uploaded, save=False)
    presentation.save()
    return presentation


def presentation_update(*, actor, presentation_id: int, title: str, language: str, is_published: bool):
    """Rename, re-label or (un)publish a presentation file; the file itself never changes."""
    if not (actor.is_staff and actor.has_perm("events.change_presentation")):
        raise PermissionDenied(_("You may not change presentation files."))
    if not (title or "").strip():
        raise ValidationError(_("A presentation file needs a title."))
    updated = Presentation.objects.filter(pk=presentation_id).update(
        title=title.strip(), language=language, is_published=is_published, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("This presentation file no longer exists."))
