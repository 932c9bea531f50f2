"""Demo data: through the services, idempotent, and nothing without the accounts' demo users."""
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from kitb_portal.accounts import demo as accounts_demo
from kitb_portal.notifications.models import OutboxMessage
from tenants import demo, selectors
from tenants.models import Allocation, Application, Plot, ScreeningCriterion, Sector, StatusChange, Zone
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def demo_people(db, groups):
    orgs = {
        accounts_demo.KITB: OrganizationFactory(host=True),
        accounts_demo.TECHNOPARK: OrganizationFactory(name=accounts_demo.TECHNOPARK, kind="technopark"),
        accounts_demo.PROVINCE: OrganizationFactory(name=accounts_demo.PROVINCE, kind="government"),
    }
    for email, name, org, group, lang in accounts_demo.DEMO_USERS.values():
        user = UserFactory(email=email, full_name=name, organization=orgs[org], is_staff=group is not None, preferred_language=lang)
        if group:
            user.groups.add(groups.get(group) or Group.objects.get_or_create(name=group)[0])
    return orgs


def counts():
    return {m.__name__: m.objects.count() for m in (Sector, ScreeningCriterion, Zone, Plot, Application, Allocation, StatusChange, OutboxMessage)}


@pytest.mark.django_db
def test_seed_does_nothing_without_the_demo_users():
    out = io.StringIO()
    demo.seed(out)
    assert "nothing done" in out.getvalue() and not Application.objects.exists() and not Zone.objects.exists()


@pytest.mark.django_db
def test_seed_is_idempotent_and_complete(demo_people):
    out = io.StringIO()
    demo.seed(out)
    first = counts()
    demo.seed(out)
    assert counts() == first
    assert "all present already" in out.getvalue()

    assert Sector.objects.filter(is_priority=True).count() == 5
    assert ScreeningCriterion.objects.count() == 7
    zones = {z.code: z for z in Zone.objects.all()}
    assert (zones["kitb"].area_ha, zones["cluster-1"].area_ha, zones["phase-1"].area_ha) == (Decimal("4300"), Decimal("3100"), Decimal("450"))
    assert zones["phase-1"].parent == zones["cluster-1"] and zones["cluster-1"].parent == zones["kitb"]
    assert Plot.objects.filter(zone=zones["phase-1"]).count() == 30
    assert sum(p.area_ha for p in Plot.objects.all()) <= Decimal("450")
    by_org = {}
    for app in Application.objects.select_related("referrer"):
        by_org.setdefault(app.referrer.name, set()).add(app.status)
    assert len(by_org[accounts_demo.TECHNOPARK]) >= 3 and len(by_org[accounts_demo.PROVINCE]) >= 3
    approved = Application.objects.get(status="approved")
    assert Allocation.objects.filter(application=approved, is_live=True, kind="allocated").exists()
    assert Plot.objects.get(code="P1-A01").status == "allocated"
    committee = Application.objects.get(status="committee")
    assert selectors.review_summary(committee).disagreements  # the demo shows a split on one criterion
    assert StatusChange.objects.filter(actor__isnull=True).count() == 0  # every step has its actor
    phase = next(z for z in selectors.land_summary() if z.code == "phase-1")
    assert phase.allocated_ha == Decimal("10.00") and phase.reserved_ha == Decimal("10.00")




@pytest.mark.django_db
def test_seed_after_the_real_accounts_seed(monkeypatch):
    """With the organisations and users the accounts step really creates (and its role groups)."""
    from kitb_portal.accounts import demo as accounts_seed

    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    out = io.StringIO()
    accounts_seed.seed(out)
    demo.seed(out)
    assert Application.objects.count() == 6 and Application.objects.filter(status="approved").count() == 1
    first = counts()
    accounts_seed.seed(out)
    demo.seed(out)
    assert counts() == first
