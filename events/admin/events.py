"""Staff pages of events: list and calendar (month, week), agenda and registrations inline,
publish (with warnings), cancel (everyone told), attendance, exports and a per-event summary."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import (
    BatchedAutocompleteInlineMixin,
    BoundedCountPaginator,
    IndexedSearchMixin,
)
from kitb_portal.common.zonetime import range_text
from kitb_portal.jobs.permissions import can_start_export

from .. import selectors, services, workflow
from ..forms import EventAdminForm
from ..models import Event, Registration, RegistrationStatus, Room, Session
from .exports import _export_response
from .filters import MoUFilter, TopicFilter, VenueFilter, YearFilter


class SessionInline(BatchedAutocompleteInlineMixin, admin.TabularInline):
    model = Session
    extra = 0
    fields = ("title", "title_id", "title_ko", "start", "end", "room", "language", "interpretation", "speakers", "description")
    autocomplete_fields = ("room", "speakers")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "room":  # a room's name shows its venue: read together
            kwargs["queryset"] = Room.objects.select_related("venue")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("speakers")  # each row's chosen speakers


class FirstRegistrationsFormSet(BaseInlineFormSet):
    """An event's registrations on its change page: the first ``limit`` in the inline's order, and
    ``more`` when there are others (a conference has hundreds; each row is nine read-only fields,
    about a millisecond a row, and the page would grow with them). The registrations list, filtered by
    the event, has them all."""

    limit = 50

    def get_queryset(self):
        if not hasattr(self, "_first"):
            rows = list(super().get_queryset()[: self.limit + 1])  # one more tells whether there are others
            self.more = len(rows) > self.limit
            self._first = rows[: self.limit]
        return self._first


class RegistrationInline(admin.TabularInline):
    model = Registration
    formset = FirstRegistrationsFormSet
    template = "admin/events/event/registration_inline.html"  # the tabular inline, and a link to them all
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("name", "email", "organization_name", "country", "attendance", "status", "waitlist_position", "check_in_code", "checked_in_at")
    readonly_fields = fields
    ordering = ("status", "waitlist_position", "name")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")  # each row's title names its event


@admin.register(Event)
class EventAdmin(IndexedSearchMixin, SimpleHistoryAdmin):
    form = EventAdminForm
    list_display = ("title_en", "kind", "status", "when", "venue", "places", "waitlisted_count", "is_public", "staff_links")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("kind", "status", TopicFilter, YearFilter, VenueFilter, MoUFilter, "mode", "is_public")
    search_fields = ("title_en", "title_id", "title_ko", "slug")
    list_per_page = 25  # every row costs rendering time: 25 keep the page fast
    paginator = BoundedCountPaginator
    show_full_result_count = False  # one COUNT less
    list_select_related = ("venue", "mou")
    autocomplete_fields = ("venue", "room")
    raw_id_fields = ("mou", "commitment")
    filter_horizontal = ("organizers",)
    readonly_fields = ("staff_links", "status", "published_at", "cancelled_at", "cancellation_reason", "sequence", "created_by")
    inlines = [SessionInline, RegistrationInline]
    actions = ["publish_selected", "cancel_selected", "mark_attendance", "export_registrations_csv", "export_registrations_xlsx"]
    fieldsets = (
        (None, {"fields": ("staff_links", "kind", "status", "title_en", "title_id", "title_ko", "slug", "is_public", "topics", "organizers")}),
        (_("Description"), {"fields": ("description_en", "description_id", "description_ko")}),
        (
            _("Time and place"),
            {
                "fields": ("start", "end", "mode", "venue", "room", "meeting_link", "capacity", "online_capacity", "registration_opens", "registration_closes"),
                "description": _("Times are entered in your own time zone and stored in UTC."),
            },
        ),
        (_("MoU"), {"fields": ("mou", "commitment")}),
        (_("Record"), {"classes": ("collapse",), "fields": ("published_at", "cancelled_at", "cancellation_reason", "sequence", "created_by")}),
    )

    def get_queryset(self, request):
        return selectors.event_admin_queryset(super().get_queryset(request))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "meeting_link":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- columns ---------------------------------------------------------------------------------
    @admin.display(description=_("when (WIB · KST)"), ordering="start")
    def when(self, obj):
        return range_text(obj.start, obj.end, "Asia/Jakarta")

    @admin.display(description=_("places taken"))
    def places(self, obj):
        return f"{getattr(obj, 'confirmed_count', '?')} / {obj.capacity}"

    @admin.display(description=_("waitlisted"), ordering="waitlisted_count")
    def waitlisted_count(self, obj):
        return getattr(obj, "waitlisted_count", "")

    @admin.display(description=_("links"))
    def staff_links(self, obj):
        if not obj or not obj.pk:
            return "—"
        links = [
            (reverse("admin:events_event_summary", args=[obj.pk]), _("summary")),
            (reverse("events:checkin", args=[obj.pk]), _("check-in")),
        ]
        if workflow.TRANSITIONS["event.publish"].allowed_from(obj.status):
            links.append((reverse("admin:events_event_publish", args=[obj.pk]), _("publish…")))
        return format_html_join(" · ", '<a href="{}">{}</a>', ((url, str(label)) for url, label in links))

    # --- saving through the service ---------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        try:
            services.event_save(event=obj, actor=request.user)
        except ValidationError as exc:  # a race the form could not see (overlap): tell, do not 500
            raise PermissionDenied("; ".join(exc.messages)) from exc

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "calendar_url": reverse("admin:events_event_calendar")}
        return super().changelist_view(request, extra_context)

    # --- extra pages --------------------------------------------------------------------------------
    def get_urls(self):
        own = [
            path("calendar/", self.admin_site.admin_view(self.calendar_view), name="events_event_calendar"),
            path("<int:object_id>/summary/", self.admin_site.admin_view(self.summary_view), name="events_event_summary"),
            path("<int:object_id>/publish/", self.admin_site.admin_view(self.publish_view), name="events_event_publish"),
            path(
                "<int:object_id>/registrations.<str:fmt>", self.admin_site.admin_view(self.export_view),
                name="events_event_export",
            ),
        ]
        return own + super().get_urls()

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def calendar_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        mode = "week" if request.GET.get("view") == "week" else "month"
        try:
            day = dt.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            day = timezone.localdate()
        tz = timezone.get_current_timezone()
        if mode == "month":
            first = day.replace(day=1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            grid_start = first - dt.timedelta(days=first.weekday())
            grid_end = last + dt.timedelta(days=6 - last.weekday())
            prev_day = (first - dt.timedelta(days=1)).replace(day=1)
            next_day = last + dt.timedelta(days=1)
            title = date_format(first, "YEAR_MONTH_FORMAT")  # "Desember 2026", "2026년 12월"
        else:
            grid_start = day - dt.timedelta(days=day.weekday())
            grid_end = grid_start + dt.timedelta(days=6)
            prev_day, next_day = grid_start - dt.timedelta(days=7), grid_start + dt.timedelta(days=7)
            iso = grid_start.isocalendar()
            title = _("Week %(week)s of %(year)s") % {"week": iso.week, "year": iso.year}
        range_start = dt.datetime.combine(grid_start, dt.time.min, tzinfo=tz)
        range_end = dt.datetime.combine(grid_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        events = list(selectors.event_calendar(range_start, range_end))
        days = []
        current = grid_start
        today = timezone.localdate()
        while current <= grid_end:
            day_start = dt.datetime.combine(current, dt.time.min, tzinfo=tz)
            day_end = day_start + dt.timedelta(days=1)
            days.append(
                {
                    "date": current,
                    "in_month": mode == "week" or current.month == day.month,
                    "today": current == today,
                    "events": [e for e in events if e.start < day_end and e.end > day_start],
                }
            )
            current += dt.timedelta(days=1)
        weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
        context = self._context(
            request, title=_("Event calendar"), mode=mode, weeks=weeks, period_title=title,
            prev_url=f"?{urlencode({'view': mode, 'date': prev_day.isoformat()})}",
            next_url=f"?{urlencode({'view': mode, 'date': next_day.isoformat()})}",
            today_url=f"?{urlencode({'view': mode})}",
            month_url=f"?{urlencode({'view': 'month', 'date': day.isoformat()})}",
            week_url=f"?{urlencode({'view': 'week', 'date': day.isoformat()})}",
            weekdays=[date_format(d["date"], "D") for d in days[:7]],  # "Sen", "월", from Django's catalogue
        )
        return TemplateResponse(request, "admin/events/event/calendar.html", context)

    def summary_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = selectors.staff_event_get(object_id)
        summary = selectors.event_summary(event)
        top = max([n for _r, n in summary["ratings"]] or [0])
        ratings = [(r, n, round(10 * n / top) if top else 0) for r, n in summary["ratings"]]
        context = self._context(
            request, title=_("Summary: %(title)s") % {"title": event.title_en}, event=event, summary=summary,
            ratings=ratings, when=range_text(event.start, event.end, "Asia/Jakarta"),
        )
        return TemplateResponse(request, "admin/events/event/summary.html", context)

    def export_view(self, request, object_id, fmt):
        if not self.has_export_registrations_permission(request) or fmt not in ("csv", "xlsx"):
            raise PermissionDenied
        event = selectors.staff_event_get(object_id)
        return _export_response(selectors.registrations_for_export([event.pk]), fmt, f"registrations-{event.slug}")

    def publish_view(self, request, object_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        event = selectors.staff_event_get(object_id)
        if request.method == "POST":
            self._publish(request, [event])
            return redirect("admin:events_event_change", event.pk)
        context = self._context(
            request, title=_("Publish events"), items=[(event, selectors.event_publish_warnings(event))],
            action=None, selected=[],
        )
        return TemplateResponse(request, "admin/events/event/publish_confirm.html", context)

    # --- actions --------------------------------------------------------------------------------------
    def _publish(self, request, events):
        published = 0
        for event in events:
            try:
                warnings = services.event_publish(event_id=event.pk, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{event.title_en}: {'; '.join(exc.messages)}", messages.ERROR)
                continue
            published += 1
            for warning in warnings:
                self.message_user(request, f"{event.title_en}: {warning}", messages.WARNING)
        if published:
            self.message_user(
                request, ngettext("%(n)d event published.", "%(n)d events published.", published) % {"n": published},
                messages.SUCCESS,
            )

    @admin.action(description=_("Publish selected events (shows warnings first)"), permissions=["change"])
    def publish_selected(self, request, queryset):
        events = list(queryset.filter(status__in=workflow.TRANSITIONS["event.publish"].sources).select_related("venue", "room", "mou"))
        if not events:
            self.message_user(request, _("Only drafts can be published; none was selected."), messages.WARNING)
            return None
        items = [(event, selectors.event_publish_warnings(event)) for event in events]
        if request.POST.get("confirm") == "yes" or not any(w for _e, w in items):
            self._publish(request, events)
            return None
        context = self._context(
            request, title=_("Publish events"), items=items, action="publish_selected",
            selected=[str(e.pk) for e in events],
        )
        return TemplateResponse(request, "admin/events/event/publish_confirm.html", context)

    @admin.action(description=_("Cancel selected events (everyone registered is told)"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        events = list(queryset.filter(status__in=workflow.TRANSITIONS["event.cancel"].sources))
        if not events:
            self.message_user(request, _("None of the selected events can be cancelled."), messages.WARNING)
            return None
        if request.POST.get("confirm") != "yes":
            context = self._context(
                request, title=_("Cancel events"), events=events, action="cancel_selected",
                selected=[str(e.pk) for e in events],
            )
            return TemplateResponse(request, "admin/events/event/cancel_confirm.html", context)
        reason = request.POST.get("reason", "").strip()[:2000]
        done = 0
        for event in events:
            try:
                services.event_cancel(event_id=event.pk, actor=request.user, reason=reason)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{event.title_en}: {'; '.join(exc.messages)}", messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%(n)d event cancelled; the people registered are being told.",
                         "%(n)d events cancelled; the people registered are being told.", done) % {"n": done},
                messages.SUCCESS,
            )
        return None

    @admin.action(description=_("Mark attendance (choose who came)"), permissions=["view"])
    def mark_attendance(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True)[:2])
        if len(ids) != 1:
            self.message_user(request, _("Choose one event to mark attendance for."), messages.WARNING)
            return None
        url = reverse("admin:events_registration_changelist")
        return HttpResponseRedirect(f"{url}?{urlencode({'event__id__exact': ids[0], 'status__exact': RegistrationStatus.CONFIRMED})}")

    def has_export_registrations_permission(self, request):
        """The registrations' export permission (view of events and of registrations), as the
        registrations admin's own export checks it."""
        return self.has_view_permission(request) and can_start_export(request.user, Registration)

    @admin.action(description=_("Export registrations of selected events (CSV)"), permissions=["export_registrations"])
    def export_registrations_csv(self, request, queryset):
        return _export_response(selectors.registrations_for_export(list(queryset.values_list("pk", flat=True))), "csv", "registrations")

    @admin.action(description=_("Export registrations of selected events (XLSX)"), permissions=["export_registrations"])
    def export_registrations_xlsx(self, request, queryset):
        return _export_response(selectors.registrations_for_export(list(queryset.values_list("pk", flat=True))), "xlsx", "registrations")
