"""The roles of the access matrix: the four staff role groups (their Group names in the database) and
every kind of visitor the matrix has a row for (staff roles, partner roles, anonymous, guests)."""

from __future__ import annotations

# --- the staff role groups (their names are the Group names in the database) --------------------
KITB_ADMINISTRATOR = "KITB administrator"
PARTNERSHIPS_OFFICER = "Partnerships officer"
EVENTS_OFFICER = "Events officer"
SCREENING_COMMITTEE = "Screening committee member"

# --- roles --------------------------------------------------------------------------------------
ANONYMOUS = "anonymous"
ADMINISTRATOR = "kitb-administrator"
PARTNERSHIPS = "partnerships-officer"
EVENTS = "events-officer"
SCREENING = "screening-committee"
STAFF_NO_GROUP = "staff-without-group"
SUPERUSER = "superuser"
PARTNER = "partner"
PARTNER_ADMIN = "partner-org-admin"
OTHER_PARTNER = "partner-of-another-org"
GUEST = "guest-with-token"

ROLES: dict[str, str] = {
    ANONYMOUS: "anonymous visitor",
    ADMINISTRATOR: "KITB administrator",
    PARTNERSHIPS: "partnerships officer",
    EVENTS: "events officer",
    SCREENING: "screening committee member",
    STAFF_NO_GROUP: "staff user with no group",
    SUPERUSER: "superuser",
    PARTNER: "partner user",
    PARTNER_ADMIN: "partner organisation administrator",
    OTHER_PARTNER: "partner of another organisation",
    GUEST: "guest holding a registration token",
}

#: role -> the staff group it is (the four role groups)
ROLE_GROUPS: dict[str, str] = {
    ADMINISTRATOR: KITB_ADMINISTRATOR,
    PARTNERSHIPS: PARTNERSHIPS_OFFICER,
    EVENTS: EVENTS_OFFICER,
    SCREENING: SCREENING_COMMITTEE,
}
STAFF_ROLES = frozenset({ADMINISTRATOR, PARTNERSHIPS, EVENTS, SCREENING, STAFF_NO_GROUP, SUPERUSER})
PARTNER_ROLES = frozenset({PARTNER, PARTNER_ADMIN, OTHER_PARTNER})
