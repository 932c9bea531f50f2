"""Before the application: expressions of interest (sent by partners, turned into a draft application
or closed by staff), preferred plots, and site visits."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CURRENCY_CODES, Application, ExpressionOfInterest, InterestStatus, Plot, PlotPreference, Sector, SiteVisit
from ..permissions import can_create_application, is_partner_of, staff_may
from ..selectors import partner_plot_choices
from .common import existing_application, locked, locked_application


def _plots(plot_ids) -> list[Plot]:
    ids = sorted({int(pk) for pk in plot_ids or []})
    plots = list(partner_plot_choices().filter(pk__in=ids))
    if len(plots) != len(ids):
        raise ValidationError({"preferred_plots": _("Choose preferred plots among the available plots shown in the land view.")})
    return plots


def _decimal(value, field: str, label: str, errors: dict):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = _("Enter %(label)s as a number.") % {"label": label}
        return None
    if number < 0:
        errors[field] = _("%(label)s cannot be negative.") % {"label": label}
    return number


@transaction.atomic
def interest_submit(*, actor, company_name: str, company_country: str, sector, investment_min, investment_max,
                    investment_currency: str, land_ha, timing: str, plot_ids=()) -> ExpressionOfInterest:
    """A partner user sends a company's expression of interest (its organisation is the referrer)."""
    if not can_create_application(actor):
        raise PermissionDenied(_("Only partner users send expressions of interest."))
    errors = {}
    company_name = (company_name or "").strip()
    if not company_name:
        errors["company_name"] = _("Give the company's name.")
    country = (company_country or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        errors["company_country"] = _("Enter the two-letter country code, e.g. KR for Korea or ID for Indonesia.")
    if not isinstance(sector, Sector):
        errors["sector"] = _("Choose the sector.")
    low = _decimal(investment_min, "investment_min", _("the lowest investment"), errors)
    high = _decimal(investment_max, "investment_max", _("the highest investment"), errors)
    if low is not None and high is not None and "investment_min" not in errors and "investment_max" not in errors and high < low:
        errors["investment_max"] = _("The highest investment must not be below the lowest.")
    if investment_currency not in CURRENCY_CODES:
        errors["investment_currency"] = _("Choose the currency.")
    land = _decimal(land_ha, "land_ha", _("the land needed"), errors)
    if land is not None and "land_ha" not in errors and land <= 0:
        errors["land_ha"] = _("The land needed must be more than 0 ha.")
    timing = (timing or "").strip()
    if not timing:
        errors["timing"] = _("Say when the company wants to start.")
    if errors:
        raise ValidationError(errors)
    plots = _plots(plot_ids)
    interest = ExpressionOfInterest.objects.create(
        referrer_id=actor.organization_id, created_by=actor, company_name=company_name[:200], company_country=country, sector=sector,
        investment_min=low, investment_max=high, investment_currency=investment_currency, land_ha=land, timing=timing[:200],
    )
    PlotPreference.objects.bulk_create([PlotPreference(plot=plot, interest=interest) for plot in plots])
    return interest


def _locked_interest(interest_id: int) -> ExpressionOfInterest:
    return locked(ExpressionOfInterest.objects.all(), interest_id, _("This expression of interest does not exist."))


def _handle(interest: ExpressionOfInterest, actor) -> None:
    if not staff_may(actor, "tenants.change_expressionofinterest"):
        raise PermissionDenied(_("You may not handle expressions of interest."))
    if interest.status != InterestStatus.OPEN:
        raise ValidationError(_("This expression of interest is already %(status)s.") % {"status": interest.get_status_display().lower()})


def _record_handled(interest: ExpressionOfInterest, actor, status: str, **outcome) -> None:
    """Save how staff handled an open expression of interest: its new status, the outcome's fields
    (the application it became, or the reason for closing it), who handled it and when."""
    for field, value in outcome.items():
        setattr(interest, field, value)
    interest.status = status
    interest.handled_by = actor
    interest.handled_at = timezone.now()
    interest.save()


@transaction.atomic
def interest_convert(*, interest_id: int, actor) -> Application:
    """Turn an expression of interest into a draft application of the same referrer, prefilled (the
    planned investment is the top of the range); its preferred plots carry over."""
    interest = _locked_interest(interest_id)
    _handle(interest, actor)
    application = Application.objects.create(
        referrer_id=interest.referrer_id, created_by=interest.created_by, company_name=interest.company_name,
        company_country=interest.company_country, sector_id=interest.sector_id, investment_amount=interest.investment_max,
        investment_currency=interest.investment_currency, land_ha=interest.land_ha, timeline=interest.timing,
        status=Application.Status.DRAFT,
    )
    PlotPreference.objects.bulk_create([
        PlotPreference(plot_id=plot_id, application=application)
        for plot_id in interest.plot_preferences.values_list("plot_id", flat=True)
    ])
    _record_handled(interest, actor, InterestStatus.CONVERTED, application=application)
    return application


@transaction.atomic
def interest_close(*, interest_id: int, actor, reason: str) -> ExpressionOfInterest:
    interest = _locked_interest(interest_id)
    _handle(interest, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing it; the referrer will read it.")})
    _record_handled(interest, actor, InterestStatus.CLOSED, closed_reason=reason)
    return interest


@transaction.atomic
def preferred_plots_set(*, application_id: int, plot_ids, actor) -> list[Plot]:
    """The plots an application names as preferred (the referrer, while it is a draft; or staff)."""
    application = locked_application(application_id)
    if is_partner_of(actor, application):
        if not application.is_draft:
            raise ValidationError(_("Preferred plots are chosen while the application is a draft."))
    elif not staff_may(actor, "tenants.change_application"):
        raise PermissionDenied(_("You may not change this application's preferred plots."))
    plots = _plots(plot_ids)
    PlotPreference.objects.filter(application=application).exclude(plot__in=plots).delete()
    have = set(PlotPreference.objects.filter(application=application).values_list("plot_id", flat=True))
    PlotPreference.objects.bulk_create([PlotPreference(plot=p, application=application) for p in plots if p.pk not in have])
    return plots


@transaction.atomic
def site_visit_schedule(*, application_id: int, scheduled_at, host, visitors: str, actor, outcome_notes: str = "") -> SiteVisit:
    """Schedule a site visit for an open application, hosted by a KITB staff member."""
    if not staff_may(actor, "tenants.add_sitevisit"):
        raise PermissionDenied(_("You may not schedule site visits."))
    application = existing_application(application_id)
    if application.status in (Application.Status.REJECTED, Application.Status.WITHDRAWN):
        raise ValidationError(_("The application is %(status)s; no visit is scheduled for it.") % {"status": application.get_status_display().lower()})
    visit = SiteVisit(application=application, created_by=actor)
    _set_visit(visit, scheduled_at=scheduled_at, host=host, visitors=visitors, outcome_notes=outcome_notes, actor=actor)
    return visit


def _set_visit(visit: SiteVisit, *, scheduled_at, host, visitors: str, outcome_notes: str, actor) -> None:
    """Check and save a visit's date and time, host and visitors (and outcome notes), in its history as ``actor``'s."""
    User = get_user_model()
    if not isinstance(host, User) or not (host.is_staff and host.is_active):
        raise ValidationError({"host": _("The host must be an active KITB staff member.")})
    visitors = (visitors or "").strip()
    if not visitors:
        raise ValidationError({"visitors": _("Name the visitors.")})
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": _("Give the date and time of the visit.")})
    visit.scheduled_at, visit.host, visit.visitors = scheduled_at, host, visitors
    visit.outcome_notes = (outcome_notes or "").strip()
    visit._history_user = actor
    visit.save()


def _locked_visit(visit_id: int, actor) -> SiteVisit:
    if not staff_may(actor, "tenants.change_sitevisit"):
        raise PermissionDenied(_("You may not change site visits."))
    return locked(SiteVisit.objects.all(), visit_id, _("This site visit does not exist."))


@transaction.atomic
def site_visit_change(*, visit_id: int, scheduled_at, host, visitors: str, outcome_notes: str, actor) -> SiteVisit:
    """Reschedule a visit (date and time, host, visitors) and keep its outcome notes."""
    visit = _locked_visit(visit_id, actor)
    _set_visit(visit, scheduled_at=scheduled_at, host=host, visitors=visitors, outcome_notes=outcome_notes, actor=actor)
    return visit


@transaction.atomic
def site_visit_record_outcome(*, visit_id: int, notes: str, actor) -> SiteVisit:
    visit = _locked_visit(visit_id, actor)
    visit.outcome_notes = (notes or "").strip()
    visit._history_user = actor
    visit.save(update_fields=["outcome_notes", "updated_at"])
    return visit
