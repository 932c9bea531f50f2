"""The MoU status workflow, declared once as data: states, transitions and who may fire each.

Each transition is still an explicit service in ``services.py`` (``mou_sign`` etc.); this module
only answers "is this transition allowed from here, by this user?" so the services, the admin
buttons and the admin actions all agree.

    draft → negotiation → signed → active → expired
      ╰───────────┴──────────┴───────┴──→ terminated   (final: nothing leaves it)
    active / expired → (renew: a new term) → active
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from kitb_portal.common import workflow

from .models import MoUStatus as S

CHANGE_PERMISSION = "partnerships.change_mou"


@dataclass(frozen=True)
class Transition(workflow.Transition):
    permission: str = CHANGE_PERMISSION
    service: str = ""  # name of the function in services.py


TRANSITIONS: dict[str, Transition] = workflow.by_name(
    [
        Transition("start_negotiation", _("Start negotiation"), frozenset({S.DRAFT}), S.NEGOTIATION,
                   service="mou_start_negotiation"),
        Transition("sign", _("Mark as signed"), frozenset({S.NEGOTIATION}), S.SIGNED, service="mou_sign"),
        Transition("activate", _("Activate"), frozenset({S.SIGNED}), S.ACTIVE, service="mou_activate"),
        Transition("expire", _("Mark as expired"), frozenset({S.ACTIVE}), S.EXPIRED, service="mou_expire"),
        Transition("terminate", _("Terminate"), frozenset({S.DRAFT, S.NEGOTIATION, S.SIGNED, S.ACTIVE}), S.TERMINATED,
                   service="mou_terminate"),
        Transition("renew", _("Renew (new term)"), frozenset({S.ACTIVE, S.EXPIRED}), S.ACTIVE, service="mou_renew"),
    ]
)

FINAL_STATES = frozenset({S.TERMINATED})


def user_may_fire(user, transition: Transition) -> bool:
    """Who may fire: KITB staff holding the transition's permission (``None`` = the system sweep)."""
    if user is None:
        return True
    return bool(user.is_active and user.is_staff and user.has_perm(transition.permission))


def available(mou, user=None) -> list[Transition]:
    """Transitions allowed from the MoU's current status (and, if ``user`` is given, to that user)."""
    return [
        t for t in TRANSITIONS.values()
        if t.allowed_from(mou.status) and (user is None or user_may_fire(user, t))
    ]


def check(mou, name: str, user) -> Transition:
    """Raise PermissionDenied or ValidationError unless ``name`` may fire now; return the transition."""
    transition = TRANSITIONS[name]
    if not user_may_fire(user, transition):
        raise PermissionDenied(_("You may not change the status of MoUs."))
    if mou.status in FINAL_STATES:
        raise ValidationError(
            _("MoU %(ref)s is terminated; a terminated MoU cannot change status any more.") % {"ref": mou.reference},
            code="final_state",
        )
    if not transition.allowed_from(mou.status):
        allowed = ", ".join(str(S(s).label) for s in sorted(transition.sources))
        raise ValidationError(
            _("“%(action)s” is not possible for MoU %(ref)s in status “%(status)s”; it needs status: %(allowed)s.")
            % {"action": transition.label, "ref": mou.reference, "status": mou.get_status_display(), "allowed": allowed},
            code="wrong_status",
        )
    return transition
