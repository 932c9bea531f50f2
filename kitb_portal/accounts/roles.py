"""KITB staff role groups: who is in which role, and the model permissions each group holds.

Role checks ("is a KITB administrator", "is a partner user"...) are the predicates below, used by
every app: no app reads group names or compares them itself.

The groups are created by a data migration; their permissions are (re)synchronised after every
``migrate`` (post_migrate signal), so an app's new models get the right permissions without a
migration per app. The permissions come from the access matrix (the ``access`` package); entries are
``app_label.codename`` patterns (``*`` matches any run of characters), so a hand-written wildcard
still works in a test or a one-off group.
"""

from django.utils.translation import gettext_lazy as _

from .access import (  # the group names live with the matrix; imported from here too
    EVENTS_OFFICER,
    KITB_ADMINISTRATOR,
    PARTNERSHIPS_OFFICER,
    SCREENING_COMMITTEE,
    role_permissions,
)


# --- who is who -----------------------------------------------------------------------------------
def is_active_user(user) -> bool:
    """Signed in, with an account that is not deactivated."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_active_staff(user) -> bool:
    """An active KITB staff account (any role group, or none)."""
    return is_active_user(user) and bool(user.is_staff)


def is_partner_user(user) -> bool:
    """An active partner user: not staff, and of an organisation."""
    return is_active_user(user) and not user.is_staff and bool(user.organization_id)


def is_partner_org_admin(user) -> bool:
    """A partner organisation's administrator (``User.is_org_admin``)."""
    return is_partner_user(user) and bool(user.is_org_admin)


def in_role_group(user, group: str) -> bool:
    """The user is in the staff role group ``group`` (the group names come with the user: no query)."""
    from .backends import group_names

    return group in group_names(user)


def is_kitb_administrator(user) -> bool:
    """Active staff in the KITB administrator group, or a superuser (kept on the user for the request)."""
    if not is_active_staff(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_kitb_administrator", None)
    if cached is None:
        cached = in_role_group(user, KITB_ADMINISTRATOR)
        user._is_kitb_administrator = cached
    return cached


def is_events_officer(user) -> bool:
    """Active staff in the events officer group, or a superuser (superusers stand in)."""
    return is_active_staff(user) and (user.is_superuser or in_role_group(user, EVENTS_OFFICER))


def is_screening_committee_member(user) -> bool:
    """Active staff in the screening committee group, or a superuser."""
    return is_active_staff(user) and (user.is_superuser or in_role_group(user, SCREENING_COMMITTEE))


def staff_in_groups(*groups: str, superusers: bool = False):
    """Active staff users in any of the role groups ``groups`` (and every active staff superuser with
    ``superusers=True``), each once."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    which = Q(groups__name__in=groups)
    if superusers:
        which |= Q(is_superuser=True)
    return get_user_model().objects.filter(which, is_active=True, is_staff=True).distinct()


ROLE_LABELS = {
    KITB_ADMINISTRATOR: _("KITB administrator"),
    PARTNERSHIPS_OFFICER: _("Partnerships officer"),
    EVENTS_OFFICER: _("Events officer"),
    SCREENING_COMMITTEE: _("Screening committee member"),
}

#: Group name -> its model permissions, DERIVED from the access matrix (kitb_portal/accounts/access/matrix.py):
#: read of an area gives the view permission of each of its models, change the add/change/delete ones too.
ROLE_PERMISSIONS: dict[str, list[str]] = role_permissions()


def _matcher(patterns):
    """One compiled regular expression for a group's shell-style patterns (``"events.*_event"``):
    what ``fnmatchcase`` answers for any of them, asked once per permission instead of once per
    pattern (a few hundred permissions times a few hundred patterns)."""
    import re
    from fnmatch import translate

    return re.compile("|".join(f"(?:{translate(pattern)})" for pattern in patterns)).match


def sync_role_permissions(*, using: str = "default") -> dict[str, int]:
    """Create the role groups if missing and give each exactly the permissions its patterns match.

    Returns {group name: number of permissions}. Safe to call any number of times.
    """
    from django.contrib.auth.models import Group, Permission

    permissions = list(Permission.objects.using(using).select_related("content_type").only("pk", "codename", "content_type__app_label"))
    labels = [(p.pk, f"{p.content_type.app_label}.{p.codename}") for p in permissions]
    result = {}
    for name, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        matches = _matcher(patterns)
        wanted = [pk for pk, label in labels if matches(label)]
        group.permissions.set(wanted)
        result[name] = len(wanted)
    return result


def sync_role_permissions_after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    """post_migrate receiver: runs once, after the last app's handlers (when every app's
    permissions exist, since django.contrib.auth creates them per app in the same signal)."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if not with_models or app_config is None or app_config.label != with_models[-1].label:
        return
    sync_role_permissions(using=using)
