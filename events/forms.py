"""Forms: portal filters, the public guest form, feedback, check-in search, the admin event form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Event, EventKind, EventMode, Topic

COUNTRY_CHOICES = [("", _("— choose —")), ("ID", _("Indonesia")), ("KR", _("South Korea")), ("XX", _("Another country"))]


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices])
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("All topics")), *Topic.choices])
    mode = forms.ChoiceField(label=_("Mode"), required=False, choices=[("", _("Any mode")), *EventMode.choices])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class GuestRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    organization_name = forms.CharField(label=_("Organisation"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES, required=False)
    # Honeypot: hidden from people by CSS; bots that fill every field give themselves away.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if len(name) < 2:
            raise forms.ValidationError(_("Enter your full name."))
        return name

    def clean_country(self):
        value = self.cleaned_data.get("country") or ""
        return "" if value == "XX" else value

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the event?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 — excellent")), (4, _("4 — good")), (3, _("3 — fair")), (2, _("2 — poor")), (1, _("1 — very poor"))],
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))


class CheckInSearchForm(forms.Form):
    q = forms.CharField(label=_("Check-in code or name"), required=False, max_length=100)


class EventAdminForm(forms.ModelForm):
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=Topic.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Event
        fields = "__all__"

        @staticmethod
        def formfield_callback(db_field, **kwargs):
            if db_field.name == "meeting_link":
                kwargs["assume_scheme"] = "https"
            return db_field.formfield(**kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # a read-only change page (view permission only) has no slug field
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Filled from the English title when left empty.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The event must end after it starts."))
        closes = cleaned.get("registration_closes")
        if closes and end and closes > end:
            self.add_error("registration_closes", _("Registration must close before the event ends."))
        if cleaned.get("mode") in (EventMode.ON_SITE, EventMode.HYBRID) and not cleaned.get("venue"):
            self.add_error("venue", _("An on-site or hybrid event needs a venue."))
        return cleaned

    def _post_clean(self):
        # A blank slug is filled by the service; keep the model's "not empty" check from firing.
        if not self.cleaned_data.get("slug") and self.cleaned_data.get("title_en"):
            from .selectors import suggest_event_slug

            self.instance.title_en = self.cleaned_data["title_en"]
            self.instance.start = self.cleaned_data.get("start")
            self.cleaned_data["slug"] = suggest_event_slug(self.instance)
        super()._post_clean()
