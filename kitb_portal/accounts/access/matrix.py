"""The matrix itself (role -> area -> grant) and what is read from it: a role's grant in an area,
the model permissions a staff role group gets (``roles.ROLE_PERMISSIONS``)."""

from __future__ import annotations

from .areas import AREAS, BY_TOKEN, CHANGE, CO_ORGANISED, NONE, OWN, OWN_ORG, PUBLIC_EVENTS, READ, Grant
from .role_names import (
    ADMINISTRATOR,
    ANONYMOUS,
    EVENTS,
    GUEST,
    OTHER_PARTNER,
    PARTNER,
    PARTNER_ADMIN,
    PARTNERSHIPS,
    ROLE_GROUPS,
    SCREENING,
    STAFF_NO_GROUP,
    SUPERUSER,
)

R, C = Grant(READ), Grant(CHANGE)
PASSPORT = "events.view_passport_data"  # delegation members' passport data and the visa list
_ = Grant()

#: role -> area -> grant (an area missing from a role's row is NONE)
MATRIX: dict[str, dict[str, Grant]] = {
    ANONYMOUS: {
        "events": Grant(READ, PUBLIC_EVENTS),
    },
    GUEST: {
        "events": Grant(READ, PUBLIC_EVENTS),
        "registrations": Grant(CHANGE, BY_TOKEN),
    },
    ADMINISTRATOR: {
        # view_passport_data: every permission of the apps is the administrator's, but passport data also
        # needs the Events officer group (events.permissions.is_events_officer): the administrator sees none
        "mous": C, "commitments": C, "events": C, "registrations": Grant(CHANGE, extra=(PASSPORT,)), "checkin": C,
        "applications": C, "reviews": C, "assignments": C, "screening": C, "land": C, "committee": C, "projects": C,
        "users": C, "groups": R, "outbox": C, "jobs": C, "schedules": C, "lockouts": C,
        "history": R, "account": C, "review_packs": C, "contacts": C,
    },
    PARTNERSHIPS: {
        "mous": C, "commitments": C, "review_packs": C, "events": R, "registrations": R,
        "applications": R, "reviews": R, "assignments": R, "screening": R, "land": R, "committee": R, "projects": R,
        "users": Grant(READ, only=("accounts.organization", "accounts.user")),
        "contacts": Grant(CHANGE, verbs=("add", "change")),  # contacts are deactivated, never deleted
        "jobs": Grant(CHANGE, OWN), "history": R, "account": C,
    },
    EVENTS: {
        "mous": R, "commitments": R, "review_packs": R, "events": C, "registrations": Grant(CHANGE, extra=(PASSPORT,)),
        "checkin": C,
        "users": Grant(READ, only=("accounts.organization", "accounts.user")), "contacts": R,
        "jobs": Grant(CHANGE, OWN), "history": R, "account": C,
    },
    SCREENING: {
        "applications": Grant(READ, extra=("tenants.add_applicationcomment",)),
        "reviews": Grant(CHANGE, OWN, verbs=("add", "change")),
        "assignments": R, "screening": R, "land": R,
        # the meetings they sit in (their own vote is theirs to cast: a service rule, no model permission)
        "committee": R,
        "users": Grant(READ, only=("accounts.organization",)),
        "jobs": Grant(CHANGE, OWN), "history": R, "account": C,
    },
    STAFF_NO_GROUP: {
        "account": C,
    },
    SUPERUSER: {key: C for key in AREAS},
    PARTNER: {
        "review_packs": Grant(CHANGE, OWN_ORG),  # read and sign off the packs of their organisation's MoUs
        # commitments: the responsible organisation's users report progress; events: read the published
        # ones, propose events and edit the agenda of the events their organisation co-organises
        "mous": Grant(CHANGE, OWN_ORG), "commitments": Grant(CHANGE, OWN_ORG), "events": Grant(CHANGE, CO_ORGANISED),
        "registrations": Grant(CHANGE, OWN), "applications": Grant(CHANGE, OWN_ORG), "account": C,
        # the API: their organisation's contacts; the plots held for their organisation's applications
        "contacts": Grant(READ, OWN_ORG), "land": Grant(READ, OWN_ORG),
        # the portal: their organisation's tenant projects and milestones
        "projects": Grant(READ, OWN_ORG),
    },
    PARTNER_ADMIN: {
        "review_packs": Grant(CHANGE, OWN_ORG),  # read and sign off the packs of their organisation's MoUs
        # commitments: the responsible organisation's users report progress; events: read the published
        # ones, propose events and edit the agenda of the events their organisation co-organises
        "mous": Grant(CHANGE, OWN_ORG), "commitments": Grant(CHANGE, OWN_ORG), "events": Grant(CHANGE, CO_ORGANISED),
        "registrations": Grant(CHANGE, OWN), "applications": Grant(CHANGE, OWN_ORG),
        "users": Grant(CHANGE, OWN_ORG), "account": C,
        "contacts": Grant(CHANGE, OWN_ORG), "land": Grant(READ, OWN_ORG), "projects": Grant(READ, OWN_ORG),
    },
}
# A partner of another organisation holds a partner's grants; for organisation A's records (the
# ones the URL test addresses) "own organisation" excludes them: they answer 404.
MATRIX[OTHER_PARTNER] = dict(MATRIX[PARTNER])

#: Staff groups hold model permissions of these app labels only through the matrix; the superuser
#: row holds everything. Extra model permissions no area carries (kept explicit, asserted by a test).
GROUP_ONLY_AREAS = ("groups",)


def grant(role: str, area: str) -> Grant:
    if area not in AREAS:
        raise KeyError(f"unknown access area {area!r}")
    return MATRIX.get(role, {}).get(area, _)


def permissions_of(role: str) -> list[str]:
    """The model permissions (``app_label.codename``) the matrix gives a staff role."""
    result: list[str] = []
    for key, area in AREAS.items():
        g = grant(role, key)
        if g.level == NONE:
            continue
        models = g.only or area.models
        verbs = ("view",) + (tuple(g.verbs) if g.level == CHANGE else ())
        for label in models:
            app_label, model = label.split(".")
            result.extend(f"{app_label}.{verb}_{model}" for verb in verbs)
        result.extend(g.extra)
    return sorted(set(result))


def role_permissions() -> dict[str, list[str]]:
    """Group name -> its model permissions: what ``roles.sync_role_permissions`` gives each group."""
    return {group: permissions_of(role) for role, group in ROLE_GROUPS.items()}
