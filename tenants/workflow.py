"""The application workflow, declared once as data (after Hypha's workflow definitions).

Draft → submitted → screening → due diligence → committee decision → approved / rejected;
withdrawn from any open step. Each transition names the statuses it leaves from, the status it
reaches and the roles that may fire it; ``services.py`` has one explicit function per transition,
which calls :func:`check` and then adds its own checks (fields and documents, quorum, reason).

Roles (computed per user and application by :func:`roles_for`):
- ``referrer``: a partner user of the organisation that referred the application;
- ``officer``: KITB staff who may change applications (model permission), or the owning officer;
- ``administrator``: the KITB administrator role (or a superuser), who records committee decisions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from kitb_portal.common import workflow

from .models import Application
from .models import ApplicationStatus as S
from .permissions import is_kitb_administrator, staff_may

REFERRER = "referrer"
OFFICER = "officer"
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Transition(workflow.Transition):
    roles: frozenset[str]
    needs_reason: bool = False
    needs_quorum: bool = False


def _t(name, label, sources, target, roles, **kw) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, roles=frozenset(roles), **kw)


OPEN = [S.DRAFT, S.SUBMITTED, S.SCREENING, S.DUE_DILIGENCE, S.COMMITTEE]

TRANSITIONS: dict[str, Transition] = workflow.by_name(
    [
        _t("submit", _("Submit"), [S.DRAFT], S.SUBMITTED, [REFERRER, OFFICER]),
        _t("start_screening", _("Start screening"), [S.SUBMITTED], S.SCREENING, [OFFICER]),
        _t("start_due_diligence", _("Start due diligence"), [S.SCREENING], S.DUE_DILIGENCE, [OFFICER]),
        _t("to_committee", _("Send to the committee"), [S.DUE_DILIGENCE], S.COMMITTEE, [OFFICER]),
        _t("approve", _("Approve"), [S.COMMITTEE], S.APPROVED, [ADMINISTRATOR], needs_quorum=True),
        _t("reject", _("Reject"), [S.COMMITTEE], S.REJECTED, [ADMINISTRATOR], needs_reason=True, needs_quorum=True),
        _t("withdraw", _("Withdraw"), OPEN, S.WITHDRAWN, [REFERRER, OFFICER]),
    ]
)

STATES = [value for value, _label in S.choices]


class TransitionNotAllowed(ValidationError):
    """The application is not in a status this transition leaves from."""


def roles_for(user, application: Application) -> set[str]:
    roles: set[str] = set()
    if user is None or not user.is_authenticated or not user.is_active:
        return roles
    if not user.is_staff and user.organization_id == application.referrer_id:
        roles.add(REFERRER)
    if user.is_staff and (staff_may(user, "tenants.change_application") or application.owning_officer_id == user.pk):
        roles.add(OFFICER)
    if user.is_staff and is_kitb_administrator(user):
        roles.add(ADMINISTRATOR)
        roles.add(OFFICER)
    return roles


def can_fire(user, application: Application, name: str) -> bool:
    t = TRANSITIONS[name]
    return t.allowed_from(application.status) and bool(roles_for(user, application) & t.roles)


def available_transitions(user, application: Application) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if can_fire(user, application, t.name)]


def check(application: Application, name: str, actor) -> Transition:
    """Raise PermissionDenied when ``actor`` may not fire ``name``, TransitionNotAllowed when the
    application's status does not allow it; return the transition otherwise."""
    t = TRANSITIONS[name]
    if not roles_for(actor, application) & t.roles:
        raise PermissionDenied(_("You may not %(action)s this application.") % {"action": str(t.label).lower()})
    if not t.allowed_from(application.status):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the application is %(status)s.")
            % {"action": t.label, "status": application.get_status_display().lower()},
            code="status",
        )
    return t
