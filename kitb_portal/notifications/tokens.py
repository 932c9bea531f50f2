"""Signed unsubscribe tokens: who (user id) and what (message kind), no login needed.

``django.core.signing`` with its own salt, so a token from elsewhere (a password reset, a session)
never passes here, and without expiry, since an old e-mail's link must keep working. The token
only ever switches a kind *off* for the person it names, which is why no login is asked for.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "kitb_portal.notifications.unsubscribe"


class BadToken(Exception):
    """The token was not made by us, or was changed."""


def make_token(user_id: int, kind: str) -> str:
    return signing.dumps([int(user_id), str(kind)], salt=SALT, compress=False)


def read_token(token: str) -> tuple[int, str]:
    """``(user_id, kind)`` of a token; :class:`BadToken` if it is not valid."""
    try:
        user_id, kind = signing.loads(token, salt=SALT)
        return int(user_id), str(kind)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken(token) from None


def unsubscribe_url(user_id: int, kind: str, *, token: str | None = None) -> str:
    """The page (GET: a confirm button, POST: unsubscribe) linked from the e-mail's footer."""
    return settings.SITE_URL + reverse("portal:unsubscribe", args=[token or make_token(user_id, kind)])


def one_click_url(user_id: int, kind: str, *, token: str | None = None) -> str:
    """The RFC 8058 endpoint of the ``List-Unsubscribe`` header (POST, no login, no CSRF token)."""
    return settings.SITE_URL + reverse("portal:unsubscribe_one_click", args=[token or make_token(user_id, kind)])


def unsubscribe_headers(user_id: int, kind: str) -> tuple[str, dict[str, str]]:
    """The footer link and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 2369, 8058)."""
    token = make_token(user_id, kind)
    headers = {
        "List-Unsubscribe": f"<{one_click_url(user_id, kind, token=token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return unsubscribe_url(user_id, kind, token=token), headers
