"""The walk over every URL pattern of the URLconf: each pattern's matrix rule, a real URL for it (its
kwargs filled with objects of organisation A), and what a role must get (from the access matrix)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from django.contrib import admin
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from kitb_portal.accounts import access

ALLOW, REFUSE, NOT_FOUND, ANY = "allow", "refuse", "404", "any"
BOGUS_TOKEN = "not-a-real-token-0000000000000000000000000"
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


@dataclass(frozen=True)
class Entry:
    name: str  # "namespace:name", or a made-up name for the admin's unnamed patterns
    route: str  # the full route, as the resolver chain spells it
    parts: tuple  # the chain of pattern objects
    model: str = ""  # "app_label.model" for an admin view of a registered model
    admin_view: str = ""  # its kind: changelist, add, change, delete, history, simple_history, redirect

    @property
    def id(self) -> str:
        return self.name


def _walk(patterns, ns="", chain=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            sub = ns
            if p.namespace:
                sub = f"{ns}:{p.namespace}" if ns else p.namespace
            yield from _walk(p.url_patterns, sub, chain + (p.pattern,))
        else:
            yield ns, p, chain + (p.pattern,)


_ADMIN_MODEL = re.compile(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z_]+)/")


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    registered = {m._meta.label_lower for m in admin.site._registry}
    result = []
    for ns, p, chain in _walk(get_resolver().url_patterns):
        route = "".join(str(part) for part in chain)
        name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
        model = kind = ""
        m = _ADMIN_MODEL.match(route)
        if m and f"{m['app']}.{m['model']}" in registered:
            model = f"{m['app']}.{m['model']}"
            prefix = f"admin:{m['app']}_{m['model']}_"
            if not p.name:
                kind = "redirect"
                name = prefix + "redirect"
            elif name.startswith(prefix) and name[len(prefix):] in access.ADMIN_VIEWS:
                kind = name[len(prefix):]
        if not name and ns == "admin" and route.endswith("(?P<url>.*)$"):
            name = "admin:catch_all"
        result.append(Entry(name=name or route, route=route, parts=chain, model=model, admin_view=kind))
    return tuple(result)


def rule_for(entry: Entry) -> access.UrlRule | None:
    """The matrix entry of a URL pattern: an explicit rule, or the admin's standard views of a model
    whose area is known. None: the pattern has no entry (the walk fails on it)."""
    if entry.name in access.URL_RULES:
        return access.URL_RULES[entry.name]
    if entry.admin_view == "redirect":  # <object_id>/ -> <object_id>/change/: staff only, shows nothing
        return access.UrlRule(access.STAFF)
    if entry.model and entry.admin_view:
        area = access.area_of_model(entry.model)
        if area is None:
            return None
        get_verbs, post_verbs = access.ADMIN_VIEWS[entry.admin_view]
        app_label, model = entry.model.split(".")
        return access.UrlRule(
            area, access.READ if entry.admin_view in ("changelist", "change", "history", "simple_history", "redirect") else access.CHANGE,
            perms=tuple(f"{app_label}.{v}_{model}" for v in get_verbs),
            post_perms=tuple(f"{app_label}.{v}_{model}" for v in post_verbs),
            note="any-of",
        )
    return None


# --- filling a pattern's arguments with real objects -------------------------------------------------
TOKEN_HOLDER = {
    "guest": access.GUEST,
    "attended-guest": access.GUEST,  # the same guest's link of an event they attended
    "feed": access.PARTNER,
    "unsubscribe": access.PARTNER,
    "invitation": access.ANONYMOUS,  # the invitee, not logged in yet
    "password-reset": access.ANONYMOUS,  # whoever opens the administrator's e-mailed link
}


def _values(entry: Entry, world, role) -> dict:
    """Argument name -> value for this entry, as the role would hold them."""
    o = world.objects
    rule = access.URL_RULES.get(entry.name)
    holds = rule is not None and rule.token and TOKEN_HOLDER.get(rule.token) == role
    token_of = {
        "guest": world.guest_token, "attended-guest": world.attended_guest_token, "feed": world.feed_token, "unsubscribe": world.unsubscribe_token,
        "invitation": world.invitation_token, "password-reset": world.reset[1],
    }
    v: dict = {}
    if rule is not None and rule.token:
        v["token"] = token_of[rule.token] if holds else BOGUS_TOKEN
        v["uidb64"] = world.reset[0]
    ns = entry.name.split(":")[0]
    if entry.model:
        obj = o[entry.model]
        v["object_id"] = obj.pk
        v["pk"] = obj.pk
        if entry.admin_view == "simple_history":
            v["_positional"] = [obj.pk, obj.history.order_by("history_id").first().history_id]
    if entry.name == "admin:auth_user_password_change":
        v["id"] = o["accounts.user"].pk
    if entry.name == "admin:view_on_site":
        from django.contrib.contenttypes.models import ContentType

        v["content_type_id"] = ContentType.objects.get_for_model(o["events.event"]).pk
        v["object_id"] = o["events.event"].pk
    if entry.name == "admin:partnerships_mou_transition":
        v["name"] = "sign"
    if entry.name == "admin:tenants_application_transition":
        v["name"] = "start_due_diligence"
    if entry.name == "admin:tenants_application_document":
        v["document_pk"] = o["tenants.application"].documents.first().pk
    if entry.name.startswith("admin:tenants_committeemeeting_"):
        v["pk"] = (world.closed_meeting if entry.name.endswith("_minutes") else o["tenants.committeemeeting"]).pk
    if entry.name.startswith("admin:tenants_tenantproject_"):
        v["pk"], v["milestone_pk"] = world.milestone.project_id, world.milestone.pk
    if entry.name.startswith("admin:tenants_expressionofinterest_"):
        v["pk"] = o["tenants.expressionofinterest"].pk
    if entry.name == "admin:events_delegation_letter":
        v["member_id"] = o["delegation_member"].pk
    v["year"] = o["reports.reviewpackversion"].year
    v["version_id"] = o["reports.reviewpackversion"].pk
    v["file_format"], v["language"] = "pdf", "en"
    v["fmt"] = "csv"
    v["zone_code"] = world.zone.code
    v["app_label"] = "partnerships"
    v["url"] = "partnerships/mou"
    if ns == "partnerships":
        v["pk"] = o["partnerships.mou"].pk
        v["document_id"] = world.mou_draft_doc.pk
        v["commitment_id"] = o["partnerships.commitment"].pk
        v["entry_id"] = o["partnerships.commitmentprogress"].pk
    elif ns == "events":
        name = entry.name
        if name.startswith("events:manage_") or name in ("events:delegation_create", "events:feedback") or "registration" not in name:
            v["pk"] = o["past_event"].pk if name == "events:feedback" else o["events.event"].pk
        else:
            v["pk"] = o["attended_registration"].pk if name == "events:registration_certificate" else o["events.registration"].pk
        if name.startswith("events:proposal_"):
            v["pk"] = o["events.eventproposal"].pk
        if name.startswith("events:delegation_") and name != "events:delegation_create":
            v["pk"] = o["events.delegation"].pk
        v["event_id"] = o["events.event"].pk
        v["session_id"] = o["events.session"].pk
        v["speaker_id"] = o["events.speaker"].pk
        v["member_id"] = o["delegation_member"].pk
    elif ns == "tenants":
        v["pk"] = o["draft_application"].pk
        if entry.name.startswith("tenants:project_"):
            v["pk"] = o["tenants.tenantproject"].pk
        elif entry.name.startswith("tenants:interest_"):
            v["pk"] = o["tenants.expressionofinterest"].pk
        v["document_pk"] = world.application_doc.pk
        v["step"] = 1
    elif ns == "portal":
        v["pk"] = world.users[access.PARTNER].pk
        if entry.name.startswith("portal:contact_"):
            v["pk"] = o["accounts.contact"].pk
        elif entry.name == "portal:api_token_revoke":
            v["pk"] = o["accounts.apitoken"].pk
    elif ns == "api":
        v["pk"] = o[API_OBJECTS[entry.name.split(":")[1].split("-")[0]]].pk
    elif ns == "events_public":
        v["slug"] = o["events.event"].slug
        v["pk"] = o["events.presentation"].pk
        v["code"] = o["events.issueddocument"].code
    return v, holds


#: API basename -> the world's object (of organisation A) its detail URLs address
API_OBJECTS = {
    "mou": "partnerships.mou", "commitment": "partnerships.commitment", "event": "events.event", "session": "events.session",
    "registration": "events.registration", "application": "tenants.application", "zone": "tenants.zone",
    "plot": "tenants.plot", "organisation": "accounts.organization", "contact": "accounts.contact",
}


_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")


def url_of(entry: Entry, world, role) -> tuple[str, bool]:
    values, holds = _values(entry, world, role)
    positional = list(values.pop("_positional", []))
    out = "/"
    for part in entry.parts:
        text = str(part)
        if isinstance(part, RegexPattern):
            text = text.lstrip("^").rstrip("$")
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), text)
            text = re.sub(r"\(\[\^/\]\+\)", lambda m: str(positional.pop(0)), text)
        else:
            text = _CONVERTER.sub(lambda m: str(values[m.group("name")]), text)
        out += text
    return out, holds


# --- what the matrix says a role gets -------------------------------------------------------------
@cache
def perms_of(role: str) -> frozenset:
    if role == access.SUPERUSER:
        return frozenset({"*"})
    return frozenset(access.permissions_of(role)) if role in access.ROLE_GROUPS else frozenset()


def _has(role, perm) -> bool:
    held = perms_of(role)
    return "*" in held or perm in held


OWNED_BY = {  # the object a URL addresses, where a grant's scope is "own": whose it is
    "jobs": (access.PARTNERSHIPS,),  # the job of the walk was started by the partnerships officer
    "registrations": (access.PARTNER,),
}
#: URL name prefix -> whose its object is, where that differs from the area's: a delegation is its
#: organisation's (every user of organisation A sees it; who may change it is the rule's only_roles)
OWNED_BY_URL = {
    "events:delegation_": (access.PARTNER, access.PARTNER_ADMIN),
}


def owners_of(entry: Entry, area: str) -> tuple:
    for prefix, roles in OWNED_BY_URL.items():
        if entry.name.startswith(prefix):
            return roles
    return OWNED_BY.get(area, ())


def _admin_rules_allow(entry: Entry, role: str, method: str, world) -> bool:
    """The ModelAdmin's own rules for this role (read-only models, object states, a reviewer's own
    review): they may narrow what the model permissions allow, never widen it (that is checked too)."""
    from django.apps import apps
    from django.test import RequestFactory

    model = apps.get_model(entry.model)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = world.users[role]
    obj = world.objects[entry.model]
    kind = entry.admin_view
    if kind == "add":
        return model_admin.has_add_permission(request)
    if kind == "delete":
        allowed = model_admin.has_delete_permission(request, obj)
    elif kind == "changelist":
        return model_admin.has_view_or_change_permission(request)
    elif kind == "change" and method == "POST":
        allowed = model_admin.has_change_permission(request, obj)
    else:
        allowed = model_admin.has_view_or_change_permission(request, obj)
    return allowed and model_admin.get_queryset(request).filter(pk=obj.pk).exists()


#: API URL name prefix -> roles that read their own organisation's record there although their row of
#: the rule's area is empty (a partner user's own organisation; another organisation's is a 404)
OWN_ORG_READERS_URL = {
    "api:organisation-": access.PARTNER_ROLES,
}


def is_api(entry: Entry) -> bool:
    return entry.route.startswith("api/")


def is_portal(entry: Entry) -> bool:
    return entry.name.split(":")[0] in access.PORTAL_NAMESPACES or entry.route.startswith("portal/")


def sees_nothing_of_a(role: str, rule: access.UrlRule) -> bool:
    """Roles whose pages must not show organisation A's records for this URL."""
    if role in (access.OTHER_PARTNER, access.ANONYMOUS, access.GUEST):
        return True
    return rule.area in access.AREAS and access.grant(role, rule.area).level == access.NONE


def expected(entry: Entry, rule: access.UrlRule, role: str, method: str, holds_token: bool, world=None) -> str:
    want = _expected(entry, rule, role, method, holds_token, world)
    if rule.only_roles and role not in rule.only_roles and want in (ALLOW, ANY):
        return REFUSE  # a rule narrower than the area's cell: every other role is refused
    return want


def _expected(entry: Entry, rule: access.UrlRule, role: str, method: str, holds_token: bool, world=None) -> str:
    if rule.token and not holds_token:
        return ANY if rule.area == access.PUBLIC else REFUSE
    if rule.area == access.PUBLIC:
        return ALLOW if rule.strict else ANY
    if rule.area == access.LOGIN:
        return ALLOW if role not in (access.ANONYMOUS, access.GUEST) else REFUSE
    if rule.area == access.STAFF:
        return (ALLOW if rule.strict else ANY) if role in access.STAFF_ROLES else REFUSE
    if rule.perms:  # an admin view: the model permissions the matrix derives
        if role not in access.STAFF_ROLES:
            return REFUSE
        needed = rule.perms if method == "GET" else rule.needs_post
        if rule.note == "any-of":
            ok = any(_has(role, p) for p in needed)
        else:
            ok = all(_has(role, p) for p in needed)
        if ok and entry.model and entry.admin_view and world is not None:
            ok = _admin_rules_allow(entry, role, method, world)
        return (ALLOW if rule.strict else ANY) if ok else REFUSE
    if role in (access.ANONYMOUS, access.GUEST) and (is_portal(entry) or is_api(entry)):
        return REFUSE  # the portal and the API are for signed-in users: a cell of public events does not open them
    for prefix, readers in OWN_ORG_READERS_URL.items():
        if entry.name.startswith(prefix) and role in readers and rule.level == access.READ:
            return NOT_FOUND if role == access.OTHER_PARTNER and rule.org_object else ALLOW
    g = access.grant(role, rule.area)
    if not g.allows(rule.level):
        if is_api(entry) and "(?P<pk>" not in entry.route and role not in (access.ANONYMOUS, access.GUEST):
            return ANY  # an API list answers a signed-in user without the area an empty list (the leak check proves it)
        if role in access.STAFF_ROLES and is_portal(entry) and not rule.org_object:
            return ANY  # a portal list shows staff without the area nothing (the leak check proves it)
        return REFUSE
    if g.scope == access.BY_TOKEN and not rule.token:
        return REFUSE
    if role in access.STAFF_ROLES and is_portal(entry):
        return ANY  # staff use the admin; the portal may show them the page or send them there
    addresses_object = rule.org_object or ("object_id" in entry.route and rule.area == "jobs")
    if g.scope == access.OWN and addresses_object and role not in owners_of(entry, rule.area):
        return NOT_FOUND if role in access.PARTNER_ROLES else REFUSE
    if role == access.OTHER_PARTNER and rule.org_object:
        return NOT_FOUND
    return ALLOW if rule.strict else ANY


METHOD = "405"


def classify(response, url: str = "") -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response.get("Location", "").split("?")[0]
        if any(p in location for p in LOGIN_PATHS):
            return REFUSE
        if location == "/admin/" and _ADMIN_MODEL.match(url.lstrip("/")):  # the admin's "does not exist"
            return REFUSE
        if location.startswith("/admin/") and location != "/admin/" and url.startswith("/portal/"):
            return REFUSE  # a portal page sends staff to the admin's page of the same records
        return ALLOW
    if status == 401 and url.startswith("/api/"):
        return REFUSE  # the API's answer to a request without credentials
    if status == 405:
        return METHOD
    if status in (403, 410):
        return REFUSE
    if status == 404:
        return NOT_FOUND
    if 200 <= status < 300 or status == 400:
        return ALLOW
    return f"status {status}"


def posts(entry: Entry, rule: access.UrlRule) -> bool:
    """URLs that change something get a POST as well (an empty body)."""
    if entry.admin_view in ("add", "change", "delete"):
        return True
    if entry.admin_view:
        return False
    return rule.level == access.CHANGE or rule.post_perms is not None or entry.name in (
        "accounts:logout", "set_language", "admin:logout")
