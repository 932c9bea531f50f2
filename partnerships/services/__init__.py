"""Every change of state in the partnerships app (a package: MoUs and transitions, documents,
commitments, notes, targets and review packs).

Keyword-only arguments, the acting user first-class (``None`` only for the system's daily sweep),
one transaction each, history recorded through django-simple-history (with who and why), and
notifications written to the outbox (delivered after commit). Refusals are ``ValidationError``
(with a message naming what is missing) or ``PermissionDenied``; views and admin turn them into messages.

Every service is re-exported here: ``from partnerships import services; services.mou_sign(...)``.
The daily reminders sweep is a service too; it lives in ``partnerships.reminders``.
"""

from ..reminders import reminders_sweep
from .commitments import (
    commitment_complete,
    commitment_confirm_done,
    commitment_create,
    commitment_progress_post,
    commitment_reopen,
    commitment_send_back,
    commitment_waive,
)
from .common import mou_link_for
from .documents import document_decide, document_upload
from .mous import (
    mou_activate,
    mou_create,
    mou_expire,
    mou_renew,
    mou_sign,
    mou_start_negotiation,
    mou_terminate,
    party_add,
    party_set_signatory,
    sign_blockers,
)
from .notes import note_add
from .reviews import (
    review_pack_build,
    review_pack_generate,
    review_pack_sign_off,
    review_reminders_sweep,
    target_create,
    target_delete,
    target_save,
)

__all__ = [
    "commitment_complete",
    "commitment_confirm_done",
    "commitment_create",
    "commitment_progress_post",
    "commitment_reopen",
    "commitment_send_back",
    "commitment_waive",
    "document_decide",
    "document_upload",
    "mou_activate",
    "mou_create",
    "mou_expire",
    "mou_link_for",
    "mou_renew",
    "mou_sign",
    "mou_start_negotiation",
    "mou_terminate",
    "note_add",
    "party_add",
    "party_set_signatory",
    "reminders_sweep",
    "review_pack_build",
    "review_pack_generate",
    "review_pack_sign_off",
    "review_reminders_sweep",
    "sign_blockers",
    "target_create",
    "target_delete",
    "target_save",
]
