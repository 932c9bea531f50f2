"""Helpers shared by the tenants admin modules."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from ..forms import error_text


def run_service(modeladmin, request, label: str, fn, **kwargs) -> bool:
    """Call a service; turn its refusal into an admin error message. Returns True on success."""
    try:
        fn(actor=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        modeladmin.message_user(request, f"{label}: {error_text(exc)}", messages.ERROR)
        return False
    return True
