"""Staff pages of venues (with their rooms) and speakers."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import Room, Speaker, Venue


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Venue)
class VenueAdmin(SimpleHistoryAdmin):
    list_display = ("name", "city", "country", "time_zone", "capacity")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("country", "time_zone")
    search_fields = ("name", "city", "address")
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "venue", "capacity")
    list_select_related = ("venue",)
    search_fields = ("name", "venue__name", "venue__city")

    def get_model_perms(self, request):  # edited inside the venue; kept for autocomplete
        return {}


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("name", "organization_name")
    search_fields = ("name", "organization_name")
