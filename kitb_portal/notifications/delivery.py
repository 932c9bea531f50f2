"""Sending outbox rows over SMTP: claim, send, record. (Completed by the foundation issue.)"""
from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage


def outbox_deliver_one(*, message_id: int) -> bool:
    claimed = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.SENDING, attempts=models_F("attempts") + 1
    )
    if claimed != 1:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    mail = EmailMultiAlternatives(message.subject, message.body_text, to=[message.to_email], headers=message.headers)
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    mail.send()
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message_id).update(status=OutboxMessage.Status.SENT, sent_at=timezone.now())
    return True


def models_F(name):
    from django.db.models import F

    return F(name)
