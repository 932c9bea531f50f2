"""Where presentation files are kept: the core's private storage under ``PRIVATE_MEDIA_ROOT`` (no
public URL; the files are served by ``public_views.presentation_file``) and the path a new file gets.
The model is ``events.models.Presentation``; migration 0008 refers to both names here by this path.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.utils.deconstruct import deconstructible

from kitb_portal.common.storage import PrivateStorage

if TYPE_CHECKING:
    from .models import Presentation


@deconstructible(path="events.presentations.PrivatePresentationStorage")
class PrivatePresentationStorage(PrivateStorage):
    """The core's private storage (under settings.PRIVATE_MEDIA_ROOT, read at use); asking a
    presentation's URL is an error, not an empty link. The class stays here: migrations name it."""

    def url(self, name):
        raise ValueError("Presentation files have no public URL; use the download view.")


presentation_storage = PrivatePresentationStorage()


def presentation_upload_to(instance: Presentation, filename: str) -> str:
    return f"events/presentations/{instance.event_id}/{uuid.uuid4().hex}.pdf"
