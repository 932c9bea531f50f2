"""Places and people: venues with their rooms, and speakers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitb_portal.accounts.models import TIME_ZONE_CHOICES
from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel
from kitb_portal.search.documents import ENGLISH, SIMPLE, document, document_index, search_field, trigram_index

from .common import _in_language

# What the search indexes (kitb_portal.search.documents): stored as the speaker's search_document.
SPEAKER_SEARCH_DOCUMENT = document(("name", SIMPLE, "A"), ("organization_name", SIMPLE, "B"), ("bio", ENGLISH, "D"))


class Venue(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 two-letter code, e.g. ID or KR."))
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Asia/Jakarta")
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("People the venue holds."))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["country", "city", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="venue_unique_name_city"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="venue_capacity_positive"),
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="venue_country_iso2"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class Room(TimeStampedModel):
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name_per_venue"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.venue.name})"


class Speaker(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    organization_name = models.CharField(_("organisation"), max_length=200, blank=True)
    bio = models.TextField(_("short bio (English)"), blank=True, max_length=1500)
    bio_id = models.TextField(_("short bio (Indonesian)"), blank=True, default="", max_length=1500)
    bio_ko = models.TextField(_("short bio (Korean)"), blank=True, default="", max_length=1500)

    @property
    def localized_bio(self) -> str:
        return _in_language({"id": self.bio_id, "ko": self.bio_ko, "en": self.bio})
    search_document = search_field(SPEAKER_SEARCH_DOCUMENT)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "organization_name"], name="speaker_unique_name_org")]
        indexes = [
            document_index(name="speaker_search_idx"),
            trigram_index("name", name="speaker_name_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization_name})" if self.organization_name else self.name
