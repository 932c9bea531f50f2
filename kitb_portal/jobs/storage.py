"""Where job files (uploaded imports, export results) go in the private storage
(kitb_portal/common/storage.py): the files have no URL; the job's download view checks who asks.
"""
import os

from kitb_portal.common.storage import PrivateStorage as JobFileStorage  # the name migration 0001 refers to
from kitb_portal.common.storage import private_storage

__all__ = ["JobFileStorage", "private_storage", "input_path", "result_path"]


def input_path(job, filename: str) -> str:
    """``jobs/<id>/input.<ext>``: the original name is kept on the job for display only."""
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"jobs/{job.pk or 'new'}/input{ext}"


def result_path(job, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"jobs/{job.pk}/result{ext}"
