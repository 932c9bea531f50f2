"""The outbox: every e-mail the portal sends is first a row here, unique by its idempotency key."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.search.documents import trigram_index


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(TimeStampedModel):
    Status = OutboxStatus

    key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    kind = models.CharField(
        _("kind"), max_length=64, default="general", db_index=True,
        help_text=_("Reminder or message kind, used for preferences and unsubscribe links."),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="outbox_messages",
    )
    to_email = models.CharField(_("to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    template = models.CharField(_("template"), max_length=200)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    attachments = models.JSONField(
        _("attachments"), default=list, blank=True,
        help_text=_("List of {filename, mimetype, content_b64}."),
    )
    # One-time links (password reset, invitation, guest registration, unsubscribe) are made at
    # delivery from these references; the bodies hold placeholders only (see secrets.py).
    secret_refs = models.JSONField(_("links made at delivery"), default=dict, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True,
        help_text=_("A pending message is not sent before this time (empty: at once)."),
    )
    claimed_at = models.DateTimeField(
        _("claimed at"), null=True, blank=True,
        help_text=_("When a worker last took the message for sending."),
    )
    attempts_before_manual_retry = models.PositiveIntegerField(
        _("attempts before the last manual retry"), default=0,
        help_text=_("A manual retry gives the message a fresh set of attempts; the attempt counter keeps the total."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", OutboxStatus), name="outbox_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
            # A claimed row says when it was claimed (the sweep re-opens claims older than the lease).
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claimed_at__isnull=False), name="outbox_sending_has_claim"
            ),
            # A failed row says why.
            models.CheckConstraint(condition=~models.Q(status="failed") | ~models.Q(last_error=""), name="outbox_failed_has_reason"),
            models.CheckConstraint(
                condition=models.Q(attempts_before_manual_retry__lte=models.F("attempts")), name="outbox_retry_base_le_attempts"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # The admin's search (IndexedSearchMixin): the outbox grows by every message sent.
            trigram_index("key", name="outbox_key_trgm_idx"),
            trigram_index("to_email", name="outbox_to_email_trgm_idx"),
            trigram_index("subject", name="outbox_subject_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to_email} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at handing a message to the SMTP server."""

    message = models.ForeignKey(OutboxMessage, verbose_name=_("message"), on_delete=models.CASCADE, related_name="delivery_attempts")
    attempted_at = models.DateTimeField(_("attempted at"), auto_now_add=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["attempted_at"]

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}"


# --- preferences and digests -------------------------------------------------------------------


class DigestFrequency(models.TextChoices):
    OFF = "off", _("Off")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


EMAIL_LANGUAGE_CHOICES = [("", _("Same as my portal language")), ("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))]


class NotificationPreference(TimeStampedModel):
    """What one person wants to receive by e-mail. No row means the defaults (weekly digest, every kind).

    ``muted_kinds`` holds the kinds the person switched off (so a kind added later is on by default);
    mandatory messages are sent whatever it says (see ``kinds.py``).
    """

    Frequency = DigestFrequency

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_language = models.CharField(
        _("e-mail language"), max_length=5, blank=True, choices=EMAIL_LANGUAGE_CHOICES,
        help_text=_("Empty: the same language as the portal (the user's preferred language)."),
    )
    digest_frequency = models.CharField(
        _("digest"), max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY,
        help_text=_("Weekly: Monday 07:00, daily: every day 07:00, in the user's time zone."),
    )
    muted_kinds = ArrayField(
        models.CharField(max_length=64), verbose_name=_("switched-off reminder kinds"), default=list, blank=True,
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(condition=choices_check("digest_frequency", DigestFrequency), name="notifpref_frequency_valid"),
            models.CheckConstraint(condition=models.Q(email_language__in=["", "id", "ko", "en"]), name="notifpref_language_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest_frequency}"


class DigestRunStatus(models.TextChoices):
    SENT = "sent", _("Written to the outbox")
    EMPTY = "empty", _("Nothing new: not sent")


class DigestRun(models.Model):
    """One digest built for one person and one period (sent, or skipped because nothing was new).

    The next digest covers what changed since the latest run's ``until``. Unique per person,
    frequency and period, so a digest sweep that runs twice builds each digest once.
    """

    Status = DigestRunStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="digest_runs")
    frequency = models.CharField(_("frequency"), max_length=8, choices=DigestFrequency.choices)
    period = models.CharField(_("period"), max_length=16, help_text=_("The local date (daily) or ISO week (weekly)."))
    since = models.DateTimeField(_("covers changes since"))
    until = models.DateTimeField(_("until"))
    status = models.CharField(_("status"), max_length=8, choices=DigestRunStatus.choices)
    new_items = models.PositiveIntegerField(_("new items"), default=0)
    outbox_key = models.CharField(_("outbox key"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        ordering = ["-until", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "frequency", "period"], name="digestrun_unique_period"),
            models.CheckConstraint(condition=models.Q(frequency__in=["daily", "weekly"]), name="digestrun_frequency_valid"),
            models.CheckConstraint(condition=choices_check("status", DigestRunStatus), name="digestrun_status_valid"),
            models.CheckConstraint(condition=models.Q(until__gte=models.F("since")), name="digestrun_until_after_since"),
            models.CheckConstraint(condition=~models.Q(status="sent") | ~models.Q(outbox_key=""), name="digestrun_sent_has_key"),
        ]
        indexes = [models.Index(fields=["user", "until"], name="digestrun_user_until_idx")]

    def __str__(self) -> str:
        return f"digest {self.frequency} {self.period} → {self.user_id} ({self.status})"
