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
        "partnerships.*", "accounts.view_organization", "accounts.view_user", "events.view_*", "tenants.view_*",
        "notifications.view_*",
    ],
    EVENTS_OFFICER: [
        "events.*", "accounts.view_organization", "accounts.view_user", "partnerships.view_*", "notifications.view_*",
    ],
    SCREENING_COMMITTEE: [
        "tenants.view_*", "tenants.add_review", "tenants.change_review", "tenants.add_reviewscore", "tenants.change_reviewscore",
        "tenants.add_applicationcomment", "accounts.view_organization",
    ],
}
