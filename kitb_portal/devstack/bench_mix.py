"""The mixed workload of ``make bench``: who asks for what, and the writes that go on meanwhile.

:func:`plan` runs in a Django process on a bench database (see bench.py) and writes a request list
for wrk's Lua script (``bench_mix.lua``): one line per (user, URL) with its weight, the user's
session cookie and the path. The weights are those of a working day: partner users (at least 150
sessions over many organisations) on the portal's home, lists with filters, searches and pages
1-10, the details of their own MoUs, events and applications, calendars and .ics files; the public
on the event pages; staff of every role (the KITB administrator most) on the admin's dashboard,
changelists (pages 1-10, filters, searches), change and history pages, and the land and site-plan
pages. Each request wrk sends is one line picked at random by weight, so no two consecutive
requests need to be the same page or the same user.

:func:`writer` runs beside the load in its own process and writes through the services at a steady
rate: partner notes on their MoUs, registrations and their cancellations, commitment status
changes, reviewers' scores, and logins (Django's ``login()``, which records the login on the
user). Both print one JSON line.

The module imports apps only by dotted path at run time, like the rest of the core.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from collections import defaultdict

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitb_portal.settings")

#: Partner sessions in the mix (users are reused when a scale has fewer partner users than this).
PARTNER_SESSIONS = 150
#: Requests per kind of page, as shares of a working day (the weights are relative).
PARTNER_WEIGHTS = {
    "portal home": 10, "MoU list": 8, "MoU detail": 8, "event list": 8, "event detail": 8,
    "my registrations": 4, "application list": 4, "application detail": 5, "calendar feed .ics": 2,
    "event .ics": 1,
}
PUBLIC_WEIGHTS = {"public event list": 2, "public event detail": 3, "public event .ics": 1}
STAFF_WEIGHTS = {
    "admin dashboard": 4, "admin changelist": 6, "admin changelist page 2-10": 4, "admin changelist filter": 3,
    "admin changelist search": 2, "admin change page": 6, "admin history": 1, "admin land/site plan": 1,
}
#: Shares of all requests: partners, the public, staff.
AUDIENCE = {"partner": 66, "public": 6, "staff": 28}
#: The KITB administrator's share of the staff requests (the other roles share the rest).
ADMIN_SHARE = 0.4
SEARCH_TERMS = ["BULK-0", "Chungbuk", "Batang", "seminar", "Kim", "Technopark", "2026"]

ADMIN_EMAIL = "admin@kitb.demo"


def _session_cookie(user) -> str:
    from kitb_portal.devstack.bench_pages import _session_cookie as cookie

    return cookie(user)


def _sample(rng: random.Random, items, k: int) -> list:
    items = list(items)
    return rng.sample(items, min(k, len(items)))


def _ids(qs, rng: random.Random, k: int) -> list[int]:
    """Up to ``k`` random primary keys of ``qs`` without reading the whole table."""
    from django.db.models import Max, Min

    bounds = qs.order_by().aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    lo, hi = bounds["lo"], bounds["hi"]
    candidates = rng.sample(range(lo, hi + 1), min(hi - lo + 1, k * 20))
    found = list(qs.order_by().filter(pk__in=candidates).values_list("pk", flat=True)[:k])
    if not found:
        found = list(qs.order_by("pk").values_list("pk", flat=True)[:k])
    return found


def _partner_entries(user, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, path) of the pages one partner user asks for."""
    from django.urls import reverse
    from django.utils.module_loading import import_string

    mou_list_for = import_string("partnerships.selectors.mou_list_for")
    event_list_for = import_string("events.selectors.event_list_for")
    application_list_for = import_string("tenants.selectors.application_list_for")
    feed_get_or_create = import_string("events.services.calendar_feed_get_or_create")
    event_kinds = [v for v, _l in import_string("events.models.EventKind").choices]
    topics = [v for v, _l in import_string("events.models.Topic").choices]
    mou_statuses = [v for v, _l in import_string("partnerships.models.MoUStatus").choices]

    entries = [("portal home", reverse("portal:home"))]
    mou_list, event_list = reverse("partnerships:mou_list"), reverse("events:event_list")
    entries += [("MoU list", mou_list), *(("MoU list", f"{mou_list}?page={n}") for n in range(2, 11))]
    entries += [("MoU list", f"{mou_list}?status={s}") for s in _sample(rng, mou_statuses, 3)]
    entries += [("MoU list", f"{mou_list}?q={t}") for t in _sample(rng, SEARCH_TERMS, 2)]
    entries += [("event list", event_list), *(("event list", f"{event_list}?page={n}") for n in range(2, 11))]
    entries += [("event list", f"{event_list}?kind={k}") for k in _sample(rng, event_kinds, 2)]
    entries += [("event list", f"{event_list}?topic={t}&page=2") for t in _sample(rng, topics, 2)]
    entries += [("event list", f"{event_list}?q={t}") for t in _sample(rng, SEARCH_TERMS, 2)]
    entries += [("my registrations", reverse("events:my_registrations"))]
    entries += [("my registrations", reverse("events:my_registrations") + "?page=2")]
    entries += [("application list", reverse("tenants:application_list"))]
    entries += [("application list", reverse("tenants:application_list") + "?page=2")]
    for pk in _ids(mou_list_for(user), rng, 8):
        entries.append(("MoU detail", reverse("partnerships:mou_detail", args=[pk])))
    events = _ids(event_list_for(user, include_past=True), rng, 8)
    for pk in events:
        entries.append(("event detail", reverse("events:event_detail", args=[pk])))
    for pk in events[:3]:
        entries.append(("event .ics", reverse("events:event_ics", args=[pk])))
    for pk in _ids(application_list_for(user), rng, 6):
        entries.append(("application detail", reverse("tenants:application_detail", args=[pk])))
    feed = feed_get_or_create(user=user)
    entries.append(("calendar feed .ics", reverse("events:feed", args=[feed.token])))
    return entries


def _public_entries(rng: random.Random) -> list[tuple[str, str]]:
    from django.urls import reverse
    from django.utils.module_loading import import_string

    public = import_string("events.selectors.public_event_list")()
    entries = [("public event list", reverse("events_public:event_list"))]
    slugs = list(public.filter(pk__in=_ids(public, rng, 30)).values_list("slug", flat=True))
    for slug in slugs:
        entries.append(("public event detail", reverse("events_public:event_detail", args=[slug])))
    for slug in slugs[:10]:
        entries.append(("public event .ics", reverse("events_public:event_ics", args=[slug])))
    return entries


def _staff_entries(user, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, path) of the admin pages a staff user may see: what their role's permissions allow."""
    from django.contrib import admin
    from django.test import RequestFactory
    from django.urls import NoReverseMatch, reverse

    request = RequestFactory().get("/admin/")
    request.user = user
    entries = [("admin dashboard", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        url_name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        try:
            changelist = reverse(f"{url_name}_changelist")
        except NoReverseMatch:
            continue
        entries.append(("admin changelist", changelist))
        qs = model_admin.get_queryset(request)
        per_page = model_admin.list_per_page
        pages = min(10, max(1, math.ceil(qs.order_by().count() / per_page))) if model._meta.db_table else 1
        entries += [("admin changelist page 2-10", f"{changelist}?p={n}") for n in range(2, pages + 1)]
        for name in model_admin.get_list_filter(request):
            if not isinstance(name, str) or "__" in name:
                continue
            try:
                field = model._meta.get_field(name)
            except Exception:  # not a plain field
                continue
            if field.choices:
                for value, _label in _sample(rng, [c for c in field.flatchoices if c[0] != ""], 2):
                    entries.append(("admin changelist filter", f"{changelist}?{name}__exact={value}"))
            elif field.get_internal_type() == "BooleanField":
                entries.append(("admin changelist filter", f"{changelist}?{name}__exact=1"))
        if model_admin.get_search_fields(request):
            for term in _sample(rng, SEARCH_TERMS, 2):
                entries.append(("admin changelist search", f"{changelist}?q={term}"))
        for pk in _ids(qs, rng, 5):
            try:
                entries.append(("admin change page", reverse(f"{url_name}_change", args=[pk])))
                entries.append(("admin history", reverse(f"{url_name}_history", args=[pk])))
            except NoReverseMatch:
                pass
    for name in ("admin:tenants_land_summary", "admin:tenants_site_plan", "admin:tenants_site_plan_svg"):
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        if user.has_perm("tenants.view_plot") or user.has_perm("tenants.view_zone"):
            entries.append(("admin land/site plan", path))
    return entries


def _weighted(lines: list, entries: list[tuple[str, str]], weights: dict, share: float, cookie: str) -> None:
    """Append ``entries`` so that each kind gets its weight, divided evenly between its URLs, times ``share``."""
    by_kind = defaultdict(list)
    for kind, path in entries:
        by_kind[kind].append(path)
    total = sum(weights[k] for k in by_kind)
    for kind, paths in by_kind.items():
        for path in paths:
            lines.append((share * weights[kind] / total / len(paths), kind, cookie, path))


def plan(out_path: str, seed: int = 1) -> dict:
    """Write the request list to ``out_path``; return a summary (users, organisations, URLs)."""
    import django

    django.setup()
    from django.contrib.auth.models import Group

    from kitb_portal.accounts import roles
    from kitb_portal.accounts.models import User

    rng = random.Random(seed)
    partners = list(
        User.objects.filter(is_active=True, is_staff=False, organization__isnull=False, organization__is_host=False)
        .order_by("organization_id", "pk").select_related("organization")
    )
    # Spread over as many organisations as there are: one user of each organisation in turn.
    by_org = defaultdict(list)
    for user in partners:
        by_org[user.organization_id].append(user)
    chosen = []
    while len(chosen) < PARTNER_SESSIONS and partners:
        for org_users in by_org.values():
            if org_users:
                chosen.append(org_users.pop(rng.randrange(len(org_users))))
        if not any(by_org.values()):  # fewer partner users than sessions: every user gets more sessions
            by_org = defaultdict(list)
            for user in partners:
                by_org[user.organization_id].append(user)
    chosen = chosen[:PARTNER_SESSIONS]

    staff_by_role = {}
    for role in roles.ROLE_LABELS:
        members = list(Group.objects.get(name=role).user_set.filter(is_active=True, is_staff=True).order_by("pk"))
        if role == roles.KITB_ADMINISTRATOR:
            members = [u for u in members if u.email == ADMIN_EMAIL] or members[:1]
        staff_by_role[role] = members[:4]

    lines: list[tuple[float, str, str, str]] = []
    partner_share = AUDIENCE["partner"] / len(chosen) if chosen else 0
    entry_cache: dict[int, list] = {}
    for user in chosen:
        if user.pk not in entry_cache:
            entry_cache[user.pk] = _partner_entries(user, rng)
        _weighted(lines, entry_cache[user.pk], PARTNER_WEIGHTS, partner_share, _session_cookie(user))
    _weighted(lines, _public_entries(rng), PUBLIC_WEIGHTS, AUDIENCE["public"], "")
    other_roles = [r for r in staff_by_role if r != roles.KITB_ADMINISTRATOR and staff_by_role[r]]
    for role, members in staff_by_role.items():
        if not members:
            continue
        role_share = ADMIN_SHARE if role == roles.KITB_ADMINISTRATOR else (1 - ADMIN_SHARE) / len(other_roles)
        for user in members:
            _weighted(lines, _staff_entries(user, rng), STAFF_WEIGHTS, AUDIENCE["staff"] * role_share / len(members),
                      _session_cookie(user))
    with open(out_path, "w") as fh:
        for weight, kind, cookie, path in lines:
            fh.write(f"{weight:.8f}\t{kind}\t{cookie}\t{path}\n")
    summary = {
        "partner_sessions": len(chosen), "partner_users": len({u.pk for u in chosen}),
        "organisations": len({u.organization_id for u in chosen}),
        "staff": {role: len(m) for role, m in staff_by_role.items()}, "urls": len(lines),
    }
    print(json.dumps(summary))
    return summary


def _has(path: str) -> bool:
    from django.utils.module_loading import import_string

    try:
        import_string(path)
    except ImportError:
        return False
    return True


# --- the writer ----------------------------------------------------------------------------------
def writer(seconds: float, rate: float, seed: int = 1) -> dict:
    """Write through the services at ``rate`` writes per second for ``seconds``; print and return counts."""
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db.models import Q
    from django.test import Client
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from kitb_portal.accounts import roles
    from kitb_portal.accounts.models import User

    partnerships = import_string("partnerships.services")
    events = import_string("events.services")
    reviews = import_string("tenants.services.reviews")
    Commitment = import_string("partnerships.models.Commitment")
    Event = import_string("events.models.Event")
    Review = import_string("tenants.models.Review")
    mou_list_for = import_string("partnerships.selectors.mou_list_for")

    rng = random.Random(seed)
    now = timezone.now()
    admin = User.objects.get(email=ADMIN_EMAIL)
    partners = list(User.objects.filter(is_active=True, is_staff=False, organization__isnull=False,
                                        organization__is_host=False).order_by("pk")[:400])
    open_events = [
        event.pk for event in Event.objects.filter(status="published", start__gt=now + timezone.timedelta(days=2))
        .filter(Q(registration_opens__isnull=True) | Q(registration_opens__lte=now)).order_by("start")[:400]
        if event.effective_registration_closes > now + timezone.timedelta(minutes=10)
    ][:200]
    commitments = list(Commitment.objects.order_by("pk").values_list("pk", flat=True)[:500])
    reviewers = list(Group.objects.get(name=roles.SCREENING_COMMITTEE).user_set.filter(is_active=True))
    in_review = import_string("tenants.models.IN_REVIEW_STATUSES") if _has("tenants.models.IN_REVIEW_STATUSES") else None
    drafts = Review.objects.filter(assignment__reviewer__in=reviewers, submitted_at__isnull=True)
    if in_review is not None:
        drafts = drafts.filter(assignment__application__status__in=list(in_review))
    drafts = list(drafts.select_related("assignment__reviewer").order_by("pk")[:200]) if reviewers else []
    criteria = list(import_string("tenants.selectors.active_criteria")().values_list("pk", flat=True))
    client = Client()

    def note():
        user = rng.choice(partners)
        mou = mou_list_for(user).order_by("?").values_list("pk", flat=True).first()
        if mou is None:
            raise LookupError("no MoU")
        partnerships.note_add(actor=user, mou_id=mou, text="Bench note: follow-up call scheduled.")

    def register_and_cancel():
        user, event_id = rng.choice(partners), rng.choice(open_events)
        registration = events.registration_create(event_id=event_id, user=user)
        events.registration_cancel(registration_id=registration.pk, actor=user)

    def commitment_status():
        commitment_id = rng.choice(commitments)
        try:
            partnerships.commitment_complete(actor=admin, commitment_id=commitment_id, note="Done (bench).")
        except Exception:  # closed already: open it again
            partnerships.commitment_reopen(actor=admin, commitment_id=commitment_id)

    def review_score():
        review = rng.choice(drafts)
        scores = {c: (rng.randint(1, 5), "") for c in criteria}
        reviews.review_save(review_id=review.pk, actor=review.assignment.reviewer, conflict_of_interest=False,
                            comment="Bench review.", scores=scores)

    def login():
        client.force_login(rng.choice(partners))  # django.contrib.auth.login(): last_login saved, session made

    kinds = [("note", note), ("registration and cancellation", register_and_cancel),
             ("commitment status", commitment_status), ("review scores", review_score), ("login", login)]
    kinds = [k for k in kinds if not (k[0].startswith("registration") and not open_events)
             and not (k[0] == "review scores" and not (drafts and criteria))
             and not (k[0] == "commitment status" and not commitments)]
    done, failed, errors = defaultdict(int), defaultdict(int), {}
    started = time.monotonic()
    i = 0
    while True:
        due = started + i / rate
        if due - started >= seconds:
            break
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        name, fn = kinds[i % len(kinds)]
        try:
            fn()
            done[name] += 1
        except Exception as exc:  # counted and reported; the load goes on
            failed[name] += 1
            errors.setdefault(name, f"{type(exc).__name__}: {exc}"[:200])
        i += 1
    elapsed = time.monotonic() - started
    result = {"writes": sum(done.values()), "failed": sum(failed.values()), "seconds": round(elapsed, 1),
              "per_second": round(sum(done.values()) / elapsed, 2) if elapsed else 0, "done": dict(done),
              "errors": errors}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    if sys.argv[1] == "plan":
        plan(sys.argv[2])
    elif sys.argv[1] == "writer":
        writer(float(sys.argv[2]), float(sys.argv[3]))
