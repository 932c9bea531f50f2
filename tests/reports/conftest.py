"""Fixtures of the review-pack tests: an MoU between KITB and the Technopark with a year of rows
(events with attendance and feedback, commitments, referred applications with amounts in several
currencies, allocations, decisions) made straight in the database, so the tests can count them
independently of the pack."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Event, Feedback, Registration
from partnerships.models import Commitment, MoU, MoUNote, MoUParty
from tenants.models import Allocation, Application, ExchangeRate, Plot, StatusChange, Zone
from tests.factories import UserFactory
from tests.partnerships.factories import mou_with_parties

YEAR = 2025
AS_OF = dt.date(2026, 1, 20)  # after the period: targets are met or behind
_seq = itertools.count(1)


def make_officer(kitb):
    return UserFactory(staff=True, is_superuser=True, organization=kitb, email="officer@kitb.example",
                       full_name="Budi Santoso", preferred_language="id")


@pytest.fixture
def officer(db, kitb):
    return make_officer(kitb)


def active_mou(*orgs, owner, reference):
    mou = mou_with_parties(*orgs, owner=owner, reference=reference, title_en=f"Cooperation {reference}",
                           title_ko="산업 협력 업무협약", title_id="Nota Kesepahaman Kerja Sama Industri")
    MoU.objects.filter(pk=mou.pk).update(status="active", signed_date=dt.date(2024, 3, 1), effective_date=dt.date(2024, 3, 1),
                                         expiry_date=dt.date(2029, 2, 28))
    mou.refresh_from_db()
    return mou


@pytest.fixture
def mou_a(db, kitb, technopark, officer):
    return active_mou(kitb, technopark, owner=officer, reference="KITB/A/1")


@pytest.fixture
def mou_b(db, kitb, province, officer):
    return active_mou(kitb, province, owner=officer, reference="KITB/B/1")


@pytest.fixture
def rates(db):
    make_rates()


def make_rates():
    """Three dated rate sets: the one valid on 31 December 2025 is the middle one."""
    rows = [
        ("USD", dt.date(2000, 1, 1), "1", "15000"), ("KRW", dt.date(2000, 1, 1), "0.0008", "12"),
        ("EUR", dt.date(2000, 1, 1), "1.05", "16000"),
        ("USD", dt.date(2025, 6, 1), "1", "16000"), ("KRW", dt.date(2025, 6, 1), "0.00072", "11.5"),
        ("EUR", dt.date(2025, 6, 1), "1.1", "17600"),
        ("USD", dt.date(2026, 1, 10), "1", "17000"), ("KRW", dt.date(2026, 1, 10), "0.0007", "11.9"),
        ("EUR", dt.date(2026, 1, 10), "1.2", "20400"),
    ]
    for currency, valid_from, usd, idr in rows:
        ExchangeRate.objects.create(currency=currency, valid_from=valid_from, usd_rate=Decimal(usd), idr_rate=Decimal(idr))


def _aware(day: dt.date, hour: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def make_year(mou: MoU, *, size: int = 1, zone: Zone | None = None) -> dict:
    """Rows of one year for ``mou``, ``size`` times over; also rows that must not count (another
    year, cancelled, not attended). Returns what it made, for the tests to count."""
    parties = list(MoUParty.objects.filter(mou=mou).select_related("organization"))
    partner = parties[-1].organization
    made = {"events": [], "registrations": [], "commitments": [], "applications": []}
    zone = zone or Zone.objects.create(code=f"z{next(_seq)}", name="Zone", area_ha=Decimal("100000"))
    for i in range(size):
        for kind, day, status in (("seminar", dt.date(YEAR, 3, 10 + i), "completed"), ("workshop", dt.date(YEAR, 9, 5 + i), "published"),
                                  ("conference", dt.date(YEAR, 11, 1 + i), "cancelled"), ("seminar", dt.date(YEAR - 1, 5, 1 + i), "completed")):
            n = next(_seq)
            event = Event.objects.create(
                kind=kind, title_en=f"Event {n}", title_ko=f"행사 {n}", title_id=f"Acara {n}", slug=f"event-{n}", mode="online",
                meeting_link="https://meet.example.org/x", start=_aware(day), end=_aware(day, 7), capacity=100, status=status,
                mou=mou, published_at=timezone.now(), cancelled_at=timezone.now() if status == "cancelled" else None,
            )
            made["events"].append(event)
            for j, (country, reg_status, org) in enumerate((("KR", "attended", partner), ("KR", "attended", None), ("ID", "attended", None),
                                                            ("KR", "confirmed", partner), ("", "attended", None))):
                reg = Registration.objects.create(
                    event=event, name=f"Person {n}-{j}", email=f"p{n}-{j}@example.org", country=country, status=reg_status,
                    organization=org, organization_name="" if org else f"Guest org {j % 2}",
                    checked_in_at=timezone.now() if reg_status == "attended" else None, token=f"t{n}-{j}",
                )
                made["registrations"].append(reg)
                if reg_status == "attended" and j < 2:
                    Feedback.objects.create(registration=reg, rating=4 + j % 2)
        # commitments: done on time, done late, waived, overdue, open later, another year's
        for due, status, closed in ((dt.date(YEAR, 4, 1), "done", dt.date(YEAR, 3, 20)), (dt.date(YEAR, 5, 1), "done", dt.date(YEAR, 6, 1)),
                                    (dt.date(YEAR, 6, 1), "waived", dt.date(YEAR, 6, 2)), (dt.date(YEAR, 7, 1), "open", None),
                                    (dt.date(YEAR + 1, 6, 1), "open", None), (dt.date(YEAR - 1, 6, 1), "done", dt.date(YEAR - 1, 5, 1))):
            made["commitments"].append(Commitment.objects.create(
                mou=mou, description=f"Commitment {next(_seq)}", responsible_organization=partner, due_date=due, status=status,
                closed_on=closed, fulfilment_note="Held the seminar" if status != "open" else "",
            ))
        # applications referred under the MoU
        for currency, amount, realised, status, screened, allocate, submitted in (
            ("USD", "1000000", "400000", "approved", True, True, dt.date(YEAR, 2, 1)),
            ("KRW", "2000000000", None, "approved", True, False, dt.date(YEAR, 5, 1)),
            ("EUR", "500000", "100000", "approved", True, False, dt.date(YEAR, 8, 1)),
            ("USD", "300000", None, "screening", True, False, dt.date(YEAR, 9, 1)),
            ("USD", "700000", None, "submitted", False, False, dt.date(YEAR, 10, 1)),
            ("USD", "900000", None, "approved", True, False, dt.date(YEAR - 1, 10, 1)),
        ):
            n = next(_seq)
            app = Application.objects.create(
                company_name=f"Company {n}", company_country="KR", referrer=partner, mou=mou, status=status,
                investment_amount=Decimal(amount), investment_currency=currency,
                investment_realised=Decimal(realised) if realised else None, jobs_planned=10 + n % 7,
                submitted_at=_aware(submitted), decided_at=_aware(submitted) if status == "approved" else None,
            )
            if screened:
                StatusChange.objects.create(application=app, transition="start_screening", from_status="submitted", to_status="screening")
            if allocate:
                plot = Plot.objects.create(code=f"P{n}", zone=zone, area_ha=Decimal("2.50"))
                allocation = Allocation.objects.create(plot=plot, application=app, kind="allocated")
                Allocation.objects.filter(pk=allocation.pk).update(created_at=_aware(submitted + dt.timedelta(days=30)))
            made["applications"].append(app)
        MoUNote.objects.create(mou=mou, kind="decision", text=f"Decided to hold a joint seminar {next(_seq)}", noted_on=dt.date(YEAR, 4, 2))
        MoUNote.objects.create(mou=mou, kind="note", text="Called", noted_on=dt.date(YEAR, 4, 3))
    return made
