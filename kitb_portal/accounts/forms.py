from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset link through the outbox (completed by the foundation issue)."""
