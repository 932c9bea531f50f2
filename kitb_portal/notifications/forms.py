"""The notification preferences form (portal page for partners, admin page for staff)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.forms import ServiceErrorsMixin

from . import kinds
from .models import EMAIL_LANGUAGE_CHOICES, DigestFrequency


class PreferenceForm(ServiceErrorsMixin, forms.Form):
    email_language = forms.ChoiceField(
        label=_("Language of my e-mails"), choices=EMAIL_LANGUAGE_CHOICES, required=False,
    )
    digest_frequency = forms.ChoiceField(
        label=_("Digest of what changed"), choices=DigestFrequency.choices, widget=forms.RadioSelect,
        help_text=_("Weekly: Monday at 07:00; daily: every day at 07:00 (in your time zone). "
                    "A digest with nothing new is not sent."),
    )
    received_kinds = forms.MultipleChoiceField(
        label=_("Reminders and notifications I receive"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick what you do not want. Reminders your role requires (the expiry of an MoU you own) "
                    "are always sent."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["received_kinds"].choices = [(k.code, k.label) for k in kinds.choosable(staff=user.is_staff)]
