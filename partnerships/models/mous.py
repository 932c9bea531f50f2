"""MoUs and their parties: the MoU itself (status, dates, scope, owner), its past terms, and the
organisations that are party to it with their signatories.

Every change of state goes through ``partnerships.services``; invariants that fit one row are constraints here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.search.documents import ENGLISH, INDONESIAN, SIMPLE, document, document_index, search_field, trigram_index

# What the search indexes (kitb_portal.search.documents): stored as the MoU's search_document.
MOU_SEARCH_DOCUMENT = document(
    ("reference", SIMPLE, "A"), ("title_en", ENGLISH, "A"), ("title_id", INDONESIAN, "A"), ("title_ko", SIMPLE, "A"),
    ("summary", ENGLISH, "C"),
)


class MoUStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("Negotiation")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class ScopeArea(models.TextChoices):
    EVENTS = "events", _("Conferences, seminars and workshops (innovation, startups, entrepreneurship)")
    INTERNATIONALISATION = "internationalisation", _("Internationalisation of each side's programmes")
    MSME = "msme", _("MSME (UMKM) support")
    INVESTMENT = "investment", _("Investment (motors, batteries)")
    OTHER = "other", _("Other")


class PartyRole(models.TextChoices):
    FIRST_PARTY = "first_party", _("First party")
    SECOND_PARTY = "second_party", _("Second party")
    WITNESS = "witness", _("Witness")


class MoU(TimeStampedModel):
    """A memorandum of understanding between two or more organisations."""

    Status = MoUStatus
    Scope = ScopeArea

    reference = models.CharField(_("reference number"), max_length=64, unique=True)
    title_id = models.CharField(_("title (Indonesian)"), max_length=300, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    scope = ArrayField(
        models.CharField(max_length=32, choices=ScopeArea.choices), verbose_name=_("scope areas"), default=list, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=MoUStatus.choices, default=MoUStatus.DRAFT, db_index=True)
    signed_date = models.DateField(_("signed date"), null=True, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True, db_index=True)
    term_number = models.PositiveIntegerField(_("term"), default=1, help_text=_("1 for the first term; each renewal adds one."))
    auto_renew = models.BooleanField(_("automatic renewal"), default=False)
    renewal_notice_days = models.PositiveIntegerField(
        _("renewal notice period (days)"), default=90,
        help_text=_("Days before expiry by which a party must give notice to stop (or ask for) renewal."),
    )
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner (KITB staff)"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_mous", limit_choices_to={"is_staff": True},
    )
    search_document = search_field(MOU_SEARCH_DOCUMENT)

    history = HistoricalRecords(excluded_fields=["updated_at", "search_document"])

    class Meta:
        verbose_name = _("MoU")
        verbose_name_plural = _("MoUs")
        ordering = ["-created_at", "-id"]
        indexes = [
            document_index(name="mou_search_idx"),
            trigram_index("reference", name="mou_reference_trgm_idx"),
            trigram_index("title_ko", name="mou_title_ko_trgm_idx"),
            # The admin's search (IndexedSearchMixin): every search field has its trigram index.
            trigram_index("title_en", name="mou_title_en_trgm_idx"),
            trigram_index("title_id", name="mou_title_id_trgm_idx"),
            # The staff dashboard counts the commitments of signed and active MoUs: their ids come from
            # this index alone (3.6 ms) rather than from reading every MoU row (11 ms at 10,000 MoUs);
            # and it counts the MoUs by status, and those expiring soon, from it too (6.5 -> 1.8 ms).
            models.Index(fields=["status", "id"], include=["expiry_date"], name="mou_status_id_cover_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", MoUStatus), name="mou_status_valid"),
            models.CheckConstraint(
                condition=models.Q(scope__contained_by=[v for v, _l in ScopeArea.choices]), name="mou_scope_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_date__isnull=True)
                | models.Q(expiry_date__isnull=True)
                | models.Q(expiry_date__gt=models.F("effective_date")),
                name="mou_expiry_after_effective",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["signed", "active", "expired"]) | models.Q(signed_date__isnull=False),
                name="mou_signed_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["active", "expired"]) | models.Q(effective_date__isnull=False),
                name="mou_active_has_effective_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="terminated") | models.Q(termination_date__isnull=False),
                name="mou_terminated_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def title(self) -> str:
        """The title in the active language, falling back to English, Indonesian, Korean."""
        from django.utils.translation import get_language

        lang = (get_language() or "en")[:2]
        preferred = {"id": self.title_id, "ko": self.title_ko, "en": self.title_en}.get(lang)
        return preferred or self.title_en or self.title_id or self.title_ko

    def clean(self):
        super().clean()
        if self.effective_date and self.expiry_date and self.expiry_date <= self.effective_date:
            raise ValidationError({"expiry_date": _("The expiry date must be after the effective date.")})

    def get_scope_display(self) -> list[str]:
        labels = dict(ScopeArea.choices)
        return [str(labels.get(v, v)) for v in self.scope]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("partnerships:mou_detail", args=[self.pk])


class MoUTerm(TimeStampedModel):
    """A past term of an MoU, kept when the MoU is renewed (the current term lives on the MoU)."""

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="terms")
    term_number = models.PositiveIntegerField(_("term"))
    signed_date = models.DateField(_("signed date"), null=True, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    ended_status = models.CharField(_("status at renewal"), max_length=16, choices=MoUStatus.choices)
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("renewed by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("past term")
        verbose_name_plural = _("past terms")
        ordering = ["mou", "term_number"]
        constraints = [
            models.UniqueConstraint(fields=["mou", "term_number"], name="mouterm_unique_number"),
            models.CheckConstraint(condition=choices_check("ended_status", MoUStatus), name="mouterm_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.mou_id} term {self.term_number}"


class MoUParty(TimeStampedModel):
    """An organisation that is party to an MoU, with its role and its signatory."""

    Role = PartyRole

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="mou_parties"
    )
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices, default=PartyRole.SECOND_PARTY)
    signatory_name = models.CharField(_("signatory name"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory title"), max_length=200, blank=True)
    signatory_contact = models.ForeignKey(
        "accounts.Contact", verbose_name=_("signatory (contact)"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="signed_mou_parties", help_text=_("The signatory in the organisation's contact directory, if listed."),
    )
    signed_on = models.DateField(_("signing date"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["mou", "role", "id"]
        indexes = [trigram_index("signatory_name", name="mouparty_signatory_trgm_idx")]  # the admin's search
        constraints = [
            models.UniqueConstraint(fields=["mou", "organization"], name="mouparty_unique_org"),
            models.CheckConstraint(condition=choices_check("role", PartyRole), name="mouparty_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"

    def clean(self):
        super().clean()
        if self.signatory_contact_id and self.organization_id and self.signatory_contact.organization_id != self.organization_id:
            raise ValidationError({"signatory_contact": _("The signatory must be a contact of this party's organisation.")})

    @property
    def has_signatory(self) -> bool:
        return bool(self.signatory_name.strip() and self.signatory_title.strip() and self.signed_on)
