from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.forms import ServiceErrorsMixin
from kitb_portal.notifications.services import notify

from .models import LANGUAGE_CHOICES, Organization, User


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset link through the outbox, in the user's language; one message per request."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        from .secret_links import password_reset_ref

        user = context["user"]
        # The link is made at delivery from this reference (user, time of the request): it never
        # sits in the outbox, where staff could read it (kitb_portal/notifications/secrets.py).
        reset_url = password_reset_ref(user, context["token"])
        timestamp = int(timezone.now().timestamp() * 1000)
        notify(
            recipient=user,
            template="accounts/email/password_reset",
            context={"user": user, "reset_url": reset_url, "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
            key=f"password-reset:{user.pk}:{timestamp}",
            kind="password_reset",
        )


class InviteForm(ServiceErrorsMixin, forms.Form):
    """Invite a partner user (the admin's form; the portal's drops the organisation field)."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.order_by("-is_host", "name"))
    language = forms.ChoiceField(
        label=_("Language of the e-mail and the portal"), choices=LANGUAGE_CHOICES,
        help_text=_("The invitation e-mail is written in this language."),
    )
    is_org_admin = forms.BooleanField(
        label=_("Organisation administrator"), required=False,
        help_text=_("May invite and deactivate colleagues of the same organisation."),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def invite(self, *, actor):
        """Send the invitation of the valid form through ``services.user_invite`` (its errors raise)."""
        from . import services

        data = self.cleaned_data
        return services.user_invite(
            actor=actor, email=data["email"], full_name=data["full_name"], organization=self.invited_organization(actor),
            language=data["language"], is_org_admin=data["is_org_admin"],
        )

    def invited_organization(self, actor):
        return self.cleaned_data["organization"]


class ColleagueInviteForm(InviteForm):
    """The portal's invitation form: the organisation is always the administrator's own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["organization"]

    def invited_organization(self, actor):
        return actor.organization


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's "add user" form for a login by e-mail (staff accounts, or a partner with a password)."""

    class Meta:
        model = User
        fields = ("email", "full_name", "organization", "preferred_language", "is_staff")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this e-mail address already exists."))
        return email


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("A user with this e-mail address already exists."))
        return email


class ApiTokenForm(forms.Form):
    """A new personal API token (the portal's page; the token is shown once on the next page)."""

    EXPIRY_CHOICES = [(30, _("30 days")), (90, _("90 days")), (365, _("1 year"))]

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the script that uses it."))
    scope = forms.ChoiceField(
        label=_("Scope"), choices=[("read", _("Read only")), ("write", _("Read and write"))], initial="read",
        help_text=_("A read-only token cannot register, cancel or change anything."),
    )
    expires_in_days = forms.TypedChoiceField(label=_("Expires after"), choices=EXPIRY_CHOICES, coerce=int, initial=90)


class ContactForm(forms.Form):
    """A person of the organisation's contact directory (the portal's add and edit page)."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    user = forms.ModelChoiceField(
        label=_("Login"), queryset=User.objects.none(), required=False,
        help_text=_("The person's portal account, if they have one."),
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            self.fields["user"].queryset = User.objects.filter(organization=organization, is_staff=False).order_by("full_name", "email")


class AdminApiTokenForm(ApiTokenForm):
    """The admin's form: the same, for a user chosen by e-mail address."""

    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.filter(is_active=True), widget=forms.NumberInput,
                                  help_text=_("The user's id (see the users list)."))
    field_order = ["user", "name", "scope", "expires_in_days"]
