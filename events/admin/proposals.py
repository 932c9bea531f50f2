"""Staff pages of co-organised events: event proposals (decide: accept, ask for changes, decline)
and authorised proposers."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import DecideViewMixin

from .. import permissions, services, workflow
from ..forms import ProposalDecisionForm
from ..models import EventProposal, EventProposer


@admin.register(EventProposal)
class EventProposalAdmin(DecideViewMixin, SimpleHistoryAdmin):
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

    def can_decide(self, request, obj) -> bool:
        return workflow.can_fire(request.user, obj, "proposal.accept")

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
