"""Writing to the outbox. Delivery lives in ``delivery.py`` and ``tasks.py``.

Usage from any app's service, inside its transaction::

    notify(recipient=user, template="partnerships/email/mou_expiry",
           context={"mou": mou, "days": 30}, key=f"mou-expiry:{mou.pk}:30:{user.pk}",
           kind="mou_expiry")

The message is rendered at once in the recipient's language (``<template>_subject.txt``,
``<template>.txt`` and, if it exists, ``<template>.html``), stored as one outbox row per unique
key (a second call with the same key writes nothing and returns ``None``), and its delivery is
queued after the surrounding transaction commits.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutboxMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"

    def as_json(self) -> dict:
        return {"filename": self.filename, "mimetype": self.mimetype, "content_b64": base64.b64encode(self.content).decode()}


def render_message(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render subject, plain text and HTML of ``template`` in ``language``."""
    ctx = {"SITE_URL": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        text = render_to_string(f"{template}.txt", ctx)
        try:
            html = render_to_string(f"{template}.html", ctx)
        except TemplateDoesNotExist:
            html = ""
    return subject[:255], text, html


def notify(
    *,
    recipient=None,
    template: str,
    context: dict,
    key: str,
    kind: str = "general",
    email: str | None = None,
    language: str | None = None,
    attachments: list[Attachment] | None = None,
    headers: dict | None = None,
) -> OutboxMessage | None:
    """Write one outbox row for ``key`` and queue its delivery on commit.

    ``recipient`` is a user; for a guest who has no account, pass ``email`` and ``language``.
    Returns the new row, or ``None`` when a row with this key already exists.
    """
    if recipient is None and not email:
        raise ValueError("notify() needs a recipient or an e-mail address.")
    if OutboxMessage.objects.filter(key=key).exists():
        return None
    to_email = email or recipient.email
    lang = language or getattr(recipient, "preferred_language", None) or settings.LANGUAGE_CODE
    subject, text, html = render_message(template, {"recipient": recipient, **context}, lang)
    try:
        with transaction.atomic():  # savepoint: a duplicate key must not break the caller's transaction
            message = OutboxMessage.objects.create(
                key=key,
                kind=kind,
                recipient=recipient,
                to_email=to_email or "",
                language=lang,
                template=template,
                subject=subject,
                body_text=text,
                body_html=html,
                headers=headers or {},
                attachments=[a.as_json() for a in attachments or []],
            )
    except IntegrityError:
        return None  # another transaction wrote this key first
    from .tasks import outbox_deliver

    transaction.on_commit(lambda: outbox_deliver.delay(message.pk))
    return message
