"""Fixtures of the API tests: a world of two partner organisations (A: the technopark, B: the
province) and KITB, with records of each kind for each, and clients signed in by API token."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from events import services as event_services
from kitb_portal.accounts import services as account_services
from kitb_portal.accounts.models import Contact
from partnerships.models import MoUParty
from tenants import services as tenant_services
from tests.events.factories import EventFactory, VenueFactory
from tests.factories import people
from tests.partnerships.factories import CommitmentFactory, MoUFactory, MoUPartyFactory
from tests.tenants.factories import ApplicationFactory, PlotFactory, ZoneFactory
from tests.utils import SharedByTheClass, built_once


def token_client(user, scope: str = "write") -> APIClient:
    """An API client sending a fresh personal token of ``user`` (made through the service)."""
    _token, raw = account_services.api_token_create(actor=user, name=f"test {scope}", scope=scope, expires_in_days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_token = raw
    return client


def make_records(org, *, kitb, actor, n: int = 1, tag: str = "") -> dict[str, list[int]]:
    """``n`` records of every kind for ``org``: MoUs (with KITB) and commitments, applications with
    a plot allocated (and its zone), contacts. Returns their ids by resource."""
    out: dict[str, list[int]] = {k: [] for k in ("mous", "commitments", "applications", "plots", "zones", "contacts")}
    for i in range(n):
        mou = MoUFactory()
        MoUPartyFactory(mou=mou, organization=kitb, role=MoUParty.Role.FIRST_PARTY)
        MoUPartyFactory(mou=mou, organization=org)
        out["mous"].append(mou.pk)
        out["commitments"].append(CommitmentFactory(mou=mou, responsible_organization=org).pk)
        application = ApplicationFactory(referrer=org, approved=True)
        out["applications"].append(application.pk)
        zone = ZoneFactory(code=f"zone-{org.pk}-{tag}{i}")
        plot = PlotFactory(code=f"P-{org.pk}-{tag}{i}", zone=zone)
        tenant_services.plot_allocate(plot_id=plot.pk, application_id=application.pk, actor=actor)
        out["plots"].append(plot.pk)
        out["zones"].append(zone.pk)
        contact = Contact.objects.create(organization=org, full_name=f"Contact {org.pk} {tag}{i}", languages=["ko"])
        out["contacts"].append(contact.pk)
    return out


def build_world(*, kitb, technopark, province, admin_user, partner_a, partner_b) -> dict:
    """Records of A, of B, shared by both (published events) and staff-only ones (drafts, KITB's own)."""
    a = make_records(technopark, kitb=kitb, actor=admin_user)
    b = make_records(province, kitb=kitb, actor=admin_user)
    venue = VenueFactory()
    published = EventFactory(published=True, venue=venue, actor=admin_user, capacity=10)
    draft = EventFactory(venue=venue, actor=admin_user)
    session_pub = event_services.session_create(
        event_id=published.pk, actor=admin_user, title="Opening", start=published.start, end=published.start + dt.timedelta(hours=1),
    )
    session_draft = event_services.session_create(
        event_id=draft.pk, actor=admin_user, title="Draft talk", start=draft.start, end=draft.start + dt.timedelta(hours=1),
    )
    a["registrations"] = [event_services.registration_create(event_id=published.pk, user=partner_a).pk]
    b["registrations"] = [event_services.registration_create(event_id=published.pk, user=partner_b).pk]
    a["organisations"], b["organisations"] = [technopark.pk], [province.pk]
    staff_mou = MoUFactory()
    MoUPartyFactory(mou=staff_mou, organization=kitb, role=MoUParty.Role.FIRST_PARTY)
    free_zone = ZoneFactory(code="zone-free")
    staff_only = {
        "mous": [staff_mou.pk],
        "commitments": [CommitmentFactory(mou=staff_mou, responsible_organization=kitb).pk],
        "events": [draft.pk], "sessions": [session_draft.pk],
        "applications": [], "registrations": [],
        "plots": [PlotFactory(code="P-free", zone=free_zone).pk], "zones": [free_zone.pk],
        "organisations": [kitb.pk],
        "contacts": [Contact.objects.create(organization=kitb, full_name="KITB desk").pk],
    }
    shared = {"events": [published.pk], "sessions": [session_pub.pk]}
    return {
        "a": a, "b": b, "shared": shared, "staff_only": staff_only, "published": published, "draft": draft,
        "users": {"a": partner_a, "b": partner_b, "staff": admin_user},
    }


def world_with_its_people() -> dict:
    """``build_world`` with people of its own: their fixtures' names -> them, and "world"."""
    made = people()
    return {**made, "world": build_world(**made)}


@pytest.fixture
def world(db, kitb, technopark, province, admin_user, partner_a, partner_b):
    return build_world(kitb=kitb, technopark=technopark, province=province, admin_user=admin_user, partner_a=partner_a,
                       partner_b=partner_b)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """``world_with_its_people`` built once for a module (tests.utils.built_once) whose database tests
    all ask for the world and none for its people: the module overrides ``world`` with
    ``own_copy(shared_world)["world"]``."""
    yield from built_once(django_db_blocker, world_with_its_people)


class OnTheSharedWorld(SharedByTheClass):
    """A base for a class of tests that share one world, built once for the class, in a module where
    other tests must not see it; the fixtures of its people (partner_a, admin_user...) give the world's."""

    build = staticmethod(world_with_its_people)
    shares = ("world", "kitb", "technopark", "province", "admin_user", "partner_a", "partner_b")


@pytest.fixture
def clients(world):
    """API clients by token: partner A, partner B and a superuser (staff)."""
    return {who: token_client(user) for who, user in world["users"].items()}
