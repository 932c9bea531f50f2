"""The pages ``make bench --per-page`` loads: for each, a logged-in session and the SQL count of one request.

Runs inside a Django process on the bench database (see bench.py) and prints one JSON line. Pages are
named by URL name and the demo user who sees them; detail pages take the first object the user's own
selector returns (looked up by dotted path, so the core imports no app).
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitb_portal.settings")

PARTNER = "partner@cbtp.demo"
ADMIN = "admin@kitb.demo"

# (label, user e-mail or None, url name, selector giving the object for detail pages, url kwarg)
PAGES: list[tuple[str, str | None, str, str | None, str | None]] = [
    ("bare view (ok)", None, "bench_ok", None, None),
    ("healthz", None, "healthz", None, None),
    # The lightest whole page: the base template, a form, no session; where the mix's pages start from.
    ("login page", None, "accounts:login", None, None),
    ("public event list", None, "events_public:event_list", None, None),
    ("portal home", PARTNER, "portal:home", None, None),
    ("portal MoU list", PARTNER, "partnerships:mou_list", None, None),
    ("portal MoU detail", PARTNER, "partnerships:mou_detail", "partnerships.selectors.mou_list_for", "pk"),
    ("portal event list", PARTNER, "events:event_list", None, None),
    ("portal event detail", PARTNER, "events:event_detail", "events.selectors.event_list_for", "pk"),
    ("portal my registrations", PARTNER, "events:my_registrations", None, None),
    ("portal application list", PARTNER, "tenants:application_list", None, None),
    ("portal application detail", PARTNER, "tenants:application_detail", "tenants.selectors.application_list_for", "pk"),
    ("admin dashboard", ADMIN, "admin:index", None, None),
    ("admin MoU changelist", ADMIN, "admin:partnerships_mou_changelist", None, None),
    ("admin event changelist", ADMIN, "admin:events_event_changelist", None, None),
    ("admin registration changelist", ADMIN, "admin:events_registration_changelist", None, None),
    ("admin application changelist", ADMIN, "admin:tenants_application_changelist", None, None),
    ("admin outbox changelist", ADMIN, "admin:notifications_outboxmessage_changelist", None, None),
    ("admin user changelist", ADMIN, "admin:accounts_user_changelist", None, None),
]


def _session_cookie(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from kitb_portal.accounts import second_factor

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if second_factor.owes_second_factor(user):  # as after the token step (the KITB administrator's demo device)
        second_factor.mark_session_verified(store, user)
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django.utils.module_loading import import_string

    from kitb_portal.accounts import second_factor
    from kitb_portal.accounts.models import User

    plan = []
    for label, email, url_name, selector, kwarg in PAGES:
        user = User.objects.get(email=email) if email else None
        kwargs = {}
        if selector:
            try:
                obj = import_string(selector)(user).order_by("pk").first() if user else None
            except (ImportError, TypeError):
                continue
            if obj is None:
                continue
            kwargs[kwarg] = obj.pk
        try:
            path = reverse(url_name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        client = Client()
        if user:
            second_factor.force_login_verified(client, user)
        client.get(path)  # templates loaded, connection open
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {path} answered {response.status_code} for {email}")
        # The session middleware's own read of the session row is counted too: it is one query per request.
        plan.append({"name": label, "path": path, "cookie": _session_cookie(user) if user else None,
                     "queries": len(ctx.captured_queries)})
    print(json.dumps(plan))


if __name__ == "__main__":
    main()
