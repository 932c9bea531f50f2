"""Staff pages of delegations: register one (members placed together), members read-only (passport
data for the events officer only), visa list and visa invitation letters."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.accounts.models import Organization
from kitb_portal.common.downloads import attachment_response

from .. import permissions, services
from ..forms import DelegationForm, DelegationMemberFormSet, apply_member_errors, member_rows
from ..models import Delegation, DelegationMember, DocumentKind, Event, IssuedDocument
from ..services.delegations import PASSPORT_FIELDS


class DelegationMemberInline(admin.TabularInline):
    """Members read-only here (changes go through the services); passport data only for the events officer."""

    model = DelegationMember
    extra = 0
    can_delete = False
    show_change_link = False

    def get_fields(self, request, obj=None):
        fields = ["full_name", "position", "email", "registration", "dietary", "allergies", "accessibility"]
        if obj is not None and permissions.can_see_passport(request.user, obj):
            fields += [*PASSPORT_FIELDS, "passport_purged_at"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DelegationRegisterForm(DelegationForm):
    # An id with the admin's lookup (the magnifier opens the event list), not a select of every event.
    event = forms.ModelChoiceField(
        label=_("Event"), queryset=Event.objects.filter(status="published"),
        widget=ForeignKeyRawIdWidget(Delegation._meta.get_field("event").remote_field, admin.site),
        help_text=_("The id of a published event: the magnifier finds it."),
    )
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.filter(is_host=False).order_by("name"))


@admin.register(Delegation)
class DelegationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "event", "organization", "attendance", "split_allowed", "status", "editable_until")
    list_filter = ("status", "attendance")
    list_select_related = ("event", "organization")
    search_fields = ("name", "organization__name", "event__title_en")
    readonly_fields = ("event", "organization", "administrator", "attendance", "language", "registered_by")
    fields = ("name", "event", "organization", "administrator", "registered_by", "attendance", "split_allowed",
              "language", "editable_until", "status")
    inlines = [DelegationMemberInline]
    actions = ["visa_list", "issue_letters"]
    change_list_template = "admin/events/delegation/change_list.html"

    def has_add_permission(self, request):
        return False  # through "Register a delegation" (the service places members together)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not permissions.is_events_officer(request.user):
            actions.pop("visa_list", None)
            actions.pop("issue_letters", None)
        return actions

    @admin.action(description=_("Issue visa invitation letters"))
    def issue_letters(self, request, queryset):
        if not permissions.is_events_officer(request.user):
            raise PermissionDenied
        for delegation in queryset:
            try:
                letters = services.visa_letters_issue(actor=request.user, delegation_id=delegation.pk)
            except ValidationError as exc:
                self.message_user(request, f"{delegation}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(d)s: %(n)s letters issued.") % {"d": delegation, "n": len(letters)},
                                  messages.SUCCESS)

    def letter_view(self, request, object_id, member_id):
        """A member's letter for the events officer (it holds passport data)."""
        from ..delegation_views import pdf_response
        from ..services.documents import letter_pdf

        if not permissions.is_events_officer(request.user):
            raise PermissionDenied
        document = IssuedDocument.objects.filter(
            kind=DocumentKind.VISA_LETTER, registration__delegation_member__pk=member_id,
            registration__delegation_member__delegation_id=object_id,
        ).select_related("registration__event__venue").first()
        if document is None:
            raise Http404
        return pdf_response(letter_pdf(document), f"invitation-letter-{member_id}.pdf")

    @admin.action(description=_("Visa list (CSV, passport data)"))
    def visa_list(self, request, queryset):
        from ..delegation_views import visa_list_csv

        if not permissions.is_events_officer(request.user):
            raise PermissionDenied
        delegations = queryset.select_related("event").prefetch_related("members__registration")
        return attachment_response(visa_list_csv(delegations), "visa-list.csv", "text/csv; charset=utf-8")

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("register/", self.admin_site.admin_view(self.register_view), name=f"{prefix}_register"),
            path("<path:object_id>/letters/<int:member_id>.pdf", self.admin_site.admin_view(self.letter_view),
                 name=f"{prefix}_letter"),
        ] + super().get_urls()

    def register_view(self, request):
        if not request.user.has_perm("events.add_delegation"):
            raise PermissionDenied
        form = DelegationRegisterForm(request.POST or None)
        formset = DelegationMemberFormSet(request.POST or None, prefix="members", initial=[{}] * 3)
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            rows, _remove = member_rows(formset)
            data = form.cleaned_data
            try:
                delegation = services.delegation_register(
                    actor=request.user, event_id=data["event"].pk, members=rows, name=data["name"],
                    attendance=data["attendance"] or None, split_allowed=data["split_allowed"], organization=data["organization"],
                )
            except ValidationError as exc:
                apply_member_errors(formset, form, exc)
            else:
                self.message_user(request, gettext("The delegation is registered."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:events_delegation_change", args=[delegation.pk]))
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": gettext("Register a delegation"),
            "form": form, "formset": formset,
        }
        return TemplateResponse(request, "admin/events/delegation/register.html", context)
