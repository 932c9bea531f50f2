"""Demo data: through the services, idempotent, and silent until the accounts step has run."""
import io

import pytest

from events import demo
from events.models import Event, Registration, Session, Venue
from kitb_portal.accounts.demo import DEMO_USERS, KITB, PROVINCE, TECHNOPARK
from tests.factories import OrganizationFactory, UserFactory


@pytest.mark.django_db
def test_seed_does_nothing_without_the_demo_accounts():
    out = io.StringIO()
    demo.seed(out)
    assert "nothing done" in out.getvalue()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_seed_is_idempotent():
    kitb = OrganizationFactory(host=True)
    assert kitb.name == KITB
    tp = OrganizationFactory(name=TECHNOPARK, country="KR", kind="technopark")
    pv = OrganizationFactory(name=PROVINCE, country="KR", kind="government")
    for email, name, org_name, group, lang in DEMO_USERS.values():
        org = {KITB: kitb, TECHNOPARK: tp, PROVINCE: pv}[org_name]
        UserFactory(email=email, full_name=name, organization=org, is_staff=group is not None, preferred_language=lang)
    demo.seed(io.StringIO())
    counts = (Event.objects.count(), Venue.objects.count(), Session.objects.count(), Registration.objects.count())
    assert counts[0] == 4 and counts[1] == 2 and counts[2] >= 4 and counts[3] == 5
    assert set(Event.objects.values_list("status", flat=True)) == {"published"}
    assert Event.objects.filter(is_public=True).count() == 1
    assert Event.objects.filter(mode="hybrid").count() == 1
    assert set(Venue.objects.values_list("country", flat=True)) == {"ID", "KR"}
    assert Registration.objects.filter(user__isnull=True, status="confirmed").count() == 1
    out = io.StringIO()
    demo.seed(out)
    assert "nothing added" in out.getvalue()
    assert (Event.objects.count(), Venue.objects.count(), Session.objects.count(), Registration.objects.count()) == counts
