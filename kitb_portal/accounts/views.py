"""Log in, landing, the portal home, invitations and organisation users."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kitb_portal.dashboard import compose

from . import permissions, selectors, services, throttle
from .forms import ColleagueInviteForm, LoginForm, PasswordResetForm
from .languages import set_language_cookie
from .models import Invitation
from .second_factor import SecondFactorLoginMixin
from .security import client_ip

COLLEAGUES_PER_PAGE = 25
# "Send me a new link": at most this many requests per client address per hour (besides the
# service's one new link per person per ten minutes).
RESEND_LIMIT_PER_HOUR = 5


class LoginView(SecondFactorLoginMixin, auth_views.LoginView):
    """The password step; users with a second factor go on to the token step (second_factor_views)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The user's language from this response on, even if the browser chose another before.
        return set_language_cookie(response, form.get_user().preferred_language)


class AdminLoginView(LoginView):
    """The admin's login page (/admin/login/, KitbAdminSite.login): Django's admin form and template,
    with the same token step and language as the portal's."""

    # Django's admin shows "you are logged in as ..., but not authorised" to a logged-in partner.
    redirect_authenticated_user = False


class PasswordResetView(auth_views.PasswordResetView):
    """Reset requests are limited per hour: ``PASSWORD_RESET_LIMIT_PER_IP`` per client address (the
    login lockout's, IPv6 per /64), which is refused with a form error (it says nothing about any
    account), and ``PASSWORD_RESET_LIMIT_PER_ACCOUNT`` per address typed in, counted whether or not
    an account uses it: over that, nothing is sent and the answer is the same "check your e-mail"
    page as always (which says that only a few links per hour go to one address), so the limit
    reveals nothing about which addresses have accounts."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        window = 60 * 60
        if not throttle.hit("password-reset-ip", throttle.client_key(self.request),
                            limit=int(settings.PASSWORD_RESET_LIMIT_PER_IP), window_seconds=window):
            form.add_error(None, _("Too many password reset requests came from your network. Please try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        email = form.cleaned_data["email"].strip().lower()
        if not throttle.hit("password-reset-account", email, limit=int(settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT),
                            window_seconds=window):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever set a new password through the e-mailed link owns the account: lift its lockout.
        from axes.utils import reset as axes_reset

        axes_reset(username=form.user.email.lower())
        return response


def landing(request):
    """Staff land on the admin, partner users on the portal."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("admin:index" if request.user.is_staff else "portal:home")


@login_required
def portal_home(request):
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "portal/home.html", {
        "organization": request.user.organization, "dashboard": compose(request.user),
    })


# --- colleagues (partner organisation administrators) ------------------------------------------
def _require_colleague_manager(request) -> None:
    if not permissions.can_manage_colleagues(request.user):
        raise PermissionDenied(_("Only your organisation's administrators can manage its users."))


@login_required
def org_user_list(request):
    _require_colleague_manager(request)
    page = Paginator(selectors.colleague_list_for(request.user), COLLEAGUES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/portal_user_list.html", {"page_obj": page, "organization": request.user.organization})


@login_required
def org_user_invite(request):
    _require_colleague_manager(request)
    form = ColleagueInviteForm(request.POST or None, initial={"language": request.user.preferred_language})
    if request.method == "POST" and form.is_valid():
        try:
            invitation = form.invite(actor=request.user)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.user.email})
            return redirect("portal:user_list")
    return render(request, "accounts/portal_user_invite.html", {"form": form, "organization": request.user.organization})


def _set_colleague_active(request, pk, service, done: str):
    """Deactivate or reactivate a colleague through ``service``; ``done`` names them in the message."""
    _require_colleague_manager(request)
    colleague = selectors.colleague_get_for(request.user, pk)
    try:
        service(actor=request.user, user=colleague)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, done % {"name": colleague.full_name or colleague.email})
    return redirect("portal:user_list")


@login_required
@require_POST
def org_user_deactivate(request, pk):
    return _set_colleague_active(request, pk, services.user_deactivate, _("%(name)s can no longer log in."))


@login_required
@require_POST
def org_user_reactivate(request, pk):
    return _set_colleague_active(request, pk, services.user_reactivate, _("%(name)s can log in again."))


# --- invitation links ------------------------------------------------------------------------
def _invitation_refused(request, token, state, invitation=None):
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"state": state, "token": token, "States": Invitation.State, "invitation": invitation},
        status=410,
    )


@never_cache
def invitation_accept(request, token):
    """A valid link shows a set-password form; any other says why and offers a way on."""
    state, invitation = services.invitation_state(token)
    if state != Invitation.State.VALID:
        return _invitation_refused(request, token, state, invitation)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except services.InvitationError as exc:
            return _invitation_refused(request, token, exc.state, invitation)
        auth_login(request, user, backend="kitb_portal.accounts.backends.PortalBackend")
        messages.success(request, _("Welcome! Your password is set and you are logged in."))
        return set_language_cookie(redirect("accounts:landing"), user.preferred_language)
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


def _resend_allowed(request) -> bool:
    key = f"invitation-resend:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        count = 1
    return count <= RESEND_LIMIT_PER_HOUR


@never_cache
@require_POST
def invitation_resend(request, token):
    """"Send me a new link": the same answer whatever happened, so it reveals nothing new."""
    if not _resend_allowed(request):
        return render(request, "accounts/invitation_resent.html", {"limited": True}, status=429)
    services.invitation_resend(token=token)
    return render(request, "accounts/invitation_resent.html", {"limited": False})
