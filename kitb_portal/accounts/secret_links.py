"""Password-reset and invitation links are made when the e-mail is delivered, never stored.

The outbox keeps a reference (``kitb_portal.notifications.secrets``) that is useless without the
``SECRET_KEY``; the delivery worker rebuilds the very link the person asked for:

* **Password reset.** Django's token is an HMAC (with ``SECRET_KEY``) of the user's state (password
  hash, last login, e-mail) and the time of the request. The reference holds the user, that time
  and a keyed check of the token (an HMAC of it: it tells nothing about the token). Delivery makes
  the token for that time again; if the person logged in, changed the password or the e-mail since
  the request, the check no longer matches (the requested link would be dead), and past the timeout
  the token is refused: either way the message is failed, never sent with a link the person did
  not ask for.
* **Invitation.** The token is an HMAC (with ``SECRET_KEY``) of a random nonce; the invitation row
  keeps the SHA-256 of the token (as before, for the lookup), the outbox reference the nonce.
  Delivery makes the token again and checks it against the row; a used, replaced, expired or
  deactivated invitation is not sent.
"""

from __future__ import annotations

import base64
import secrets as pysecrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, urlsafe_base64_encode

from kitb_portal.notifications.secrets import SecretRef, SecretUnavailable

PASSWORD_RESET = "password_reset"
INVITATION = "invitation"
INVITATION_SALT = "kitb_portal.accounts.invitation"


# --- password reset ---------------------------------------------------------------------------


RESET_CHECK_SALT = "kitb_portal.accounts.password_reset.check"


def _reset_check(token: str) -> str:
    return salted_hmac(RESET_CHECK_SALT, token, algorithm="sha256").hexdigest()


def password_reset_ref(user, token: str) -> SecretRef:
    """The reference of the link carrying ``token`` (made now by the reset form for ``user``)."""
    ts_b36 = token.split("-", 1)[0]
    return SecretRef(PASSWORD_RESET, {"user": user.pk, "ts": base36_to_int(ts_b36), "check": _reset_check(token)})


def password_reset_url(user, token: str) -> str:
    return settings.SITE_URL + reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(str(user.pk).encode()), "token": token}
    )


def resolve_password_reset(params: dict) -> str:
    from .models import User

    user = User._default_manager.filter(pk=params.get("user"), is_active=True).first()
    if user is None:
        raise SecretUnavailable("the account no longer exists or is deactivated")
    generator = default_token_generator
    # Django's own token for that moment (the same computation as make_token, at the request's time).
    token = generator._make_token_with_timestamp(user, int(params["ts"]), generator.secret)
    if not constant_time_compare(_reset_check(token), str(params.get("check", ""))):
        raise SecretUnavailable("the person logged in, or changed the password or e-mail, since the request")
    if not generator.check_token(user, token):
        raise SecretUnavailable("the reset link expired before it could be sent")
    return password_reset_url(user, token)


# --- invitations ------------------------------------------------------------------------------


def new_invitation_nonce() -> str:
    return pysecrets.token_urlsafe(24)


def invitation_token(nonce: str) -> str:
    """The link's token: an HMAC of the nonce with the ``SECRET_KEY`` (43 URL-safe characters)."""
    digest = salted_hmac(INVITATION_SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def invitation_ref(invitation, nonce: str) -> SecretRef:
    return SecretRef(INVITATION, {"invitation": invitation.pk, "nonce": nonce})


def resolve_invitation(params: dict) -> str:
    from .models import Invitation
    from .services import invitation_url, token_hash

    invitation = Invitation.objects.select_related("user").filter(pk=params.get("invitation")).first()
    if invitation is None:
        raise SecretUnavailable("the invitation no longer exists")
    token = invitation_token(str(params.get("nonce", "")))
    if not constant_time_compare(token_hash(token), invitation.token_hash):
        raise SecretUnavailable("the invitation's link cannot be made again (the secret key changed)")
    state = invitation.state
    if state != Invitation.State.VALID:
        raise SecretUnavailable(f"the invitation is {state}")
    return invitation_url(token)
