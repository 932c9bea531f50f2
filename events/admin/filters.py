"""List filters of the events admin pages (events, registrations, feedback)."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.admin_tools import COUNTRY_CHOICES, FixedChoicesFilter, TextListFilter
from kitb_portal.search.documents import contains_any

from ..models import Event, Topic


class TopicFilter(admin.SimpleListFilter):
    title = _("topic")
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        return Topic.choices

    def queryset(self, request, queryset):
        if self.value() in Topic.values:
            return queryset.filter(topics__contains=[self.value()])
        return queryset


# The filters below stay the same size however many events, venues and MoUs there are: a typed
# name or number instead of a list of every one, and years from one MIN/MAX (index on start)
# instead of the date hierarchy's SELECT DISTINCT over all events.
class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        from django.db.models import Max, Min

        span = Event.objects.aggregate(first=Min("start"), last=Max("start"))
        if not span["first"]:
            return []
        first, last = timezone.localtime(span["first"]).year, timezone.localtime(span["last"]).year
        return [(str(year), str(year)) for year in range(last, first - 1, -1)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(start__year=int(self.value()))
        return queryset


class VenueFilter(TextListFilter):
    title = _("venue")
    parameter_name = "venue"
    id_lookup = "venue_id"
    text_lookups = ("venue__name__icontains", "venue__city__icontains")


class MoUFilter(TextListFilter):
    title = _("MoU")
    parameter_name = "mou"
    id_lookup = "mou_id"
    text_lookups = ("mou__reference__icontains", "mou__title_en__icontains")


class RegistrationEventFilter(TextListFilter):
    """Registrations of the events whose English title or slug holds the text (or an event's id)."""

    title = _("event")
    parameter_name = "event"
    id_lookup = "event_id"
    event_path = "event"
    event_text_fields = ("title_en", "slug")  # each with a trigram index

    def filter_text(self, queryset, text):
        events = Event.objects.filter(contains_any(self.event_text_fields, text)).values("pk")
        return queryset.filter(**{f"{self.event_path}__in": events})


class FeedbackEventFilter(RegistrationEventFilter):
    """The same for feedback, through its registration."""

    id_lookup = "registration__event_id"
    event_path = "registration__event"


class RegistrationCountryFilter(FixedChoicesFilter):
    title = _("country")
    parameter_name = "country"
    field = "country"
    choices_list = COUNTRY_CHOICES
    other = True
