"""One-time secrets in e-mail never sit in the outbox.

Password-reset and invitation links, a guest's registration links and unsubscribe tokens give
whoever holds them the recipient's account or registration. The outbox is readable by staff (the
admin), by backups and by anyone with database access, so such a link is never written to it:

* the caller puts a :class:`SecretRef` in ``notify()``'s context instead of the link: the name of a
  registered *resolver* and the non-secret facts it needs (a user id and a timestamp, an invitation
  id, a registration id);
* ``notify()`` renders the message with a placeholder (``[[secret:reset_url]]``) where the link goes
  and stores the references in the row's ``secret_refs``;
* delivery (:func:`kitb_portal.notifications.delivery.build_email`) asks each resolver for its link
  and puts it in the e-mail, in the worker's memory only. A link that can no longer be made (the
  invitation was used or replaced, the reset was overtaken by a login or a new password) fails the
  message permanently, with the reason, rather than sending a dead or stale link.

A resolver takes the reference's ``params`` and returns the link, or raises
:class:`SecretUnavailable`. Apps register theirs in ``AppConfig.ready`` with :func:`register`
(the core imports no app); an unknown resolver name fails the message permanently.

Which message kinds carry such links is said once, in ``kinds.py`` (``carries_secret``): the admin
hides those bodies altogether, as a second line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.html import escape

PLACEHOLDER_PATTERN = re.compile(r"\[\[secret:([A-Za-z0-9_]+)\]\]")


def placeholder(name: str) -> str:
    """What the stored body says where the secret ``name`` goes (plain ASCII: unchanged by escaping)."""
    return f"[[secret:{name}]]"


class SecretUnavailable(Exception):
    """The link cannot be made any more (used, replaced, expired, account deactivated)."""


@dataclass(frozen=True)
class SecretRef:
    """A link that delivery makes: ``resolver`` is a registered name, ``params`` plain JSON facts."""

    resolver: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"resolver": self.resolver, "params": dict(self.params)}


_RESOLVERS: dict[str, Callable[[dict], str]] = {}


def register(name: str, resolver: Callable[[dict], str]) -> None:
    _RESOLVERS[name] = resolver


def extract(context: dict) -> tuple[dict, dict]:
    """``(context with placeholders, references)``: every :class:`SecretRef` value of ``context``
    is replaced by its placeholder, and its reference kept under the same name."""
    refs: dict = {}
    clean: dict = {}
    for name, value in context.items():
        if isinstance(value, SecretRef):
            refs[name] = value.as_json()
            clean[name] = placeholder(name)
        else:
            clean[name] = value
    return clean, refs


def resolve(refs: dict) -> dict[str, str]:
    """The links of a row's references. Raises :class:`SecretUnavailable` (with the reason)."""
    values: dict[str, str] = {}
    for name, ref in (refs or {}).items():
        resolver_name = (ref or {}).get("resolver", "")
        resolver = _RESOLVERS.get(resolver_name)
        if resolver is None:
            raise SecretUnavailable(f"{name}: no resolver {resolver_name!r} is registered")
        try:
            values[name] = str(resolver(dict(ref.get("params") or {})))
        except SecretUnavailable as exc:
            raise SecretUnavailable(f"{name}: {exc}") from None
    return values


def fill(text: str, values: dict[str, str], *, html: bool = False) -> str:
    """``text`` with each placeholder of ``values`` replaced by its link (HTML-escaped in HTML)."""
    if not text or not values:
        return text

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return escape(values[name]) if html else values[name]

    return PLACEHOLDER_PATTERN.sub(replace, text)
