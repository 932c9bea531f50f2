"""The /api/v1/ router: each app registers its viewsets in ``kitb_portal/urls.py``."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    """Plain routes (no browsable root view): list ``<prefix>/``, detail ``<prefix>/<id>/``, actions
    ``<prefix>/<id>/<action>/``. URL names are ``api:<basename>-list``, ``-detail``, ``-<action>``."""
