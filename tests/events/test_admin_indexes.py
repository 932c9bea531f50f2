"""Indexes the registrations' admin relies on, checked against the code that writes its queries."""
import pytest
from django.db import connection

from events import services
from events.admin.filters import RegistrationCountryFilter
from events.models import Registration
from kitb_portal.common.admin_tools.filters import COUNTRY_CHOICES
from tests.factories import OrganizationFactory, UserFactory

from .factories import EventFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _index(name: str):
    return next(index for index in Registration._meta.indexes if index.name == name)


def test_the_other_country_index_leaves_out_the_filters_listed_countries():
    """Its condition is the filter's "Other": change COUNTRY_CHOICES and this fails until a migration
    gives the index the new list."""
    condition = _index("registration_other_country_idx").condition
    assert condition.negated and condition.children == [("country__in", [value for value, _label in COUNTRY_CHOICES])]
    assert RegistrationCountryFilter.choices_list is COUNTRY_CHOICES and RegistrationCountryFilter.other


def test_the_other_country_filter_is_answered_by_its_index(staff_client):
    staff = UserFactory(staff=True, email="idx-staff@kitb.example", organization=None)
    event = EventFactory(published=True, capacity=10, venue=VenueFactory(name="Index hall"), actor=staff)
    for country in ("ID", "KR", "JP"):
        org = OrganizationFactory(name=f"Org {country}", country=country)
        services.registration_create(event_id=event.pk, user=UserFactory(email=f"{country.lower()}@example.com", organization=org))
    Registration.objects.filter(email="jp@example.com").update(country="JP")

    response = staff_client.get("/admin/events/registration/", {"country": "__other__"})
    cl = response.context["cl"]
    assert [r.email for r in cl.result_list] == ["jp@example.com"]
    sql, params = cl.queryset.order_by("-created_at", "-id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is read whole otherwise
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "registration_other_country_idx" in plan, plan
