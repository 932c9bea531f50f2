"""Reference data: sectors, exchange rates, screening criteria and settings (administrator only)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import ExchangeRate, ScreeningCriterion, ScreeningSettings, Sector
from ..permissions import can_edit_criteria


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_id", "name_ko", "code", "is_priority")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("is_priority",)
    search_fields = ("name_en", "name_id", "name_ko", "code")

    def has_delete_permission(self, request, obj=None):
        return False  # applications refer to sectors


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    """Rates staff set; the pipeline shows every planned investment in USD and IDR at these rates."""

    list_display = ("currency", "valid_from", "usd_rate", "idr_rate", "updated_at")
    list_filter = ("currency",)


class AdministratorOnlyMixin:
    """Editable by the KITB administrator role only (whatever model permissions say)."""

    def has_add_permission(self, request, *args):
        return can_edit_criteria(request.user)

    def has_change_permission(self, request, obj=None):
        return can_edit_criteria(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScreeningCriterion)
class ScreeningCriterionAdmin(AdministratorOnlyMixin, SimpleHistoryAdmin):
    list_display = ("name", "code", "weight", "position", "is_active")
    list_editable = ("weight", "position", "is_active")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("is_active",)
    search_fields = ("name", "code")


@admin.register(ScreeningSettings)
class ScreeningSettingsAdmin(AdministratorOnlyMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "quorum", "overdue_days", "updated_at")

    def has_add_permission(self, request, *args):
        return False  # the one row exists from the first migrate on (tenants.schedules); it is only changed


