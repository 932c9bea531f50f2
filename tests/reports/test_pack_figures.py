"""Every figure of a pack equals a count made here from the same rows."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from kitb_portal.reports.compose import compose
from partnerships.models import MoUTarget, TargetStatus
from partnerships.review import evaluate, mou_context, programme_context
from partnerships.targets import judge

from .conftest import AS_OF, YEAR, make_year

pytestmark = pytest.mark.django_db


def _in_year(day: dt.date) -> bool:
    return day.year == YEAR


def _section(pack, key):
    return next(s for s in pack.sections if s.key == key)


def _table(pack, caption):
    return next(t for _title, t in pack.tables() if t.caption == caption)


def test_every_figure_equals_an_independent_count(mou_a, mou_b, rates):
    made = make_year(mou_a, size=2)
    make_year(mou_b, size=1)  # another MoU's rows never count
    pack = compose(mou_context(mou_a, year=YEAR, as_of=AS_OF))
    m = pack.measures[mou_a.pk]

    held = [e for e in made["events"] if e.status in ("completed", "published") and _in_year(e.start.date())]
    assert m["events_held"] == len(held) == 4
    assert m["events_held:seminar"] == len([e for e in held if e.kind == "seminar"])
    assert m["events_held:conference"] == 0
    attended = [r for r in made["registrations"] if r.status == "attended" and r.event in held]
    by_country = Counter(r.country for r in attended if r.country)
    assert m["attendees"] == len(attended)
    assert m["attendees:KR"] == by_country["KR"] and m["attendees:ID"] == by_country["ID"]
    country_table = _table(pack, "Attendees by country")
    assert {row[0].text: row[1].raw for row in country_table.rows} == {**by_country, "—": len([r for r in attended if not r.country])}
    org_table = _table(pack, "Attendees by organisation")
    expected_orgs = Counter(r.organization.name if r.organization_id else r.organization_name for r in attended)
    assert {row[0].text: row[1].raw for row in org_table.rows} == dict(expected_orgs)

    # commitments by state (due or closed in the year)
    relevant = [c for c in made["commitments"] if (c.due_date and _in_year(c.due_date)) or (c.closed_on and _in_year(c.closed_on))]
    states = Counter("done" if c.status == "done" else "waived" if c.status == "waived"
                     else "overdue" if c.due_date < AS_OF else "open" for c in relevant)
    commitments_block = next(b for b in _section(pack, "partnerships").blocks if b.heading == "Commitments")
    figures = {f.label: int(f.value) for f in commitments_block.figures}
    assert figures == {"Done": states["done"], "Overdue": states["overdue"], "Waived": states["waived"], "Open": states["open"]}
    on_time = [c for c in relevant if c.status == "done" and _in_year(c.due_date) and c.closed_on <= c.due_date]
    assert m["commitments_on_time"] == len(on_time) == 2

    # the referral funnel of the applications submitted in the year
    cohort = [a for a in made["applications"] if _in_year(a.submitted_at.date())]
    approved = [a for a in cohort if a.status == "approved"]
    funnel = {row[0].text: row[1].raw for row in _table(pack, "Referral funnel").rows}
    assert funnel == {"Referred": len(cohort), "Screened": len([a for a in cohort if a.status != "submitted"]),
                      "Approved": len(approved), "Allocated": len([a for a in cohort if a.allocations.exists()])}
    assert m["companies_referred"] == len(cohort) and m["applications_approved"] == len(approved)
    assert m["jobs"] == sum(a.jobs_planned for a in approved)
    assert m["land_allocated"] == Decimal("2.50") * len([a for a in cohort if a.allocations.exists()])

    # investment at the rates valid on 31 December (not the later ones, not the oldest)
    usd = {"USD": Decimal("1"), "KRW": Decimal("0.00072"), "EUR": Decimal("1.1")}
    idr = {"USD": Decimal("16000"), "KRW": Decimal("11.5"), "EUR": Decimal("17600")}
    planned_usd = sum(a.investment_amount * usd[a.investment_currency] for a in approved)
    planned_idr = sum(a.investment_amount * idr[a.investment_currency] for a in approved)
    planned_krw = sum(a.investment_amount if a.investment_currency == "KRW" else a.investment_amount * usd[a.investment_currency] / usd["KRW"]
                      for a in approved)
    realised_usd = sum((a.investment_realised or 0) * usd[a.investment_currency] for a in approved)
    money = {row[0].text: [c.raw for c in row[1:]] for row in _table(pack, "Investment of the approved companies").rows}
    assert money["Investment planned"][0] == pytest.approx(planned_usd, abs=Decimal("0.05"))
    assert money["Investment planned"][1] == pytest.approx(planned_idr, abs=Decimal("0.05"))
    assert money["Investment planned"][2] == pytest.approx(planned_krw, abs=Decimal("0.05"))
    assert m["investment_planned"] == pytest.approx(planned_usd, abs=Decimal("0.05"))
    assert m["investment_realised"] == pytest.approx(realised_usd, abs=Decimal("0.05"))

    decisions = _table(pack, "Decisions recorded in the MoU's notes")
    assert len(decisions.rows) == 2  # size 2: one decision each; the plain notes are not decisions


def test_the_programme_pack_adds_up_every_mou(mou_a, mou_b, rates):
    make_year(mou_a, size=1)
    make_year(mou_b, size=2)
    single = {mou.pk: compose(mou_context(mou, year=YEAR, as_of=AS_OF)).measures[mou.pk] for mou in (mou_a, mou_b)}
    programme = compose(programme_context(YEAR, as_of=AS_OF))
    for mou_id, measures in single.items():
        for key in ("events_held", "attendees", "companies_referred", "jobs", "commitments_on_time"):
            assert programme.measures[mou_id][key] == measures[key]
    funnel = {row[0].text: row[1].raw for row in _table(programme, "Referral funnel").rows}
    assert funnel["Referred"] == 5 * 3


@pytest.mark.parametrize("kind,key_value", [
    ("events_held", 2), ("companies_referred", 5), ("applications_approved", 3), ("commitments_on_time", 1),
])
def test_a_target_is_met_at_its_number_and_behind_below_it(mou_a, rates, kind, key_value):
    make_year(mou_a, size=1)
    met = MoUTarget.objects.create(mou=mou_a, year=YEAR, kind=kind, target_value=key_value)
    behind = MoUTarget.objects.create(mou=mou_a, year=YEAR, kind=kind, target_value=key_value + 1)
    ctx = mou_context(mou_a, year=YEAR, as_of=AS_OF)
    pack = compose(ctx)
    judged = {t.pk: (actual, status) for t, actual, status in evaluate([met, behind], pack.measures, ctx)}
    assert judged[met.pk] == (key_value, TargetStatus.MET)
    assert judged[behind.pk] == (key_value, TargetStatus.BEHIND)


def test_on_track_is_pro_rata_progress_through_the_period():
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    mid = dt.date(2025, 7, 1)  # day 182 of 365
    share = Decimal(182) / Decimal(365)
    assert judge(target=Decimal(100), actual=(100 * share).quantize(Decimal("0.01")) + Decimal("0.01"), start=start, end=end, as_of=mid) == "on_track"
    assert judge(target=Decimal(100), actual=(100 * share).quantize(Decimal("0.01")) - Decimal("0.01"), start=start, end=end, as_of=mid) == "behind"
    assert judge(target=Decimal(100), actual=Decimal(100), start=start, end=end, as_of=mid) == "met"
    assert judge(target=Decimal(100), actual=Decimal(99), start=start, end=end, as_of=end) == "behind"
    assert judge(target=Decimal(100), actual=None, start=start, end=end, as_of=mid) == "not_measurable"


def test_a_manual_target_is_judged_by_hand(mou_a):
    target = MoUTarget.objects.create(mou=mou_a, year=YEAR, kind="manual", description="Joint study published", target_value=1)
    ctx = mou_context(mou_a, year=YEAR, as_of=AS_OF)
    assert evaluate([target], {}, ctx)[0][2] == TargetStatus.NOT_MEASURABLE
    target.manual_actual = Decimal(1)
    assert evaluate([target], {}, ctx)[0][2] == TargetStatus.MET


def test_a_missing_rate_makes_investment_not_measurable(mou_a):
    make_year(mou_a, size=1)  # no rates at all
    target = MoUTarget.objects.create(mou=mou_a, year=YEAR, kind="investment_planned", target_value=1)
    ctx = mou_context(mou_a, year=YEAR, as_of=AS_OF)
    pack = compose(ctx)
    assert evaluate([target], pack.measures, ctx)[0][2] == TargetStatus.NOT_MEASURABLE
