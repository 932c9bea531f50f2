"""Who may start, see and act on background jobs.

A job is seen by the person who started it and by KITB administrators (the role group, or a
superuser); anyone else gets 404, as for a job that does not exist. Starting one needs the same
model permissions as the admin's own import (add and change) or export (view).
"""
from __future__ import annotations

from kitb_portal.accounts.roles import is_active_staff, is_kitb_administrator


def _perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def can_start_import(user, model) -> bool:
    return is_active_staff(user) and user.has_perm(_perm(model, "add")) and user.has_perm(_perm(model, "change"))


def can_start_export(user, model) -> bool:
    return is_active_staff(user) and (user.has_perm(_perm(model, "view")) or user.has_perm(_perm(model, "change")))


def can_use_jobs(user) -> bool:
    """The "Background jobs" list (it shows only their own jobs): active staff who hold some model
    permission, i.e. who can import or export anything. A staff user with no group sees no app
    (kitb_portal/accounts/access/: the "jobs" area)."""
    if not is_active_staff(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.get_all_permissions())


def can_view_job(user, job) -> bool:
    return can_use_jobs(user) and (job.started_by_id == user.pk or is_kitb_administrator(user))


def can_act_on_job(user, job) -> bool:
    """Confirm or cancel a checked import: its starter, or a KITB administrator."""
    return can_view_job(user, job)
