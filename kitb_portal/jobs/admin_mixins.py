"""Background import and export on a ModelAdmin that uses django-import-export.

Put the mixin *before* the import-export admin class::

    @admin.register(MoU)
    class MoUAdmin(BackgroundImportExportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
        resource_classes = [MoUResource]

The admin's own import and export pages stay as they are for small files, with a "Run in
background" button added. A file of more than ``JOBS_INLINE_IMPORT_MAX_ROWS`` rows, or an export of
more than ``JOBS_INLINE_EXPORT_MAX_ROWS`` rows, goes to a background job on its own. Either way the
person lands on the job's status page (progress bar, then the result or the row errors).

``background_export_queryset``: dotted path of a function taking ``viewer`` (the job's starter) that
returns the export's base queryset (annotations, ``select_related``), when the resource's own ``get_queryset``
is not enough; the rows are still the ones the changelist (filters, search, selection) shows.

Permissions (one rule, ``kitb_portal.jobs.permissions``, for the admin's pages and the jobs alike):
importing needs the model's add *and* change permissions, exporting its view permission (change
implies view, as everywhere in the admin). The import and export pages (GET and POST), the export
action and the inline fallback after a refused background export all check it; a person without
it gets 403. Every inline export's cells go through ``formats.neutralise_formula``.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import FieldError, PermissionDenied, ValidationError
from django.forms import MultipleChoiceField, MultipleHiddenInput
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from . import services
from .formats import check_upload_size, neutralise_dataset, read_dataset
from .models import JobFormat
from .permissions import can_start_export, can_start_import

FORMAT_BY_TITLE = {"csv": JobFormat.CSV, "xlsx": JobFormat.XLSX}


def dotted_path(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _job_format(file_format) -> str | None:
    return FORMAT_BY_TITLE.get(str(file_format.get_title()).lower())


class BackgroundImportExportMixin:
    """See the module docstring. Works with ImportMixin and/or ExportMixin (or ExportActionMixin)."""

    background_export_queryset: str = ""
    import_template_name = "admin/jobs/import.html"
    export_template_name = "admin/jobs/export.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wrap whatever changelist template import-export chose, to add a "Background jobs" link.
        self.jobs_base_change_list_template = self.change_list_template or "admin/change_list.html"
        self.change_list_template = "admin/jobs/with_jobs_link_change_list.html"

    # --- permissions (the same as a background job's) -------------------------------------------
    def has_import_permission(self, request):
        return can_start_import(request.user, self.model)

    def has_export_permission(self, request):
        return can_start_export(request.user, self.model)

    # --- links on the changelist ----------------------------------------------------------------
    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "jobs_base_change_list_template": self.jobs_base_change_list_template,
            "background_jobs_url": reverse("admin:jobs_backgroundjob_changelist")
            + f"?model_label={self.opts.app_label}.{self.opts.model_name}",
        }
        return super().changelist_view(request, extra_context)

    def _job_redirect(self, request, job, *, automatic: bool):
        if automatic:
            text = gettext("This is a large file, so it is imported in the background. This page shows its progress; "
                           "you will also get an e-mail when it ends.") if job.kind == "import" else gettext(
                "This is a large export, so it is written in the background. This page shows its progress; "
                "you will also get an e-mail when the file is ready.")
        else:
            text = gettext("The job was queued. This page shows its progress.")
        self.message_user(request, text, messages.INFO)
        return HttpResponseRedirect(reverse("admin:jobs_backgroundjob_change", args=[job.pk]))

    # --- import ---------------------------------------------------------------------------------
    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST" or not hasattr(self, "create_import_form"):
            return super().import_action(request, **kwargs)
        form = self.create_import_form(request)
        if not form.is_valid():
            return super().import_action(request, **kwargs)
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        job_format = _job_format(input_format)
        upload = form.cleaned_data["import_file"]
        try:
            check_upload_size(upload)  # from its size, before anything reads it
        except ValidationError as exc:
            form.add_error("import_file", exc)
            return self._render_import(request, form)
        wanted = "_background" in request.POST
        automatic = False
        if not wanted and job_format is not None:
            upload.seek(0)
            try:
                # Also the zip-bomb and row-count checks: the library's page never gets a file they refuse.
                dataset = read_dataset(upload.read(), job_format)
            except ValidationError as exc:
                form.add_error("import_file", exc)
                return self._render_import(request, form)
            upload.seek(0)
            automatic = len(dataset) > int(services.setting("JOBS_INLINE_IMPORT_MAX_ROWS"))
        if not (wanted or automatic):
            return super().import_action(request, **kwargs)
        if job_format is None:
            form.add_error("format", gettext("Background imports read CSV or XLSX files."))
            return self._render_import(request, form)
        resource_class = self.choose_import_resource_class(form, request)
        try:
            job = services.job_start_import(
                actor=request.user, model_label=self.opts.label_lower, resource_path=dotted_path(resource_class),
                file_format=job_format, uploaded_file=upload, auto_confirm=not request.POST.get("confirm_first"),
            )
        except ValidationError as exc:
            form.add_error("import_file", exc)
            return self._render_import(request, form)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self._render_import(request, form)
        return self._job_redirect(request, job, automatic=automatic and not wanted)

    def _render_import(self, request, form, status: int = 200):
        resources = [cls(**self.get_import_resource_kwargs(request=request, form=form)) for cls in self.get_import_resource_classes(request)]
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": gettext("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "fields_list": [(r.get_display_name(), [f.column_name for f in r.get_user_visible_fields()]) for r in resources],
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context, status=status)

    # --- export ---------------------------------------------------------------------------------
    def export_action(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        if request.method != "POST" or self.is_skip_export_form_enabled():
            return super().export_action(request)
        formats = self.get_export_formats()
        form = self.get_export_form_class()(formats, self.get_export_resource_classes(request), data=request.POST)
        if "export_items" in request.POST:
            queryset = self.get_export_queryset(request)
            form.fields["export_items"] = MultipleChoiceField(
                widget=MultipleHiddenInput, required=False,
                choices=[(pk, pk) for pk in queryset.filter(pk__in=request.POST.getlist("export_items")).values_list("pk", flat=True)],
            )
        if not form.is_valid():
            return super().export_action(request)
        file_format = formats[int(form.cleaned_data["format"])]()
        job_format = _job_format(file_format)
        queryset = self.get_export_queryset(request)
        if "export_items" in form.changed_data:
            queryset = queryset.filter(pk__in=form.cleaned_data["export_items"])
        wanted = "_background" in request.POST
        try:
            ids = list(queryset.values_list("pk", flat=True))
        except FieldError:
            return super().export_action(request)
        automatic = len(ids) > int(services.setting("JOBS_INLINE_EXPORT_MAX_ROWS"))
        if job_format is None or not (wanted or automatic):
            return super().export_action(request)
        resource_class = self.choose_export_resource_class(form, request)
        try:
            job = services.job_start_export(
                actor=request.user, model_label=self.opts.label_lower, resource_path=dotted_path(resource_class),
                file_format=job_format, ids=ids, fields=self.get_export_resource_fields_from_form(form),
                queryset_path=self.background_export_queryset,
            )
        except PermissionDenied:
            raise  # never fall back to the inline export: it would be the same refusal, or a bypass
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return super().export_action(request)
        return self._job_redirect(request, job, automatic=automatic and not wanted)

    def export_admin_action(self, request, queryset):
        """The changelist action "Export selected ..." (ExportActionMixin), on the page with the
        "Run in background" button (the library renders its own template here)."""
        from django.utils.http import urlencode

        if not self.has_export_permission(request):
            raise PermissionDenied
        formats = self.get_export_formats()
        if self.is_skip_export_form_from_action_enabled():
            return super().export_admin_action(request, queryset)
        export_items = list(queryset.values_list("pk", flat=True))
        form = self.get_export_form_class()(
            formats=formats, resources=self.get_export_resource_classes(request), initial={"export_items": export_items},
        )
        form.fields["export_items"] = MultipleChoiceField(
            widget=MultipleHiddenInput, required=False, choices=[(pk, pk) for pk in export_items]
        )
        context = self.init_request_context_data(request, form)
        export_url = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_export")
        if request.GET:
            export_url += "?" + urlencode(request.GET)
        context["export_url"] = export_url
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.export_template_name], context)

    def get_data_for_export(self, request, queryset, **kwargs):
        """The inline export's dataset, with formula-like text neutralised (see formats)."""
        return neutralise_dataset(super().get_data_for_export(request, queryset, **kwargs))

    def init_request_context_data(self, request, form):
        context = super().init_request_context_data(request, form)
        context["background_export"] = True
        context["inline_export_max_rows"] = int(services.setting("JOBS_INLINE_EXPORT_MAX_ROWS"))
        return context

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["inline_import_max_rows"] = int(services.setting("JOBS_INLINE_IMPORT_MAX_ROWS"))
        return context

