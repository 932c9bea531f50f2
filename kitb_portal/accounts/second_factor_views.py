"""The second factor's pages: the login's token step, and (on django-two-factor-auth's views) setting
TOTP up, the recovery codes, and turning it off. Policy and helpers: :mod:`.second_factor`."""

from __future__ import annotations

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from two_factor import views as tf_views
from two_factor.forms import AuthenticationTokenForm, BackupTokenForm
from two_factor.utils import get_otpauth_url

from . import second_factor
from .languages import set_language_cookie


def _with_next(url_name: str, next_url: str | None) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_verify(request):
    """The token step: after the password (a pending login), or for a logged-in user whose session
    has not passed the second factor yet (the admin sends them here). A wrong token counts as a
    failed login with django-axes, for that e-mail and address."""
    landing = reverse(settings.LOGIN_REDIRECT_URL)
    user, next_url = second_factor.pending_login(request)
    pending = user is not None
    if not pending:
        if not request.user.is_authenticated:
            messages.info(request, _("Please log in again: the time for the second step ran out."))
            return redirect("accounts:login")
        user = request.user
        next_url = second_factor.safe_next(request, request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME)), landing)
        if second_factor.is_verified(user):
            return redirect(next_url)
        if second_factor.device_for(user) is None:
            return redirect(_with_next("two_factor:setup", next_url))
    next_url = next_url or landing

    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        second_factor.end_pending_login(request)
        return get_lockout_response(request, None, credentials)

    use_recovery_code = (request.POST.get("recovery") or request.GET.get("recovery")) == "1"
    recovery_device = user.staticdevice_set.first()
    if use_recovery_code:
        form = BackupTokenForm(user=user, initial_device=recovery_device, data=request.POST or None)
        form.fields["otp_token"].label = _("Recovery code")
    else:
        form = AuthenticationTokenForm(user=user, initial_device=second_factor.device_for(user), data=request.POST or None)
        form.fields["otp_token"].label = _("Code from your authenticator app")
    if request.method == "POST":
        if form.is_valid():  # sets user.otp_device
            if pending:
                second_factor.end_pending_login(request)
                auth_login(request, user, backend=user.backend)  # django-otp keeps user.otp_device in the session
                return set_language_cookie(redirect(next_url), user.preferred_language)
            django_otp.login(request, user.otp_device)
            # A successful second step clears this pair's failures, as a successful login does.
            AxesProxyHandler.reset_attempts(ip_address=request.axes_ip_address, username=credentials[settings.AXES_USERNAME_FORM_FIELD])
            return redirect(next_url)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            second_factor.end_pending_login(request)
            return get_lockout_response(request, None, credentials)
    return render(request, "accounts/login_verify.html", {
        "form": form,
        "use_recovery_code": use_recovery_code,
        "has_recovery_codes": bool(recovery_device and recovery_device.token_set.exists()),
        "pending": pending,
        "next": next_url if not pending else "",
    })


# --- django-two-factor-auth's pages in the portal's look ------------------------------------------
class SetupView(tf_views.SetupView):
    """Scan the QR code (or type the secret), confirm with a code; then recovery codes are made."""

    def get_success_url(self):
        return _with_next("two_factor:setup_complete", self.get_redirect_url())

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        if "secret_key" in context:  # the issuer authenticator apps show: ours, not the host name
            issuer = settings.OTP_TOTP_ISSUER
            context["issuer"] = issuer
            context["otpauth_url"] = get_otpauth_url(self.request.user.get_username(), context["secret_key"], issuer)
        context["next"] = self.get_redirect_url()
        return context

    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        second_factor.create_recovery_codes(self.request.user)
        return response


class QRGeneratorView(tf_views.QRGeneratorView):
    """The QR code of the setup's secret, an SVG drawn here (no outside service)."""

    def get_issuer(self):
        return settings.OTP_TOTP_ISSUER


class SetupCompleteView(tf_views.SetupCompleteView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.request.user.staticdevice_set.first()
        context["recovery_codes"] = [t.token for t in device.token_set.all()] if device else []
        context["next"] = second_factor.safe_next(self.request, self.request.GET.get(REDIRECT_FIELD_NAME), "")
        return context


class BackupTokensView(tf_views.BackupTokensView):
    """The recovery codes, and a button for a new set."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recovery_codes"] = [t.token for t in context["device"].token_set.all()]
        return context

    def form_valid(self, form):
        second_factor.create_recovery_codes(self.request.user)
        messages.success(self.request, _("New recovery codes were made; the old ones no longer work."))
        return redirect("two_factor:backup_tokens")


class ProfileView(tf_views.ProfileView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["required"] = second_factor.is_required(self.request.user)
        return context


@method_decorator(never_cache, name="dispatch")
@method_decorator(login_required, name="dispatch")  # anonymous: to the login (not to the profile, which sends there)
class DisableView(tf_views.DisableView):
    """Turn TOTP off (every device and recovery code); not for those who must use it."""

    success_url = "two_factor:profile"

    def dispatch(self, request, *args, **kwargs):
        if second_factor.is_required(request.user):
            raise PermissionDenied(_("KITB administrators must keep two-factor authentication on."))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Two-factor authentication is off."))
        return response
