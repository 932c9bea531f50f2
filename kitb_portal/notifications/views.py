"""The preferences page (partners; staff use the admin's) and the unsubscribe links of e-mails."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import kinds, selectors, services, tokens
from .forms import PreferenceForm


def save_preferences_form(request, user):
    """Bind the preferences form for ``user``; on a valid POST save it. Returns (form, saved)."""
    form = PreferenceForm(request.POST or None, user=user, initial=selectors.preference_initial(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_update(
                actor=request.user, user=user, email_language=data["email_language"],
                digest_frequency=data["digest_frequency"], received_kinds=data["received_kinds"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return form, True
    return form, False


@login_required
def preferences(request):
    """A partner user's own e-mail preferences (staff have the same page in the admin)."""
    if request.user.is_staff:
        return redirect("admin:notifications_notificationpreference_mine")
    form, saved = save_preferences_form(request, request.user)
    if saved:
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("portal:notification_preferences")
    return render(request, "notifications/preferences.html", {"form": form})


def _kind_label(kind: str) -> str:
    return str(kinds.get(kind).label)


def _token_and_language(token):
    """``(user_id, kind, language)`` of a token, or None: the answers of these links are in the
    language the person reads their e-mail in, whatever the browser or mail client asks for."""
    try:
        user_id, kind = tokens.read_token(token)
    except tokens.BadToken:
        return None
    return user_id, kind, selectors.language_of(user_id)


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: what the link will switch off, and a button; POST: switch it off. No login needed."""
    read = _token_and_language(token)
    if read is None:
        return render(request, "notifications/unsubscribe.html", {"state": "invalid"}, status=404)
    user_id, kind, language = read
    with translation.override(language):
        context = {"kind_label": _kind_label(kind), "is_digest": kind == kinds.DIGEST, "token": token}
        if request.method == "GET":
            response = render(request, "notifications/unsubscribe.html", {**context, "state": "confirm"})
        else:
            try:
                services.preference_unsubscribe(user_id=user_id, kind=kind)
            except PermissionDenied:
                response = render(request, "notifications/unsubscribe.html", {**context, "state": "invalid"}, status=404)
            except ValidationError:
                response = render(request, "notifications/unsubscribe.html", {**context, "state": "mandatory"}, status=400)
            else:
                response = render(request, "notifications/unsubscribe.html", {**context, "state": "done"})
    response["Content-Language"] = language
    return response


def _plain(text: str, language: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")
    response["Content-Language"] = language
    return response


@csrf_exempt  # RFC 8058: mail clients POST here without a session or a CSRF token; the signed token decides
@never_cache
@require_POST
def unsubscribe_one_click(request, token):
    """The ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` endpoint; it answers in the person's language."""
    read = _token_and_language(token)
    if read is None:
        return _plain(_("Unknown unsubscribe link."), translation.get_language(), status=404)
    user_id, kind, language = read
    with translation.override(language):
        try:
            services.preference_unsubscribe(user_id=user_id, kind=kind)
        except PermissionDenied:
            return _plain(_("Unknown unsubscribe link."), language, status=404)
        except ValidationError:
            return _plain(_("These messages cannot be switched off."), language, status=400)
        return _plain(_("Unsubscribed."), language)
