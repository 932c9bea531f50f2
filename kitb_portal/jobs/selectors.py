"""Reads of background jobs, scoped by who asks (the starter, or a KITB administrator)."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kitb_portal.accounts.roles import is_kitb_administrator

from .models import BackgroundJob
from .permissions import can_use_jobs


def backgroundjob_list_for(user, *, queryset: QuerySet | None = None) -> QuerySet[BackgroundJob]:
    """The jobs ``user`` may see, newest first (``queryset``: a base to narrow, e.g. the admin's)."""
    qs = (queryset if queryset is not None else BackgroundJob.objects.all()).select_related("started_by")
    if not can_use_jobs(user):
        return qs.none()
    if is_kitb_administrator(user):
        return qs
    return qs.filter(started_by=user)


def backgroundjob_get_for(user, pk) -> BackgroundJob:
    """One job ``user`` may see; Http404 for someone else's job, as for one that does not exist."""
    try:
        return backgroundjob_list_for(user).get(pk=int(pk))
    except (BackgroundJob.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def backgroundjob_progress(job: BackgroundJob) -> dict:
    """What the status page's script polls: small, and no row errors (the page shows those)."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "phase": job.phase,
        "phase_label": str(job.get_phase_display()) if job.phase else "",
        "processed": job.processed,
        "total": job.total,
        "percent": job.percent,
        "finished": job.is_finished,
        "awaiting_confirmation": job.status == BackgroundJob.Status.AWAITING_CONFIRMATION,
    }
