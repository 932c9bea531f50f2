"""KITB staff role groups and the model permissions each one holds.

The groups are created by a data migration; their permissions are (re)synchronised after every
``migrate`` (post_migrate signal), so an app's new models get the right permissions without a
migration per app. Patterns are ``app_label.codename``; ``*`` matches any run of characters
(``partnerships.*`` is every permission of the app, ``tenants.view_*`` every view permission).
"""

from django.utils.translation import gettext_lazy as _

KITB_ADMINISTRATOR = "KITB administrator"
PARTNERSHIPS_OFFICER = "Partnerships officer"
EVENTS_OFFICER = "Events officer"
SCREENING_COMMITTEE = "Screening committee member"

ROLE_LABELS = {
    KITB_ADMINISTRATOR: _("KITB administrator"),
    PARTNERSHIPS_OFFICER: _("Partnerships officer"),
    EVENTS_OFFICER: _("Events officer"),
    SCREENING_COMMITTEE: _("Screening committee member"),
}

ROLE_PERMISSIONS: dict[str, list[str]] = {
    KITB_ADMINISTRATOR: [
        "accounts.*", "auth.view_group", "notifications.*", "partnerships.*", "events.*", "tenants.*",
        "django_celery_beat.*", "axes.*",
    ],
    PARTNERSHIPS_OFFICER: [
        "partnerships.*", "accounts.view_organization", "accounts.view_user", "accounts.view_contact", "accounts.add_contact",
        "accounts.change_contact", "events.view_*", "tenants.view_*",
        "notifications.view_*",
    ],
    EVENTS_OFFICER: [
        "events.*", "accounts.view_organization", "accounts.view_user", "accounts.view_contact", "partnerships.view_*", "notifications.view_*",
    ],
    SCREENING_COMMITTEE: [
        "tenants.view_*", "tenants.add_review", "tenants.change_review", "tenants.add_reviewscore", "tenants.change_reviewscore",
        "tenants.add_applicationcomment", "accounts.view_organization",
    ],
}


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
