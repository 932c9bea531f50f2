"""Reference data of the screening: currencies, sectors, the exchange rates staff set, the screening
settings (one row) and the criteria reviewers score."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel

CURRENCY_CHOICES = [
    ("USD", _("US dollar (USD)")),
    ("KRW", _("Korean won (KRW)")),
    ("IDR", _("Indonesian rupiah (IDR)")),
    ("EUR", _("Euro (EUR)")),
    ("JPY", _("Japanese yen (JPY)")),
    ("CNY", _("Chinese yuan (CNY)")),
    ("SGD", _("Singapore dollar (SGD)")),
]
CURRENCY_CODES = [code for code, _label in CURRENCY_CHOICES]


class Sector(TimeStampedModel):
    """An industry KITB screens for; priority sectors are the pioneer, high-tech ones."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    is_priority = models.BooleanField(_("priority (pioneer) sector"), default=False)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["-is_priority", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (translation.get_language() or "en")[:2]
        return {"id": self.name_id, "ko": self.name_ko}.get(lang) or self.name_en


class ExchangeRate(TimeStampedModel):
    """Rates staff set: from ``valid_from`` on (until the next row of the currency), one unit of
    ``currency`` is worth ``usd_rate`` USD and ``idr_rate`` IDR. The current rate is the row with the
    latest ``valid_from``; KRW amounts are derived through the KRW row's USD value."""

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    usd_rate = models.DecimalField(_("value in USD"), max_digits=20, decimal_places=10)
    idr_rate = models.DecimalField(_("value in IDR"), max_digits=20, decimal_places=6)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(currency__in=CURRENCY_CODES), name="tenants_rate_currency_valid"),
            models.CheckConstraint(condition=Q(usd_rate__gt=0) & Q(idr_rate__gt=0), name="tenants_rate_positive"),
            models.UniqueConstraint(fields=["currency", "valid_from"], name="tenants_rate_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.usd_rate} USD = {self.idr_rate} IDR ({self.valid_from})"


class ScreeningSettings(TimeStampedModel):
    """The administrator's screening settings (one row, pk=1)."""

    quorum = models.PositiveSmallIntegerField(
        _("quorum"), default=2, validators=[MinValueValidator(1)],
        help_text=_("Complete reviews without a conflict of interest needed before a decision."),
    )
    overdue_days = models.PositiveSmallIntegerField(
        _("days before an application is overdue"), default=14, validators=[MinValueValidator(1)],
        help_text=_("An application sitting in one step longer than this reminds its reviewers and officer weekly."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening settings")
        verbose_name_plural = _("screening settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="tenants_settings_singleton"),
            models.CheckConstraint(condition=Q(quorum__gte=1) & Q(overdue_days__gte=1), name="tenants_settings_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Screening settings"))

    @classmethod
    def load(cls) -> ScreeningSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ScreeningCriterion(TimeStampedModel):
    """A criterion every reviewer scores 1–5; the weights make the weighted score."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("guidance for reviewers"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening criterion")
        verbose_name_plural = _("screening criteria")
        ordering = ["position", "code"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="tenants_criterion_weight_positive")]

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight})"
