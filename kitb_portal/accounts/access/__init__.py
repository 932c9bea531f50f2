"""The access matrix: for each role, what it may read and change, per area. One table, one place.

The package, by topic: ``role_names`` (the roles and the staff role groups), ``areas`` (areas, levels,
scopes, :class:`Grant`), ``matrix`` (:data:`MATRIX` and the queries on it), ``url_rules``
(:data:`URL_RULES`), ``readme`` (the README table). Import the names from here.

Everything else about who-may-what is derived from it or checked against it:

* ``roles.ROLE_PERMISSIONS`` (the model permissions each staff role group gets after ``migrate``) is
  *derived* from :data:`MATRIX` by :func:`role_permissions`;
* the object rules (``can_<verb>_<noun>`` in each app's ``permissions.py``) are checked against it by
  ``tests/access/test_rules.py``;
* every URL pattern of the site has an entry in :data:`URL_RULES` (or is an admin URL of a model
  whose area is known), and ``tests/access/test_url_matrix.py`` requests each one as every role and
  asserts the answer the matrix gives; a URL added without an entry fails that test;
* the README's "Roles and access" table is :func:`matrix_markdown`.

The core imports no app, so areas name the apps' models and URLs by strings (``"app_label.model"``,
``"namespace:name"``), as the role patterns always did.
"""

from .areas import (
    ALL,
    AREAS,
    BY_TOKEN,
    CHANGE,
    CO_ORGANISED,
    NONE,
    OWN,
    OWN_ORG,
    PUBLIC_EVENTS,
    PUBLISHED,
    READ,
    Area,
    Grant,
    area_of_model,
)
from .matrix import (
    GROUP_ONLY_AREAS,
    MATRIX,
    PASSPORT,
    C,
    R,
    grant,
    permissions_of,
    role_permissions,
)
from .readme import (
    matrix_markdown,
)
from .role_names import (
    ADMINISTRATOR,
    ANONYMOUS,
    EVENTS,
    EVENTS_OFFICER,
    GUEST,
    KITB_ADMINISTRATOR,
    OTHER_PARTNER,
    PARTNER,
    PARTNER_ADMIN,
    PARTNER_ROLES,
    PARTNERSHIPS,
    PARTNERSHIPS_OFFICER,
    ROLE_GROUPS,
    ROLES,
    SCREENING,
    SCREENING_COMMITTEE,
    STAFF_NO_GROUP,
    STAFF_ROLES,
    SUPERUSER,
)
from .url_rules import (
    ADMIN_VIEWS,
    LOGIN,
    PORTAL_NAMESPACES,
    PUBLIC,
    STAFF,
    URL_RULES,
    UrlRule,
)

__all__ = [
    "ADMINISTRATOR",
    "ADMIN_VIEWS",
    "ALL",
    "ANONYMOUS",
    "AREAS",
    "Area",
    "BY_TOKEN",
    "C",
    "CHANGE",
    "CO_ORGANISED",
    "EVENTS",
    "EVENTS_OFFICER",
    "GROUP_ONLY_AREAS",
    "GUEST",
    "Grant",
    "KITB_ADMINISTRATOR",
    "LOGIN",
    "MATRIX",
    "NONE",
    "OTHER_PARTNER",
    "OWN",
    "OWN_ORG",
    "PARTNER",
    "PARTNERSHIPS",
    "PARTNERSHIPS_OFFICER",
    "PARTNER_ADMIN",
    "PARTNER_ROLES",
    "PASSPORT",
    "PORTAL_NAMESPACES",
    "PUBLIC",
    "PUBLIC_EVENTS",
    "PUBLISHED",
    "R",
    "READ",
    "ROLES",
    "ROLE_GROUPS",
    "SCREENING",
    "SCREENING_COMMITTEE",
    "STAFF",
    "STAFF_NO_GROUP",
    "STAFF_ROLES",
    "SUPERUSER",
    "URL_RULES",
    "UrlRule",
    "area_of_model",
    "grant",
    "matrix_markdown",
    "permissions_of",
    "role_permissions",
]
