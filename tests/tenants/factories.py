"""factory_boy factories of the tenants app."""
from decimal import Decimal

import factory
from django.utils import timezone

from tenants.models import Application, Plot, ScreeningCriterion, Sector, Zone
from tests.factories import OrganizationFactory


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sector-{n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")
    name_id = factory.Sequence(lambda n: f"Sektor {n}")
    name_ko = factory.Sequence(lambda n: f"부문 {n}")
    is_priority = True


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningCriterion
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"criterion-{n}")
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")
    position = factory.Sequence(lambda n: n)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete application (every required field); documents are added by the tests that need them.

    The status traits set the status directly, for list and query tests; workflow tests move
    applications through the services instead."""

    class Meta:
        model = Application

    company_name = factory.Sequence(lambda n: f"Company {n} Co.")
    company_country = "KR"
    company_registration_number = factory.Sequence(lambda n: f"REG-{n:06d}")
    company_website = "https://example.com/"
    referrer = factory.SubFactory(OrganizationFactory)
    contact_name = "Park Ji-ho"
    contact_email = factory.Sequence(lambda n: f"contact{n}@company.example")
    contact_language = "ko"
    sector = factory.SubFactory(SectorFactory)
    products = "Battery cells"
    investment_amount = Decimal("10000000")
    investment_currency = "USD"
    jobs_planned = 100
    export_share_pct = Decimal("50")
    timeline = "2026"
    land_ha = Decimal("10")
    power_mva = Decimal("5")
    water_m3_per_day = Decimal("300")
    status = Application.Status.DRAFT
    status_changed_at = factory.LazyFunction(timezone.now)

    class Params:
        submitted = factory.Trait(status=Application.Status.SUBMITTED)
        screening = factory.Trait(status=Application.Status.SCREENING)
        due_diligence = factory.Trait(status=Application.Status.DUE_DILIGENCE)
        committee = factory.Trait(status=Application.Status.COMMITTEE)
        approved = factory.Trait(status=Application.Status.APPROVED)
        rejected = factory.Trait(status=Application.Status.REJECTED, decision_reason="Not a fit.")
        withdrawn = factory.Trait(status=Application.Status.WITHDRAWN)


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"zone-{n}")
    name = factory.Sequence(lambda n: f"Zone {n}")
    area_ha = Decimal("100")
    parent = None


class PlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plot
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P-{n:03d}")
    zone = factory.SubFactory(ZoneFactory)
    area_ha = Decimal("10")
