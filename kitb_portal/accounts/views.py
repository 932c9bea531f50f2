"""Log in, landing, the portal home, invitations and organisation users."""
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from .forms import LoginForm, PasswordResetForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


def landing(request):
    """Staff land on the admin, partner users on the portal."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("admin:index" if request.user.is_staff else "portal:home")


@login_required
def portal_home(request):
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "portal/home.html", {"organization": request.user.organization})


@login_required
def org_user_list(request):  # completed by the foundation issue
    raise Http404


@login_required
def org_user_invite(request):  # completed by the foundation issue
    raise Http404


@login_required
def org_user_deactivate(request, pk):  # completed by the foundation issue
    raise Http404


def invitation_accept(request, token):  # completed by the foundation issue
    raise Http404
