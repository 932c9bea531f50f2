"""Periods of MoU targets and the rule that judges a target against what was achieved.

* A calendar year ``Y`` runs from 1 January to 31 December of ``Y``.
* An anniversary year ``Y`` runs from the anniversary of the MoU's effective date (else its signing
  date) in ``Y`` to the day before the next anniversary (29 February counts as 28 February).
* Status: **met** when the achieved value reaches the number aimed at; otherwise, once the period has
  ended, **behind**; during the period **on track** when the value reaches the pro-rata share of the
  number (days elapsed, the first and the current day included, over the days of the period), else
  **behind**. A target judged by hand without an achieved value, or a measure that could not be
  computed (an amount in a currency without an exchange rate), is **not measurable**.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .models import TargetPeriod, TargetStatus


def _anniversary(anchor: dt.date, year: int) -> dt.date:
    try:
        return anchor.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)


def period_bounds(mou, period_kind: str, year: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the period ``year`` of ``period_kind`` for ``mou``."""
    if period_kind == TargetPeriod.ANNIVERSARY_YEAR:
        anchor = mou.effective_date or mou.signed_date
        if anchor is not None:
            start = _anniversary(anchor, year)
            return start, _anniversary(anchor, year + 1) - dt.timedelta(days=1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def elapsed_fraction(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    if as_of < start:
        return Decimal(0)
    if as_of >= end:
        return Decimal(1)
    return Decimal((as_of - start).days + 1) / Decimal((end - start).days + 1)


def judge(*, target: Decimal, actual: Decimal | None, start: dt.date, end: dt.date, as_of: dt.date) -> str:
    """The status of a target (see the module's docstring)."""
    if actual is None:
        return TargetStatus.NOT_MEASURABLE
    target, actual = Decimal(target), Decimal(actual)
    if actual >= target:
        return TargetStatus.MET
    if as_of >= end:
        return TargetStatus.BEHIND
    return TargetStatus.ON_TRACK if actual >= target * elapsed_fraction(start, end, as_of) else TargetStatus.BEHIND
