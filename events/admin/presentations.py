"""Staff page of presentation files: staff upload a PDF for an event or one of its sessions and
publish it; saving goes through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.pdf import check_pdf

from .. import services
from ..models import Presentation


class PresentationAddForm(forms.ModelForm):
    upload = forms.FileField(label=_("PDF file"))

    class Meta:
        model = Presentation
        fields = ["event", "session", "title", "language", "is_published"]

    def clean_upload(self):
        uploaded = self.cleaned_data["upload"]
        check_pdf(uploaded)  # says what is wrong: not a PDF, too large, damaged, password-protected
        return uploaded

    def clean(self):
        cleaned = super().clean()
        session, event = cleaned.get("session"), cleaned.get("event")
        if session and event and session.event_id != event.pk:
            raise ValidationError({"session": _("This session belongs to another event.")})
        return cleaned


@admin.register(Presentation)
class PresentationAdmin(admin.ModelAdmin):
    list_display = ("title", "event", "session", "language", "is_published", "created_at")
    list_filter = ("is_published", "language")
    search_fields = ("title", "event__title_en", "original_name")
    raw_id_fields = ("event", "session")
    readonly_fields = ("original_name", "size", "sha256", "uploaded_by", "created_at")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PresentationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "session", "title", "language", "upload", "is_published"]
        return ["event", "session", "title", "language", "is_published", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("event", "session", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            services.presentation_update(
                actor=request.user, presentation_id=obj.pk, title=obj.title, language=obj.language,
                is_published=obj.is_published,
            )
            return
        created = services.presentation_add(
            actor=request.user, event_id=obj.event_id, session_id=obj.session_id, title=obj.title,
            uploaded=form.cleaned_data["upload"], language=obj.language, is_published=obj.is_published,
        )
        obj.pk = created.pk
        obj.file = created.file
