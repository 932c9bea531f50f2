"""aggregate_together: several aggregate() calls in one statement, with the same answers."""
from __future__ import annotations

import pytest
from django.db.models import Count, Q, Sum

from events.models import Venue
from kitb_portal.accounts.models import Organization
from kitb_portal.common.aggregates import aggregate_together
from tests.events.factories import VenueFactory
from tests.utils import count_queries_warm

pytestmark = pytest.mark.django_db


def test_the_same_answers_as_separate_aggregates_in_one_query(kitb, technopark):
    for i in range(3):
        VenueFactory(name=f"Hall {i}", city="Batang" if i else "Semarang", capacity=100 * (i + 1))
    venues = ({"n": Count("pk"), "batang": Count("pk", filter=Q(city="Batang")), "seats": Sum("capacity")})
    orgs = {"n": Count("pk"), "hosts": Count("pk", filter=Q(is_host=True))}
    queries, _sql, (v, o) = count_queries_warm(
        aggregate_together, (Venue.objects.all(), venues), (Organization.objects.all(), orgs)
    )
    assert queries == 1
    assert v == Venue.objects.aggregate(**venues) == {"n": 3, "batang": 2, "seats": 600}
    assert o == Organization.objects.aggregate(**orgs)
    # over no rows: one row of zeros and NULL sums, as aggregate() gives
    none = Venue.objects.filter(city="Nowhere")
    assert aggregate_together((none, venues), (Organization.objects.filter(pk=-1), orgs)) == [
        {"n": 0, "batang": 0, "seats": None}, {"n": 0, "hosts": 0},
    ]
