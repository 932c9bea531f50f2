"""Private storage of job files (uploaded imports, export results) under settings.PRIVATE_MEDIA_ROOT.

The location is read from settings on every access, so tests and deployments that change
PRIVATE_MEDIA_ROOT take effect. The files have no URL: the job's download view checks who asks.
"""
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="kitb_portal.jobs.storage.JobFileStorage")
class JobFileStorage(FileSystemStorage):
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
        raise ValueError("Job files have no public URL; use the job's download view.")


job_storage = JobFileStorage()


def input_path(job, filename: str) -> str:
    """``jobs/<id>/input.<ext>``: the original name is kept on the job for display only."""
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"jobs/{job.pk or 'new'}/input{ext}"


def result_path(job, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"jobs/{job.pk}/result{ext}"
