"""Object rules of the tenants app: ``can_<verb>_<noun>(user, obj)``.

Model permissions (role groups, kitb_portal.accounts.roles) say what a staff role may do in general;
these functions add the rules that depend on the object (whose organisation, which reviewer, which
status).
"""

from __future__ import annotations

from kitb_portal.accounts.roles import is_active_user as _active
from kitb_portal.accounts.roles import (  # is_kitb_administrator: imported from here by the app too
    is_kitb_administrator,
    is_partner_user,
    is_screening_committee_member,
)


def staff_may(user, perm: str) -> bool:
    """Staff holding the model permission ``perm`` (the KITB administrator role holds them all)."""
    return _active(user) and user.is_staff and (user.has_perm(perm) or is_kitb_administrator(user))


def is_partner_of(user, application) -> bool:
    return is_partner_user(user) and user.organization_id == application.referrer_id


def can_view_application(user, application) -> bool:
    if not _active(user):
        return False
    if user.is_staff:
        return staff_may(user, "tenants.view_application")
    return is_partner_of(user, application)


def can_create_application(user) -> bool:
    """Partner users refer applications on a company's behalf; staff use the admin."""
    return is_partner_user(user)


def can_edit_application(user, application) -> bool:
    """The portal's step form edits drafts only."""
    return is_partner_of(user, application) and application.is_draft


def can_upload_document(user, application) -> bool:
    return is_partner_of(user, application) and not application.is_closed


def can_comment_application(user, application) -> bool:
    if is_partner_of(user, application):
        return True
    return staff_may(user, "tenants.add_applicationcomment")


def can_share_comment(user, application) -> bool:
    """Only officers (not reviewers) speak to the referrer; partner comments are always shared."""
    if is_partner_of(user, application):
        return True
    return staff_may(user, "tenants.change_application")


def can_assign_reviewers(user, application=None) -> bool:
    return staff_may(user, "tenants.add_reviewassignment")


def can_be_reviewer(user) -> bool:
    return is_screening_committee_member(user) or is_kitb_administrator(user)


def can_edit_review(user, review) -> bool:
    """A reviewer edits only their own review, until it is submitted."""
    return _active(user) and review.assignment.reviewer_id == user.pk and review.submitted_at is None


def can_view_review(user, review) -> bool:
    return _active(user) and (review.assignment.reviewer_id == user.pk or is_kitb_administrator(user))


def can_edit_criteria(user) -> bool:
    """Screening criteria, their weights and the screening settings: the KITB administrator role only."""
    return is_kitb_administrator(user)


def can_allocate_land(user) -> bool:
    return staff_may(user, "tenants.add_allocation")


def can_view_land(user) -> bool:
    return staff_may(user, "tenants.view_plot")


# --- the committee, projects, expressions of interest, land for partners ------------------------

def can_manage_meetings(user) -> bool:
    """Schedule meetings, set their members and agenda: staff who may change meetings (KITB administrator)."""
    return staff_may(user, "tenants.change_committeemeeting")


def can_record_meeting(user, meeting) -> bool:
    """Attendance and other members' votes: the meeting's chair, or whoever manages meetings."""
    return _active(user) and user.is_staff and (user.pk == meeting.chair_id or can_manage_meetings(user))


def can_view_meetings(user) -> bool:
    return staff_may(user, "tenants.view_committeemeeting") or (can_be_reviewer(user))
