"""Every URL pattern of the site, requested as every role of the access matrix.

pretix's control permission tests are the model: for each URL pattern (one test each) and every role, the answer the matrix gives
(allowed: 200 or a redirect that is not to a login page; refused: a redirect to login, 403 or 404;
a partner asking for another organisation's record: 404), never a 500, never another
organisation's data, never another person's live secret (test_secrets.py proves the secrets are
real and that this check finds one shown), and a refused POST changes nothing.
"""
from __future__ import annotations

import pytest
from django.db import connection, transaction

from kitb_portal.accounts import access

from .conftest import client_as
from .walk import (
    ALLOW,
    ANY,
    METHOD,
    NOT_FOUND,
    REFUSE,
    classify,
    entries,
    expected,
    posts,
    rule_for,
    sees_nothing_of_a,
    url_of,
)

pytestmark = pytest.mark.django_db

ROLES = list(access.ROLES)
ENTRIES = entries()
CASES = [(e, role) for e in ENTRIES for role in ROLES]


def test_every_url_pattern_has_a_matrix_entry():
    missing = [f"{e.name} ({e.route})" for e in ENTRIES if rule_for(e) is None]
    assert not missing, "URL patterns without an entry in kitb_portal/accounts/access/url_rules.py: " + ", ".join(missing)
    stale = set(access.URL_RULES) - {e.name for e in ENTRIES}
    assert not stale, f"matrix entries for URLs that no longer exist: {sorted(stale)}"
    print(f"\n{len(ENTRIES)} URL patterns x {len(ROLES)} roles = {len(CASES)} combinations")
    assert len(ENTRIES) > 300


_FINGERPRINT_SQL = """
SELECT
  (SELECT md5(coalesce(string_agg(id || ':' || status || ':' || title_en, ',' ORDER BY id), '')) FROM partnerships_mou),
  (SELECT md5(coalesce(string_agg(id || ':' || status || ':' || coalesce(owning_officer_id, 0), ',' ORDER BY id), '')) FROM tenants_application),
  (SELECT md5(coalesce(string_agg(id || ':' || status, ',' ORDER BY id), '')) FROM events_registration),
  (SELECT md5(coalesce(string_agg(id || ':' || status, ',' ORDER BY id), '')) FROM events_event),
  (SELECT md5(coalesce(string_agg(id || ':' || is_active || ':' || is_staff || ':' || is_superuser || ':' || is_org_admin
      || ':' || password, ',' ORDER BY id), '')) FROM accounts_user),
  (SELECT md5(coalesce(string_agg(id || ':' || token, ',' ORDER BY id), '')) FROM events_calendarfeed),
  (SELECT md5(coalesce(string_agg(id || ':' || status, ',' ORDER BY id), '')) FROM jobs_backgroundjob),
  (SELECT count(*) FROM partnerships_mounote), (SELECT count(*) FROM partnerships_moudocument),
  (SELECT count(*) FROM partnerships_documentapproval), (SELECT count(*) FROM tenants_applicationcomment),
  (SELECT count(*) FROM tenants_applicationdocument), (SELECT count(*) FROM tenants_allocation),
  (SELECT count(*) FROM tenants_reviewassignment), (SELECT count(*) FROM accounts_invitation),
  (SELECT count(*) FROM notifications_outboxmessage), (SELECT count(*) FROM django_admin_log),
  (SELECT count(*) FROM events_feedback), (SELECT count(*) FROM axes_accessattempt),
  (SELECT count(*) FROM auth_group_permissions), (SELECT count(*) FROM django_celery_beat_periodictask)
"""


_prepared_on = []  # the database connection the fingerprint statement was prepared on


def fingerprint():
    """The state a refused POST must leave as it found it. The statement is prepared once per
    database connection (a prepared statement outlives the savepoints it was made in): planning its
    21 sub-selects cost more than running them, twice per refused POST."""
    with connection.cursor() as cursor:
        if _prepared_on != [connection.connection]:
            cursor.execute("PREPARE access_walk_fingerprint AS " + _FINGERPRINT_SQL)
            _prepared_on[:] = [connection.connection]
        cursor.execute("EXECUTE access_walk_fingerprint")
        return cursor.fetchone()


def _text(response) -> str | None:
    """A rendered page's text (a 200 that is not streamed), decoded once for every check on it."""
    if response.status_code == 200 and not response.streaming:
        return response.content.decode("utf-8", "replace")
    return None


def _check(response, want: str, *, url, role, method, world, rule, got, text) -> list[str]:
    problems = []
    if got == METHOD and method == "GET":
        pass  # a POST-only view: a GET shows nothing to anyone
    elif want == ANY:
        if got.startswith("status"):
            problems.append(got)
    elif want == NOT_FOUND:
        if got != NOT_FOUND:
            problems.append(f"expected 404, got {response.status_code} {response.get('Location', '')}")
    elif want == REFUSE:
        if got not in (REFUSE, NOT_FOUND, METHOD):
            problems.append(f"expected a refusal, got {response.status_code} {response.get('Location', '')}")
    elif got != ALLOW:
        problems.append(f"expected to be let in, got {response.status_code} {response.get('Location', '')}")
    if text is not None and sees_nothing_of_a(role, rule):
        leaked = [m for m in world.org_a_markers if m in text]
        if leaked:
            problems.append(f"shows organisation A's data: {leaked}")
    return [f"{method} {url} as {role}: {p}" for p in problems]


def _sent_back(response, rule, want, url):
    """A refused step is sent back to the object's page with a message: a refusal (the POST's
    fingerprint check proves nothing changed)."""
    if want in (REFUSE, NOT_FOUND) and rule.refusal_redirects and classify(response, url) == ALLOW:
        response.status_code = 403


def secrets_shown(world, url: str, role: str, holds: bool, text: str) -> list[str]:
    """The kinds of other people's live secrets a page the role was let in to shows. A secret the
    role holds itself (world.secret_owner), or holds for the URL it opened (the guest's own manage
    link), is its own."""
    shown = []
    for kind, secret in world.secrets.items():
        if role in world.secret_owner.get(kind, ()) or (holds and secret in url):
            continue  # the role's own secret
        if secret in text:
            shown.append(kind)
    return shown


def request_as(world, entry, rule, role, *, savepoint=None) -> list[str]:
    """GET (and POST, for URLs that change something) the entry as the role; the problems found.
    Each role's requests are rolled back to a savepoint, so an allowed POST that changes something
    is undone before the next role: ``savepoint``, one the caller made for all its roles (one round
    trip a role), or one of its own. Every page a role other than the superuser is let in to is
    searched for other people's live secrets (the superuser may see everything)."""
    url, holds = url_of(entry, world, role)
    client = client_as(world, role)
    problems = []
    sid = savepoint if savepoint is not None else transaction.savepoint()
    try:
        want = expected(entry, rule, role, "GET", holds, world)
        response = client.get(url)
        _sent_back(response, rule, want, url)
        got, text = classify(response, url), _text(response)
        problems += _check(response, want, url=url, role=role, method="GET", world=world, rule=rule, got=got, text=text)
        if role != access.SUPERUSER and got == ALLOW and text is not None:
            problems += [f"GET {url} as {role} shows the {kind}, another person's live secret"
                         for kind in secrets_shown(world, url, role, holds, text)]
        if posts(entry, rule):
            want = expected(entry, rule, role, "POST", holds, world)
            before = fingerprint() if want in (REFUSE, NOT_FOUND) else None
            # the API reads JSON (an empty form would be a 415 before any rule is asked)
            response = client.post(url, {}, content_type="application/json") if url.startswith("/api/") else client.post(url, {})
            _sent_back(response, rule, want, url)
            got = classify(response, url)
            problems += _check(response, want, url=url, role=role, method="POST", world=world, rule=rule, got=got,
                               text=_text(response))
            if before is not None and got in (REFUSE, NOT_FOUND, METHOD):
                if fingerprint() != before:
                    problems.append(f"POST {url} as {role} was refused but changed the database")
    finally:
        # as atomic's exit rolling back to its savepoint: the role's changes are gone, the
        # transaction usable again; a savepoint of the caller's stays for its next role
        connection.needs_rollback = False
        transaction.savepoint_rollback(sid)
        if savepoint is None:
            transaction.savepoint_commit(sid)
    return problems


# Some 5,800 requests, 40 % of the quick loop's time: `make test` and `make test-access` walk it,
# `make test-fast` leaves it out (the entry check above stays in the quick loop).
@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_url_as_every_role(world, entry):
    """One test per URL pattern; inside, every role (the fixtures are shared, the requests are not)."""
    rule = rule_for(entry)
    assert rule is not None, f"{entry.name} has no matrix entry"
    problems = []
    savepoint = transaction.savepoint()  # each role's requests are rolled back to it
    for role in ROLES:
        problems += request_as(world, entry, rule, role, savepoint=savepoint)
    assert not problems, "\n".join(problems)
