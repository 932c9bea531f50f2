"""TOTP codes for tests: what an authenticator app would show for a django-otp TOTP device."""
from __future__ import annotations

import time

from django_otp.oath import totp


def totp_token(device, *, offset: int = 0) -> str:
    """The device's code for the current time step (``offset`` steps later or earlier), zero-padded.

    django-otp refuses a code of a time step already used (replay), so a second login within the
    same 30 seconds needs :func:`fresh_totp_token`."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):0{device.digits}d}"


def fresh_totp_token(device) -> str:
    """A code the device accepts now: the current step's, or the next one's (within the device's
    tolerance) when the current step was used by an earlier login."""
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step)
    for offset in range(0, device.tolerance + 1):
        if now_t + device.drift + offset > device.last_t:
            return totp_token(device, offset=offset)
    raise AssertionError("every code within the tolerance was used already; wait for the next time step")


def wrong_token(device) -> str:
    """A 6-digit code the device does not accept now (none of the codes within its tolerance)."""
    valid = {totp_token(device, offset=o) for o in range(-device.tolerance, device.tolerance + 1)}
    return next(code for code in (f"{n:06d}" for n in range(0, 1_000_000, 111_111)) if code not in valid)
