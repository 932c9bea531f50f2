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


#: django-axes' lockout parameters: the (account, address) pair, and the address on its own.
PAIR = ["username", "ip_address"]


def address_failures(ip: str | None) -> int:
    """Failed logins from ``ip`` over every account within the cool-off (axes' own records)."""
    if not ip:
        return 0
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    attempts = AccessAttempt.objects.filter(ip_address=ip)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def axes_lockout_parameters(request_or_attempt, credentials=None) -> list:
    """AXES_LOCKOUT_PARAMETERS: lock the (account, address) pair after AXES_FAILURE_LIMIT failures,
    and the address on its own once it has AXES_IP_FAILURE_LIMIT failures over all accounts (one
    address trying many accounts). axes has one failure limit, compared with the largest count over
    the parameter sets, so the address set is added only once its own, higher limit is reached (its
    count is then at least that limit, so axes locks). Below it, a successful login resets only the
    pair's failures, never the address's count of failures on other accounts."""
    from axes.models import AccessBase

    if isinstance(request_or_attempt, AccessBase):
        return [PAIR]
    ip = getattr(request_or_attempt, "axes_ip_address", None) or client_ip(request_or_attempt)
    if address_failures(ip) >= int(getattr(settings, "AXES_IP_FAILURE_LIMIT", 30)):
        return [PAIR, "ip_address"]
    return [PAIR]
