"""The filters of the public event pages (/events/ and /events/archive/): kind, topic, month, language.

They come from the query string, so a filtered page is a shareable URL. A value that is not one of the
choices is left out and said so on the page (never an error page): the rest of the filters still apply.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import EventKind, Topic

LANGUAGE_CHOICES = [("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))]
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class PublicEventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *EventKind.choices])
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("Any topic")), *Topic.choices])
    month = forms.CharField(
        label=_("Month"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *LANGUAGE_CHOICES],
        help_text=_("Events whose title is given in this language."),
    )

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
            raise forms.ValidationError(_("Give the month as year and month, e.g. 2026-03."))
        return dt.date(int(match.group(1)), int(match.group(2)), 1)


def read_filters(params) -> tuple[PublicEventFilterForm, dict, list[str]]:
    """(the bound form, the valid filters, messages about the values left out)."""
    form = PublicEventFilterForm(params)
    form.is_valid()
    filters = {name: value for name, value in form.cleaned_data.items() if value}
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        problems.append(f"{label}: {' '.join(str(e) for e in errors)} " + str(_("This filter was left out.")))
    return form, filters, problems


def month_bounds(first_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start of the month and of the next one, in the site's time zone."""
    tz = timezone.get_current_timezone()
    nxt = (first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (
        dt.datetime.combine(first_day, dt.time.min, tzinfo=tz),
        dt.datetime.combine(nxt, dt.time.min, tzinfo=tz),
    )
