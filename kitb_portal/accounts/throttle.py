"""Fixed-window counters in the shared cache (Redis), keyed by client address or by another value
(an e-mail address), for the limits outside the login lockout: public event registration,
password-reset requests.

The client address is ``security.client_ip`` (the one definition, which django-axes uses too). An
IPv6 client is counted per /64 network: one subscriber usually holds a whole /64 and can change the
last 64 bits at will, so counting single IPv6 addresses would limit nothing. An IPv4 address (or an
IPv4-mapped IPv6 address) is counted as itself. Values are hashed into the key, so no address or
e-mail is stored in the cache in the clear.
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging

from django.core.cache import cache

from .security import client_ip

logger = logging.getLogger(__name__)

IPV6_PREFIX = 64


def address_key(ip: str | None) -> str:
    """What a client address is counted as: the IPv4 address, or the IPv6 /64 network."""
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def client_key(request) -> str:
    """The requesting client's address as counted (see ``address_key``)."""
    return address_key(client_ip(request))


def _key(scope: str, value: str) -> str:
    return f"throttle:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def hit(scope: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True while the count stays within ``limit`` for the window. Without the
    cache (Redis down), every attempt is allowed and a warning is logged."""
    key = _key(scope, value)
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            count = 1
    except Exception:  # Redis down: allow, and say so in the log
        logger.warning("throttle %s: cache unavailable, allowing the attempt", scope, exc_info=True)
        return True
    return count <= limit


def count(scope: str, value: str) -> int:
    """The attempts counted in the current window, without counting one more (0 without the cache)."""
    try:
        return int(cache.get(_key(scope, value)) or 0)
    except Exception:
        logger.warning("throttle %s: cache unavailable", scope, exc_info=True)
        return 0
