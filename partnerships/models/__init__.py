"""The tables of the partnerships app (a package: MoUs and parties, documents, commitments, notes, targets).

Every change of state goes through ``partnerships.services``; invariants that fit one row are
constraints in the model modules. Everything is re-exported here, so ``partnerships.models.MoU``
keeps working; the migrations refer to ``partnerships.models.private_storage``,
``mou_document_upload_to`` and ``commitment_evidence_upload_to``, which must stay importable here.
"""

from kitb_portal.common.storage import private_storage

from .commitments import (
    COMMITMENT_SEARCH_DOCUMENT,
    Commitment,
    CommitmentProgress,
    CommitmentStatus,
    ProgressKind,
    commitment_evidence_upload_to,
)
from .documents import ApprovalDecision, DocumentApproval, DocumentKind, Language, MoUDocument, mou_document_upload_to
from .mous import MOU_SEARCH_DOCUMENT, MoU, MoUParty, MoUStatus, MoUTerm, PartyRole, ScopeArea
from .notes import MoUNote, NoteKind
from .targets import MoUTarget, TargetKind, TargetPeriod, TargetStatus

__all__ = [
    "COMMITMENT_SEARCH_DOCUMENT",
    "MOU_SEARCH_DOCUMENT",
    "ApprovalDecision",
    "Commitment",
    "CommitmentProgress",
    "CommitmentStatus",
    "DocumentApproval",
    "DocumentKind",
    "Language",
    "MoU",
    "MoUDocument",
    "MoUNote",
    "MoUParty",
    "MoUStatus",
    "MoUTarget",
    "MoUTerm",
    "NoteKind",
    "PartyRole",
    "ProgressKind",
    "ScopeArea",
    "TargetKind",
    "TargetPeriod",
    "TargetStatus",
    "commitment_evidence_upload_to",
    "mou_document_upload_to",
    "private_storage",
]
