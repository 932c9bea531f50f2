"""A model's check constraints are asked of the database in one query, with Django's own answers."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def _errors(call):
    try:
        call()
    except ValidationError as exc:
        return {field: sorted(str(m) for m in messages) for field, messages in exc.message_dict.items()}
    return {}


def _broken_event():
    """An event that breaks five of its check constraints at once."""
    event = EventFactory.build(venue=None, slug="")
    event.end = event.start - dt.timedelta(hours=1)
    event.capacity = 0
    event.registration_closes = event.start + dt.timedelta(days=1)
    event.status = Event.Status.CANCELLED  # without cancelled_at
    return event


def test_broken_constraints_give_djangos_own_errors_in_one_query():
    event = _broken_event()
    with CaptureQueriesContext(connection) as ours:
        got = _errors(event.validate_constraints)
    with CaptureQueriesContext(connection) as djangos:
        want = _errors(lambda: models.Model.validate_constraints(event))
    assert got == want
    assert "The event must end after it starts." in got["__all__"]
    assert "An on-site or hybrid event needs a venue." in got["__all__"]
    checks = sum(isinstance(c, models.CheckConstraint) for c in Event._meta.constraints)
    check_queries = [q for q in ours.captured_queries if '"_check_' in q["sql"]]
    assert len(check_queries) == 1, ours.captured_queries
    assert len(djangos.captured_queries) > checks  # one query per check (and more), the cost we save


def test_a_valid_object_passes_and_excluded_fields_are_not_checked():
    event = EventFactory()
    assert _errors(event.validate_constraints) == {}
    event.capacity = 0
    assert _errors(lambda: event.validate_constraints(exclude={"capacity"})) == {}
    assert _errors(event.validate_constraints) == _errors(lambda: models.Model.validate_constraints(event)) == {
        "__all__": ["Constraint “event_capacity_positive” is violated."]
    }


def test_full_clean_of_a_valid_event_costs_a_few_queries_not_one_per_check():
    event = EventFactory()
    event.start = timezone.now() + dt.timedelta(days=400)
    event.end = event.start + dt.timedelta(hours=2)
    with CaptureQueriesContext(connection) as ctx:
        event.full_clean()
    checks = sum(isinstance(c, models.CheckConstraint) for c in Event._meta.constraints)
    assert len(ctx.captured_queries) < checks, [q["sql"][:80] for q in ctx.captured_queries]
