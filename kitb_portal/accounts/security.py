"""Who is knocking: the client's address (proxy header only where BEHIND_PROXY says so) and the
username django-axes counts failures against."""
from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's IP address. ``X-Forwarded-For`` is trusted only with ``BEHIND_PROXY``: then the
    address ``PROXY_COUNT`` hops from the right (the one our own proxy saw) is the client; any
    addresses further left were sent by the client and could be forged."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    count = max(int(getattr(settings, "PROXY_COUNT", 1) or 1), 1)
    if len(forwarded) >= count:
        return forwarded[-count]
    return remote


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE (django-ipware is not installed, so axes' IPWARE settings do nothing)."""
    return client_ip(request)


def axes_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: the e-mail as login compares it (case and spaces ignored), so
    ``Partner@X`` and ``partner@x`` share one failure count."""
    username = None
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get(settings.AXES_USERNAME_FORM_FIELD)
    return username.strip().lower() if isinstance(username, str) else username
