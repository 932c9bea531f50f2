"""Staff pages of registrations (mark attended, cancel, background export) and feedback."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportActionMixin
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import BoundedCountPaginator, IndexedSearchMixin
from kitb_portal.jobs.admin_mixins import BackgroundImportExportMixin

from .. import services
from ..models import Feedback, Registration
from .exports import RegistrationResource
from .filters import FeedbackEventFilter, RegistrationCountryFilter, RegistrationEventFilter


@admin.register(Registration)
class RegistrationAdmin(IndexedSearchMixin, BackgroundImportExportMixin, ExportActionMixin, SimpleHistoryAdmin):
    resource_classes = [RegistrationResource]
    background_export_queryset = "events.selectors.registrations_for_export"  # with the event (no query per row)
    list_display = ("name", "email", "event", "status", "waitlist_position", "organization_name", "country", "check_in_code", "checked_in_at")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("status", RegistrationEventFilter, RegistrationCountryFilter)
    search_fields = ("name", "email", "organization_name", "check_in_code", "event__title_en")
    list_select_related = ("event",)
    ordering = ("-created_at", "-id")  # newest first, from the created_at index (the model's order sorts by event start)
    list_per_page = 25  # every row costs rendering time: 25 keep the page fast
    paginator = BoundedCountPaginator
    show_full_result_count = False  # one COUNT less on the largest table
    readonly_fields = (
        "event", "user", "name", "email", "organization", "organization_name", "country", "language", "status",
        "waitlist_position", "check_in_code", "checked_in_at", "checked_in_by", "confirmed_at", "cancelled_at", "expires_at",
        "created_at",
    )
    fields = readonly_fields
    actions = ["mark_attended", "cancel_registrations"]

    def has_add_permission(self, request):
        return False  # registrations are made by the people themselves (portal or public page)

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead; the record stays

    @admin.action(description=_("Mark as attended (checked in)"), permissions=["change"])
    def mark_attended(self, request, queryset):
        done, problems = services.registration_mark_attended(
            registration_ids=list(queryset.values_list("pk", flat=True)), actor=request.user
        )
        for problem in problems[:20]:
            self.message_user(request, problem, messages.WARNING)
        self.message_user(request, ngettext("%(n)d person marked as attended.", "%(n)d people marked as attended.", done) % {"n": done})

    @admin.action(description=_("Cancel selected registrations (promotes the waitlist)"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        done = 0
        for registration_id in queryset.values_list("pk", flat=True):
            try:
                services.registration_cancel(registration_id=registration_id, actor=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.WARNING)
        self.message_user(request, ngettext("%(n)d registration cancelled.", "%(n)d registrations cancelled.", done) % {"n": done})


@admin.register(Feedback)
class FeedbackAdmin(IndexedSearchMixin, admin.ModelAdmin):
    list_display = ("event_title", "rating", "short_comment", "person", "created_at")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("rating", FeedbackEventFilter)  # not every event that has feedback (tens of thousands of links)
    search_fields = ("comment", "registration__name", "registration__event__title_en")
    list_select_related = ("registration", "registration__event")
    paginator = BoundedCountPaginator
    show_full_result_count = False  # one COUNT less
    readonly_fields = ("registration", "rating", "comment", "created_at")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("event"), ordering="registration__event__start")
    def event_title(self, obj):
        return obj.registration.event.title_en

    @admin.display(description=_("person"))
    def person(self, obj):
        return obj.registration.name

    @admin.display(description=_("comment"))
    def short_comment(self, obj):
        return obj.comment[:80]
