"""Error answers: a service's ValidationError becomes a 400 naming the field, never a 500."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def validation_detail(exc: DjangoValidationError):
    """A Django ValidationError as DRF detail: ``{field: [messages]}``, non-field ones under ``non_field_errors``."""
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): list(messages) for field, messages in exc.message_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
