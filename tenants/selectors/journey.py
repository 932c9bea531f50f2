"""Reads of the steps before and around an application: expressions of interest, preferred plots
and site visits (partners never get a visit's outcome notes)."""

from __future__ import annotations

from django.http import Http404

from ..models import ExpressionOfInterest, Plot, PlotPreference
from ..permissions import _active, can_view_application, staff_may


def interest_list_for(user):
    qs = ExpressionOfInterest.objects.select_related("sector", "application")
    if not _active(user):
        return qs.none()
    if user.is_staff:
        return qs if staff_may(user, "tenants.view_expressionofinterest") else qs.none()
    if user.organization_id is None:
        return qs.none()
    return qs.filter(referrer_id=user.organization_id).order_by("-created_at", "-pk")


def interest_get_for(user, pk):
    try:
        return interest_list_for(user).get(pk=pk)
    except (ExpressionOfInterest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def preferred_plots_of(*, application=None, interest=None) -> list[Plot]:
    qs = PlotPreference.objects.select_related("plot")
    qs = qs.filter(application=application) if application is not None else qs.filter(interest=interest)
    return [p.plot for p in qs.order_by("plot__code")]


def site_visits_for(user, application):
    """Site visits of an application; partners never get the outcome notes (deferred and blanked)."""
    if not can_view_application(user, application):
        raise Http404
    qs = application.site_visits.select_related("host").order_by("scheduled_at", "pk")
    if not user.is_staff:
        qs = qs.defer("outcome_notes")
    return qs
