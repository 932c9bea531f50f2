"""Portal pages for personal API tokens (/portal/api-tokens/) and the organisation's contacts
(/portal/contacts/). Changes go through services; reads through selectors."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kitb_portal.common.forms import add_service_errors

from . import permissions, selectors, services
from .forms import ApiTokenForm, ContactForm


# --- API tokens -----------------------------------------------------------------------------------
@never_cache
@login_required
def api_token_list(request):
    """The user's tokens and the form for a new one; after creating, the token is shown once here."""
    form = ApiTokenForm(request.POST or None)
    created = raw = None
    if request.method == "POST" and form.is_valid():
        try:
            created, raw = services.api_token_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiTokenForm()
    tokens = selectors.api_token_list_for(request.user)
    return render(request, "accounts/portal_api_tokens.html", {"form": form, "tokens": tokens, "created": created, "raw_token": raw})


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = selectors.api_token_get_for(request.user, pk)
    services.api_token_revoke(actor=request.user, token_id=token.pk)
    messages.success(request, _("The token %(name)s is revoked: it no longer works.") % {"name": token.name})
    return redirect("portal:api_tokens")


# --- contacts -------------------------------------------------------------------------------------
def _require_contact_manager(request):
    if not permissions.can_manage_contacts(request.user, request.user.organization_id) or request.user.is_staff:
        raise PermissionDenied


@login_required
def contact_list(request):
    _require_contact_manager(request)
    contacts = selectors.contact_list_for(request.user, organization_id=request.user.organization_id)
    return render(request, "accounts/portal_contact_list.html", {"contacts": contacts, "organization": request.user.organization})


@login_required
def contact_edit(request, pk=None):
    """Add a contact (no ``pk``) or edit one of the organisation's (another organisation's: 404)."""
    _require_contact_manager(request)
    contact = selectors.contact_get_for(request.user, pk) if pk is not None else None
    initial = None
    if contact is not None:
        initial = {f: getattr(contact, f) for f in ("full_name", "position", "department", "email", "phone", "languages", "user")}
    form = ContactForm(request.POST or None, initial=initial, organization=request.user.organization)
    if request.method == "POST" and form.is_valid():
        try:
            if contact is None:
                contact = services.contact_create(actor=request.user, organization=request.user.organization, data=form.cleaned_data)
                messages.success(request, _("%(name)s is added to your contacts.") % {"name": contact.full_name})
            else:
                contact = services.contact_update(actor=request.user, contact_id=contact.pk, data=form.cleaned_data)
                messages.success(request, _("%(name)s is saved.") % {"name": contact.full_name})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("portal:contact_list")
    return render(request, "accounts/portal_contact_form.html", {"form": form, "contact": contact})


@login_required
@require_POST
def contact_set_active(request, pk, active: bool):
    _require_contact_manager(request)
    contact = selectors.contact_get_for(request.user, pk)
    services.contact_set_active(actor=request.user, contact_id=contact.pk, active=active)
    if active:
        messages.success(request, _("%(name)s is active again.") % {"name": contact.full_name})
    else:
        messages.success(request, _("%(name)s is deactivated.") % {"name": contact.full_name})
    return redirect("portal:contact_list")
