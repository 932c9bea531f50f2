"""Each list endpoint costs the same number of queries with 1 and with 4 records per organisation."""
from __future__ import annotations

import datetime as dt

import pytest

from events import services as event_services
from tests.events.factories import EventFactory
from tests.utils import assert_flat_queries, count_queries, own_copy

from .conftest import make_records, token_client

pytestmark = pytest.mark.django_db

LISTS = ["mous", "commitments", "events", "sessions", "registrations", "applications", "zones", "plots", "organisations", "contacts"]


@pytest.fixture
def world(shared_world):
    """The world, built once for the module: every database test here asks for it."""
    return own_copy(shared_world)["world"]


def _grow(world, n):
    """n more records of every kind for partner A (and for the events, n more events each with a session and A's registration)."""
    users = world["users"]
    make_records(users["a"].organization, kitb=_kitb(), actor=users["staff"], n=n, tag="more")
    for _ in range(n):
        event = EventFactory(published=True, actor=users["staff"], capacity=10)
        event_services.session_create(event_id=event.pk, actor=users["staff"], title="Talk", start=event.start, end=event.start + dt.timedelta(hours=1))
        event_services.registration_create(event_id=event.pk, user=users["a"])


def _kitb():
    from kitb_portal.accounts.models import Organization

    return Organization.objects.get(is_host=True)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.parametrize("who", ["a", "staff"])
@pytest.mark.parametrize("resource", LISTS)
def test_list_query_count_is_flat(world, who, resource):
    api = token_client(world["users"][who], "read")
    url = f"/api/v1/{resource}/"
    api.get(url)  # the token's last_used_at is written on its first use
    small = count_queries(api.get, url)
    _grow(world, 3)
    large = count_queries(api.get, url)
    assert large[2].status_code == 200 and len(large[2].json()["results"]) > len(small[2].json()["results"]) or resource == "organisations"
    assert_flat_queries(small, large, limit=8)
