"""Land rules: one live allocation per plot, zone capacity (service and database), approved only,
the 20-thread race, the land summary and the site plan."""
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from tenants import selectors, services
from tenants.models import Allocation, Application, Plot, Zone
from tests.factories import OrganizationFactory, UserFactory
from tests.utils import race

from .factories import ApplicationFactory, PlotFactory, SectorFactory, ZoneFactory


@pytest.mark.django_db
def test_allocate_and_release(land, approved_factory, kitb_admin):
    app = approved_factory()
    plot = land["plots"][0]
    allocation = services.plot_allocate(plot_id=plot.pk, application_id=app.pk, actor=kitb_admin, note="Phase 1 anchor")
    plot.refresh_from_db()
    assert allocation.is_live and allocation.kind == "allocated" and plot.status == Plot.Status.ALLOCATED
    assert allocation.history.first().history_user == kitb_admin
    services.allocation_release(allocation_id=allocation.pk, actor=kitb_admin, note="Company left")
    plot.refresh_from_db()
    allocation.refresh_from_db()
    assert not allocation.is_live and allocation.released_by == kitb_admin and plot.status == Plot.Status.AVAILABLE
    with pytest.raises(ValidationError):
        services.allocation_release(allocation_id=allocation.pk, actor=kitb_admin)
    again = services.plot_allocate(plot_id=plot.pk, application_id=approved_factory().pk, actor=kitb_admin)
    assert again.is_live


@pytest.mark.django_db
def test_reservation_becomes_the_allocation_of_the_same_application(land, approved_factory, kitb_admin):
    app, other = approved_factory(), approved_factory()
    plot = land["plots"][1]
    reservation = services.plot_reserve(plot_id=plot.pk, application_id=app.pk, actor=kitb_admin)
    assert Plot.objects.get(pk=plot.pk).status == Plot.Status.RESERVED
    with pytest.raises(ValidationError) as exc:
        services.plot_allocate(plot_id=plot.pk, application_id=other.pk, actor=kitb_admin)
    assert "already reserved" in exc.value.messages[0]
    allocation = services.plot_allocate(plot_id=plot.pk, application_id=app.pk, actor=kitb_admin)
    assert allocation.pk == reservation.pk and allocation.kind == "allocated"
    assert Plot.objects.get(pk=plot.pk).status == Plot.Status.ALLOCATED
    assert Allocation.objects.filter(plot=plot).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "submitted", "screening", "due_diligence", "committee", "rejected", "withdrawn"])
def test_land_only_for_approved_applications(status, land, technopark, sector, kitb_admin):
    app = ApplicationFactory(referrer=technopark, sector=sector, status=status, decision_reason="r" if status == "rejected" else "")
    for service in (services.plot_allocate, services.plot_reserve):
        with pytest.raises(ValidationError) as exc:
            service(plot_id=land["plots"][0].pk, application_id=app.pk, actor=kitb_admin)
        assert "only to approved applications" in exc.value.messages[0]
    assert not Allocation.objects.exists()


@pytest.mark.django_db
def test_only_land_staff_allocate(land, approved_factory, viewer, reviewer1, partner_a):
    app = approved_factory()
    for actor in (viewer, reviewer1, partner_a):
        with pytest.raises(PermissionDenied):
            services.plot_allocate(plot_id=land["plots"][0].pk, application_id=app.pk, actor=actor)


@pytest.mark.django_db
def test_zone_capacity_checked_by_the_service(land, approved_factory, kitb_admin):
    small = land["small_plots"]  # three plots of 10 ha in a 25 ha zone
    services.plot_allocate(plot_id=small[0].pk, application_id=approved_factory().pk, actor=kitb_admin)
    services.plot_reserve(plot_id=small[1].pk, application_id=approved_factory().pk, actor=kitb_admin)
    with pytest.raises(ValidationError) as exc:
        services.plot_allocate(plot_id=small[2].pk, application_id=approved_factory().pk, actor=kitb_admin)
    assert "Small block has 5.00 ha free" in exc.value.messages[0]
    assert Allocation.objects.filter(is_live=True).count() == 2


@pytest.mark.django_db
def test_parent_zone_capacity_counts_its_children(kitb_admin, approved_factory):
    """A child zone's allocations count against every ancestor: a 30 ha parent holding two 20 ha
    child zones cannot have 40 ha allocated, even though each child is within its own area."""
    parent = ZoneFactory(code="parent", area_ha=Decimal("30"))
    a = ZoneFactory(code="child-a", area_ha=Decimal("20"), parent=parent)
    b = ZoneFactory(code="child-b", area_ha=Decimal("20"), parent=parent)
    pa = PlotFactory(code="A-1", zone=a, area_ha=Decimal("20"))
    pb = PlotFactory(code="B-1", zone=b, area_ha=Decimal("20"))
    services.plot_allocate(plot_id=pa.pk, application_id=approved_factory().pk, actor=kitb_admin)
    with pytest.raises(ValidationError) as exc:
        services.plot_allocate(plot_id=pb.pk, application_id=approved_factory().pk, actor=kitb_admin)
    assert "Zone parent" in exc.value.messages[0] or parent.name in exc.value.messages[0]


def _raw_insert_allocation(plot_id, application_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tenants_allocation (created_at, updated_at, plot_id, application_id, kind, is_live, note) "
            "VALUES (now(), now(), %s, %s, 'allocated', true, '')",
            [plot_id, application_id],
        )


@pytest.mark.django_db
def test_database_refuses_a_direct_insert_exceeding_zone_capacity(land, approved_factory):
    small = land["small_plots"]
    _raw_insert_allocation(small[0].pk, approved_factory().pk)
    _raw_insert_allocation(small[1].pk, approved_factory().pk)  # 20 of 25 ha
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        _raw_insert_allocation(small[2].pk, approved_factory().pk)  # 30 > 25
    assert 'zone "small" capacity exceeded' in str(exc.value)
    assert Allocation.objects.count() == 2


@pytest.mark.django_db
def test_database_refuses_capacity_breach_in_an_ancestor(approved_factory):
    parent = ZoneFactory(code="p30", area_ha=Decimal("30"))
    a = ZoneFactory(code="c20a", area_ha=Decimal("20"), parent=parent)
    b = ZoneFactory(code="c20b", area_ha=Decimal("20"), parent=parent)
    _raw_insert_allocation(PlotFactory(code="X-1", zone=a, area_ha=Decimal("20")).pk, approved_factory().pk)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        _raw_insert_allocation(PlotFactory(code="X-2", zone=b, area_ha=Decimal("20")).pk, approved_factory().pk)
    assert 'zone "p30" capacity exceeded' in str(exc.value)


@pytest.mark.django_db
def test_database_refuses_a_second_live_allocation_of_a_plot(land, approved_factory):
    plot = land["plots"][0]
    _raw_insert_allocation(plot.pk, approved_factory().pk)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        _raw_insert_allocation(plot.pk, approved_factory().pk)
    assert "tenants_one_live_allocation_per_plot" in str(exc.value)


@pytest.mark.django_db
def test_database_refuses_an_allocation_for_an_unapproved_application(land, technopark, sector):
    app = ApplicationFactory(referrer=technopark, sector=sector, status="committee")
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        _raw_insert_allocation(land["plots"][0].pk, app.pk)
    assert "not approved" in str(exc.value)


@pytest.mark.django_db
def test_database_refuses_growing_an_allocated_plot_beyond_its_zone(land, approved_factory, kitb_admin):
    small = land["small_plots"]
    services.plot_allocate(plot_id=small[0].pk, application_id=approved_factory().pk, actor=kitb_admin)
    services.plot_allocate(plot_id=small[1].pk, application_id=approved_factory().pk, actor=kitb_admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plot.objects.filter(pk=small[1].pk).update(area_ha=Decimal("16"))
    Plot.objects.filter(pk=small[2].pk).update(area_ha=Decimal("16"))  # not allocated: allowed


@pytest.mark.django_db
def test_database_keeps_zones_within_their_parent_and_acyclic(land):
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.create(code="too-big", name="Too big", area_ha=Decimal("500"), parent=land["phase"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.filter(pk=land["kitb"].pk).update(parent=land["phase"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.filter(pk=land["phase"].pk).update(area_ha=Decimal("20"))  # smaller than its child "small"


@pytest.mark.django_db(transaction=True)
def test_twenty_staff_allocating_the_same_plot_at_once_exactly_one_succeeds():
    kitb = OrganizationFactory(host=True)
    org = OrganizationFactory(name="Chungbuk Technopark", kind="technopark")
    staff = [UserFactory(staff=True, is_superuser=True, organization=kitb, email=f"staff{i}@kitb.example") for i in range(20)]
    sector = SectorFactory()
    apps = [ApplicationFactory(referrer=org, sector=sector, status=Application.Status.APPROVED) for _ in range(20)]
    root = ZoneFactory(code="kitb", area_ha=Decimal("4300"))
    phase = ZoneFactory(code="phase-1", area_ha=Decimal("450"), parent=root)
    plot = PlotFactory(code="P1-A01", zone=phase, area_ha=Decimal("12"))
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(i):
        try:
            services.plot_allocate(plot_id=plot.pk, application_id=apps[i].pk, actor=staff[i])
            outcome = ("ok", "")
        except ValidationError as exc:
            outcome = ("refused", " ".join(exc.messages))
        with lock:
            results.append(outcome)

    errors = race(worker, [(i,) for i in range(20)])
    assert errors == []  # a deadlock or a 500 would land here
    assert len(results) == 20, results
    assert sum(1 for r in results if r[0] == "ok") == 1
    refusals = [r[1] for r in results if r[0] == "refused"]
    assert len(refusals) == 19
    assert all(m.startswith("Plot P1-A01 is already allocated to ") and "Choose another plot" in m for m in refusals)
    assert Allocation.objects.filter(plot=plot, is_live=True).count() == 1
    assert Plot.objects.get(pk=plot.pk).status == Plot.Status.ALLOCATED


@pytest.mark.django_db
def test_land_summary_per_zone_in_ha_and_percent(land, approved_factory, kitb_admin):
    plots = land["plots"]  # 12 ha each, in phase 1
    services.plot_allocate(plot_id=plots[0].pk, application_id=approved_factory().pk, actor=kitb_admin)
    services.plot_allocate(plot_id=plots[1].pk, application_id=approved_factory().pk, actor=kitb_admin)
    services.plot_reserve(plot_id=land["small_plots"][0].pk, application_id=approved_factory().pk, actor=kitb_admin)
    rows = {z.code: z for z in selectors.land_summary()}
    assert [z.code for z in selectors.land_summary()] == ["kitb", "cluster-1", "phase-1", "small"]
    phase = rows["phase-1"]
    assert (phase.area_ha, phase.allocated_ha, phase.reserved_ha, phase.free_ha) == (Decimal("450"), Decimal("24"), Decimal("10"), Decimal("416"))
    assert (phase.allocated_pct, phase.reserved_pct, phase.free_pct) == (Decimal("5.3"), Decimal("2.2"), Decimal("92.4"))
    assert phase.depth == 2 and phase.plots == 9
    kitb = rows["kitb"]
    assert (kitb.allocated_ha, kitb.reserved_ha, kitb.free_ha, kitb.allocated_pct) == (Decimal("24"), Decimal("10"), Decimal("4266"), Decimal("0.6"))
    small = rows["small"]
    assert (small.allocated_ha, small.reserved_ha, small.reserved_pct) == (Decimal("0"), Decimal("10"), Decimal("40.0"))


@pytest.mark.django_db
def test_land_summary_is_one_query(land, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.land_summary()
