"""Applications and land in the API.

A partner never gets internal comments, reviewers, scores or the owning officer: their serializer
does not have those fields. Staff get the score only where the blind-review rule lets them see it
(the selector leaves it empty otherwise)."""
from __future__ import annotations

from rest_framework import serializers

from ..models import Application, Plot, Zone
from ..services.applications import EDITABLE_FIELDS

PARTNER_FIELDS = [
    "id", "company_name", "company_country", "company_registration_number", "company_website", "referrer", "referrer_name",
    "contact_name", "contact_email", "contact_phone", "contact_language", "sector", "sector_code", "products",
    "investment_amount", "investment_currency", "jobs_planned", "timeline", "claims_pioneer", "pioneer_reason", "land_ha",
    "power_mva", "water_m3_per_day", "export_share_pct", "status", "status_changed_at", "decision_reason", "submitted_at",
    "decided_at", "created_at", "updated_at",
]


class ApplicationSerializer(serializers.ModelSerializer):
    """What a partner sees of their organisation's referral."""

    referrer_name = serializers.CharField(source="referrer.name", read_only=True)
    sector_code = serializers.CharField(source="sector.code", read_only=True, default=None)

    class Meta:
        model = Application
        fields = PARTNER_FIELDS
        read_only_fields = PARTNER_FIELDS


class StaffApplicationSerializer(ApplicationSerializer):
    """Staff also see the owning officer, review counts and (where allowed) the weighted score."""

    score = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True, allow_null=True)
    counted_reviews = serializers.IntegerField(read_only=True)
    assigned_reviews = serializers.IntegerField(read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*PARTNER_FIELDS, "owning_officer", "score", "counted_reviews", "assigned_reviews"]
        read_only_fields = fields


class ApplicationDraftSerializer(serializers.ModelSerializer):
    """A new referral, saved as a draft for the partner's own organisation (finish and submit it in the portal)."""

    class Meta:
        model = Application
        fields = EDITABLE_FIELDS
        extra_kwargs = {f: {"required": False} for f in EDITABLE_FIELDS if f not in ("company_name", "company_country")}


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "code", "name", "parent", "area_ha"]


class PlotSerializer(serializers.ModelSerializer):
    zone_code = serializers.CharField(source="zone.code", read_only=True)

    class Meta:
        model = Plot
        fields = [
            "id", "code", "zone", "zone_code", "area_ha", "status", "grid_row", "grid_col", "has_power", "has_water", "has_gas",
            "has_telecom", "has_wastewater",
        ]
