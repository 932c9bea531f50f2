"""Forms of the portal's multi-step application form and of the staff pages, and how a
service's refusal is shown on the form that called it (error_text; kitb_portal.common.forms.add_service_errors puts it on the fields)."""

from __future__ import annotations

import re
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitb_portal.accounts.roles import KITB_ADMINISTRATOR, SCREENING_COMMITTEE, staff_in_groups

from .documents import read_and_check_pdf
from .models import Allocation, Application, CommentVisibility, DocumentKind, Plot
from .services.applications import DRAFT_FIELDS


def error_text(exc: Exception) -> str:
    """The text of a service's refusal (a ValidationError's messages, or a PermissionDenied's)."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or exc.__class__.__name__


STEP_TITLES = {
    1: _("Company"),
    2: _("Project and investment"),
    3: _("Land and utilities"),
    4: _("Documents and submission"),
}


def _step_helper(step: int) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = True
    helper.form_method = "post"
    helper.add_input(Submit("next", _("Save and continue") if step < 3 else _("Save and go to documents"), css_class="btn-primary"))
    save = Submit("save", _("Save draft"))
    save.field_classes = "btn btn-outline-secondary"  # Submit's own btn-primary left grey text on blue (1:1 contrast)
    helper.add_input(save)
    return helper


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class _StepMeta:
    model = Application
    formfield_callback = staticmethod(_formfield)


class ApplicationStepForm(forms.ModelForm):
    step: int = 1

    def __init__(self, *args, organization_id=None, **kwargs):
        self.organization_id = organization_id
        super().__init__(*args, **kwargs)
        self.helper = _step_helper(self.step)


class CompanyStepForm(ApplicationStepForm):
    step = 1
    company_country = forms.CharField(
        label=_("company country"), max_length=40, help_text=_("ISO 3166 two-letter code, e.g. KR for Korea or ID for Indonesia."),
    )

    class Meta(_StepMeta):
        fields = DRAFT_FIELDS[1]
        help_texts = {"contact_language": _("E-mail to the contact person is written in this language.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company_country"].widget.attrs.update({"autocomplete": "country", "size": 4})
        # Only the MoUs the referring organisation is party to (the service checks it again).
        from django.apps import apps

        mou_model = apps.get_model("partnerships", "MoU")
        self.fields["mou"].queryset = (
            mou_model.objects.filter(parties__organization_id=self.organization_id).order_by("reference")
            if self.organization_id else mou_model.objects.none()
        )
        self.fields["mou"].required = False
        self.helper.layout = Layout(
            Fieldset(_("Company"), "company_name", "company_country", "company_registration_number", "company_website", "mou"),
            Fieldset(_("Contact person at the company"), "contact_name", "contact_email", "contact_phone", "contact_language"),
        )

    def clean_company_country(self):
        value = (self.cleaned_data.get("company_country") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise forms.ValidationError(_("Enter the two-letter country code, e.g. KR for Korea or ID for Indonesia."))
        return value


class ProjectStepForm(ApplicationStepForm):
    step = 2

    class Meta(_StepMeta):
        fields = DRAFT_FIELDS[2]
        widgets = {"products": forms.Textarea(attrs={"rows": 3}), "timeline": forms.Textarea(attrs={"rows": 3}),
                   "pioneer_reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = self.fields["sector"].queryset.order_by("-is_priority", "name_en")
        self.helper.layout = Layout(
            Fieldset(_("Project"), "sector", "products", "timeline"),
            Fieldset(_("Investment"), Div(Div("investment_amount", css_class="col-md-8"), Div("investment_currency", css_class="col-md-4"), css_class="row"),
                     "jobs_planned", "export_share_pct"),
            Fieldset(_("Pioneer or high-tech status"), "claims_pioneer", "pioneer_reason"),
        )

    def clean(self):
        data = super().clean()
        if data.get("claims_pioneer") and not (data.get("pioneer_reason") or "").strip():
            self.add_error("pioneer_reason", _("Explain why the company is pioneer or high-tech, or untick the claim."))
        return data


class LandStepForm(ApplicationStepForm):
    step = 3

    class Meta(_StepMeta):
        fields = DRAFT_FIELDS[3]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_plots"] = PreferredPlotsField()
        if self.instance.pk:
            self.fields["preferred_plots"].initial = list(self.instance.plot_preferences.values_list("plot_id", flat=True))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("PDF file"), help_text=_("A PDF document."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        read_and_check_pdf(uploaded)  # raises ValidationError with what to fix
        uploaded.seek(0)
        return uploaded


class PartnerCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to KITB"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        error_messages={"required": _("Write a message first.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write a message first."))
        return body


# --- staff (admin) forms --------------------------------------------------------------------

class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"), widget=forms.Textarea(attrs={"rows": 5, "cols": 80}), max_length=5000,
        help_text=_("The referrer reads this reason in the portal and the e-mail."),
        error_messages={"required": _("Give the reason for the rejection.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the rejection."))
        return reason


def committee_members():
    return staff_in_groups(SCREENING_COMMITTEE, KITB_ADMINISTRATOR, superusers=True).order_by("full_name", "email")


class AssignReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the screening committee; each is told by e-mail."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = committee_members()


class AllocationForm(forms.Form):
    application = forms.ModelChoiceField(label=_("Approved application"), queryset=Application.objects.none())
    plot = forms.ModelChoiceField(label=_("Plot"), queryset=Plot.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Allocation.Kind.choices, initial=Allocation.Kind.ALLOCATED)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args, applications=None, plots=None, **kwargs):
        super().__init__(*args, **kwargs)
        if applications is not None:
            self.fields["application"].queryset = applications
        if plots is not None:
            self.fields["plot"].queryset = plots
        self.fields["plot"].label_from_instance = lambda p: f"{p.code} — {p.area_ha} ha ({p.get_status_display()})"


class ReviewForm(forms.Form):
    """A reviewer's own review: one score (1–5) and comment per criterion, conflict, overall comment."""

    SCORE_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(1, 6)]

    conflict_of_interest = forms.BooleanField(label=_("I have a conflict of interest"), required=False)
    conflict_note = forms.CharField(label=_("Conflict of interest: details"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
    comment = forms.CharField(label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))

    def __init__(self, *args, criteria, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            current = scores.get(c.pk)
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=c.name, choices=self.SCORE_CHOICES, coerce=int, empty_value=None, required=False,
                initial=str(current.score) if current else "", help_text=c.description,
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Comment on %(name)s") % {"name": c.name}, required=False,
                initial=current.comment if current else "", widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
            )

    def criterion_rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def clean(self):
        data = super().clean()
        if data.get("conflict_of_interest") and not (data.get("conflict_note") or "").strip():
            self.add_error("conflict_note", _("Describe the conflict of interest."))
        return data

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}", "")) for c in self.criteria}


class StaffCommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), max_length=5000)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=CommentVisibility.choices, initial=CommentVisibility.INTERNAL)


STEP_FORMS = {1: CompanyStepForm, 2: ProjectStepForm, 3: LandStepForm}

__all__ = [
    "STEP_TITLES", "CompanyStepForm", "ProjectStepForm", "LandStepForm", "DocumentForm", "PartnerCommentForm",
    "ReasonForm", "AssignReviewersForm", "AllocationForm", "ReviewForm", "StaffCommentForm",
]


# --- the journey around the screening (portal) ----------------------------------------------------

def _plot_label(plot) -> str:
    return f"{plot.code} — {plot.area_ha} ha, {plot.zone.name}"


class PreferredPlotsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        from .selectors import partner_plot_choices

        super().__init__(queryset=partner_plot_choices(), required=False, widget=forms.CheckboxSelectMultiple,
                         label=_("Preferred plots"), help_text=_("Available plots from the land view; KITB sees the requests on each plot."),
                         **kwargs)
        self.label_from_instance = _plot_label


class InterestForm(forms.Form):
    """An expression of interest in a few fields."""

    company_name = forms.CharField(label=_("company name"), max_length=200)
    company_country = forms.CharField(label=_("company country"), max_length=40,
                                      help_text=_("ISO 3166 two-letter code, e.g. KR for Korea or ID for Indonesia."))
    sector = forms.ModelChoiceField(label=_("sector"), queryset=None)
    investment_min = forms.DecimalField(label=_("investment from"), min_value=0, max_digits=18, decimal_places=2)
    investment_max = forms.DecimalField(label=_("investment up to"), min_value=0, max_digits=18, decimal_places=2)
    investment_currency = forms.ChoiceField(label=_("currency"), choices=Application._meta.get_field("investment_currency").choices, initial="USD")
    land_ha = forms.DecimalField(label=_("land needed (ha)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2)
    timing = forms.CharField(label=_("timing"), max_length=200, help_text=_("When the company wants to start, e.g. construction in 2026."))

    def __init__(self, *args, **kwargs):
        from .models import Sector

        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("-is_priority", "name_en")
        self.fields["preferred_plots"] = PreferredPlotsField()
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        low, high = data.get("investment_min"), data.get("investment_max")
        if low is not None and high is not None and high < low:
            self.add_error("investment_max", _("The highest investment must not be below the lowest."))
        return data
