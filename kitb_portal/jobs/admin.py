"""The "Background jobs" list, each job's status page (progress bar, result, row errors), its JSON
progress, the download of an export and the confirm/cancel buttons of a checked import.

Only the starter and KITB administrators see a job; for anyone else it does not exist (404).
"""
from __future__ import annotations

from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from kitb_portal.common.admin_tools import ReadOnlyAdminMixin

from . import selectors, services
from .formats import CONTENT_TYPES
from .models import BackgroundJob, JobStatus
from .permissions import can_act_on_job, can_start_export, can_use_jobs

ERRORS_PER_PAGE = 100


@admin.register(BackgroundJob)
class BackgroundJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "model_display", "file_display", "status", "progress_display", "started_by",
                    "created_at", "finished_at")
    list_display_links = ("__str__",)
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("kind", "status", "model_label", "file_format")
    search_fields = ("input_name", "model_label", "started_by__email", "started_by__full_name")
    list_select_related = ("started_by",)
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-created_at", "-pk")

    # --- permissions: any active staff member has the list (of their own jobs); read-only: jobs start
    # from a model's import or export page, and the sweep deletes finished jobs after JOBS_RETENTION_DAYS
    def has_module_permission(self, request):
        return can_use_jobs(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return selectors.backgroundjob_list_for(request.user).filter(pk=obj.pk).exists()
        return can_use_jobs(request.user)

    def get_queryset(self, request):
        return selectors.backgroundjob_list_for(request.user, queryset=super().get_queryset(request))

    # --- columns ------------------------------------------------------------------------------
    @admin.display(description=_("records"), ordering="model_label")
    def model_display(self, obj):
        return obj.model_verbose_name

    @admin.display(description=_("file"))
    def file_display(self, obj):
        return obj.input_name or obj.get_file_format_display()

    @admin.display(description=_("progress"))
    def progress_display(self, obj):
        if obj.total is None:
            return "—"
        return f"{obj.processed} / {obj.total} ({obj.percent} %)"

    # --- pages --------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/progress/", wrap(never_cache(self.progress_view)), name="jobs_backgroundjob_progress"),
            path("<path:object_id>/download/", wrap(self.download_view), name="jobs_backgroundjob_download"),
            path("<path:object_id>/confirm/", wrap(self.confirm_view), name="jobs_backgroundjob_confirm"),
            path("<path:object_id>/cancel/", wrap(self.cancel_view), name="jobs_backgroundjob_cancel"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's status page (there is nothing to change)."""
        job = selectors.backgroundjob_get_for(request.user, object_id)
        errors = (job.summary or {}).get("errors") or []
        page = Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("p"))
        import_types = [("new", _("new")), ("update", _("updated")), ("skip", _("skipped")),
                        ("delete", _("deleted")), ("invalid", _("invalid")), ("error", _("errors"))]
        counts = []
        for key, label in (("checked", _("Check")), ("imported", _("Import"))):
            totals = (job.summary or {}).get(key)
            if totals:
                counts.append((label, [totals.get(code, 0) for code, _label in import_types]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "progress_url": reverse("admin:jobs_backgroundjob_progress", args=[job.pk]),
            "download_url": reverse("admin:jobs_backgroundjob_download", args=[job.pk]) if job.result_file else "",
            "confirm_url": reverse("admin:jobs_backgroundjob_confirm", args=[job.pk]),
            "cancel_url": reverse("admin:jobs_backgroundjob_cancel", args=[job.pk]),
            "can_act": can_act_on_job(request.user, job),
            "errors_page": page,
            "error_count": (job.summary or {}).get("error_count", len(errors)),
            "errors_truncated": len(errors) < (job.summary or {}).get("error_count", len(errors)),
            "counts": counts,
            "import_types": import_types,
            "is_popup": False,
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/jobs/backgroundjob/status.html", context)

    def progress_view(self, request, object_id):
        job = selectors.backgroundjob_get_for(request.user, object_id)
        response = JsonResponse(selectors.backgroundjob_progress(job))
        response["Cache-Control"] = "no-store"
        return response

    def download_view(self, request, object_id):
        job = selectors.backgroundjob_get_for(request.user, object_id)
        if job.status != JobStatus.DONE or not job.result_file:
            raise Http404
        try:
            model = apps.get_model(job.model_label)
        except (LookupError, ValueError):
            raise Http404 from None
        if not can_start_export(request.user, model):
            raise PermissionDenied  # the starter lost the model's view permission since
        try:
            handle = job.result_file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        filename = job.result_file.name.rsplit("/", 1)[-1]
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[job.file_format])

    def _decide(self, request, object_id, service, done_message):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = selectors.backgroundjob_get_for(request.user, object_id)
        try:
            service(job_id=job.pk, actor=request.user)
        except PermissionDenied as exc:
            self.message_user(request, str(exc) or gettext("Not allowed."), messages.ERROR)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, done_message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:jobs_backgroundjob_change", args=[job.pk]))

    def confirm_view(self, request, object_id):
        return self._decide(request, object_id, services.job_confirm, gettext("The import was queued; this page shows its progress."))

    def cancel_view(self, request, object_id):
        return self._decide(request, object_id, services.job_cancel, gettext("The job was cancelled; nothing was imported."))


# --- django-celery-beat: the one label it leaves untranslatable -----------------------------------
# PeriodicTask.task has the plain verbose_name 'Task Name' (no gettext), shown as a filter title and as
# the column of the "tasks using this schedule" inlines. The admins are re-registered with a
# translated label; the model is left alone (changing its field would ask for a migration of the package).
from django_celery_beat import admin as beat_admin  # noqa: E402
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule  # noqa: E402


class _TaskNameFilter(admin.AllValuesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("task name")


class KitbPeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    list_filter = [("task", _TaskNameFilter) if f == "task" else f for f in beat_admin.PeriodicTaskAdmin.list_filter]


class KitbPeriodicTaskInline(beat_admin.PeriodicTaskInline):
    fields = ("name", "task_name", "args", "kwargs")
    readonly_fields = fields

    @admin.display(description=_("task name"))
    def task_name(self, obj):
        return obj.task


def _reregister_beat_admins() -> None:
    if admin.site.is_registered(PeriodicTask):
        admin.site.unregister(PeriodicTask)
    admin.site.register(PeriodicTask, KitbPeriodicTaskAdmin)
    for model in (ClockedSchedule, CrontabSchedule, IntervalSchedule, SolarSchedule):
        if not admin.site.is_registered(model):
            continue
        base = type(admin.site._registry[model])
        admin.site.unregister(model)
        admin.site.register(model, type(f"Kitb{base.__name__}", (base,), {"inlines": [KitbPeriodicTaskInline]}))


_reregister_beat_admins()
