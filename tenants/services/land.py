"""Land: reserving, allocating and releasing plots.

Concurrency: every service locks, in this order, the zone chain of the plot (the zone and its
ancestors, by primary key, so two transactions always take the locks in the same order and never
deadlock), then the plot, then the allocation or the application. With the rows locked it checks
that the application is approved, the plot has no other live allocation and each zone of the chain
keeps its allocated + reserved area within its area. The database enforces the same rules on its
own (partial unique index, constraint triggers of migration 0002), so a bug or a direct INSERT
cannot break them either.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Allocation, AllocationKind, Application, Plot, PlotStatus, Zone
from ..permissions import can_allocate_land
from ..selectors import zone_chain_ids, zone_used_area
from .common import locked_application


def _lock_plot(plot_id: int) -> tuple[Plot, list[Zone]]:
    try:
        zone_id = Plot.objects.values_list("zone_id", flat=True).get(pk=plot_id)
    except Plot.DoesNotExist:
        raise ValidationError(_("This plot does not exist.")) from None
    chain_ids = zone_chain_ids(zone_id)
    zones = list(Zone.objects.select_for_update().filter(pk__in=chain_ids).order_by("pk"))
    plot = Plot.objects.select_for_update().get(pk=plot_id)
    if plot.zone_id != zone_id:  # moved between our read and the lock: very unlikely; ask to retry
        raise ValidationError(_("The plot was just moved to another zone; try again."))
    by_id = {z.pk: z for z in zones}
    return plot, [by_id[pk] for pk in chain_ids]


def _check_capacity(plot: Plot, chain: list[Zone]) -> None:
    used = zone_used_area([z.pk for z in chain])
    for zone in chain:
        free = zone.area_ha - used[zone.pk]
        if plot.area_ha > free:
            raise ValidationError(
                _("Zone %(zone)s has %(free)s ha free; plot %(plot)s needs %(area)s ha.")
                % {"zone": zone.name, "free": free, "plot": plot.code, "area": plot.area_ha},
                code="capacity",
            )


def _approved_application(application_id: int) -> Application:
    application = locked_application(application_id)
    if application.status != Application.Status.APPROVED:
        raise ValidationError(
            _("Land goes only to approved applications; %(company)s is %(status)s.")
            % {"company": application.company_name, "status": application.get_status_display().lower()},
            code="not_approved",
        )
    return application


def _taken_message(plot: Plot, live: Allocation) -> str:
    return _("Plot %(plot)s is already %(kind)s to %(company)s. Choose another plot, or release it first.") % {
        "plot": plot.code, "kind": live.get_kind_display().lower(), "company": live.application.company_name,
    }


def _hold(*, plot_id: int, application_id: int, actor, kind: str, note: str) -> Allocation:
    if not can_allocate_land(actor):
        raise PermissionDenied(_("You may not allocate land."))
    plot, chain = _lock_plot(plot_id)
    application = _approved_application(application_id)
    live = Allocation.objects.select_related("application").filter(plot=plot, is_live=True).first()
    if live is not None:
        if live.application_id == application.pk and live.kind == AllocationKind.RESERVED and kind == AllocationKind.ALLOCATED:
            live.kind = AllocationKind.ALLOCATED  # the reservation becomes the allocation
            live.note = "\n".join(filter(None, [live.note, note.strip()]))
            live._history_user = actor
            live.save(update_fields=["kind", "note", "updated_at"])
            plot.status = PlotStatus.ALLOCATED
            plot._history_user = actor
            plot.save(update_fields=["status", "updated_at"])
            return live
        raise ValidationError(_taken_message(plot, live), code="taken")
    _check_capacity(plot, chain)
    allocation = Allocation(plot=plot, application=application, kind=kind, note=note.strip(), created_by=actor)
    allocation._history_user = actor
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as exc:  # the database's own guard (unique index or capacity trigger)
        raise ValidationError(_("The database refused the allocation: %(error)s") % {"error": str(exc).splitlines()[0]}) from exc
    plot.status = PlotStatus.ALLOCATED if kind == AllocationKind.ALLOCATED else PlotStatus.RESERVED
    plot._history_user = actor
    plot.save(update_fields=["status", "updated_at"])
    return allocation


@transaction.atomic
def plot_reserve(*, plot_id: int, application_id: int, actor, note: str = "") -> Allocation:
    """Reserve a plot for an approved application."""
    return _hold(plot_id=plot_id, application_id=application_id, actor=actor, kind=AllocationKind.RESERVED, note=note)


@transaction.atomic
def plot_allocate(*, plot_id: int, application_id: int, actor, note: str = "") -> Allocation:
    """Allocate a plot to an approved application (turning its reservation into the allocation)."""
    return _hold(plot_id=plot_id, application_id=application_id, actor=actor, kind=AllocationKind.ALLOCATED, note=note)


@transaction.atomic
def allocation_release(*, allocation_id: int, actor, note: str = "") -> Allocation:
    """Release a live allocation or reservation; the plot becomes available."""
    if not can_allocate_land(actor):
        raise PermissionDenied(_("You may not release land."))
    try:
        plot_id = Allocation.objects.values_list("plot_id", flat=True).get(pk=allocation_id)
    except Allocation.DoesNotExist:
        raise ValidationError(_("This allocation does not exist.")) from None
    plot, _chain = _lock_plot(plot_id)
    allocation = Allocation.objects.select_for_update().get(pk=allocation_id)
    if not allocation.is_live:
        raise ValidationError(_("This allocation was already released."))
    allocation.is_live = False
    allocation.released_at = timezone.now()
    allocation.released_by = actor
    allocation.note = "\n".join(filter(None, [allocation.note, note.strip()]))
    allocation._history_user = actor
    allocation.save(update_fields=["is_live", "released_at", "released_by", "note", "updated_at"])
    plot.status = PlotStatus.AVAILABLE
    plot._history_user = actor
    plot.save(update_fields=["status", "updated_at"])
    return allocation
