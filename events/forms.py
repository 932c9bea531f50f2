"""Forms: portal filters, the public guest form, feedback, check-in search, the admin event form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Event, EventKind, EventMode, Topic

COUNTRY_CHOICES = [("", _("— choose —")), ("ID", _("Indonesia")), ("KR", _("South Korea")), ("XX", _("Another country"))]


class _FilterBoundField(forms.BoundField):
    """Bootstrap's classes on the widget, as crispy-forms gave them ("textinput form-control",
    "select form-select", plus "is-invalid" on an error): the filter form is written by a plain
    template (events/_event_filter_form.html), not crispy-forms, which cost a fifth of the page."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = "select form-select" if isinstance(widget, forms.Select) else "textinput form-control"
        attrs["class"] = f"{css} is-invalid" if self.errors else css
        return attrs


class EventFilterForm(forms.Form):
    bound_field_class = _FilterBoundField

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
    attendance = forms.ChoiceField(
        label=_("How will you attend?"), required=False, widget=forms.RadioSelect,
        choices=[("on_site", _("On site")), ("online", _("Online"))], initial="on_site",
        help_text=_("Hybrid event: on-site and online places are counted apart."),
    )
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
        # Every editable field, in the model's order (the admin's fieldsets choose what it shows).
        fields = (
            "kind", "title_id", "title_ko", "title_en", "description_id", "description_ko", "description_en", "slug", "topics",
            "organizers", "mode", "meeting_link", "venue", "room", "start", "end", "capacity", "online_capacity",
            "registration_opens", "registration_closes", "status", "is_public", "cancellation_reason", "mou", "commitment",
        )

        @staticmethod
        def formfield_callback(db_field, **kwargs):
            if db_field.name == "meeting_link":
                kwargs["assume_scheme"] = "https"
            return db_field.formfield(**kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # absent when the admin shows the event read-only (view permission only)
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


# --- partners as co-workers ----------------------------------------------------------------------
_DT = {"type": "datetime-local"}


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_id = forms.CharField(label=_("Title (Indonesian)"), max_length=200, required=False)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200, required=False)
    description_en = forms.CharField(label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description_id = forms.CharField(label=_("Description (Indonesian)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description_ko = forms.CharField(label=_("Description (Korean)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    preferred_start = forms.DateTimeField(label=_("Preferred start"), widget=forms.DateTimeInput(attrs=_DT))
    preferred_end = forms.DateTimeField(label=_("Preferred end"), widget=forms.DateTimeInput(attrs=_DT))
    mode = forms.ChoiceField(label=_("Format"), choices=EventMode.choices)
    expected_audience = forms.IntegerField(label=_("Expected audience"), min_value=1, max_value=100000)
    audience_description = forms.CharField(label=_("Who the audience is"), max_length=300, required=False)
    mou = forms.ModelChoiceField(label=_("MoU it serves"), queryset=None, required=False)
    commitment = forms.ModelChoiceField(label=_("Commitment it serves"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from partnerships.models import Commitment, CommitmentStatus, MoUStatus
        from partnerships.selectors import mou_queryset_for

        # An event serves an MoU in force and a commitment still open (not every MoU ever made). The
        # options read only what their labels show, in the MoUs' order: ordered by the MoU's own
        # order (newest first), PostgreSQL walked every MoU to find an organisation's; a partner of
        # 2,000 MoUs (the bench data) waited 60 ms for that query and 160 ms for the page.
        mous = (
            mou_queryset_for(user).filter(status__in=[MoUStatus.SIGNED, MoUStatus.ACTIVE])
            .only("pk", "reference", "title_en", "title_id", "title_ko").order_by("reference")
        )
        self.fields["mou"].queryset = mous
        self.fields["commitment"].queryset = (
            Commitment.objects.filter(mou__in=mous.values("pk"), status=CommitmentStatus.OPEN)
            .select_related("mou").only("pk", "description", "mou__reference").order_by("mou__reference", "pk")
        )
        self.fields["commitment"].label_from_instance = lambda c: f"{c.mou.reference}: {c}"

    def clean(self):
        data = super().clean()
        start, end = data.get("preferred_start"), data.get("preferred_end")
        if start and end and end <= start:
            self.add_error("preferred_end", _("The event must end after it starts."))
        from django.utils import timezone

        if start and start <= timezone.now():
            self.add_error("preferred_start", _("Choose a date in the future."))
        commitment, mou = data.get("commitment"), data.get("mou")
        if commitment and mou and commitment.mou_id != mou.pk:
            self.add_error("commitment", _("This commitment belongs to another MoU."))
        return data


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title (English)"), max_length=200)
    title_id = forms.CharField(label=_("Title (Indonesian)"), max_length=200, required=False)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    start = forms.DateTimeField(label=_("Start"), widget=forms.DateTimeInput(attrs=_DT))
    end = forms.DateTimeField(label=_("End"), widget=forms.DateTimeInput(attrs=_DT))
    language = forms.ChoiceField(label=_("Language spoken"), choices=[("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))])
    interpretation = forms.BooleanField(label=_("Interpretation offered"), required=False)
    speakers = forms.CharField(
        label=_("Speakers"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name — organisation."),
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("A session must end after it starts."))
        return data


class SpeakerBioForm(forms.Form):
    bio = forms.CharField(label=_("Short bio (English)"), required=False, max_length=1500, widget=forms.Textarea(attrs={"rows": 3}))
    bio_id = forms.CharField(label=_("Short bio (Indonesian)"), required=False, max_length=1500, widget=forms.Textarea(attrs={"rows": 3}))
    bio_ko = forms.CharField(label=_("Short bio (Korean)"), required=False, max_length=1500, widget=forms.Textarea(attrs={"rows": 3}))


class ProposalDecisionForm(forms.Form):
    """KITB's events officer answers a proposal (admin)."""

    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("accept", _("Accept (creates a draft event)")), ("changes", _("Ask for changes")), ("decline", _("Decline"))],
    )
    message = forms.CharField(label=_("Message to the partner"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=None, required=False,
                                   help_text=_("Needed to accept an on-site or hybrid event."))
    start = forms.DateTimeField(label=_("Start"), required=False, help_text=_("Empty: the preferred start."))
    end = forms.DateTimeField(label=_("End"), required=False, help_text=_("Empty: the preferred end."))
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=1, help_text=_("Empty: the expected audience."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Venue

        self.fields["venue"].queryset = Venue.objects.order_by("name")


# --- delegations -------------------------------------------------------------------------------------
class DelegationForm(forms.Form):
    name = forms.CharField(label=_("Name of the delegation"), max_length=200, required=False,
                           help_text=_("Empty: your organisation's name."))
    attendance = forms.ChoiceField(label=_("How will the delegation attend?"), required=False,
                                   choices=[("on_site", _("On site")), ("online", _("Online"))], initial="on_site")
    split_allowed = forms.BooleanField(
        label=_("The delegation may be split"), required=False,
        help_text=_("If too few places are left, confirm as many as fit and waitlist the rest. Otherwise everyone waits together."),
    )


class DelegationMemberForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail address"))
    passport_name = forms.CharField(label=_("Name as in the passport"), max_length=200, required=False)
    passport_number = forms.CharField(label=_("Passport number"), max_length=12, required=False)
    nationality = forms.CharField(label=_("Nationality (two letters, e.g. KR)"), max_length=2, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    dietary = forms.MultipleChoiceField(label=_("Dietary needs"), required=False, widget=forms.CheckboxSelectMultiple,
                                        choices=[("halal", _("Halal")), ("vegetarian", _("Vegetarian"))])
    allergies = forms.CharField(label=_("Allergies"), max_length=300, required=False)
    accessibility = forms.CharField(label=_("Accessibility needs"), max_length=300, required=False)


DelegationMemberFormSet = forms.formset_factory(DelegationMemberForm, extra=0, can_delete=True, min_num=1, validate_min=True, max_num=100)


def member_rows(formset) -> tuple[list[dict], list[int]]:
    """(member rows for the services, ids to remove) from a valid formset."""
    rows, remove = [], []
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue
        if data.get("DELETE"):
            if data.get("id"):
                remove.append(data["id"])
            continue
        row = {k: v for k, v in data.items() if k not in ("DELETE", "id")}
        if data.get("id"):
            row["id"] = data["id"]
        rows.append(row)
    return rows, remove


def apply_member_errors(formset, form, exc) -> None:
    """Put a service's ``members-<n>-<field>`` errors on the right member form."""
    from django.core.exceptions import NON_FIELD_ERRORS

    live = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        if key.startswith("members-"):
            _prefix, index, field = key.split("-", 2)
            target = live[int(index)] if int(index) < len(live) else None
            if target is not None:
                target.add_error(field if field in target.fields else None, messages)
                continue
        form.add_error(None if key in (NON_FIELD_ERRORS, "__all__") or key not in form.fields else key, messages)
