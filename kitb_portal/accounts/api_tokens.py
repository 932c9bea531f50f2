"""Personal API tokens: their shape, their hash and the lookup the API's authentication does.

A token reads ``kitb_<prefix>_<secret>``: the prefix (8 hex characters) is not secret and names the
token in lists; the secret is 32 random bytes (base64url). Only the SHA-256 of the whole token is
stored, so the database never holds anything that works as a token. Creating and revoking go through
``services.api_token_create`` / ``services.api_token_revoke``.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken

TOKEN_RE = re.compile(r"^kitb_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
# last_used_at is written at most this often per token (not a write per request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def generate() -> tuple[str, str, str]:
    """A new token: (the token itself, its prefix, its hash)."""
    prefix = secrets.token_hex(4)
    raw = f"kitb_{prefix}_{secrets.token_urlsafe(32)}"
    return raw, prefix, hash_token(raw)


def authenticate(raw: str) -> ApiToken | None:
    """The usable token ``raw`` is (not revoked, not expired, its user active), or None. One query,
    plus a write of ``last_used_at`` at most once a minute."""
    match = TOKEN_RE.match(raw or "")
    if match is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=match.group(1)).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_token(raw)):
        return None
    if not token.is_usable:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
