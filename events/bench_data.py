"""Generated events for ``manage.py seed_bulk``: 500 events and about 5,000 registrations per unit of scale.

Bypasses the services on purpose (see kitb_portal/accounts/bench_data.py), so it keeps their rules itself:

* venues in Indonesia and Korea, each with its own timeline: the events of a venue are placed one
  per slot of the ten years, so two events of one venue never overlap (the exclusion constraint);
* confirmed + attended registrations never exceed the event's capacity; only a full event has a
  waitlist, numbered 1, 2, 3, ...; one active registration per person and per e-mail per event;
* past events are completed (attended, no-shows, cancellations, feedback) or cancelled; coming
  ones published (confirmed, pending guests, waitlists), some drafts and cancellations.

The demo partners are registered at about 60 events, like a generated user: what one person attends
does not grow with the number of events (their organisation's MoUs and applications do). Slugs
start with ``bulk-``.
"""

from __future__ import annotations

import base64
import datetime as dt

from django.utils.text import slugify

from kitb_portal.accounts.bench_data import (
    ID_CITIES,
    KR_CITIES,
    BulkContext,
    IdPool,
    copy_rows,
    person_name,
    pick_weighted,
    take_ids,
)

from .models import CHECK_IN_ALPHABET, Event, Feedback, Registration, Room, Session, Speaker, Venue

EVENTS_PER_SCALE = 500
REGISTRATIONS_PER_EVENT = (0, 20)  # uniform: 10 on average, so 5,000 per unit of scale
VENUES_PER_SCALE = 2
SPEAKERS_PER_SCALE = 20
DEMO_PARTNER_REGISTRATIONS = 60  # per demo partner, at any scale (about a generated user's share)

TOPIC_TITLES = {
    "innovation": ("Innovation forum", "Forum inovasi", "혁신 포럼"),
    "startups": ("Start-up pitch day", "Hari pitch start-up", "스타트업 피칭 데이"),
    "entrepreneurship": ("Entrepreneurship bootcamp", "Bootcamp kewirausahaan", "창업 부트캠프"),
    "investment": ("Investment briefing: motors and batteries", "Briefing investasi: motor dan baterai", "투자 설명회: 모터·배터리"),
    "msme": ("MSME export clinic", "Klinik ekspor UMKM", "중소기업 수출 클리닉"),
    "internationalisation": ("Going global: programme exchange", "Go global: pertukaran program", "글로벌 진출: 프로그램 교류"),
}
KIND_LABELS = {"seminar": ("Seminar", "Seminar", "세미나"), "workshop": ("Workshop", "Lokakarya", "워크숍"),
               "conference": ("Conference", "Konferensi", "콘퍼런스")}
VENUE_KINDS = {
    "ID": ["{city} Convention Center", "Hotel Santika {city}", "Universitas {city} Auditorium", "Gedung Pertemuan {city}"],
    "KR": ["{city} Techno Hall", "{city} Convensia", "{city} Startup Campus", "{city} Chamber of Commerce Hall"],
}
SESSION_TITLES = ["Welcome and introductions", "Keynote", "Panel discussion", "Case study", "Hands-on session",
                  "Pitches", "Networking", "Questions and answers", "Site visit briefing", "Closing remarks"]
CAPACITIES = [20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 300]
GUEST_DOMAINS = ["example.co.id", "example.co.kr", "example.ac.id", "example.re.kr", "example.org"]
FEEDBACK_COMMENTS = ["Very useful, thank you.", "Great speakers.", "Too short; we would like a follow-up.",
                     "Sangat bermanfaat.", "유익한 시간이었습니다.", "The venue was hard to reach.", ""]


def _token(rng) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(256).to_bytes(32, "big")).decode().rstrip("=")


def _code(rng, taken: set) -> str:
    while True:
        code = "".join(rng.choice(CHECK_IN_ALPHABET) for _i in range(6))
        if code not in taken:
            taken.add(code)
            return code


def _venues(ctx: BulkContext, rng):
    """Venues in both countries, unique by (name, city), each with one to three rooms."""
    taken = set(Venue.objects.values_list("name", "city"))
    n = max(4, ctx.n(VENUES_PER_SCALE))
    ids = take_ids(Venue, n)
    venue_rows, room_rows, venues = [], [], []
    for i, pk in enumerate(ids):
        country = "ID" if i % 2 == 0 else "KR"
        city = rng.choice(ID_CITIES if country == "ID" else KR_CITIES)
        base_name = rng.choice(VENUE_KINDS[country]).format(city=city)
        name, k = base_name, 2
        while (name, city) in taken:
            name, k = f"{base_name} {k}", k + 1
        taken.add((name, city))
        capacity = rng.choice([80, 120, 200, 300, 500, 800])
        zone = "Asia/Jakarta" if country == "ID" else "Asia/Seoul"
        created = ctx.start - dt.timedelta(days=rng.randrange(30, 400))
        venue_rows.append((pk, created, created, name, f"Jl./ro. {rng.randrange(1, 300)}, {city}", city, country, zone, capacity))
        rooms = []
        for r in range(rng.choice([1, 2, 3])):
            rooms.append((None, created, created, pk, ["Main hall", "Room A", "Room B"][r], capacity if r == 0 else capacity // (3 + r)))
        room_ids = take_ids(Room, len(rooms))
        room_rows += [(rid, *row[1:]) for rid, row in zip(room_ids, rooms, strict=True)]
        venues.append((pk, country, city, capacity, list(zip(room_ids, [row[5] for row in rooms], strict=True))))
    ctx.add("venues", copy_rows(Venue, ["id", "created_at", "updated_at", "name", "address", "city", "country", "time_zone", "capacity"], venue_rows))
    copy_rows(Room, ["id", "created_at", "updated_at", "venue_id", "name", "capacity"], room_rows)
    return venues


def _speakers(ctx: BulkContext, rng) -> list[int]:
    taken = set(Speaker.objects.values_list("name", "organization_name"))
    orgs = ctx.organizations
    rows = []
    for pk in take_ids(Speaker, ctx.n(SPEAKERS_PER_SCALE)):
        _org_id, org_name, country = orgs[rng.randrange(len(orgs))]
        name = person_name(rng, country)
        while (name, org_name) in taken:
            name = person_name(rng, country) + f" {rng.randrange(2, 99)}"
        taken.add((name, org_name))
        rows.append((pk, ctx.start, ctx.start, name, org_name, f"Works at {org_name}."))
    copy_rows(Speaker, ["id", "created_at", "updated_at", "name", "organization_name", "bio"], rows)
    return [r[0] for r in rows]


def seed(ctx: BulkContext) -> None:
    rng = ctx.rng("events")
    venues = _venues(ctx, rng)
    speakers = _speakers(ctx, rng)
    officers = ctx.officer_ids or ctx.staff_ids
    partner_users = ctx.partner_users
    demo_partners = ctx.demo_partner_ids
    mous = [m for m in ctx.shared.get("partnerships.mous", []) if "events" in m[4] and m[2] is not None]
    from kitb_portal.accounts.models import User

    demo_people = {
        u.pk: (u.pk, u.full_name, u.email, u.organization_id, u.organization.name if u.organization else "",
               u.organization.country if u.organization else "", u.preferred_language)
        for u in User.objects.filter(pk__in=demo_partners).select_related("organization")
    }

    n = ctx.n(EVENTS_PER_SCALE)
    event_ids = take_ids(Event, n)
    # A person attends a bounded number of events, however many KITB runs: the demo partners get
    # about as many registrations as a generated user (each event has ~6 user registrations).
    demo_chance = min(1.0, DEMO_PARTNER_REGISTRATIONS / n)
    # Where and how long: online events float; the others take a slot on their venue's timeline.
    plans = []
    for pk in event_ids:
        kind = pick_weighted(rng, {"seminar": 0.5, "workshop": 0.3, "conference": 0.2})
        mode = pick_weighted(rng, {"on_site": 0.7, "hybrid": 0.15, "online": 0.15})
        venue = None if mode == "online" else venues[rng.randrange(len(venues))]
        hours = {"seminar": rng.choice([2, 3, 4]), "workshop": rng.choice([3, 5, 7]), "conference": rng.choice([8, 32])}[kind]
        plans.append([pk, kind, mode, venue, hours, None])
    by_venue: dict[int, list] = {}
    for plan in plans:
        if plan[3] is None:
            plan[5] = ctx.moment(rng).replace(minute=0, second=0)
        else:
            by_venue.setdefault(plan[3][0], []).append(plan)
    span = (ctx.end - ctx.start).total_seconds()
    for venue_plans in by_venue.values():
        slot = span / len(venue_plans)
        slot_days = max(1, int(slot // 86400) - 2)  # leaves two days for the longest event
        for k, plan in enumerate(venue_plans):
            day = ctx.start + dt.timedelta(seconds=k * slot) + dt.timedelta(days=rng.randrange(slot_days))
            plan[5] = day.replace(hour=rng.choice([1, 2, 3, 6]), minute=0, second=0, microsecond=0)  # 08:00-13:00 WIB

    event_rows, organizer_rows, session_rows, session_speaker_rows, feedback_rows = [], [], [], [], []
    session_ids = IdPool(Session)
    pending = []  # (event, people): whose registrations to generate
    for i, (pk, kind, mode, venue, hours, start) in enumerate(plans):
        end = start + dt.timedelta(hours=hours)
        topics = sorted(rng.sample(list(TOPIC_TITLES), rng.choice([1, 1, 2])))
        t_en, t_id, t_ko = TOPIC_TITLES[topics[0]]
        k_en, k_id, k_ko = KIND_LABELS[kind]
        city = venue[2] if venue else "online"
        title_en = f"{k_en}: {t_en} — {'Online' if city == 'online' else city} {start.year}"
        title_id = f"{k_id}: {t_id} — {city} {start.year}" if rng.random() < 0.85 else ""
        title_ko = f"{k_ko}: {t_ko} — {city} {start.year}" if rng.random() < 0.6 else ""
        created = start - dt.timedelta(days=rng.randrange(30, 120))
        past = end < ctx.base
        if past:
            status = "cancelled" if rng.random() < 0.08 else "completed"
        else:
            status = pick_weighted(rng, {"published": 0.8, "draft": 0.12, "cancelled": 0.08})
        published_at = created + dt.timedelta(days=rng.randrange(1, 20)) if status != "draft" else None
        cancelled_at = min(start, created + dt.timedelta(days=rng.randrange(20, 30))) if status == "cancelled" else None
        room_id = None
        if venue and rng.random() < 0.6:
            room_id = venue[4][rng.randrange(len(venue[4]))][0]
        closes = start - dt.timedelta(days=1) if rng.random() < 0.3 else None
        opens = published_at if closes and published_at and published_at < closes else None
        mou = mous[rng.randrange(len(mous))] if mous and rng.random() < 0.3 else None
        slug = f"bulk-{ctx.batch:02d}-{i + 1:06d}-{slugify(t_en)[:40]}".strip("-")
        event = {"id": pk, "start": start, "end": end, "status": status, "created": created, "cancelled_at": cancelled_at, "past": past}
        event_rows.append([
            pk, created, (cancelled_at or published_at or created), kind, title_id, title_ko, title_en,
            f"{t_en} for companies, start-ups and institutions from Indonesia and Korea.",
            f"{t_id} untuk perusahaan, start-up dan lembaga dari Indonesia dan Korea." if title_id else "",
            f"한국과 인도네시아의 기업·스타트업·기관을 위한 {t_ko}." if title_ko else "",
            slug, topics, mode, f"https://meet.example.org/bulk-{ctx.batch}-{i + 1}" if mode != "on_site" else "",
            venue[0] if venue else None, room_id, start, end, rng.choice(CAPACITIES), opens, closes, status,
            status != "draft" and rng.random() < 0.2, 0, published_at, cancelled_at,
            "Postponed by the organisers." if status == "cancelled" else "", mou[0] if mou else None, None,
            officers[rng.randrange(len(officers))] if officers else None,
        ])
        organizers = {ctx.host_id}
        if rng.random() < 0.5 and ctx.organizations:
            organizers.add(ctx.organizations[rng.randrange(len(ctx.organizations))][0])
        organizer_rows += [(pk, org) for org in sorted(organizers)]
        # agenda: one to three sessions inside the event's time
        if status != "draft":
            n_sessions = rng.choice([1, 2, 2, 3])
            step = (end - start) / n_sessions
            for s in range(n_sessions):
                sid = session_ids()
                s_start = start + step * s
                session_rows.append((sid, created, created, pk, rng.choice(SESSION_TITLES), "", s_start, s_start + step, room_id))
                for speaker in rng.sample(speakers, min(len(speakers), rng.choice([1, 1, 2]))):
                    session_speaker_rows.append((sid, speaker))
        # people: a mix of portal users and guests; the demo partners now and then
        if status != "draft":
            k = rng.randint(*REGISTRATIONS_PER_EVENT)
            n_users = min(len(partner_users), int(k * 0.6))
            people = [("user", u) for u in rng.sample(partner_users, n_users)]
            people += [("guest", None)] * (k - n_users)
            for demo_id in demo_partners:
                if rng.random() < demo_chance and demo_id in demo_people:
                    people.append(("user", demo_people[demo_id]))
            rng.shuffle(people)
            pending.append((event, people))

    # Registrations are written first, streamed (the foreign keys are checked at commit): each
    # event's capacity is then set to cover the places its registrations hold.
    holds: dict[int, tuple[int, bool]] = {}
    reg_ids = IdPool(Registration)
    guests = [0]

    def registrations():
        for event, people in pending:
            yield from _event_registrations(ctx, rng, event, people, reg_ids, feedback_rows, officers, holds, guests)

    ctx.add("registrations", copy_rows(Registration, [
        "id", "created_at", "updated_at", "event_id", "user_id", "name", "email", "organization_id", "organization_name",
        "country", "language", "status", "waitlist_position", "check_in_code", "checked_in_at", "checked_in_by_id",
        "token", "expires_at", "confirmed_at", "cancelled_at", "reminded_7d_at", "reminded_1d_at", "thanked_at",
    ], registrations()))
    for row in event_rows:
        held, full = holds.get(row[0], (0, False))
        row[18] = max(1, held) if full else max(row[18], held)
    ctx.add("events", copy_rows(Event, [
        "id", "created_at", "updated_at", "kind", "title_id", "title_ko", "title_en", "description_en", "description_id",
        "description_ko", "slug", "topics", "mode", "meeting_link", "venue_id", "room_id", "start", "end", "capacity",
        "registration_opens", "registration_closes", "status", "is_public", "sequence", "published_at", "cancelled_at",
        "cancellation_reason", "mou_id", "commitment_id", "created_by_id",
    ], [tuple(r) for r in event_rows]))
    through = Event.organizers.through
    ids = take_ids(through, len(organizer_rows))
    copy_rows(through, ["id", "event_id", "organization_id"], [(i, *r) for i, r in zip(ids, organizer_rows, strict=True)])
    ctx.add("agenda sessions", copy_rows(Session, [
        "id", "created_at", "updated_at", "event_id", "title", "description", "start", "end", "room_id",
    ], session_rows))
    through = Session.speakers.through
    ids = take_ids(through, len(session_speaker_rows))
    copy_rows(through, ["id", "session_id", "speaker_id"], [(i, *r) for i, r in zip(ids, session_speaker_rows, strict=True)])
    ids = take_ids(Feedback, len(feedback_rows))
    ctx.add("feedback", copy_rows(Feedback, ["id", "created_at", "updated_at", "registration_id", "rating", "comment"],
                                  [(i, *r) for i, r in zip(ids, feedback_rows, strict=True)]))


def _event_registrations(ctx, rng, event, people, reg_ids, feedback_rows, officers, holds, guests):
    """One event's registrations; records (places held, full?) in ``holds``."""
    status_of_event = event["status"]
    start, created_event = event["start"], event["created"]
    full = status_of_event == "published" and rng.random() < 0.1
    codes: set = set()
    held = 0
    waitlist = 0
    officer = officers[0] if officers else None
    # a full event: every place is taken by the confirmed ones and the rest wait
    limit = None
    if full:
        limit = max(1, int(len(people) * 0.7))
    for kind, person in people:
        pk = reg_ids()
        created = created_event + dt.timedelta(seconds=rng.randrange(max(1, int((start - created_event).total_seconds()))))
        if kind == "user":
            user_id, name, email, org_id, org_name, country, language = person
            token = None
        else:
            country = rng.choice(["ID", "KR"])
            name = person_name(rng, country)
            guests[0] += 1  # numbered per batch, not by id, so a seed always gives the same addresses
            email = f"{slugify(name).replace('-', '.')}.{ctx.batch}.{guests[0]}@{rng.choice(GUEST_DOMAINS)}"
            user_id, org_id, org_name = None, None, f"{name.split()[0]} & Co." if rng.random() < 0.5 else ""
            language = "ko" if country == "KR" else "id"
            token = _token(rng)
        if language not in ("id", "ko", "en"):
            language = "en"
        waitlist_position = checked_in_at = checked_in_by = expires_at = confirmed_at = cancelled_at = None
        reminded_7d = reminded_1d = thanked = None
        if status_of_event == "cancelled":
            status = "cancelled"
            cancelled_at = event["cancelled_at"]
        elif status_of_event == "completed":
            weights = {"attended": 0.65, "confirmed": 0.15, "cancelled": 0.2} if kind == "user" else {
                "attended": 0.55, "confirmed": 0.15, "cancelled": 0.15, "expired": 0.15}
            status = pick_weighted(rng, weights)
        else:
            weights = {"confirmed": 0.85, "cancelled": 0.15} if kind == "user" else {
                "confirmed": 0.7, "pending": 0.15, "cancelled": 0.15}
            status = pick_weighted(rng, weights)
            if status == "confirmed" and limit is not None and held >= limit:
                waitlist += 1
                status, waitlist_position = "waitlisted", waitlist
        if status in ("confirmed", "attended"):
            held += 1
            confirmed_at = created
            if event["past"]:
                reminded_7d = start - dt.timedelta(days=7)
                reminded_1d = start - dt.timedelta(days=1)
        if status == "attended":
            checked_in_at = start + dt.timedelta(minutes=rng.randrange(-30, 45))
            checked_in_by = officer
            thanked = event["end"] + dt.timedelta(hours=2)
            if rng.random() < 0.3:
                rating = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 5, 10, 8])[0]
                feedback_rows.append((thanked, thanked, pk, rating, rng.choice(FEEDBACK_COMMENTS)))
        if status == "cancelled" and cancelled_at is None:
            cancelled_at = created + dt.timedelta(days=rng.randrange(0, 10))
        if status in ("pending", "expired"):
            expires_at = created + dt.timedelta(days=2)
        yield (
            pk, created, cancelled_at or checked_in_at or created, event["id"], user_id, name[:200], email, org_id,
            org_name[:200], country, language, status, waitlist_position, _code(rng, codes), checked_in_at, checked_in_by,
            token, expires_at, confirmed_at, cancelled_at, reminded_7d, reminded_1d, thanked,
        )
    holds[event["id"]] = (held, full and waitlist > 0)
