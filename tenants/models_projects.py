"""Kept for migrations 0008 and 0009, which name ``tenants.models_projects.minutes_upload_to`` and
``tenants.models_projects.evidence_upload_to``: the models live in the package tenants/models/
(committee.py, projects.py)."""
from .models.committee import minutes_upload_to
from .models.projects import evidence_upload_to

__all__ = ["evidence_upload_to", "minutes_upload_to"]
