"""The one storage of private files: signed MoUs, application documents, job files.

Files live under ``settings.PRIVATE_MEDIA_ROOT``, read on every access (not cached at import), so
tests and deployments that change it take effect. They have no public URL: each is served by a view
that checks who asks. Several web hosts need PRIVATE_MEDIA_ROOT on a shared volume (or a storage
for an object store in place of this one).

Models pass the callable ``private_storage`` (``FileField(storage=private_storage)``), so migrations
refer to this function, not to a location.
"""
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="kitb_portal.common.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
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
        """No public URL, ever: an empty link (a file widget in the admin still draws; the download
        links are the permission-checking views')."""
        return ""


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The private storage (callable, for ``FileField(storage=...)``)."""
    return _private_storage
