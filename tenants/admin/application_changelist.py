"""The application pipeline's changelist: its filters (country, referrer, weighted score) and the
CSV/XLSX export (the resource, and the queryset a background export starts from)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models.functions import Floor
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from kitb_portal.common.admin_tools import COUNTRY_CHOICES, FixedChoicesFilter, TextListFilter

from .. import selectors
from ..models import Application


class CompanyCountryFilter(FixedChoicesFilter):
    """Fixed countries: the default filter would SELECT DISTINCT the country of every application."""

    title = _("company country")
    parameter_name = "company_country"
    field = "company_country"
    choices_list = COUNTRY_CHOICES
    other = True


class ReferrerFilter(TextListFilter):
    """The referring organisation by id or name (typed: a list of every partner grows with them)."""

    title = _("referring organisation")
    parameter_name = "referrer"
    id_lookup = "referrer_id"
    text_lookups = ("referrer__name__icontains", "referrer__local_name__icontains")


class ScoreRangeFilter(admin.SimpleListFilter):
    """Filter on the weighted score annotated by ``selectors.with_pipeline_annotations``."""

    title = _("weighted score")
    parameter_name = "score"
    # The score is a weighted mean over each application's reviews, worked out per row: counting a
    # band through 20,000 applications (260,000 scores) took 160-230 ms, so the count stops at
    # 1,000 ("more than 1,000 applications"), as a search's does.
    counts_like_a_search = True
    # On the whole-number part of the score (rounded to 2 places): [2, 3) is floor = 2, and so on.
    BANDS = {"lt2": ("lt", 2), "2to3": ("exact", 2), "3to4": ("exact", 3), "gte4": ("gte", 4)}

    def lookups(self, request, model_admin):
        return [
            ("none", _("not scored yet")),
            ("lt2", _("below 2")),
            ("2to3", _("2 to below 3")),
            ("3to4", _("3 to below 4")),
            ("gte4", _("4 or more")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(score__isnull=True)
        if value in self.BANDS:
            # The score is referenced once per row (its subquery runs once), not once per bound; a
            # NULL score compares false, as before.
            lookup, number = self.BANDS[value]
            return queryset.alias(score_floor=Floor("score")).filter(**{f"score_floor__{lookup}": number})
        return queryset


class ApplicationResource(resources.ModelResource):
    """The pipeline as CSV/XLSX: one row per application, with score and amounts in USD and IDR."""

    referrer = fields.Field(attribute="referrer__name", column_name=_("referring organisation"))
    sector = fields.Field(attribute="sector__name_en", column_name=_("sector"))
    status = fields.Field(attribute="get_status_display", column_name=_("status"))
    owning_officer = fields.Field(attribute="owning_officer__full_name", column_name=_("owning officer"))
    score = fields.Field(attribute="score", column_name=_("weighted score"))
    counted_reviews = fields.Field(attribute="counted_reviews", column_name=_("reviews counted"))
    investment_usd = fields.Field(attribute="investment_usd", column_name=_("investment (USD)"))
    investment_idr = fields.Field(attribute="investment_idr", column_name=_("investment (IDR)"))
    investment_krw = fields.Field(attribute="investment_krw", column_name=_("investment (KRW)"))

    class Meta:
        model = Application
        fields = (
            "id", "company_name", "company_country", "company_registration_number", "referrer", "sector", "status",
            "status_changed_at", "score", "counted_reviews", "investment_amount", "investment_currency", "investment_usd",
            "investment_idr", "investment_krw", "jobs_planned", "land_ha", "power_mva", "water_m3_per_day", "export_share_pct",
            "claims_pioneer", "owning_officer", "submitted_at", "decided_at",
        )
        export_order = fields

    def dehydrate_status(self, application):
        return str(application.get_status_display())


def application_export_queryset(*, viewer):
    """Base queryset of a background export of applications: the score (blank where ``viewer`` may
    not see it yet, as on the changelist) and the amounts the resource reads."""
    return selectors.with_pipeline_annotations(Application.objects.select_related("referrer", "sector", "owning_officer"), viewer=viewer)
