"""Committee meetings in the admin: the meeting, its members and agenda (edited while it is
scheduled), a page for the attendance and every member's vote, and the chair's "close" button that
counts the votes and freezes the minutes. A closed meeting is read-only; its minutes are served to
staff who may view meetings."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.downloads import stored_file_response

from .. import services
from ..forms import committee_members
from ..models import AgendaItem, CommitteeMeeting, MeetingMember, MeetingVote, VoteChoice
from ..permissions import can_manage_meetings, can_record_meeting, can_view_meetings
from ..services.committee import check_agenda_application
from .common import error_text, run_service


class MemberInline(admin.TabularInline):
    model = MeetingMember
    extra = 0
    fields = ("user", "present")
    readonly_fields = ("present",)  # recorded on the attendance and votes page

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = committee_members()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ("application", "position")

    def clean_application(self):
        application = self.cleaned_data["application"]
        if application is not None and (self.instance.pk is None or self.instance.application_id != application.pk):
            try:
                check_agenda_application(application)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return application


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    form = AgendaItemForm
    extra = 0
    fields = ("position", "application", "outcome", "votes_approve", "votes_reject", "votes_abstain", "votes_conflicted")
    readonly_fields = ("outcome", "votes_approve", "votes_reject", "votes_abstain", "votes_conflicted")
    autocomplete_fields = ("application",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application")


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "held_at", "chair", "status", "closed_at")
    list_filter = ("status",)
    list_select_related = ("chair",)
    search_fields = ("title",)
    date_hierarchy = "held_at"
    inlines = [MemberInline, AgendaInline]
    change_form_template = "tenants/admin/meeting_change_form.html"
    fields = ("title", "held_at", "location", "chair", "quorum", "minutes", "status", "closed_at", "closed_by", "frozen_minutes")
    readonly_fields = ("status", "closed_at", "closed_by", "frozen_minutes")

    def has_module_permission(self, request):
        return can_view_meetings(request.user)

    def has_view_permission(self, request, obj=None):
        return can_view_meetings(request.user)

    def has_add_permission(self, request):
        return can_manage_meetings(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_open:
            return False  # closed or cancelled: frozen
        if obj is not None and request.user.pk == obj.chair_id:
            return True  # the chair writes the minutes
        return can_manage_meetings(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead; the record stays

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "chair":
            kwargs["queryset"] = committee_members()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        meeting = form.instance
        if not meeting.members.filter(user_id=meeting.chair_id).exists():  # the chair is a member
            MeetingMember.objects.create(meeting=meeting, user_id=meeting.chair_id)

    @admin.display(description=_("frozen minutes"))
    def frozen_minutes(self, obj):
        if not obj.minutes_sha256:
            return "—"
        url = reverse("admin:tenants_committeemeeting_minutes", args=[obj.pk])
        return format_html('<a href="{}">{}</a> · SHA-256 <code>{}</code>', url, obj.minutes_format.upper(), obj.minutes_sha256)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            extra_context["meeting_actions"] = obj.is_open and can_record_meeting(request.user, obj)
            extra_context["can_close"] = obj.is_open and request.user.pk == obj.chair_id
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/votes/", wrap(self.votes_view), name="tenants_committeemeeting_votes"),
            path("<int:pk>/close/", wrap(self.close_view), name="tenants_committeemeeting_close"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="tenants_committeemeeting_cancel"),
            path("<int:pk>/minutes/", wrap(self.minutes_view), name="tenants_committeemeeting_minutes"),
        ] + super().get_urls()

    def _meeting(self, request, pk) -> CommitteeMeeting:
        if not can_view_meetings(request.user):
            raise PermissionDenied
        meeting = CommitteeMeeting.objects.select_related("chair").filter(pk=pk).first()
        if meeting is None:
            raise Http404
        return meeting

    def votes_view(self, request, pk):
        """One page: who is present, and each present member's vote on each application."""
        meeting = self._meeting(request, pk)
        if not (meeting.is_open and can_record_meeting(request.user, meeting)):
            raise PermissionDenied
        members = list(meeting.members.select_related("user").order_by("user__full_name", "pk"))
        items = list(meeting.agenda.select_related("application").order_by("position", "pk"))
        votes = {(v.item_id, v.member_id): v.choice for v in MeetingVote.objects.filter(item__meeting=meeting)}
        change_url = reverse("admin:tenants_committeemeeting_change", args=[meeting.pk])
        if request.method == "POST":
            present = [m.user_id for m in members if request.POST.get(f"present_{m.pk}")]
            ok = run_service(self, request, meeting.title, services.meeting_attendance_set, meeting_id=meeting.pk, present_user_ids=present)
            if ok:
                for item in items:
                    for member in members:
                        choice = request.POST.get(f"vote_{item.pk}_{member.pk}", "")
                        if not choice or votes.get((item.pk, member.pk)) == choice:
                            continue
                        ok &= run_service(self, request, f"{item.application.company_name} / {member}", services.meeting_vote,
                                          meeting_id=meeting.pk, application_id=item.application_id, voter=member.user, choice=choice)
            if ok:
                self.message_user(request, _("Attendance and votes recorded."), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
            return HttpResponseRedirect(reverse("admin:tenants_committeemeeting_votes", args=[meeting.pk]))
        rows = [
            {"item": item, "cells": [{"member": m, "name": f"vote_{item.pk}_{m.pk}", "value": votes.get((item.pk, m.pk), "")} for m in members]}
            for item in items
        ]
        return TemplateResponse(request, "tenants/admin/meeting_votes.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "meeting": meeting, "members": members, "rows": rows,
            "choices": VoteChoice.choices, "title": _("Attendance and votes: %(meeting)s") % {"meeting": meeting.title},
            "change_url": change_url,
        })

    def close_view(self, request, pk):
        meeting = self._meeting(request, pk)
        change_url = reverse("admin:tenants_committeemeeting_change", args=[meeting.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        try:
            services.meeting_close(meeting_id=meeting.pk, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, f"{meeting.title}: {error_text(exc)}", messages.ERROR)
        else:
            self.message_user(request, _("The meeting is closed; its minutes are frozen."), messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def cancel_view(self, request, pk):
        meeting = self._meeting(request, pk)
        if request.method == "POST" and run_service(self, request, meeting.title, services.meeting_cancel, meeting_id=meeting.pk):
            self.message_user(request, _("The meeting is cancelled."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:tenants_committeemeeting_change", args=[meeting.pk]))

    def minutes_view(self, request, pk):
        meeting = self._meeting(request, pk)
        if not meeting.minutes_file:
            raise Http404
        pdf = meeting.minutes_format == "pdf"
        return stored_file_response(meeting.minutes_file, f"minutes-{meeting.pk}.{'pdf' if pdf else 'html'}",
                                    content_type="application/pdf" if pdf else "text/html; charset=utf-8")
