"""MoUs, their parties and signatories, document versions, draft approvals, commitments and notes.

Every change of state goes through ``services.py``; invariants that fit one row are constraints here.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.common.storage import private_storage  # also the name migration 0001 refers to
from kitb_portal.search.documents import ENGLISH, INDONESIAN, SIMPLE, document, document_index, search_field, trigram_index

# What the search indexes (kitb_portal.search.documents): stored as each model's search_document.
MOU_SEARCH_DOCUMENT = document(
    ("reference", SIMPLE, "A"), ("title_en", ENGLISH, "A"), ("title_id", INDONESIAN, "A"), ("title_ko", SIMPLE, "A"),
    ("summary", ENGLISH, "C"),
)
COMMITMENT_SEARCH_DOCUMENT = document(
    ("description", ENGLISH, "A"), ("description", INDONESIAN, "A"), ("responsible_person", SIMPLE, "B"),
)


def mou_document_upload_to(instance: MoUDocument, filename: str) -> str:
    """A random, safe name under the MoU's folder; the original name is kept apart, sanitised."""
    return f"partnerships/mou_{instance.mou_id}/{uuid.uuid4().hex}.pdf"


# --- choices ----------------------------------------------------------------------------------
class Language(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")


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


class DocumentKind(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED_COPY = "signed_copy", _("Signed copy")
    AMENDMENT = "amendment", _("Amendment")
    TRANSLATION = "translation", _("Translation")


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


class NoteKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    DECISION = "decision", _("Decision")
    NOTE = "note", _("Note")


# --- MoU --------------------------------------------------------------------------------------
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


class MoUDocument(TimeStampedModel):
    """One uploaded version of an MoU's text (a PDF). Never overwritten: a new upload is a new version."""

    Kind = DocumentKind

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices, default=DocumentKind.DRAFT)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    governing_language = models.CharField(
        _("governing language"), max_length=2, choices=Language.choices, default=Language.ENGLISH,
        help_text=_("The language that prevails when the translations differ."),
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=mou_document_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    comment = models.TextField(_("comment"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_documents",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["mou", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["mou", "version"], name="moudocument_unique_version"),
            models.CheckConstraint(condition=choices_check("kind", DocumentKind), name="moudocument_kind_valid"),
            models.CheckConstraint(condition=choices_check("language", Language), name="moudocument_language_valid"),
            models.CheckConstraint(
                condition=choices_check("governing_language", Language), name="moudocument_governing_language_valid"
            ),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="moudocument_sha256_hex"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="moudocument_size_positive"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.get_kind_display()} ({self.original_name})"

    @property
    def uploaded_at(self):
        return self.created_at


class DocumentApproval(TimeStampedModel):
    """A party's answer to a draft version: approved, or changes requested (with a comment)."""

    Decision = ApprovalDecision

    document = models.ForeignKey(MoUDocument, verbose_name=_("document version"), on_delete=models.CASCADE, related_name="approvals")
    party = models.ForeignKey(MoUParty, verbose_name=_("party"), on_delete=models.CASCADE, related_name="approvals")
    decision = models.CharField(_("decision"), max_length=20, choices=ApprovalDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_document_approvals",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("draft approval")
        verbose_name_plural = _("draft approvals")
        ordering = ["document", "party"]
        constraints = [
            models.UniqueConstraint(fields=["document", "party"], name="documentapproval_one_per_party"),
            models.CheckConstraint(condition=choices_check("decision", ApprovalDecision), name="documentapproval_decision_valid"),
            models.CheckConstraint(
                condition=~models.Q(decision="changes_requested") | ~models.Q(comment=""),
                name="documentapproval_changes_have_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} → v{self.document.version}: {self.get_decision_display()}"


class Commitment(TimeStampedModel):
    """What an MoU obliges someone to do, by when, and what fulfilled it."""

    Status = CommitmentStatus

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="commitments")
    description = models.TextField(_("description"))
    responsible_organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("responsible organisation"), on_delete=models.PROTECT,
        related_name="mou_commitments",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    responsible_contact = models.ForeignKey(
        "accounts.Contact", verbose_name=_("responsible person (contact)"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_commitments", help_text=_("The responsible person in the organisation's contact directory, if listed."),
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible user"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_commitments", help_text=_("If the responsible person has an account, they get the reminders."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    fulfilment_note = models.TextField(_("what fulfilled it"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    search_document = search_field(COMMITMENT_SEARCH_DOCUMENT)


    done_proposed_at = models.DateTimeField(
        _("proposed as done at"), null=True, blank=True, editable=False,
        help_text=_("The responsible organisation proposed it done; the MoU owner confirms or sends it back."),
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "search_document"])

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["mou", "due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", CommitmentStatus), name="commitment_status_valid"),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True) | (~models.Q(status="open") & models.Q(closed_on__isnull=False)),
                name="commitment_closed_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(done_proposed_at__isnull=True) | models.Q(status="open"),
                name="commitment_proposal_only_open",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="commitment_due_idx"),
            document_index(name="commitment_search_idx"),
        ]

    def clean(self):
        """Keep ``closed_on`` in step with the status (admin inline and import edit the status directly)."""
        super().clean()
        if (
            self.responsible_contact_id and self.responsible_organization_id
            and self.responsible_contact.organization_id != self.responsible_organization_id
        ):
            raise ValidationError({"responsible_contact": _("The responsible person must be a contact of the responsible organisation.")})
        if self.status == CommitmentStatus.OPEN:
            self.closed_on = None
        else:
            self.done_proposed_at = None  # closed by staff directly: the pending proposal is settled
            if self.closed_on is None:
                self.closed_on = timezone.localdate()

    def __str__(self) -> str:
        text = self.description if len(self.description) <= 80 else self.description[:77] + "…"
        return text


class MoUNote(TimeStampedModel):
    """A dated entry in an MoU's timeline of contacts and decisions."""

    Kind = NoteKind

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="notes")
    noted_on = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind.choices, default=NoteKind.NOTE)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_notes",
    )
    internal = models.BooleanField(
        _("internal (KITB only)"), default=True,
        help_text=_("Internal notes are for KITB staff only: partners never see them, on the portal or by e-mail."),
    )

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["mou", "-noted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", NoteKind), name="mounote_kind_valid"),
            models.CheckConstraint(condition=~models.Q(text=""), name="mounote_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.noted_on}: {self.text[:60]}"


# --- targets ----------------------------------------------------------------------------------
class TargetKind(models.TextChoices):
    """What a target measures. Every kind but ``manual`` is counted from linked records by the
    review pack's sections (``REVIEW_SECTIONS``); ``manual`` is judged by hand."""

    EVENTS_HELD = "events_held", _("Joint events held")
    PARTNER_ATTENDEES = "partner_attendees", _("Attendees from the partner's country")
    COMPANIES_REFERRED = "companies_referred", _("Companies referred")
    APPLICATIONS_APPROVED = "applications_approved", _("Applications approved")
    INVESTMENT_PLANNED = "investment_planned", _("Investment planned (USD)")
    INVESTMENT_REALISED = "investment_realised", _("Investment realised (USD)")
    JOBS = "jobs", _("Jobs planned by approved companies")
    LAND_ALLOCATED = "land_allocated", _("Land allocated (ha)")
    COMMITMENTS_ON_TIME = "commitments_on_time", _("Commitments fulfilled on time")
    MANUAL = "manual", _("Other target (judged by hand)")


class TargetPeriod(models.TextChoices):
    CALENDAR_YEAR = "calendar", _("Calendar year")
    ANNIVERSARY_YEAR = "anniversary", _("MoU anniversary year")


class TargetStatus(models.TextChoices):
    MET = "met", _("Met")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    NOT_MEASURABLE = "not_measurable", _("Not measurable")


class MoUTarget(TimeStampedModel):
    """A measurable target of an MoU for one period (a calendar year or an anniversary year).

    ``last_status`` / ``last_actual`` are what the daily sweep last measured (the digest reads them);
    the review pack always measures afresh.
    """

    Kind = TargetKind
    Period = TargetPeriod

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="targets")
    period_kind = models.CharField(_("period"), max_length=12, choices=TargetPeriod.choices, default=TargetPeriod.CALENDAR_YEAR)
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The calendar year, or the year in which the anniversary period starts."),
    )
    kind = models.CharField(_("kind of target"), max_length=24, choices=TargetKind.choices)
    event_kind = models.CharField(
        _("kind of event"), max_length=16, blank=True,
        help_text=_("For joint events: conference, seminar or workshop; empty counts every kind."),
    )
    country = models.CharField(
        _("attendees' country"), max_length=2, blank=True,
        help_text=_("For attendees: ISO 3166 two-letter code; empty means the partner's country (KR)."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True,
                                   help_text=_("Required for a target judged by hand."))
    target_value = models.DecimalField(_("number aimed at"), max_digits=18, decimal_places=2)
    owner_party = models.ForeignKey(
        MoUParty, verbose_name=_("owned by"), on_delete=models.PROTECT, null=True, blank=True, related_name="targets",
    )
    manual_actual = models.DecimalField(_("achieved (judged by hand)"), max_digits=18, decimal_places=2, null=True, blank=True)
    last_status = models.CharField(_("last measured status"), max_length=16, choices=TargetStatus.choices, blank=True, editable=False)
    last_actual = models.DecimalField(_("last measured value"), max_digits=20, decimal_places=2, null=True, blank=True, editable=False)
    evaluated_on = models.DateField(_("last measured on"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "last_status", "last_actual", "evaluated_on"])

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["mou", "year", "period_kind", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", TargetKind), name="moutarget_kind_valid"),
            models.CheckConstraint(condition=choices_check("period_kind", TargetPeriod), name="moutarget_period_valid"),
            models.CheckConstraint(
                condition=models.Q(last_status="") | models.Q(last_status__in=TargetStatus.values), name="moutarget_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(target_value__gte=0), name="moutarget_value_nonneg"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="moutarget_year_range"),
            models.CheckConstraint(condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"), name="moutarget_country_iso2"),
            models.CheckConstraint(
                condition=models.Q(event_kind__in=["", "conference", "seminar", "workshop"]), name="moutarget_event_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(kind="manual") | ~models.Q(description=""), name="moutarget_manual_described"),
        ]
        indexes = [models.Index(fields=["year", "period_kind"], name="moutarget_period_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.target_value}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == TargetKind.MANUAL and not (self.description or "").strip():
            errors["description"] = _("Describe the target: it is judged by hand.")
        if self.event_kind and self.kind != TargetKind.EVENTS_HELD:
            errors["event_kind"] = _("The kind of event applies only to a joint-events target.")
        if self.country and self.kind != TargetKind.PARTNER_ATTENDEES:
            errors["country"] = _("The country applies only to an attendees target.")
        if self.country:
            self.country = self.country.upper()
        if self.manual_actual is not None and self.kind != TargetKind.MANUAL:
            errors["manual_actual"] = _("Only a target judged by hand takes its achieved value by hand.")
        if self.owner_party_id and self.mou_id and self.owner_party.mou_id != self.mou_id:
            errors["owner_party"] = _("The owner must be a party to this MoU.")
        if errors:
            raise ValidationError(errors)

    @property
    def measure_key(self) -> str:
        """The key of the measure the review sections compute for this target."""
        if self.kind == TargetKind.EVENTS_HELD and self.event_kind:
            return f"events_held:{self.event_kind}"
        if self.kind == TargetKind.PARTNER_ATTENDEES:
            return f"attendees:{self.country or 'KR'}"
        return self.kind


def commitment_evidence_upload_to(instance: CommitmentProgress, filename: str) -> str:
    return f"partnerships/commitment_{instance.commitment_id}/{uuid.uuid4().hex}.pdf"


class ProgressKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")
    DONE_PROPOSED = "done_proposed", _("Proposed as done")
    CONFIRMED = "confirmed", _("Confirmed as done")
    RETURNED = "returned", _("Sent back")


class CommitmentProgress(TimeStampedModel):
    """One entry of a commitment's conversation: the responsible organisation reports progress (and may
    propose it done, with optional PDF evidence); the MoU owner confirms or sends it back."""

    Kind = ProgressKind

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="progress_entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ProgressKind.choices, default=ProgressKind.PROGRESS)
    reported_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("text"), max_length=5000)
    evidence = models.FileField(
        _("evidence (PDF)"), storage=private_storage, upload_to=commitment_evidence_upload_to, max_length=255, blank=True
    )
    evidence_name = models.CharField(_("original file name"), max_length=255, blank=True)
    evidence_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    evidence_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="commitment_progress",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("commitment progress")
        verbose_name_plural = _("commitment progress")
        ordering = ["commitment", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", ProgressKind), name="commitmentprogress_kind_valid"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["progress", "done_proposed", "returned"]) | ~models.Q(text=""),
                name="commitmentprogress_text_not_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(evidence="") | models.Q(evidence_sha256__regex=r"^[0-9a-f]{64}$"),
                name="commitmentprogress_evidence_hashed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reported_on}: {self.text[:60]}"
