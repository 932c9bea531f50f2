"""The MoU admin: changelist (filters, search, import/export), transitions as actions and buttons,
document upload, and the annual review pack pages (one MoU's, and the programme's)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import BoundedCountPaginator, IndexedSearchMixin
from kitb_portal.jobs.admin_mixins import BackgroundImportExportMixin

from .. import selectors, services, workflow
from ..forms import TRANSITION_FORMS, AdminDocumentUploadForm, bound_args
from ..models import Commitment, CommitmentStatus, MoU, MoUNote, MoUParty, MoUStatus, MoUTarget, ScopeArea
from ..resources import MoUResource
from .filters import ExpiringFilter, PartyFilter, ScopeFilter
from .inlines import CommitmentInline, MoUDocumentInline, MoUNoteInline, MoUPartyInline, MoUTargetInline, MoUTermInline


def _transition_action(name: str):
    transition = workflow.TRANSITIONS[name]
    service = getattr(services, transition.service)

    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for mou in queryset.order_by("pk"):
            try:
                service(mou_id=mou.pk, actor=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                refused.append(" ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc) or mou.reference)
        if done:
            modeladmin.message_user(request, gettext("%(action)s: %(n)d MoU(s) done.") % {"action": transition.label, "n": done}, messages.SUCCESS)
        for text in refused:
            modeladmin.message_user(request, text, messages.ERROR)

    action.__name__ = f"action_{name}"
    action.short_description = transition.label
    action.allowed_permissions = ("change",)
    return action


#: Transitions that need no input, offered as changelist actions (the others: buttons with a form).
ACTION_TRANSITIONS = ["start_negotiation", "sign", "activate", "expire"]


@admin.register(MoU)
class MoUAdmin(IndexedSearchMixin, BackgroundImportExportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [MoUResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    change_form_template = "admin/partnerships/mou/change_form.html"
    list_display = ["reference", "title_en", "parties_display", "status", "effective_date", "expiry_date", "owner", "open_commitments"]
    list_display_links = ["reference", "title_en"]
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ["status", PartyFilter, ScopeFilter, ExpiringFilter, "auto_renew"]
    list_select_related = ["owner"]
    search_fields = ["reference", "title_id", "title_ko", "title_en", "parties__organization__name", "parties__organization__local_name"]
    readonly_fields = ["status", "term_number", "signed_date", "termination_date", "termination_reason", "created_at", "updated_at"]
    raw_id_fields = ["owner"]
    date_hierarchy = None
    list_per_page = 25  # every row costs rendering time: 25 keep the page fast
    paginator = BoundedCountPaginator
    show_full_result_count = False  # one COUNT less
    inlines = [MoUPartyInline, MoUDocumentInline, CommitmentInline, MoUTargetInline, MoUNoteInline, MoUTermInline]
    fieldsets = [
        (None, {"fields": ["reference", "title_en", "title_id", "title_ko", "summary", "scope", "owner"]}),
        (_("Status and dates"), {"fields": ["status", "term_number", "signed_date", "effective_date", "expiry_date",
                                            "auto_renew", "renewal_notice_days", "termination_date", "termination_reason"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    actions = [_transition_action(name) for name in ACTION_TRANSITIONS]

    def get_queryset(self, request):
        open_count = (
            Commitment.objects.filter(mou=OuterRef("pk"), status=CommitmentStatus.OPEN)
            .order_by().values("mou").annotate(n=Count("pk")).values("n")
        )
        return (
            super().get_queryset(request)
            .annotate(open_commitments_count=Coalesce(Subquery(open_count, output_field=IntegerField()), 0))
            .prefetch_related(Prefetch("parties", queryset=MoUParty.objects.select_related("organization")))
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "scope":
            from django import forms

            return forms.TypedMultipleChoiceField(
                choices=ScopeArea.choices, widget=forms.CheckboxSelectMultiple, required=False, label=db_field.verbose_name,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("parties"))
    def parties_display(self, obj):
        return ", ".join(p.organization.name for p in obj.parties.all())

    @admin.display(description=_("open commitments"), ordering="open_commitments_count")
    def open_commitments(self, obj):
        return obj.open_commitments_count

    def get_actions(self, request):
        """Only the transitions allowed from the status the list is filtered by (all, if not filtered)."""
        actions = super().get_actions(request)
        status = request.GET.get("status__exact")
        if status in MoUStatus.values:
            for name in ACTION_TRANSITIONS:
                if not workflow.TRANSITIONS[name].allowed_from(status):
                    actions.pop(f"action_{name}", None)
        return actions

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            if isinstance(obj, MoUTarget):
                services.target_delete(actor=request.user, target_id=obj.pk)
            else:
                obj.delete()
        for obj in instances:
            if isinstance(obj, MoUNote) and obj.author_id is None:
                obj.author = request.user
            if isinstance(obj, MoUTarget):
                services.target_save(actor=request.user, target=obj)
                continue
            obj.save()
        formset.save_m2m()

    # custom pages: transitions and upload
    def get_urls(self):
        urls = super().get_urls()
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        custom = [
            path("<path:object_id>/transition/<str:name>/", self.admin_site.admin_view(self.transition_view),
                 name=f"{prefix}_transition"),
            path("<path:object_id>/upload/", self.admin_site.admin_view(self.upload_view), name=f"{prefix}_upload"),
            path("<int:object_id>/review/<int:year>/", self.admin_site.admin_view(self.review_view), name=f"{prefix}_review"),
            path("review/programme/<int:year>/", self.admin_site.admin_view(self.programme_review_view),
                 name=f"{prefix}_programme_review"),
        ]
        return custom + urls

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        mou = self.get_object(request, object_id)
        extra_context["review_year"] = timezone.localdate().year
        if mou is not None:
            # get_queryset read the parties with their organisations; the documents' answers are added
            prefetch_related_objects([mou], "documents__approvals")
            extra_context["transitions"] = workflow.available(mou, request.user)
            extra_context["sign_blockers"] = (
                services.sign_blockers(mou, prefetched=True) if mou.status == MoUStatus.NEGOTIATION else []
            )
            extra_context["current_draft"] = selectors.current_draft(mou)
            extra_context["draft_approvals"] = selectors.draft_approvals(mou)
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def get_object(self, request, object_id, from_field=None):
        """Read once per request: change_view needs the MoU before Django's change form reads it again."""
        memo = request.__dict__.setdefault("_kitb_mou_objects", {})
        key = (str(object_id), from_field)
        if key not in memo:
            memo[key] = super().get_object(request, object_id, from_field)
        return memo[key]

    def transition_view(self, request, object_id, name):
        mou = self.get_object(request, object_id)
        if mou is None or name not in workflow.TRANSITIONS:
            raise Http404
        if not self.has_change_permission(request, mou):
            raise PermissionDenied
        transition = workflow.TRANSITIONS[name]
        change_url = reverse("admin:partnerships_mou_change", args=[mou.pk])
        if transition not in workflow.available(mou, request.user):
            self.message_user(request, gettext("“%(action)s” is not allowed for this MoU now.") % {"action": transition.label}, messages.ERROR)
            return HttpResponseRedirect(change_url)
        form_class = TRANSITION_FORMS[name]
        form = form_class(*bound_args(request, files=False))
        if request.method == "POST" and form.is_valid():
            service = getattr(services, transition.service)
            try:
                service(mou_id=mou.pk, actor=request.user, **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or gettext("Not allowed."))
                form.add_error(None, text)
            else:
                self.message_user(request, gettext("%(action)s: done.") % {"action": transition.label}, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "original": mou, "title": transition.label,
            "form": form, "transition": transition, "change_url": change_url,
            "sign_blockers": services.sign_blockers(mou) if name == "sign" else [],
        }
        return TemplateResponse(request, "admin/partnerships/mou/transition.html", context)

    def upload_view(self, request, object_id):
        mou = self.get_object(request, object_id)
        if mou is None:
            raise Http404
        if not self.has_change_permission(request, mou):
            raise PermissionDenied
        change_url = reverse("admin:partnerships_mou_change", args=[mou.pk])
        form = AdminDocumentUploadForm(*bound_args(request))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                document = services.document_upload(
                    actor=request.user, mou_id=mou.pk, uploaded_file=data["file"], kind=data["kind"],
                    language=data["language"], governing_language=data["governing_language"], comment=data["comment"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            else:
                self.message_user(request, gettext("Version %(v)s was uploaded.") % {"v": document.version}, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "original": mou,
            "title": gettext("Upload a document version"), "form": form, "change_url": change_url, "is_upload": True,
        }
        return TemplateResponse(request, "admin/partnerships/mou/transition.html", context)


    # --- the annual review pack ---------------------------------------------------------------
    def _review_page(self, request, *, mou, year: int):
        from kitb_portal.reports import services as reports
        from kitb_portal.reports.models import ReviewPackVersion

        from ..services.reviews import pack_context, pack_titles

        if not request.user.has_perm("reports.view_reviewpackversion"):
            raise PermissionDenied
        period_kind = request.GET.get("period") or request.POST.get("period") or "calendar"
        if mou is None or period_kind not in ("calendar", "anniversary"):
            period_kind = "calendar"
        if not 2000 <= year <= 2100:
            raise Http404
        if request.method == "POST":
            # Reading the pack is not making a version of it: the service refuses (PermissionDenied, a 403).
            try:
                job = services.review_pack_generate(actor=request.user, mou_id=mou.pk if mou else None, year=year,
                                                    period_kind=period_kind)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, gettext("The pack is being generated; this page shows its progress."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:jobs_backgroundjob_change", args=[job.pk]))
        subject, subject_id = ("mou", mou.pk) if mou else ("programme", 0)
        ctx = pack_context(mou=mou, year=year, period_kind=period_kind)
        title, subtitle = pack_titles(mou, year, period_kind)
        lang = (translation_language() or "en")
        narrative = reports.narratives_for(subject=subject, subject_id=subject_id, period_kind=period_kind, year=year).get(lang)
        rendered = reports.build_html(ctx, language=lang, title=title, subtitle=subtitle, narrative=narrative)
        versions = list(ReviewPackVersion.objects.filter(subject=subject, subject_id=subject_id, period_kind=period_kind, year=year)
                        .prefetch_related("sign_offs__organization").order_by("-number"))
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "original": mou, "title": title(),
            "body": rendered.html, "year": year, "period_kind": period_kind, "versions": versions,
            "can_generate": request.user.has_perm("reports.add_reviewpackversion"),
            "narrative_url": reverse("admin:reports_reviewnarrative_changelist")
            + f"?subject={subject}&subject_id={subject_id}&year={year}",
            "previous_year": year - 1, "next_year": year + 1,
        }
        return TemplateResponse(request, "admin/partnerships/mou/review.html", context)

    def review_view(self, request, object_id, year):
        # The MoU alone (the pack reads its parties itself): not get_object, whose queryset adds the
        # changelist's annotations and prefetches.
        mou = MoU.objects.filter(pk=object_id).first()
        if mou is None or not self.has_view_permission(request, mou):
            raise Http404
        return self._review_page(request, mou=mou, year=int(year))

    def programme_review_view(self, request, year):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._review_page(request, mou=None, year=int(year))


def translation_language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "en")[:2]
