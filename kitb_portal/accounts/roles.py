"""KITB staff role groups and the model permissions each one holds.

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

ROLE_LABELS = {
    KITB_ADMINISTRATOR: _("KITB administrator"),
    PARTNERSHIPS_OFFICER: _("Partnerships officer"),
    EVENTS_OFFICER: _("Events officer"),
    SCREENING_COMMITTEE: _("Screening committee member"),
}

#: Group name -> its model permissions, DERIVED from the access matrix (kitb_portal/accounts/access/matrix.py):
#: read of an area gives the view permission of each of its models, change the add/change/delete ones too.
ROLE_PERMISSIONS: dict[str, list[str]] = role_permissions()


def _matches(pattern: str, app_label: str, codename: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(f"{app_label}.{codename}", pattern)


def sync_role_permissions(*, using: str = "default") -> dict[str, int]:
    """Create the role groups if missing and give each exactly the permissions its patterns match.

    Returns {group name: number of permissions}. Safe to call any number of times.
    """
    from django.contrib.auth.models import Group, Permission

    permissions = list(Permission.objects.using(using).select_related("content_type").only("pk", "codename", "content_type__app_label"))
    result = {}
    for name, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = [p.pk for p in permissions if any(_matches(pattern, p.content_type.app_label, p.codename) for pattern in patterns)]
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
