"""Form helpers shared by the apps' portal pages and custom admin views."""
from __future__ import annotations

from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names; errors naming no field of the
    form, and an error without fields, go on the whole form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ServiceErrorsMixin:
    """A form that shows a service's ValidationError with ``form.add_service_error(exc)``."""

    def add_service_error(self, error: ValidationError) -> None:
        add_service_errors(self, error)
