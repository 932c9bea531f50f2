"""Users, organisations and invitations: the core every app scopes by."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.search.documents import SIMPLE, document, document_index, search_field, trigram_index

# What the search indexes (kitb_portal.search.documents): stored as each model's search_document.
ORGANIZATION_SEARCH_DOCUMENT = document(("name", SIMPLE, "A"), ("local_name", SIMPLE, "A"))
USER_SEARCH_DOCUMENT = document(("full_name", SIMPLE, "A"), ("email", SIMPLE, "B"))

LANGUAGE_CHOICES = [("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))]
TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz and not tz.startswith("Etc/")]


class OrganizationKind(models.TextChoices):
    INDUSTRIAL_ESTATE = "industrial_estate", _("Industrial estate")
    TECHNOPARK = "technopark", _("Technopark")
    GOVERNMENT = "government", _("Government")
    COMPANY = "company", _("Company")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class Organization(TimeStampedModel):
    """A party to the partnership: KITB itself (the host), a technopark, a government, a company."""

    Kind = OrganizationKind

    name = models.CharField(_("name"), max_length=200, unique=True)
    local_name = models.CharField(_("name in local language"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 two-letter code, e.g. ID or KR."))
    is_host = models.BooleanField(_("host organisation (KITB)"), default=False)

    search_document = search_field(ORGANIZATION_SEARCH_DOCUMENT)

    history = HistoricalRecords(excluded_fields=["search_document"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", OrganizationKind), name="organization_kind_valid"),
            # Exactly one host at most: KITB.
            models.UniqueConstraint(fields=["is_host"], condition=models.Q(is_host=True), name="organization_single_host"),
        ]
        indexes = [
            document_index(name="organization_search_idx"),
            trigram_index("name", name="organization_name_trgm_idx"),
            trigram_index("local_name", name="organization_local_trgm_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in by e-mail: KITB staff (``is_staff``) or a partner organisation's user."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    preferred_language = models.CharField(_("preferred language"), max_length=5, choices=LANGUAGE_CHOICES, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Asia/Jakarta")
    is_org_admin = models.BooleanField(
        _("organisation administrator"), default=False,
        help_text=_("May invite and deactivate colleagues of the same organisation from the portal."),
    )
    is_staff = models.BooleanField(_("KITB staff"), default=False, help_text=_("Uses the admin site."))
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Deactivated users cannot log in and keep their history."))
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    # Who changed what and when (invited, joined, deactivated, ...); never the password hash, and
    # not every login (last_login is updated without a history row, see apps.py).
    search_document = search_field(USER_SEARCH_DOCUMENT)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "search_document"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(preferred_language__in=["id", "ko", "en"]), name="user_language_valid"),
            # A partner user (not staff) always belongs to an organisation.
            models.CheckConstraint(condition=models.Q(is_staff=True) | models.Q(organization__isnull=False), name="user_partner_has_org"),
        ]
        # the admin's user list is in this order: a page of it reads the index instead of sorting every user
        indexes = [
            models.Index(fields=["full_name", "email"], name="user_name_email_idx"),
            document_index(name="user_search_idx"),
            trigram_index("full_name", name="user_full_name_trgm_idx"),
            trigram_index("email", name="user_email_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_partner(self) -> bool:
        return not self.is_staff


class InvitationState(models.TextChoices):
    """What an invitation link can do now (computed, not stored)."""

    VALID = "valid", _("Valid")
    USED = "used", _("Already used")
    EXPIRED = "expired", _("Expired")
    REPLACED = "replaced", _("Replaced by a newer link")
    INACTIVE = "inactive", _("Account deactivated")
    UNKNOWN = "unknown", _("Unknown link")


class Invitation(TimeStampedModel):
    """A one-time link that lets an invited person set their password (valid INVITATION_VALID_DAYS).

    Only the SHA-256 of the token is stored; the link in the e-mail carries the token itself.
    A user has at most one open (neither used nor revoked) invitation: re-inviting revokes the older.
    """

    State = InvitationState

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        _("revoked at"), null=True, blank=True, help_text=_("Set when a newer link replaces this one or the user is deactivated.")
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(used_at__isnull=True, revoked_at__isnull=True), name="invitation_one_open_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(revoked_at__isnull=True), name="invitation_not_used_and_revoked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} ({self.created_at:%Y-%m-%d})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def state(self) -> str:
        """The link's state, in the order a visitor needs to hear it."""
        if not self.user.is_active:
            return InvitationState.INACTIVE
        if self.used_at is not None or self.user.has_usable_password():
            return InvitationState.USED
        if self.revoked_at is not None:
            return InvitationState.REPLACED
        if self.is_expired:
            return InvitationState.EXPIRED
        return InvitationState.VALID


def default_language() -> str:
    return settings.LANGUAGE_CODE


# --- personal API tokens ------------------------------------------------------------------------
class ApiTokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(TimeStampedModel):
    """A personal token for the REST API (/api/v1/), acting as its user.

    The token is shown once, when it is made; only the SHA-256 of it is stored (``secret_hash``),
    with a short non-secret ``prefix`` that names it in lists. It stops working when it expires, is
    revoked, or its user is deactivated.
    """

    Scope = ApiTokenScope

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. the script that uses it."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=8, choices=ApiTokenScope.choices, default=ApiTokenScope.READ)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("scope", ApiTokenScope), name="apitoken_scope_valid"),
            models.CheckConstraint(condition=models.Q(secret_hash__regex=r"^[0-9a-f]{64}$"), name="apitoken_hash_hex"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")), name="apitoken_expires_after_creation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired and self.user.is_active

    @property
    def can_write(self) -> bool:
        return self.scope == ApiTokenScope.WRITE


# --- contacts -----------------------------------------------------------------------------------
class Contact(TimeStampedModel):
    """A person at an organisation (a signatory, the one responsible for a commitment, a colleague),
    whether or not they have a login. ``user`` links the person's account when they have one."""

    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="directory_contacts")
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    languages = ArrayField(
        models.CharField(max_length=5, choices=LANGUAGE_CHOICES), verbose_name=_("languages"), default=list, blank=True,
        help_text=_("The languages the person works in."),
    )
    user = models.OneToOneField(
        User, verbose_name=_("login"), on_delete=models.SET_NULL, null=True, blank=True, related_name="contact",
        help_text=_("The person's portal account, if they have one (of the same organisation)."),
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Deactivated contacts are kept for the records that name them."))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organization", "full_name", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(full_name=""), name="contact_name_not_empty"),
            models.CheckConstraint(condition=models.Q(languages__contained_by=["id", "ko", "en"]), name="contact_languages_valid"),
            models.UniqueConstraint(
                "organization", Lower("email"), condition=~models.Q(email=""), name="contact_email_unique_per_org"
            ),
        ]
        indexes = [models.Index(fields=["organization", "full_name"], name="contact_org_name_idx")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.position})" if self.position else self.full_name

    @property
    def has_login(self) -> bool:
        return self.user_id is not None

    def clean(self):
        super().clean()
        if self.user_id and self.organization_id and self.user.organization_id != self.organization_id:
            raise ValidationError({"user": _("The login must belong to a user of the same organisation.")})
