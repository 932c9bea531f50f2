"""The public registration form's limits, per hour (settings ``EVENTS_GUEST_LIMIT_PER_IP`` and
``EVENTS_GUEST_LIMIT_PER_EMAIL``), on the core's counters (``kitb_portal.accounts.throttle``).

**Per client address**: every attempt counts. The address is the one the login lockout uses
(``kitb_portal.accounts.security.client_ip``: ``X-Forwarded-For`` only with ``BEHIND_PROXY``,
``PROXY_COUNT`` entries from the right); an IPv6 client is counted per /64 network.

**Per e-mail address: only confirmed registrations count.** A request only sends a confirmation
link; the place is taken when someone follows that link, which proves they read that mailbox. So
the per-e-mail counter moves when a guest *confirms* (``count_confirmation``), and a new request is
refused once that address confirmed ``EVENTS_GUEST_LIMIT_PER_EMAIL`` registrations within the hour.
Counting requests instead would let anyone lock a stranger out: a few requests typed with that
stranger's address, and their own registration would be refused for an hour. What a flood of
requests can still do to one mailbox stays small: one link per event (a repeated request for the
same event re-sends the existing link at most once a day, ``services.registration_request_guest``),
and at most ``EVENTS_GUEST_LIMIT_PER_IP`` requests per hour per client address or IPv6 /64.
"""

from __future__ import annotations

from django.conf import settings

from kitb_portal.accounts import throttle

WINDOW_SECONDS = 60 * 60


def _per_ip() -> int:
    return int(getattr(settings, "EVENTS_GUEST_LIMIT_PER_IP", 10))


def _per_email() -> int:
    return int(getattr(settings, "EVENTS_GUEST_LIMIT_PER_EMAIL", 3))


def request_allowed(request, email: str) -> bool:
    """Count this request against the client address; False when the address is over its limit,
    or the e-mail address already confirmed its hourly number of registrations."""
    email = email.strip().lower()
    if throttle.count("guest-email-confirmed", email) >= _per_email():
        return False
    return throttle.hit("guest-ip", throttle.client_key(request), limit=_per_ip(), window_seconds=WINDOW_SECONDS)


def count_confirmation(email: str) -> None:
    """A guest confirmed a registration through the e-mailed link: count it for their address."""
    throttle.hit("guest-email-confirmed", email.strip().lower(), limit=_per_email(), window_seconds=WINDOW_SECONDS)
