"""Demo events: a seminar in Batang, a workshop in Cheongju, a hybrid conference, one public
seminar; venues in both countries, agendas and some registrations. Idempotent (events are found
by their slug), and everything goes through the services."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from kitb_portal.accounts.demo import DEMO_USERS, KITB, PROVINCE, TECHNOPARK

from . import services
from .models import Event, EventStatus, Registration

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
KST = zoneinfo.ZoneInfo("Asia/Seoul")


def _at(days: int, hour: int, minute: int, tz) -> dt.datetime:
    day = timezone.now().astimezone(tz).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def seed(stdout) -> None:
    from kitb_portal.accounts.models import Organization, User

    orgs = {o.name: o for o in Organization.objects.filter(name__in=[KITB, TECHNOPARK, PROVINCE])}
    officer_email = DEMO_USERS["events-officer"][0]
    officer = User.objects.filter(email__iexact=officer_email).first()
    if len(orgs) < 3 or officer is None:
        stdout.write("events: the demo organisations and users do not exist yet (run the accounts step first); nothing done.\n")
        return
    if Event.objects.filter(slug__startswith="demo-").exists():
        stdout.write("events: demo events already present; nothing added.\n")
        return

    batang = services.venue_get_or_create(
        actor=officer, name="KITB Convention Hall", city="Batang", address="Jl. Raya Batang–Semarang, Kawasan Industri Terpadu Batang",
        country="ID", time_zone="Asia/Jakarta", capacity=300, rooms=[("Main hall", 300), ("Meeting room 1", 40)],
    )
    cheongju = services.venue_get_or_create(
        actor=officer, name="Chungbuk Technopark Innovation Center", city="Cheongju",
        address="Osong-eup, Heungdeok-gu, Cheongju-si, Chungcheongbuk-do", country="KR", time_zone="Asia/Seoul",
        capacity=120, rooms=[("Seminar room A", 60), ("Lab", 25)],
    )
    main_hall = batang.rooms.get(name="Main hall")
    seminar_room = cheongju.rooms.get(name="Seminar room A")
    lab = cheongju.rooms.get(name="Lab")

    kim = services.speaker_get_or_create(name="Kim Ji-hoon", organization_name=TECHNOPARK, bio="Head of start-up incubation.")
    dewi = services.speaker_get_or_create(name="Dewi Lestari", organization_name=KITB, bio="Director of investment services at KITB.")
    park = services.speaker_get_or_create(
        name="Park Soo-min", organization_name=PROVINCE, bio="International cooperation officer, Chungcheongbuk-do."
    )

    from django.apps import apps as django_apps

    main_mou = django_apps.get_model("partnerships", "MoU").objects.filter(reference="KITB/MOU/2024/001").first()
    seminar = services.event_create(
        mou=main_mou,
        actor=officer, slug="demo-seminar-batang-innovation", kind=Event.Kind.SEMINAR,
        title_en="Innovation and investment in Batang", title_id="Inovasi dan investasi di Batang",
        title_ko="바탕의 혁신과 투자",
        description_en="How KITB supports pioneer industries: batteries, motors and premium consumer goods.",
        description_id="Bagaimana KITB mendukung industri pionir: baterai, motor, dan barang konsumsi premium.",
        description_ko="KITB가 배터리, 모터, 프리미엄 소비재 등 선도 산업을 지원하는 방법.",
        topics=["innovation", "investment"], mode=Event.Mode.ON_SITE, venue=batang, room=main_hall,
        start=_at(21, 9, 0, WIB), end=_at(21, 13, 0, WIB), capacity=120,
        organizers=[orgs[KITB]],
    )
    workshop = services.event_create(
        mou=main_mou,
        actor=officer, slug="demo-workshop-cheongju-startups", kind=Event.Kind.WORKSHOP,
        title_en="Start-up pitch workshop", title_id="Lokakarya pitch start-up", title_ko="스타트업 피칭 워크숍",
        description_en="Hands-on workshop for founders from both sides, with mentors from Chungbuk Technopark.",
        topics=["startups", "entrepreneurship", "internationalisation"], mode=Event.Mode.ON_SITE, venue=cheongju, room=lab,
        start=_at(35, 10, 0, KST), end=_at(35, 17, 0, KST), capacity=30, organizers=[orgs[TECHNOPARK]],
    )
    conference = services.event_create(
        actor=officer, slug="demo-conference-hybrid-msme", kind=Event.Kind.CONFERENCE,
        title_en="Indonesia–Korea MSME internationalisation conference",
        title_id="Konferensi internasionalisasi UMKM Indonesia–Korea", title_ko="한-인니 중소기업 국제화 콘퍼런스",
        description_en="Two days on taking MSMEs abroad, on site in Cheongju and online.",
        topics=["msme", "internationalisation"], mode=Event.Mode.HYBRID, venue=cheongju, room=seminar_room,
        meeting_link="https://meet.example.org/kitb-msme-conference", start=_at(50, 9, 0, KST), end=_at(51, 17, 0, KST),
        capacity=100, organizers=[orgs[TECHNOPARK], orgs[PROVINCE], orgs[KITB]],
    )
    public = services.event_create(
        actor=officer, slug="demo-public-umkm-seminar", kind=Event.Kind.SEMINAR, is_public=True,
        title_en="Export readiness for MSMEs (open seminar)", title_id="Kesiapan ekspor untuk UMKM (seminar terbuka)",
        title_ko="중소기업 수출 준비 (공개 세미나)",
        description_en="Open to MSMEs and start-ups: what it takes to sell in Korea.", topics=["msme", "entrepreneurship"],
        mode=Event.Mode.ON_SITE, venue=batang, room=main_hall, start=_at(28, 13, 30, WIB), end=_at(28, 16, 30, WIB),
        capacity=150, organizers=[orgs[KITB]],
    )

    services.session_create(event_id=seminar.pk, actor=officer, title="Welcome and KITB today", start=seminar.start,
                            end=seminar.start + dt.timedelta(minutes=45), room=main_hall, speakers=[dewi])
    services.session_create(event_id=seminar.pk, actor=officer, title="Incentives for pioneer industries",
                            start=seminar.start + dt.timedelta(hours=1), end=seminar.start + dt.timedelta(hours=2), room=main_hall,
                            speakers=[dewi, park])
    services.session_create(event_id=workshop.pk, actor=officer, title="Pitch clinic", start=workshop.start,
                            end=workshop.start + dt.timedelta(hours=3), room=lab, speakers=[kim])
    services.session_create(event_id=conference.pk, actor=officer, title="Opening keynote", start=conference.start,
                            end=conference.start + dt.timedelta(hours=1), room=seminar_room, speakers=[park, kim])
    services.session_create(event_id=public.pk, actor=officer, title="Selling in Korea: first steps", start=public.start,
                            end=public.start + dt.timedelta(hours=2), room=main_hall, speakers=[kim])

    for event in (seminar, workshop, conference, public):
        services.event_publish(event_id=event.pk, actor=officer)

    partners = list(User.objects.filter(email__in=[DEMO_USERS["partner-technopark"][0], DEMO_USERS["partner-province"][0]]))
    for user in partners:
        for event in (seminar, conference):
            if not Registration.objects.filter(event=event, user=user).exists():
                services.registration_create(event_id=event.pk, user=user, actor=user)
    guest = services.registration_request_guest(
        event_id=public.pk, name="Siti Rahma", email="siti.rahma@umkm-batik.example", organization_name="Batik Rahma (UMKM)",
        country="ID", language="id",
    )
    services.registration_confirm_guest(token=guest.token)
    stdout.write(
        f"events: {Event.objects.filter(slug__startswith='demo-', status=EventStatus.PUBLISHED).count()} demo events, "
        f"{Registration.objects.filter(event__slug__startswith='demo-').count()} registrations.\n"
    )
