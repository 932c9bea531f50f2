"""The land: zones of the estate (they nest), plots in them, and the allocations that reserve or
allocate a plot to an approved application.

Invariants the database keeps (see also migration 0002's triggers): a plot has at most one live
allocation (partial unique index); a zone's live allocated + reserved plot area, counting its
descendants, never exceeds its area, and allocations exist only for approved applications
(constraint triggers).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check

from .applications import Application


class Zone(TimeStampedModel):
    """An area of the estate; zones nest (KITB → cluster 1 → phase 1)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", verbose_name=_("parent zone"), on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    is_internal = models.BooleanField(
        _("internal"), default=False,
        help_text=_("Never shown to partners in the portal's land view, nor its sub-zones and plots."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="tenants_zone_area_positive"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="tenants_zone_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.area_ha} ha)"


class PlotStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    ALLOCATED = "allocated", _("Allocated")


class Plot(TimeStampedModel):
    """A plot of land in a zone. Its status follows its live allocation (set by the land services)."""

    Status = PlotStatus

    code = models.CharField(_("code"), max_length=30, unique=True)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="plots")
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    status = models.CharField(_("status"), max_length=10, choices=PlotStatus.choices, default=PlotStatus.AVAILABLE, db_index=True)
    grid_row = models.PositiveSmallIntegerField(_("row on the site plan"), null=True, blank=True)
    grid_col = models.PositiveSmallIntegerField(_("column on the site plan"), null=True, blank=True)
    has_power = models.BooleanField(_("power"), default=True)
    has_water = models.BooleanField(_("water"), default=True)
    has_gas = models.BooleanField(_("gas"), default=False)
    has_telecom = models.BooleanField(_("telecom / fibre"), default=True)
    has_wastewater = models.BooleanField(_("wastewater treatment"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", PlotStatus), name="tenants_plot_status_valid"),
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="tenants_plot_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.area_ha} ha)"

    @property
    def utilities(self) -> list[str]:
        names = [("has_power", _("power")), ("has_water", _("water")), ("has_gas", _("gas")),
                 ("has_telecom", _("telecom")), ("has_wastewater", _("wastewater"))]
        return [str(label) for field, label in names if getattr(self, field)]


class AllocationKind(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    ALLOCATED = "allocated", _("Allocated")


class Allocation(TimeStampedModel):
    """A plot reserved or allocated to an approved application; ``is_live`` until released."""

    Kind = AllocationKind

    plot = models.ForeignKey(Plot, verbose_name=_("plot"), on_delete=models.PROTECT, related_name="allocations")
    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="allocations",
                                    limit_choices_to={"status": "approved"})  # only approved applications receive land
    kind = models.CharField(_("kind"), max_length=10, choices=AllocationKind.choices)
    is_live = models.BooleanField(_("live"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+")
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("released by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", AllocationKind), name="tenants_allocation_kind_valid"),
            models.UniqueConstraint(fields=["plot"], condition=Q(is_live=True), name="tenants_one_live_allocation_per_plot"),
            models.CheckConstraint(
                condition=(Q(is_live=True) & Q(released_at__isnull=True)) | (Q(is_live=False) & Q(released_at__isnull=False)),
                name="tenants_allocation_live_xor_released",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plot.code} → {self.application.company_name} ({self.get_kind_display()})"
