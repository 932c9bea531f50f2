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


UNSUBSCRIBE_URL = "unsubscribe_url"
ONE_CLICK_URL = "one_click_unsubscribe_url"


def unsubscribe_headers(user_id: int, kind: str):
    """The footer link and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 2369, 8058).

    Returns ``(footer link, headers, references)``: the link is a :class:`~.secrets.SecretRef` and
    the header holds a placeholder, both made at delivery (:func:`resolve_unsubscribe`), so the
    token never sits in the outbox; ``references`` are the header's, for the row's ``secret_refs``.
    """
    from . import secrets

    params = {"user": int(user_id), "kind": str(kind)}
    headers = {
        "List-Unsubscribe": f"<{secrets.placeholder(ONE_CLICK_URL)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    refs = {ONE_CLICK_URL: secrets.SecretRef("unsubscribe", {**params, "one_click": True}).as_json()}
    return secrets.SecretRef("unsubscribe", params), headers, refs


def resolve_unsubscribe(params: dict) -> str:
    """The unsubscribe link (or its RFC 8058 one-click endpoint) of a reference, at delivery."""
    user_id, kind = int(params["user"]), str(params["kind"])
    return (one_click_url if params.get("one_click") else unsubscribe_url)(user_id, kind)
