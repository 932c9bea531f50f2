"""Where presentation files are kept: a private storage under ``PRIVATE_MEDIA_ROOT`` (no public
URL; the files are served by ``public_views.presentation_file``) and the path a new file gets.
The model is ``events.models.Presentation``; migration 0008 refers to both names here by this path.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

if TYPE_CHECKING:
    from .models import Presentation


@deconstructible(path="events.presentations.PrivatePresentationStorage")
class PrivatePresentationStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at use); no public URL, ever."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Presentation files have no public URL; use the download view.")


presentation_storage = PrivatePresentationStorage()


def presentation_upload_to(instance: Presentation, filename: str) -> str:
    return f"events/presentations/{instance.event_id}/{uuid.uuid4().hex}.pdf"
