"""How one message is rendered: its subject, text and HTML in the recipient's language, and the
envelope around it (language, footer with the unsubscribe link or the notice that it cannot be
switched off, and the List-Unsubscribe headers). Used by :func:`.services.notify` and by the digest
builder, which looks the preferences up in bulk.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from . import kinds, secrets, tokens


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"

    def as_json(self) -> dict:
        return {"filename": self.filename, "mimetype": self.mimetype, "content_b64": base64.b64encode(self.content).decode()}


def render_subject(template: str, context: dict, language: str) -> str:
    """The subject line of ``template`` in ``language``: one line, at most 255 characters."""
    ctx = {"SITE_URL": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        return " ".join(render_to_string(f"{template}_subject.txt", ctx).split())[:255]


def render_message(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render subject, plain text and HTML of ``template`` in ``language``."""
    ctx = {"SITE_URL": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    subject = render_subject(template, context, language)
    with translation.override(language):
        text = render_to_string(f"{template}.txt", ctx)
        try:
            html = render_to_string(f"{template}.html", ctx)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html


@dataclass(frozen=True)
class RecipientPreferences:
    """The parts of a person's preferences that notify() needs (defaults when they saved none)."""

    email_language: str = ""
    digest_frequency: str = "weekly"
    muted_kinds: tuple[str, ...] = ()

    @classmethod
    def from_values(cls, language, frequency, muted) -> RecipientPreferences:
        if frequency is None:  # no preference row
            return cls()
        return cls(email_language=language or "", digest_frequency=frequency, muted_kinds=tuple(muted or ()))

    def receives(self, kind: str) -> bool:
        """Whether an optional message of ``kind`` may be sent (mandatory ones always are)."""
        if kind == kinds.DIGEST:
            return self.digest_frequency != "off" and kind not in self.muted_kinds
        return kind not in self.muted_kinds


@dataclass(frozen=True)
class Envelope:
    """How one message to one person goes out: language, footer context and headers."""

    language: str
    context: dict
    headers: dict
    secret_refs: dict = field(default_factory=dict)  # references of placeholders in the headers


def envelope_for(*, recipient, kind: str, mandatory: bool, preferences: RecipientPreferences | None,
                 language: str | None = None, mandatory_reason: str | None = None) -> Envelope:
    """Language, footer (unsubscribe link or "cannot be switched off") and headers of a message.

    Shared by :func:`notify` and the digest builder, which looks the preferences up in bulk.
    ``mandatory`` here is already the final answer (the caller's flag, or a kind that is not optional).
    """
    lang = (
        language
        or (preferences.email_language if preferences else "")
        or getattr(recipient, "preferred_language", None)
        or settings.LANGUAGE_CODE
    )
    context: dict = {}
    headers: dict = {}
    refs: dict = {}
    if mandatory:
        context["mandatory_notice"] = mandatory_reason or kinds.mandatory_reason(kind)
    elif recipient is not None and recipient.pk:
        context[tokens.UNSUBSCRIBE_URL], headers, refs = tokens.unsubscribe_headers(recipient.pk, kind)
        context["preferences_url"] = preferences_url(recipient)
    return Envelope(language=lang, context=context, headers=headers, secret_refs=refs)


def preferences_url(user) -> str:
    """Where a person changes what they receive: the admin page for staff, the portal page for partners."""
    from django.urls import reverse

    name = "admin:notifications_notificationpreference_mine" if user.is_staff else "portal:notification_preferences"
    return settings.SITE_URL + reverse(name)


def render_with_footer(template: str, context: dict, envelope: Envelope) -> tuple[str, str, str, dict]:
    """Render the message; a mandatory notice the base templates did not show is added at the end.

    Returns ``(subject, text, html, secret_refs)``: every :class:`~.secrets.SecretRef` of the
    context (and the envelope's) is rendered as a placeholder that delivery fills in.
    """
    context, refs = secrets.extract({**context, **envelope.context})
    refs.update(envelope.secret_refs)
    subject, text, html = render_message(template, context, envelope.language)
    notice = envelope.context.get("mandatory_notice")
    if notice:
        with translation.override(envelope.language):
            notice = str(notice)
        if notice not in text:
            text = f"{text.rstrip()}\n\n{notice}\n"
        if html and escape(notice) not in html:
            paragraph = f'<p style="font-size: 12px; color: #52606d;">{escape(notice)}</p>'
            html = html.replace("</body>", paragraph + "</body>", 1) if "</body>" in html else html + paragraph
    return subject, text, html, refs
