"""Private file storage for application documents: under settings.PRIVATE_MEDIA_ROOT, never public.

The location is read from settings on every access (not cached at import), so tests and deployments
that change PRIVATE_MEDIA_ROOT take effect. Files have no public URL: a permission-checking view
serves them.
"""
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="tenants.storage.PrivateDocumentStorage")
class PrivateDocumentStorage(FileSystemStorage):
    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):  # no public URL, ever
        raise ValueError("Private documents have no public URL; use the download view.")


private_storage = PrivateDocumentStorage()
