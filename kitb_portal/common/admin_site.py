"""The admin site: Django's, with the app list and the navigation sidebar kept in memory.

Django builds the list of apps and models on every admin page: for each registered model it asks the
model admin for the user's permissions and reverses its URLs; then the sidebar draws it, about forty
links. Together 5-10 ms a page (measured on the scale-100 data), none of it depending on the page:
only on the user's permissions, the language and which entry is the current one. So each worker
keeps both per user, language and content version (:mod:`kitb_portal.common.freshness`, which moves
on whenever a user, group or permission is saved) in small LRUs. Wired by :class:`KitbAdminConfig`
(INSTALLED_APPS) and ``templates/admin/nav_sidebar.html`` (the ``kitb_admin`` template library).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import get_language

from kitb_portal.accounts.second_factor import SecondFactorAdminSiteMixin

from . import freshness

logger = logging.getLogger(__name__)


class Lru:
    """A small thread-safe least-recently-used map (one per worker process)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def user_key(user) -> tuple | None:
    """(content version, user, language), or None when the version cannot be read (no Redis).

    The version is read once per request (kept on the request's user object)."""
    try:
        version = user.__dict__.get("_kitb_content_version")
        if version is None:
            version = user.__dict__["_kitb_content_version"] = freshness.version()
        return (version, user.pk, get_language())
    except Exception:  # noqa: BLE001 - without Redis, everything is built every time
        logger.warning("admin caches: content version unavailable", exc_info=True)
        return None


class KitbAdminSite(SecondFactorAdminSiteMixin, admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        """Django's wrapper; after any POST (a save, an action, an import) the content version moves on,
        so the next page is drawn from the data as they are, even when the action updated rows in bulk."""
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def wrapper(request, *args, **kwargs):
            try:
                return inner(request, *args, **kwargs)
            finally:
                if request.method == "POST":
                    freshness.invalidate()

        return wrapper

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.app_lists = Lru(256)
        self.sidebars = Lru(512)  # about 8 KB each

    def get_app_list(self, request, app_label=None):
        base = user_key(request.user)
        if base is None:
            return super().get_app_list(request, app_label)
        key = (*base, app_label)
        app_list = self.app_lists.get(key)
        if app_list is None:
            app_list = super().get_app_list(request, app_label)
            self.app_lists.set(key, app_list)
        return app_list


class KitbAdminConfig(AdminConfig):
    default_site = "kitb_portal.common.admin_site.KitbAdminSite"
