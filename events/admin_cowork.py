"""Admin of the partners-as-co-workers features: event proposals (decide: accept, ask for changes,
decline) and authorised proposers."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import permissions, services
from .forms import ProposalDecisionForm
from .models import EventProposal, EventProposer, ProposalStatus


@admin.register(EventProposal)
class EventProposalAdmin(SimpleHistoryAdmin):
    list_display = ("title_en", "organization", "kind", "mode", "preferred_start", "expected_audience", "status", "created_at")
    list_filter = ("status", "kind", "mode")
    list_select_related = ("organization",)
    search_fields = ("title_en", "title_id", "title_ko", "organization__name")
    readonly_fields = (
        "organization", "proposed_by", "kind", "title_en", "title_id", "title_ko", "description_en", "description_id",
        "description_ko", "preferred_start", "preferred_end", "mode", "expected_audience", "audience_description", "mou",
        "commitment", "status", "decision_message", "decided_by", "decided_at", "event",
    )
    fields = readonly_fields
    change_form_template = "admin/events/eventproposal/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/decide/", self.admin_site.admin_view(self.decide_view), name=f"{prefix}_decide"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        proposal = self.get_object(request, object_id)
        if proposal is not None and proposal.status == ProposalStatus.SUBMITTED and permissions.can_decide_proposals(request.user):
            extra_context["decide_url"] = reverse("admin:events_eventproposal_decide", args=[proposal.pk])
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def decide_view(self, request, object_id):
        proposal = self.get_object(request, object_id)
        if proposal is None:
            raise Http404
        if not permissions.can_decide_proposals(request.user):
            raise PermissionDenied
        change_url = reverse("admin:events_eventproposal_change", args=[proposal.pk])
        form = ProposalDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "accept":
                    event = services.proposal_accept(
                        actor=request.user, proposal_id=proposal.pk, message=data["message"], venue=data["venue"],
                        start=data["start"], end=data["end"], capacity=data["capacity"],
                    )
                    self.message_user(request, gettext("Accepted: the draft event is ready to complete and publish."), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
                if data["decision"] == "changes":
                    services.proposal_request_changes(actor=request.user, proposal_id=proposal.pk, message=data["message"])
                else:
                    services.proposal_decline(actor=request.user, proposal_id=proposal.pk, message=data["message"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, gettext("Your answer was sent to the partner."), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "original": proposal,
            "title": gettext("Decide on the proposal"), "form": form, "change_url": change_url,
        }
        return TemplateResponse(request, "admin/events/eventproposal/decide.html", context)


@admin.register(EventProposer)
class EventProposerAdmin(admin.ModelAdmin):
    list_display = ("user", "granted_by", "created_at")
    search_fields = ("user__email", "user__full_name", "user__organization__name")
    raw_id_fields = ("user", "granted_by")
    verbose_name = _("authorised event proposer")


# --- delegations ----------------------------------------------------------------------------------------
from django import forms  # noqa: E402
from django.http import HttpResponse  # noqa: E402

from kitb_portal.accounts.models import Organization  # noqa: E402

from .delegations import PASSPORT_FIELDS  # noqa: E402
from .forms import DelegationForm, DelegationMemberFormSet, apply_member_errors, member_rows  # noqa: E402
from .models import Delegation, DelegationMember, Event, IssuedDocument  # noqa: E402


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
    event = forms.ModelChoiceField(label=_("Event"), queryset=Event.objects.filter(status="published").order_by("start"))
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
        from .delegation_views import pdf_response
        from .documents import letter_pdf
        from .models import DocumentKind

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
        from .delegation_views import visa_list_csv

        if not permissions.is_events_officer(request.user):
            raise PermissionDenied
        delegations = queryset.select_related("event").prefetch_related("members__registration")
        response = HttpResponse(visa_list_csv(delegations), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="visa-list.csv"'
        response["Cache-Control"] = "private, no-store"
        return response

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


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    list_display = ("kind", "holder_name", "registration", "signer_name", "created_at")
    list_filter = ("kind",)
    search_fields = ("holder_name", "code", "registration__event__title_en")
    readonly_fields = ("kind", "code", "registration", "holder_name", "language", "signer_name", "signer_title", "issued_by")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
