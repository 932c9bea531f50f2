"""Every non-trivial read of the partnerships app, scoped by who asks.

Partners see only the MoUs their organisation is a party to; anything else answers ``Http404``,
the same as a record that does not exist. Staff see every MoU if they hold ``view_mou``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from kitb_portal.search.documents import contains_any

from .models import (
    Commitment,
    CommitmentProgress,
    CommitmentStatus,
    DocumentApproval,
    DocumentKind,
    MoU,
    MoUDocument,
    MoUNote,
    MoUParty,
    MoUStatus,
    MoUTarget,
)

User = get_user_model()

#: MoU statuses whose expiry and commitments are reminded.
LIVE_STATUSES = (MoUStatus.SIGNED, MoUStatus.ACTIVE)


# --- scope ------------------------------------------------------------------------------------
def is_staff_viewer(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.has_perm("partnerships.view_mou"))


def mou_queryset_for(user) -> QuerySet[MoU]:
    """The MoUs ``user`` may see: all for staff with view permission; their organisation's for partners."""
    if not user.is_authenticated or not user.is_active:
        return MoU.objects.none()
    if is_staff_viewer(user):
        return MoU.objects.all()
    if user.is_staff or not user.organization_id:
        return MoU.objects.none()
    return MoU.objects.filter(
        Exists(MoUParty.objects.filter(mou=OuterRef("pk"), organization_id=user.organization_id))
    )


def partner_contacts_queryset() -> QuerySet:
    """Partner contacts of an organisation: its active, non-staff users (the reminder recipients rule)."""
    return User.objects.filter(is_active=True, is_staff=False).order_by("pk")


# --- lists and details ------------------------------------------------------------------------
def commitment_count(status: str) -> Coalesce:
    """The MoU's commitments in ``status``: a correlated subquery, so a page of MoUs counts only its own
    (a grouped join would count every MoU in scope before the page is cut)."""
    counted = (
        Commitment.objects.filter(mou=OuterRef("pk"), status=status)
        .order_by().values("mou").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


#: What the portal's MoU list searches (each with a trigram index).
SEARCH_FIELDS = ("reference", "title_en", "title_id", "title_ko")


def mou_list_for(user, *, status: str | None = None, search: str | None = None) -> QuerySet[MoU]:
    """MoUs for a list page: parties and commitment counts included, constant number of queries."""
    qs = mou_queryset_for(user)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(contains_any(SEARCH_FIELDS, search))
    return (
        qs.annotate(
            commitments_open=commitment_count(CommitmentStatus.OPEN),
            commitments_done=commitment_count(CommitmentStatus.DONE),
            commitments_waived=commitment_count(CommitmentStatus.WAIVED),
        )
        .prefetch_related(
            Prefetch("parties", queryset=MoUParty.objects.select_related("organization")),
            Prefetch(
                "documents", queryset=MoUDocument.objects.filter(kind=DocumentKind.SIGNED_COPY).order_by("-version"),
                to_attr="signed_copies",
            ),
        )
        .order_by("-created_at", "-id")
    )


def notes_visible_to(user) -> QuerySet[MoUNote]:
    """The notes ``user`` may read: every note for KITB staff, the shared ones only for partners."""
    qs = MoUNote.objects.all()
    if not is_staff_viewer(user):
        qs = qs.filter(internal=False)
    return qs


def mou_get_for(user, pk: int) -> MoU:
    """One MoU with everything its detail page shows; ``Http404`` outside the user's scope.

    Partners get the shared notes only: internal notes never leave KITB."""
    qs = mou_queryset_for(user).select_related("owner").prefetch_related(
        Prefetch("parties", queryset=MoUParty.objects.select_related("organization")),
        Prefetch(
            "commitments",
            queryset=Commitment.objects.select_related("responsible_organization", "responsible_user").prefetch_related(
                Prefetch("progress_entries", queryset=CommitmentProgress.objects.select_related("author").order_by(
                    "created_at", "id"))
            ).order_by("due_date", "id"),
        ),
        Prefetch(
            "documents",
            queryset=MoUDocument.objects.select_related("uploaded_by").prefetch_related(
                Prefetch("approvals", queryset=DocumentApproval.objects.select_related("decided_by"))
            ).order_by("-version"),
        ),
        Prefetch("notes", queryset=notes_visible_to(user).select_related("author").order_by("-noted_on", "-id")),
        "terms",
    )
    try:
        return qs.get(pk=pk)
    except MoU.DoesNotExist:
        raise Http404("No MoU found.") from None


def mou_get_plain_for(user, pk: int) -> MoU:
    """The MoU row alone (no prefetching), or Http404 outside the scope."""
    try:
        return mou_queryset_for(user).get(pk=pk)
    except MoU.DoesNotExist:
        raise Http404("No MoU found.") from None


def document_get_for(user, *, mou_id: int, document_id: int) -> MoUDocument:
    """A document version of an MoU the user may see; Http404 otherwise."""
    try:
        return MoUDocument.objects.select_related("mou").get(
            pk=document_id, mou_id=mou_id, mou__in=mou_queryset_for(user)
        )
    except MoUDocument.DoesNotExist:
        raise Http404("No document found.") from None


def commitment_get_for(user, *, mou_id: int, commitment_id: int) -> Commitment:
    """A commitment of an MoU the user may see; Http404 otherwise."""
    try:
        return Commitment.objects.select_related("mou", "mou__owner", "responsible_organization").get(
            pk=commitment_id, mou_id=mou_id, mou__in=mou_queryset_for(user)
        )
    except Commitment.DoesNotExist:
        raise Http404("No commitment found.") from None


def progress_get_for(user, *, mou_id: int, commitment_id: int, entry_id: int) -> CommitmentProgress:
    """A progress entry of a commitment of an MoU the user may see; Http404 otherwise."""
    try:
        return CommitmentProgress.objects.select_related("commitment").get(
            pk=entry_id, commitment_id=commitment_id, commitment__mou_id=mou_id,
            commitment__mou__in=mou_queryset_for(user),
        )
    except CommitmentProgress.DoesNotExist:
        raise Http404("No progress entry found.") from None


def party_of_user(mou: MoU, user) -> MoUParty | None:
    """The party of ``mou`` that ``user``'s organisation is (uses prefetched parties when present)."""
    if not user.is_authenticated or not user.organization_id:
        return None
    for party in mou.parties.all():
        if party.organization_id == user.organization_id:
            return party
    return None


# --- drafts and approvals ---------------------------------------------------------------------
def current_draft(mou: MoU) -> MoUDocument | None:
    """The latest draft version of the MoU (the one parties approve); uses prefetched documents."""
    drafts = [d for d in mou.documents.all() if d.kind == DocumentKind.DRAFT]
    return max(drafts, key=lambda d: d.version) if drafts else None


def current_draft_id(mou_id: int) -> int | None:
    return (
        MoUDocument.objects.filter(mou_id=mou_id, kind=DocumentKind.DRAFT).order_by("-version").values_list("pk", flat=True).first()
    )


@dataclass
class PartyApproval:
    party: MoUParty
    approval: DocumentApproval | None

    @property
    def approved(self) -> bool:
        return self.approval is not None and self.approval.decision == DocumentApproval.Decision.APPROVED


def draft_approvals(mou: MoU, draft: MoUDocument | None = None) -> list[PartyApproval]:
    """For each party, its answer to the current draft (or ``None``). Uses prefetched data."""
    draft = draft if draft is not None else current_draft(mou)
    by_party = {a.party_id: a for a in draft.approvals.all()} if draft else {}
    return [PartyApproval(party=p, approval=by_party.get(p.pk)) for p in mou.parties.all()]


# --- reminders --------------------------------------------------------------------------------
def mous_for_expiry_reminders(today: dt.date, horizon_days: int) -> QuerySet[MoU]:
    """Live MoUs expiring between today and ``today + horizon_days``, with owner and party contacts.

    Three queries whatever the number of MoUs (MoUs, parties with organisation, contacts).
    """
    return (
        MoU.objects.filter(status__in=LIVE_STATUSES, expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=horizon_days))
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=MoUParty.objects.select_related("organization").prefetch_related(
                    Prefetch("organization__users", queryset=partner_contacts_queryset(), to_attr="contacts")
                ),
            )
        )
        .order_by("pk")
    )


def commitments_for_reminders(today: dt.date, horizon_days: int) -> QuerySet[Commitment]:
    """Open commitments of live MoUs due on or before ``today + horizon_days`` (overdue included)."""
    return (
        Commitment.objects.filter(
            status=CommitmentStatus.OPEN, due_date__isnull=False, due_date__lte=today + dt.timedelta(days=horizon_days),
            mou__status__in=LIVE_STATUSES,
        )
        .select_related("mou", "mou__owner", "responsible_user", "responsible_organization")
        .prefetch_related(Prefetch("responsible_organization__users", queryset=partner_contacts_queryset(), to_attr="contacts"))
        .order_by("pk")
    )


def mous_to_close(today: dt.date) -> QuerySet[MoU]:
    """Active MoUs whose expiry date has passed (to renew automatically or to mark expired)."""
    return MoU.objects.filter(status=MoUStatus.ACTIVE, expiry_date__lt=today).order_by("pk")


# --- digest-ready reads -----------------------------------------------------------------------
def mous_expiring_for(user, *, today: dt.date, within_days: int = 90) -> QuerySet[MoU]:
    """Live MoUs in the user's scope expiring within ``within_days`` (for digests)."""
    return (
        mou_queryset_for(user)
        .filter(status__in=LIVE_STATUSES, expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=within_days))
        .order_by("expiry_date", "pk")
    )


def commitments_due_for(user, *, today: dt.date, within_days: int = 14) -> QuerySet[Commitment]:
    """Open commitments in the user's scope due within ``within_days`` or overdue (for digests)."""
    return (
        Commitment.objects.filter(
            mou__in=mou_queryset_for(user), status=CommitmentStatus.OPEN, due_date__isnull=False,
            due_date__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("mou", "responsible_organization")
        .order_by("due_date", "pk")
    )


# --- review packs -----------------------------------------------------------------------------
def review_versions_for(user, mou_id: int):
    """The frozen review-pack versions of an MoU the user may see (Http404 outside the scope)."""
    from kitb_portal.reports.models import ReviewPackVersion

    mou = mou_get_plain_for(user, mou_id)
    return mou, (
        ReviewPackVersion.objects.filter(subject="mou", subject_id=mou.pk)
        .prefetch_related("files", "sign_offs__organization").order_by("-year", "period_kind", "-number")
    )


def review_version_get_for(user, *, mou_id: int, version_id: int):
    mou, versions = review_versions_for(user, mou_id)
    version = versions.filter(pk=version_id).first()
    if version is None:
        raise Http404("No review pack found.")
    return mou, version


def targets_of(mou: MoU):
    return MoUTarget.objects.filter(mou=mou).select_related("owner_party__organization").order_by("-year", "period_kind", "kind", "pk")


# --- API ----------------------------------------------------------------------------------------
def commitment_list_for(user) -> QuerySet[Commitment]:
    """Commitments of the MoUs ``user`` may see (a partner: those of MoUs their organisation is party to)."""
    return (
        Commitment.objects.filter(mou__in=mou_queryset_for(user))
        .select_related("mou", "responsible_organization")
        .order_by("due_date", "pk")
    )
