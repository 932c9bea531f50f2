"""Money in the three currencies of the partnership (USD, IDR, KRW): the exchange rates staff set,
as query expressions (for annotations) and as numbers (for conversions in Python)."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, OuterRef, Subquery
from django.utils import timezone

from ..models import ExchangeRate

MONEY = DecimalField(max_digits=24, decimal_places=2)
MONEY_CURRENCIES = ("USD", "IDR", "KRW")


def current_rate(field: str, currency: str | None = None) -> Subquery:
    """The current (latest ``valid_from``) rate of the row's investment currency (or of ``currency``)."""
    qs = ExchangeRate.objects.filter(currency=currency) if currency else ExchangeRate.objects.filter(currency=OuterRef("investment_currency"))
    return Subquery(qs.order_by("-valid_from").values(field)[:1])


def rates_on(day) -> dict[str, ExchangeRate]:
    """{currency: the rate valid on ``day``} (one query): each currency's row with the latest
    ``valid_from`` not after ``day``."""
    return {
        r.currency: r
        for r in ExchangeRate.objects.filter(valid_from__lte=day).order_by("currency", "-valid_from").distinct("currency")
    }


# The one statement that reads the rates conversions use (current_rates, and project_figures, which
# reads them in its single query): each currency's rate valid today (the latest ``valid_from``).
# ``%(today)s`` is the site's date (timezone.localdate()): the database's CURRENT_DATE is UTC's, a day
# behind Jakarta's from 17:00 UTC, when a rate staff set that morning did not count yet.
RATES_SQL = (
    "SELECT DISTINCT ON (currency) currency, usd_rate, idr_rate FROM tenants_exchangerate"
    " WHERE valid_from <= %(today)s ORDER BY currency, valid_from DESC"
)


def rates_from_rows(rows) -> dict[str, tuple[Decimal, Decimal]]:
    return {c: (Decimal(str(usd)), Decimal(str(idr))) for c, usd, idr in rows}


def current_rates() -> dict[str, tuple[Decimal, Decimal]]:
    """{currency: (usd_rate, idr_rate)} at the rates staff set now (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(RATES_SQL, {"today": timezone.localdate()})
        return rates_from_rows(cursor.fetchall())


def convert_money(amount, currency: str, *, rates: dict | None = None) -> dict[str, Decimal | None]:
    """``amount`` of ``currency`` in USD, IDR and KRW (None where a rate is missing), rounded to 0.01.

    USD and IDR use the currency's own rates; KRW goes through USD (the KRW rate's USD value)."""
    if amount is None:
        return {code: None for code in MONEY_CURRENCIES}
    rates = current_rates() if rates is None else rates
    q = Decimal("0.01")
    amount = Decimal(amount)
    usd = amount if currency == "USD" else (amount * rates[currency][0] if currency in rates else None)
    idr = amount if currency == "IDR" else (amount * rates[currency][1] if currency in rates else None)
    if currency == "KRW":
        krw = amount
    elif usd is not None and "KRW" in rates and rates["KRW"][0]:
        krw = usd / rates["KRW"][0]
    else:
        krw = None
    return {"USD": None if usd is None else usd.quantize(q), "IDR": None if idr is None else idr.quantize(q),
            "KRW": None if krw is None else krw.quantize(q)}


def convert(amount: Decimal | None, currency: str, rates: dict[str, ExchangeRate]) -> dict[str, Decimal | None]:
    """``amount`` of ``currency`` in USD, IDR and KRW at ``rates`` (the rows of :func:`rates_on`),
    keyed ``usd``, ``idr``, ``krw``: :func:`convert_money`'s figures (None where a rate is missing)."""
    converted = convert_money(amount, currency, rates={code: (r.usd_rate, r.idr_rate) for code, r in rates.items()})
    return {code.lower(): value for code, value in converted.items()}
