"""Portal and admin forms of the partnerships app (validation messages say what to fix)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .files import check_pdf
from .models import ApprovalDecision, DocumentKind, Language, NoteKind


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices, initial=NoteKind.NOTE)
    noted_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("Leave empty for today."))
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", _("Add note")))

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Write the note."))
        return text


class ProgressForm(forms.Form):
    reported_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("Leave empty for today."))
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    evidence = forms.FileField(
        label=_("Evidence (PDF, optional)"), required=False,
        help_text=_("A PDF document of at most %(max)s MB.") % {"max": settings.MAX_UPLOAD_MB},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    propose_done = forms.BooleanField(
        label=_("Propose this commitment as done"), required=False,
        help_text=_("The MoU owner at KITB confirms it or sends it back."),
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_enctype = "multipart/form-data"
        self.helper.add_input(Submit("submit", _("Post progress")))

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Say what was done."))
        return text

    def clean_evidence(self):
        uploaded = self.cleaned_data.get("evidence")
        if uploaded:
            check_pdf(uploaded)
        return uploaded


class ProgressDecisionForm(forms.Form):
    """The MoU owner's answer to a proposal (admin)."""

    decision = forms.ChoiceField(
        label=_("Your answer"), widget=forms.RadioSelect,
        choices=[("confirm", _("Confirm as done")), ("send_back", _("Send back"))],
    )
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        help_text=_("Required when you send it back: say what is still missing."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "send_back" and not (data.get("message") or "").strip():
            self.add_error("message", _("Say what is still missing."))
        return data


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("A PDF document of at most %(max)s MB.") % {"max": settings.MAX_UPLOAD_MB},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices, initial=DocumentKind.DRAFT)
    language = forms.ChoiceField(label=_("Language of the document"), choices=Language.choices, initial=Language.ENGLISH)
    governing_language = forms.ChoiceField(
        label=_("Governing language"), choices=Language.choices, initial=Language.ENGLISH,
        help_text=_("The language that prevails when the translations differ."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_enctype = "multipart/form-data"
        self.helper.add_input(Submit("submit", _("Upload")))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_pdf(uploaded)  # the service checks again; here for a friendly form error
        return uploaded


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your answer"), choices=ApprovalDecision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        help_text=_("Required when you ask for changes: say which."),
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", _("Send answer")))

    def clean(self):
        data = super().clean()
        if data.get("decision") == ApprovalDecision.CHANGES_REQUESTED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say which changes you ask for."))
        return data


# --- admin transition forms -------------------------------------------------------------------
class _DateInput(forms.DateInput):
    input_type = "date"


class SignForm(forms.Form):
    signed_date = forms.DateField(label=_("Signed date"), required=False, widget=_DateInput,
                                  help_text=_("Leave empty for the last party's signing date."))


class ActivateForm(forms.Form):
    effective_date = forms.DateField(label=_("Effective date"), required=False, widget=_DateInput,
                                     help_text=_("Leave empty for the date on record, else the signed date."))
    expiry_date = forms.DateField(label=_("Expiry date"), required=False, widget=_DateInput)


class ExpireForm(forms.Form):
    pass


class StartNegotiationForm(forms.Form):
    pass


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    termination_date = forms.DateField(label=_("Termination date"), required=False, widget=_DateInput,
                                       help_text=_("Leave empty for today."))


class RenewForm(forms.Form):
    new_effective_date = forms.DateField(label=_("New term starts"), required=False, widget=_DateInput,
                                         help_text=_("Leave empty for the day after the current expiry date."))
    new_expiry_date = forms.DateField(label=_("New term expires"), widget=_DateInput)
    signed_date = forms.DateField(label=_("Renewal signed on"), required=False, widget=_DateInput)


TRANSITION_FORMS = {
    "start_negotiation": StartNegotiationForm,
    "sign": SignForm,
    "activate": ActivateForm,
    "expire": ExpireForm,
    "terminate": TerminateForm,
    "renew": RenewForm,
}


class AdminDocumentUploadForm(DocumentUploadForm):
    """The same upload for the admin page (no crispy helper needed there)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = None



def bound_args(request, *, files: bool = True) -> tuple:
    """Positional form arguments: the POST data (and files) on POST — even when empty — else none."""
    if request.method != "POST":
        return ()
    return (request.POST, request.FILES) if files else (request.POST,)
