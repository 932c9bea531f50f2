"""Helpers shared by the tenants admin modules."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or exc.__class__.__name__


def run_service(modeladmin, request, label: str, fn, **kwargs) -> bool:
    """Call a service; turn its refusal into an admin error message. Returns True on success."""
    try:
        fn(actor=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        modeladmin.message_user(request, f"{label}: {error_text(exc)}", messages.ERROR)
        return False
    return True
