"""Generated data at scale for ``manage.py seed_bulk``: the shared machinery and the core's own rows.

This is the one place in the project that bypasses the services. Rows are written with
PostgreSQL's ``COPY ... FROM STDIN`` (ids taken from the tables' own sequences first, so children
can point at their parents), inside the command's single transaction: no history rows, no
notifications, no per-row validation in Python. What the database checks (constraints, the
events' exclusion constraint, the land triggers) it still checks, so the generators must produce
valid data on their own: they place events on a per-venue timeline, respect capacities and give a
plot at most one live allocation.

Every generated row is recognisable: users have an ``@bulk.example`` address, MoU references
start with ``BULK-``, event slugs with ``bulk-``, application registration numbers with ``BULK-``
and outbox keys with ``bulk:``. ``generated_batches()`` counts the batches already present; the
command refuses to run over them unless told ``--add``, which continues the sequence with the
next batch number (so names, references and slugs stay unique).

The generators are deterministic for a given ``--seed``: each draws from its own
``random.Random`` seeded with (seed, batch, step name), and every date is relative to the fixed
``BASE_DATE``, never to today.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

#: Every date of generated data is placed relative to this day (so a seed always gives the same data).
BASE_DATE = dt.date(2026, 12, 1)
#: The generated history spans ten years: eight before BASE_DATE and two after it.
YEARS_BEFORE = 8
YEARS_AFTER = 2
UTC = dt.UTC

BULK_EMAIL_DOMAIN = "bulk.example"
BULK_EMAIL_SUFFIX = "@" + BULK_EMAIL_DOMAIN

# Per unit of --scale (scale 100 gives 200 organisations and 5,000 users).
ORGANIZATIONS_PER_SCALE = 2
USERS_PER_SCALE = 50
STAFF_PER_SCALE = 2  # of the users: KITB staff on the screening committee
OUTBOX_PER_SCALE = 300


# --- the context every step receives -------------------------------------------------------------
@dataclass
class BulkContext:
    """What one run of ``seed_bulk`` knows; the core step fills in the organisations and users."""

    scale: int
    seed: int
    batch: int
    stdout: Any
    base_date: dt.date = BASE_DATE
    host_id: int | None = None
    technopark_id: int | None = None
    province_id: int | None = None
    # (id, name, country) of this batch's partner organisations
    organizations: list[tuple[int, str, str]] = field(default_factory=list)
    # (id, full name, email, organization id, organization name, country, language) of partner users
    partner_users: list[tuple] = field(default_factory=list)
    staff_ids: list[int] = field(default_factory=list)  # this batch's staff (screening committee)
    officer_ids: list[int] = field(default_factory=list)  # demo staff who own and decide things
    reviewer_ids: list[int] = field(default_factory=list)  # staff who review applications
    demo_partner_ids: list[int] = field(default_factory=list)  # the demo partners (get records in their scope)
    counts: dict[str, int] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)  # what one step leaves for the next

    def rng(self, name: str) -> random.Random:
        """A generator of its own for each step, so one step's draws never shift another's."""
        return random.Random(f"{self.seed}:{self.batch}:{name}")

    def n(self, per_scale: int | float) -> int:
        return max(1, round(per_scale * self.scale))

    def add(self, what: str, n: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    # --- time helpers ---
    @property
    def start(self) -> dt.datetime:
        """The first moment of the generated ten years."""
        return dt.datetime.combine(self.base_date.replace(year=self.base_date.year - YEARS_BEFORE), dt.time(), UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.base_date.replace(year=self.base_date.year + YEARS_AFTER), dt.time(), UTC)

    @property
    def base(self) -> dt.datetime:
        return dt.datetime.combine(self.base_date, dt.time(), UTC)

    def moment(self, rng: random.Random, *, lo: dt.datetime | None = None, hi: dt.datetime | None = None) -> dt.datetime:
        """A random moment (to the second) in [lo, hi), by default in the ten years."""
        lo = lo or self.start
        hi = hi or self.end
        span = max(1, int((hi - lo).total_seconds()))
        return lo + dt.timedelta(seconds=rng.randrange(span))


# --- COPY helpers --------------------------------------------------------------------------------
def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _array_item(value) -> str:
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return _escape("{" + ",".join(_array_item(v) for v in value) + "}")
    if isinstance(value, dict):
        return _escape(json.dumps(value))
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot COPY a {type(value).__name__}")


def take_ids(model_or_table, n: int) -> list[int]:
    """``n`` fresh primary keys from the table's own sequence (so later inserts never collide)."""
    if n <= 0:
        return []
    table = model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
        )
        return [row[0] for row in cursor.fetchall()]


class IdPool:
    """Primary keys handed out one at a time, fetched from the sequence in blocks."""

    def __init__(self, model_or_table, block: int = 20_000):
        self.model_or_table = model_or_table
        self.block = block
        self._ids: list[int] = []
        self._next = 0

    def __call__(self) -> int:
        if self._next >= len(self._ids):
            self._ids = take_ids(self.model_or_table, self.block)
            self._next = 0
        self._next += 1
        return self._ids[self._next - 1]


def copy_rows(model_or_table, fields: list[str], rows: Iterable[tuple], *, chunk: int = 50_000) -> int:
    """Write ``rows`` (tuples in the order of ``fields``, model attribute names) with COPY; return the count.

    ``model_or_table`` is a model (fields are its attnames, e.g. ``event_id``) or a table name
    (fields are its column names, for automatic many-to-many tables).
    """
    defaults: tuple = ()
    if isinstance(model_or_table, str):
        table, columns = model_or_table, list(fields)
    else:
        meta = model_or_table._meta
        table = meta.db_table
        by_attname = {f.attname: f.column for f in meta.concrete_fields}
        columns = [by_attname[name] for name in fields]
        # A column added to the model later, with a default the generator does not know about yet:
        # Django keeps defaults in Python, so COPY gets the field's default (one value for all rows).
        extra = [f for f in meta.concrete_fields if f.attname not in fields and not f.primary_key and f.has_default()]
        columns += [f.column for f in extra]
        defaults = tuple(f.get_default() for f in extra)
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    total = 0
    buffer = io.StringIO()
    pending = 0
    width = len(columns) - len(defaults)
    with connection.cursor() as cursor:
        for row in rows:
            if len(row) != width:
                raise ValueError(f"{table}: row has {len(row)} values for {width} columns: {row!r}")
            if defaults:
                row = tuple(row) + defaults
            buffer.write("\t".join([copy_value(v) for v in row]))
            buffer.write("\n")
            pending += 1
            if pending >= chunk:
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
                total += pending
                pending = 0
                buffer = io.StringIO()
        if pending:
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            total += pending
    return total


def random_hex(rng: random.Random, length: int = 64) -> str:
    return f"{rng.getrandbits(length * 4):0{length}x}"


def pick_weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- names: Indonesian and Korean people, places and companies -----------------------------------
ID_GIVEN = ["Agus", "Budi", "Dewi", "Eka", "Fajar", "Gita", "Hendra", "Indah", "Joko", "Kartika", "Lestari", "Made",
            "Nur", "Putri", "Rina", "Sari", "Taufik", "Utami", "Wahyu", "Yuni", "Bayu", "Citra", "Dimas", "Fitri",
            "Hadi", "Intan", "Rizki", "Siti", "Teguh", "Wulan"]
ID_FAMILY = ["Santoso", "Wijaya", "Pratama", "Kusuma", "Lestari", "Hidayat", "Saputra", "Nugroho", "Wibowo", "Setiawan",
             "Rahman", "Susanto", "Halim", "Gunawan", "Purnomo", "Hartono", "Siregar", "Nasution", "Utomo", "Prasetyo"]
KR_FAMILY = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin",
             "Kwon", "Hwang", "Ahn", "Song", "Yoo", "Hong"]
KR_GIVEN = ["Min-jun", "Seo-yeon", "Ji-hoon", "Ha-eun", "Do-yoon", "Ji-woo", "Seo-jun", "Su-bin", "Ye-jun", "Ji-min",
            "Hyun-woo", "Eun-ji", "Jae-won", "So-yeon", "Dong-hyun", "Yu-na", "Sung-min", "Hye-jin", "Tae-yang", "Na-rae"]
KR_CITIES = ["Cheongju", "Chungju", "Jecheon", "Eumseong", "Jincheon", "Okcheon", "Boeun", "Goesan", "Danyang", "Osong"]
ID_CITIES = ["Batang", "Semarang", "Pekalongan", "Kendal", "Surakarta", "Tegal", "Magelang", "Salatiga", "Kudus", "Jepara"]
INDUSTRIES = ["Precision", "Battery", "Semiconductor", "BioMed", "Mobility", "Cosmetics", "Solar", "Robotics",
              "Smart Factory", "Advanced Materials", "Food Tech", "Software", "Logistics", "EV Motor", "Optics"]
KR_FORMS = ["Co., Ltd.", "Corp.", "Industries", "Tech", "Systems", "Innovation Center"]
ID_FORMS = ["PT", "CV", "Koperasi"]
KINDS = {"company": 0.6, "university": 0.1, "government": 0.1, "technopark": 0.1, "other": 0.1}


def person_name(rng: random.Random, country: str) -> str:
    if country == "KR":
        return f"{rng.choice(KR_FAMILY)} {rng.choice(KR_GIVEN)}"
    return f"{rng.choice(ID_GIVEN)} {rng.choice(ID_FAMILY)}"


def company_name(rng: random.Random, country: str) -> str:
    if country == "KR":
        return f"{rng.choice(KR_CITIES)} {rng.choice(INDUSTRIES)} {rng.choice(KR_FORMS)}"
    return f"{rng.choice(ID_FORMS)} {rng.choice(INDUSTRIES)} {rng.choice(ID_CITIES)}"


# --- what exists already ---------------------------------------------------------------------------
def generated_batches() -> int:
    """How many seed_bulk batches the database holds (0: none). Counted from the users' addresses."""
    from .models import User

    emails = User.objects.filter(email__endswith=BULK_EMAIL_SUFFIX, email__startswith="b").values_list("email", flat=True)
    batches = set()
    for email in emails.iterator():
        head = email.split("-", 1)[0]  # "b03" of b03-u00012@bulk.example
        if head[1:].isdigit():
            batches.add(int(head[1:]))
    return max(batches, default=0)


# --- the core's step: organisations and users ---------------------------------------------------------
def seed(ctx: BulkContext) -> None:
    """Partner organisations (both countries), their users, and a few KITB staff reviewers."""
    from django.contrib.auth.models import Group

    from . import demo
    from .models import Organization, User
    from .roles import SCREENING_COMMITTEE, sync_role_permissions

    rng = ctx.rng("accounts")
    host = Organization.objects.filter(is_host=True).first()
    if host is None:  # seed_demo was not run: the host organisation is the one thing apps assume
        local, kind, country, _is_host = demo.ORGANIZATIONS[demo.KITB]
        host = Organization.objects.create(name=demo.KITB, local_name=local, kind=kind, country=country, is_host=True)
    ctx.host_id = host.pk
    named = dict(Organization.objects.filter(name__in=[demo.TECHNOPARK, demo.PROVINCE]).values_list("name", "pk"))
    ctx.technopark_id, ctx.province_id = named.get(demo.TECHNOPARK), named.get(demo.PROVINCE)
    demo_emails = {spec[0]: role for role, spec in demo.DEMO_USERS.items()}
    demo_users = {u.email: u for u in User.objects.filter(email__in=list(demo_emails))}
    ctx.demo_partner_ids = [u.pk for e, u in sorted(demo_users.items()) if not u.is_staff]
    ctx.officer_ids = [u.pk for e, u in sorted(demo_users.items()) if u.is_staff]

    # organisations
    taken = set(Organization.objects.values_list("name", flat=True))
    n_orgs = ctx.n(ORGANIZATIONS_PER_SCALE)
    org_ids = take_ids(Organization, n_orgs)
    org_rows = []
    for i, pk in enumerate(org_ids):
        country = "KR" if i % 3 else "ID"  # two Korean partners for each Indonesian one
        name = company_name(rng, country)
        suffix = 2
        base = name
        while name in taken:
            name = f"{base} {suffix}"
            suffix += 1
        taken.add(name)
        kind = pick_weighted(rng, KINDS)
        created = ctx.moment(rng, hi=ctx.base)
        org_rows.append((pk, created, created, name, "", kind, country, False))
        ctx.organizations.append((pk, name, country))
    ctx.add("organisations", copy_rows(
        Organization, ["id", "created_at", "updated_at", "name", "local_name", "kind", "country", "is_host"], org_rows
    ))

    # users: partners spread over the organisations, and a few KITB staff
    n_users = ctx.n(USERS_PER_SCALE)
    n_staff = min(n_users, ctx.n(STAFF_PER_SCALE))
    user_ids = take_ids(User, n_users)
    user_rows = []
    for i, pk in enumerate(user_ids):
        staff = i < n_staff
        if staff:
            org_id, org_name, country = host.pk, host.name, "ID"
        else:
            org_id, org_name, country = ctx.organizations[(i - n_staff) % len(ctx.organizations)]
        full_name = person_name(rng, country)
        email = f"b{ctx.batch:02d}-u{i + 1:05d}{BULK_EMAIL_SUFFIX}"
        language = "ko" if country == "KR" and rng.random() < 0.8 else ("id" if country == "ID" and rng.random() < 0.8 else "en")
        zone = "Asia/Seoul" if country == "KR" else "Asia/Jakarta"
        joined = ctx.moment(rng, hi=ctx.base)
        last_login = joined + dt.timedelta(days=rng.randrange(0, 400)) if rng.random() < 0.7 else None
        active = rng.random() > 0.05
        org_admin = not staff and (i - n_staff) < len(ctx.organizations)  # the first user of each organisation
        user_rows.append((
            pk, "!bulk-no-password", last_login, False, email, full_name, org_id, language, zone, org_admin, staff,
            active, joined,
        ))
        if staff:
            ctx.staff_ids.append(pk)
        else:
            ctx.partner_users.append((pk, full_name, email, org_id, org_name, country, language))
    ctx.add("users", copy_rows(User, [
        "id", "password", "last_login", "is_superuser", "email", "full_name", "organization_id", "preferred_language",
        "time_zone", "is_org_admin", "is_staff", "is_active", "date_joined",
    ], user_rows))
    sync_role_permissions()
    committee = Group.objects.get(name=SCREENING_COMMITTEE)
    through = User.groups.through
    copy_rows(through, ["id", "user_id", "group_id"],
              [(pk, uid, committee.pk) for pk, uid in zip(take_ids(through, len(ctx.staff_ids)), ctx.staff_ids, strict=True)])
    demo_reviewers = list(
        User.objects.filter(groups=committee, is_active=True).exclude(email__endswith=BULK_EMAIL_SUFFIX)
        .order_by("email").values_list("pk", flat=True)
    )
    ctx.reviewer_ids = demo_reviewers + ctx.staff_ids
    if not ctx.officer_ids:
        ctx.officer_ids = list(ctx.staff_ids)


# --- the outbox: e-mail the portal has sent ------------------------------------------------------------
OUTBOX_KINDS = {  # codes of kitb_portal.notifications.kinds
    "event_registration": 0.35, "event_reminder": 0.25, "mou_expiry": 0.1, "commitment_due": 0.1,
    "application_status": 0.1, "digest": 0.1,
}
OUTBOX_SUBJECTS = {
    "en": "[KITB] {kind}: update #{n}", "id": "[KITB] {kind}: pembaruan #{n}", "ko": "[KITB] {kind}: 알림 #{n}",
}


def seed_outbox(ctx: BulkContext) -> None:
    """Outbox rows as months of delivery leave them: mostly sent, a few pending or failed.

    The daily clean-up keeps sent messages for OUTBOX_RETENTION_DAYS, so they lie in the last half
    year before BASE_DATE.
    """
    from kitb_portal.notifications.models import OutboxMessage

    rng = ctx.rng("outbox")
    recipients = ctx.partner_users or [(None, "", "someone@example.org", None, "", "ID", "en")]
    n = ctx.n(OUTBOX_PER_SCALE)
    ids = take_ids(OutboxMessage, n)
    lo = ctx.base - dt.timedelta(days=180)

    def rows():
        for i, pk in enumerate(ids):
            user = recipients[rng.randrange(len(recipients))]
            kind = pick_weighted(rng, OUTBOX_KINDS)
            created = ctx.moment(rng, lo=lo, hi=ctx.base)
            roll = rng.random()
            status = "sent" if roll < 0.95 else "failed" if roll < 0.97 else "pending"
            language = user[6]
            subject = OUTBOX_SUBJECTS[language].format(kind=kind, n=i + 1)
            body = f"{subject}\n\nThis is a generated message for {user[1] or user[2]}.\n"
            sent_at = created + dt.timedelta(seconds=rng.randrange(1, 120)) if status == "sent" else None
            attempts = 1 if status == "sent" else (8 if status == "failed" else 0)
            yield (
                pk, created, sent_at or created, f"bulk:{ctx.batch}:{kind}:{i + 1}", kind, user[0], user[2], language,
                f"notifications/{kind}", subject, body, "", {}, [], status, attempts,
                "550 5.1.1 mailbox unavailable" if status == "failed" else "", None, None, 0, sent_at,
            )

    ctx.add("outbox messages", copy_rows(OutboxMessage, [
        "id", "created_at", "updated_at", "key", "kind", "recipient_id", "to_email", "language", "template", "subject",
        "body_text", "body_html", "headers", "attachments", "status", "attempts", "last_error", "next_attempt_at",
        "claimed_at", "attempts_before_manual_retry", "sent_at",
    ], rows()))
