"""Reference data (sectors, criteria, zones, plots, exchange rates, settings): idempotent upserts
used by the demo data, and the administrator's settings."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import ExchangeRate, Plot, ScreeningCriterion, ScreeningSettings, Sector, Zone
from ..permissions import can_edit_criteria


@transaction.atomic
def sector_ensure(*, code: str, name_en: str, name_id: str, name_ko: str, is_priority: bool) -> tuple[Sector, bool]:
    return Sector.objects.get_or_create(code=code, defaults={"name_en": name_en, "name_id": name_id, "name_ko": name_ko, "is_priority": is_priority})


@transaction.atomic
def criterion_ensure(*, code: str, name: str, weight: Decimal, position: int, description: str = "") -> tuple[ScreeningCriterion, bool]:
    return ScreeningCriterion.objects.get_or_create(code=code, defaults={"name": name, "weight": weight, "position": position, "description": description})


@transaction.atomic
def zone_ensure(*, code: str, name: str, area_ha: Decimal, parent: Zone | None = None) -> tuple[Zone, bool]:
    return Zone.objects.get_or_create(code=code, defaults={"name": name, "area_ha": area_ha, "parent": parent})


@transaction.atomic
def plot_ensure(*, code: str, zone: Zone, area_ha: Decimal, grid_row: int | None = None, grid_col: int | None = None, **utilities) -> tuple[Plot, bool]:
    return Plot.objects.get_or_create(code=code, defaults={"zone": zone, "area_ha": area_ha, "grid_row": grid_row, "grid_col": grid_col, **utilities})


@transaction.atomic
def exchange_rate_set(*, currency: str, usd_rate: Decimal, idr_rate: Decimal, actor=None, valid_from=None) -> ExchangeRate:
    """The rate of ``currency`` from ``valid_from`` (default: today) on; the row of that day is updated if it exists."""
    from django.utils import timezone

    valid_from = valid_from or timezone.localdate()
    rate = (ExchangeRate.objects.select_for_update().filter(currency=currency, valid_from=valid_from).first()
            or ExchangeRate(currency=currency, valid_from=valid_from))
    rate.usd_rate = Decimal(usd_rate)
    rate.idr_rate = Decimal(idr_rate)
    rate.full_clean()
    rate._history_user = actor
    rate.save()
    return rate


@transaction.atomic
def screening_settings_update(*, actor, quorum: int, overdue_days: int) -> ScreeningSettings:
    if not can_edit_criteria(actor):
        raise PermissionDenied(_("Only the KITB administrator changes the screening settings."))
    config = ScreeningSettings.objects.select_for_update().get_or_create(pk=1)[0]
    config.quorum = quorum
    config.overdue_days = overdue_days
    config.full_clean()
    config._history_user = actor
    config.save()
    return config
