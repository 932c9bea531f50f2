"""The second factor: who must have one, the login's token step, and the admin's check.

Built on django-two-factor-auth (which is built on django-otp): a TOTP device named ``default``
(``two_factor.utils.default_device``) is "two-factor authentication enabled"; a static device holds
the recovery codes. ``request.user.is_verified()`` (django-otp's OTPMiddleware) is true once this
session passed a token.

* KITB administrators and superusers must use it: the admin refuses them until their session is
  verified, and sends them to set a device up (none yet) or to the token step (:func:`admin_redirect`).
* Every other user, staff or partner, may turn it on (``/accounts/two-factor/``). Whoever has a
  device is asked for a token after the password (:class:`SecondFactorLoginMixin`), and the admin
  refuses staff with a device whose session has not passed it.
* The token step counts with django-axes: a wrong token is a failed login for that e-mail and
  address, so repeated wrong tokens lock the pair as wrong passwords do.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

# Session key of a login whose password was right and whose token is still awaited.
PENDING_SESSION_KEY = "kitb_second_factor_pending"
# How many recovery codes a user gets (setup, or "new codes").
RECOVERY_CODES = 10


def is_required(user) -> bool:
    """KITB administrators and superusers must pass a second factor to use the admin."""
    from .roles import KITB_ADMINISTRATOR, in_role_group, is_active_user

    # staff or not: a user in the group who lost staff status still needs it
    return is_active_user(user) and bool(user.is_superuser or in_role_group(user, KITB_ADMINISTRATOR))


def device_for(user):
    """The user's TOTP device (two_factor's "default" device), or None when 2FA is off."""
    from two_factor.utils import default_device

    return default_device(user)


def is_verified(user) -> bool:
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def must_verify(request) -> bool:
    """Whether the logged-in user's session still owes a second factor before the admin.

    Verified sessions cost nothing; for the others the device lookup is done once per request."""
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return False
    cached = getattr(request, "_kitb_must_verify", None)
    if cached is None:
        cached = request._kitb_must_verify = is_required(user) or has_device(user)
    return cached


def has_device(user) -> bool:
    """Whether two-factor authentication is on for the user (one query)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user_id=user.pk, name="default", confirmed=True).exists()


def admin_redirect(request, next_url: str):
    """For staff whose session owes a second factor: to the setup (no device yet) or to the token step."""
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff and must_verify(request)):
        return None
    target = "two_factor:setup" if device_for(request.user) is None else "accounts:login_verify"
    return redirect(f"{reverse(target)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def safe_next(request, url: str | None, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return default


# --- the login's token step -------------------------------------------------------------------
def begin_pending_login(request, user, next_url: str) -> None:
    """The password was right and the user has a device: remember who, not logged in yet."""
    request.session[PENDING_SESSION_KEY] = {
        "user": user._meta.pk.value_to_string(user),
        "backend": user.backend,
        "at": int(time.time()),
        "next": next_url,
    }


def pending_login(request):
    """(user, next URL) of the login awaiting its token, or (None, None) when there is none or it expired."""
    from django.contrib.auth import load_backend

    data = request.session.get(PENDING_SESSION_KEY)
    if not data:
        return None, None
    if int(time.time()) - int(data.get("at", 0)) > settings.TWO_FACTOR_LOGIN_TIMEOUT:
        end_pending_login(request)
        return None, None
    user = load_backend(data["backend"]).get_user(data["user"])
    if user is None:  # deactivated meanwhile
        end_pending_login(request)
        return None, None
    user.backend = data["backend"]
    return user, data.get("next")


def end_pending_login(request) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


class SecondFactorLoginMixin:
    """For Django's LoginView (the portal's and the admin's): a user with a device is not logged in
    by the password alone; the token step (``accounts:login_verify``) finishes the login."""

    def form_valid(self, form):
        user = form.get_user()
        if not has_device(user):
            end_pending_login(self.request)
            return super().form_valid(form)
        begin_pending_login(self.request, user, self.get_success_url())
        return redirect("accounts:login_verify")


def create_recovery_codes(user) -> list[str]:
    """A new set of recovery codes (the old ones stop working); each works once."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def mark_session_verified(session, user) -> None:
    """For tools that make logged-in sessions without the login form (the benchmark's sessions, the
    tests' ``force_login``): the session counts as having passed the second factor, with the user's
    TOTP device (one is made, with a random secret, if the user has none)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = device_for(user) or TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def owes_second_factor(user) -> bool:
    """The admin asks this user a second factor: it is required of them, or they have a device."""
    return is_required(user) or device_for(user) is not None


def force_login_verified(client, user, backend=None, *, force_login=None) -> None:
    """Log ``user`` in on a test ``client`` without the login form (the tests, the cold sweep, the
    benchmark's page list) and, where the admin asks them a second factor, past it too.
    ``force_login``: the plain ``Client.force_login`` when the caller has replaced it."""
    (force_login or type(client).force_login)(client, user, backend)
    if owes_second_factor(user):
        session = client.session
        mark_session_verified(session, user)
        session.save()


# --- the admin ----------------------------------------------------------------------------------
class SecondFactorAdminSiteMixin:
    """For the AdminSite: staff whose session owes a second factor have no permission, and the
    admin's login page sends them on to set a device up or to the token step."""

    def has_permission(self, request):
        return super().has_permission(request) and not must_verify(request)

    def login(self, request, extra_context=None):
        from django.contrib.admin.forms import AdminAuthenticationForm

        from .views import AdminLoginView

        asked = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME))
        next_url = safe_next(request, asked, reverse("admin:index", current_app=self.name))
        pending = admin_redirect(request, next_url)
        if pending is not None:
            return pending
        if request.method == "GET" and self.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.name))
        # Django's AdminSite.login, with the login view that asks for the token where there is a device.
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return AdminLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
        )(request)
