"""Fixtures of the dashboard tests: a data set built through the apps' factories and services, at
any size, so the same pages can be measured with little and with much data."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from events import services as event_services
from events.models import Event, Registration, RegistrationStatus
from kitb_portal.accounts.roles import KITB_ADMINISTRATOR
from partnerships.models import Commitment, MoU
from tenants import services as tenant_services
from tenants.models import Application, ExchangeRate
from tests.events.factories import EventFactory, VenueFactory
from tests.factories import UserFactory
from tests.factories import people as made_people
from tests.partnerships.factories import CommitmentFactory, mou_with_parties
from tests.tenants.factories import ApplicationFactory, PlotFactory, SectorFactory, ZoneFactory
from tests.utils import logged_in_client


def kitb_administrator(kitb):
    """A KITB administrator by role group (not a superuser), as the staff who read the dashboard."""
    user = UserFactory(staff=True, organization=kitb, email="dash-admin@kitb.example", full_name="Dewi Lestari")
    user.groups.add(Group.objects.get(name=KITB_ADMINISTRATOR))
    return user


def make_land() -> dict:
    """KITB → cluster 1 → phase 1 with six plots on the site plan."""
    kitb_zone = ZoneFactory(code="kitb", name="KITB", area_ha=Decimal("4300"))
    cluster = ZoneFactory(code="cluster-1", name="Cluster 1", area_ha=Decimal("3100"), parent=kitb_zone)
    phase = ZoneFactory(code="phase-1", name="Phase 1", area_ha=Decimal("450"), parent=cluster)
    plots = [PlotFactory(code=f"P1-{i:02d}", zone=phase, area_ha=Decimal("20"), grid_row=0, grid_col=i) for i in range(6)]
    return {"kitb": kitb_zone, "cluster": cluster, "phase": phase, "plots": plots}


@pytest.fixture
def kitb_admin(db, kitb):
    return kitb_administrator(kitb)


@pytest.fixture
def admin_client(kitb_admin):
    return logged_in_client(kitb_admin)


@pytest.fixture
def land(db):
    return make_land()


def cast(*, land: bool = False) -> dict:
    """What the fixtures of the same names give (kitb, technopark, province, kitb_admin, partner_a,
    partner_b; ``land`` too if asked), made at once: for data built once for several tests."""
    people = made_people(admin_user=False)
    people["kitb_admin"] = kitb_administrator(people["kitb"])
    if land:
        people["land"] = make_land()
    return people


class World:
    """Counters of what ``build`` made, to compare with the figures the dashboard shows."""

    def __init__(self):
        self.mous: list[MoU] = []
        self.events: list[Event] = []
        self.applications: list[Application] = []


def _day(today, days):
    return today + dt.timedelta(days=days)


def build(n: int, *, kitb, org, actor, partner=None, land=None, world: World | None = None, tag: str = "") -> World:
    """``n`` of everything for ``org`` (a partner organisation): MoUs in every status (one expiring
    soon), commitments overdue / due soon / later / done, upcoming published events with
    registrations, held events in past quarters, applications at every step (USD and KRW), and
    (with ``land``) a reserved and an allocated plot."""
    world = world or World()
    today = timezone.localdate()
    tag = tag or org.name[:4]
    for i in range(n):
        kind = i % 4
        fields = {"reference": f"{tag}/MOU/{len(world.mous):04d}", "title_en": f"{tag} MoU {len(world.mous)}"}
        if kind == 0:  # active, expiring in 30 days
            fields.update(status=MoU.Status.ACTIVE, signed_date=_day(today, -400), effective_date=_day(today, -365),
                          expiry_date=_day(today, 30))
        elif kind == 1:  # active, expiring in two years
            fields.update(status=MoU.Status.ACTIVE, signed_date=_day(today, -30), effective_date=_day(today, -30),
                          expiry_date=_day(today, 700))
        elif kind == 2:
            fields.update(status=MoU.Status.NEGOTIATION)
        else:
            fields.update(status=MoU.Status.DRAFT)
        mou = mou_with_parties(kitb, org, owner=actor, **fields)
        world.mous.append(mou)
        if mou.status == MoU.Status.ACTIVE:
            CommitmentFactory(mou=mou, responsible_organization=org, due_date=_day(today, -5), description=f"{tag} overdue {i}")
            CommitmentFactory(mou=mou, responsible_organization=kitb, due_date=_day(today, 10), description=f"{tag} due soon {i}")
            CommitmentFactory(mou=mou, responsible_organization=org, due_date=_day(today, 200), description=f"{tag} later {i}")
            CommitmentFactory(mou=mou, responsible_organization=org, due_date=_day(today, -50), status=Commitment.Status.DONE,
                              closed_on=_day(today, -49), description=f"{tag} done {i}")

    venue = VenueFactory(name=f"Hall of {tag} {len(world.events)}")
    base = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    for i in range(n):
        start = base + dt.timedelta(hours=6 * (i + len(world.events)))
        event = EventFactory(published=True, venue=venue, actor=actor, capacity=4, start=start, end=start + dt.timedelta(hours=4),
                             title_en=f"{tag} seminar {len(world.events)}")
        world.events.append(event)
        for j in range(i % 3 + 1):  # one to three places taken
            guest = UserFactory(organization=org, email=f"{tag.lower()}-guest-{event.pk}-{j}@example.org")
            event_services.registration_create(event_id=event.pk, user=guest)
        if partner is not None and i < 3:
            event_services.registration_create(event_id=event.pk, user=partner)
    for i in range(n):  # held events, in the current and the last quarters (online: no venue overlap)
        start = (timezone.now() - dt.timedelta(days=3 + 45 * (i % 8), hours=i)).replace(minute=0, second=0, microsecond=0)
        kind = [Event.Kind.CONFERENCE, Event.Kind.SEMINAR, Event.Kind.WORKSHOP][i % 3]
        world.events.append(EventFactory(online=True, status=Event.Status.COMPLETED, kind=kind,
                                         actor=actor, start=start, end=start + dt.timedelta(hours=2), title_en=f"{tag} held {i}"))

    sector = SectorFactory(code="new-energy", name_en="New energy", name_id="Energi baru", name_ko="신에너지")
    statuses = ["draft", "submitted", "screening", "due_diligence", "committee", "approved", "rejected", "withdrawn"]
    for i in range(n):
        status = statuses[i % len(statuses)]
        extra = {"decision_reason": "Not a fit."} if status == "rejected" else {}
        currency = "KRW" if i % 2 else "USD"
        amount = Decimal("13000000000") if currency == "KRW" else Decimal("10000000")
        world.applications.append(ApplicationFactory(
            referrer=org, sector=sector, status=status, investment_amount=amount, investment_currency=currency,
            jobs_planned=100, company_name=f"{tag} Company {len(world.applications)}", **extra,
        ))
    if land is not None:
        approved = ApplicationFactory(referrer=org, sector=sector, status="approved", company_name=f"{tag} Tenant")
        world.applications.append(approved)
        tenant_services.plot_allocate(plot_id=land["plots"][0].pk, application_id=approved.pk, actor=actor)
        tenant_services.plot_reserve(plot_id=land["plots"][1].pk, application_id=approved.pk, actor=actor)
    ExchangeRate.objects.get_or_create(currency="KRW", defaults={"usd_rate": Decimal("0.00075"), "idr_rate": Decimal("11.5")})
    return world


def confirmed_count(event) -> int:
    return Registration.objects.filter(event=event, status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED]).count()


def panel(sections, section_key: str, panel_key: str):
    section = next(s for s in sections if s.key == section_key)
    return next(p for p in section.panels if p.key == panel_key)


def figure(panel_, label: str):
    return next(f for f in panel_.figures if str(f.label) == label)
