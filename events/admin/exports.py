"""The registrations' export (CSV, XLSX): the import-export resource, used by the registrations
admin (background export) and by the event admin's export page and actions."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from import_export import fields, resources

from kitb_portal.common.zonetime import range_text
from kitb_portal.jobs.formats import neutralise_dataset

from ..models import Registration


class RegistrationResource(resources.ModelResource):
    event = fields.Field(attribute="event__title_en", column_name="event")
    event_start_utc = fields.Field(column_name="event start (UTC)")
    event_when = fields.Field(column_name="event time (WIB · KST)")
    status = fields.Field(column_name="status")

    class Meta:
        model = Registration
        fields = (
            "id", "event", "event_start_utc", "event_when", "name", "email", "organization_name", "country", "status",
            "check_in_code", "checked_in_at", "confirmed_at", "cancelled_at", "created_at",
        )
        export_order = fields

    def dehydrate_event_start_utc(self, registration):
        return registration.event.start.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")

    def dehydrate_event_when(self, registration):
        return range_text(registration.event.start, registration.event.end, "Asia/Jakarta")

    def dehydrate_status(self, registration):
        return registration.status


def _export_response(queryset, fmt: str, filename: str) -> HttpResponse:
    dataset = neutralise_dataset(RegistrationResource().export(queryset=queryset))
    if fmt == "xlsx":
        response = HttpResponse(
            dataset.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(dataset.export("csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
