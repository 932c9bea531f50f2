"""Search across records: languages, references, scope per organisation, bad input, flat SQL."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from events.models import Registration, Session
from kitb_portal.search import core
from tests.events.factories import EventFactory, SpeakerFactory
from tests.factories import UserFactory, people
from tests.partnerships.factories import CommitmentFactory, mou_with_parties
from tests.tenants.factories import ApplicationFactory
from tests.utils import SharedByTheClass, assert_flat_queries, count_queries

TAGS = {"a": "alphaunik", "b": "betaunik"}


def _records_of(org, tag: str, kitb) -> dict:
    mou = mou_with_parties(
        kitb, org, reference=f"KITB/MOU/{tag.upper()}/07",
        title_en=f"Battery investment forum {tag}", title_id=f"Pengembangan baterai listrik {tag}",
        title_ko=f"배터리산업 협력을 위한 양해각서 {tag}",
    )
    commitment = CommitmentFactory(mou=mou, responsible_organization=org, description=f"Deliver the {tag} feasibility studies")
    application = ApplicationFactory(referrer=org, company_name=f"{tag.capitalize()} Motors", company_registration_number=f"REG-{tag}")
    colleague = UserFactory(organization=org, full_name=f"Kim {tag.capitalize()}", email=f"kim.{tag}@example.com")
    return {"mou": mou, "commitment": commitment, "application": application, "colleague": colleague}


def _found(user, text, kind=""):
    """{kind: [titles]} that ``user`` finds for ``text``."""
    return {g.key: [h.title for h in g.hits] for g in core.run(user, core.parse(text), kind=kind)}


def _all_titles(user, text) -> str:
    return " | ".join(t for titles in _found(user, text).values() for t in titles)


def _two_organisations() -> dict:
    """Records of A and of B named with their tags, a published event and a draft one (with a
    session and a speaker each), a registration of partner A; both partners are their organisation's
    administrators."""
    made = people()
    kitb, technopark, province, admin_user = made["kitb"], made["technopark"], made["province"], made["admin_user"]
    partner_a, partner_b = made["partner_a"], made["partner_b"]
    partner_a.is_org_admin = True
    partner_a.save(update_fields=["is_org_admin"])
    partner_b.is_org_admin = True
    partner_b.save(update_fields=["is_org_admin"])
    technopark.name = f"Chungbuk Technopark {TAGS['a']}"
    technopark.save()
    province.name = f"Chungcheongbuk-do {TAGS['b']}"
    province.save()
    records = {"a": _records_of(technopark, TAGS["a"], kitb), "b": _records_of(province, TAGS["b"], kitb)}
    # Events are not an organisation's: a published one is everyone's, a draft is staff's only.
    published = EventFactory(published=True, actor=admin_user, title_en="Startup pitching seminar publicunik",
                             title_id="Seminar pendanaan publicunik", title_ko="스타트업 발표회에서 publicunik")
    draft = EventFactory(actor=admin_user, title_en="Hidden draft workshop draftunik", title_id="", title_ko="")
    for event, word in ((published, "publicunik"), (draft, "draftunik")):
        session = Session.objects.create(event=event, title=f"Keynote on hydrogen {word}", start=event.start,
                                         end=event.start + dt.timedelta(hours=1))
        session.speakers.add(SpeakerFactory(name=f"Dr. Lee {word}"))
    Registration.objects.create(event=published, user=partner_a, name="Registrant Regunik", email="regunik@example.com",
                                organization=technopark, organization_name="Chungbuk Technopark")
    return {**made, "world": {**records, "published": published, "draft": draft}}


class TestTwoOrganisations(SharedByTheClass):
    """The tests that search the world of ``_two_organisations``, built once for the class
    (tests.utils.built_once): the fixtures of the people in it (partner_a, admin_user...) give the world's."""
    build = staticmethod(_two_organisations)
    shares = ("world", "kitb", "technopark", "province", "partner_a", "partner_b", "admin_user")

    @pytest.mark.django_db
    @pytest.mark.parametrize("text", ["배터리", "양해각서", "mengembangkan", "baterai", "investments", "forum", "KITB/MOU/ALPHAUNIK/07"])
    def test_partner_finds_own_mou_by_korean_indonesian_english_word_and_reference(self, world, partner_a, text):
        found = _found(partner_a, text)
        assert any("KITB/MOU/ALPHAUNIK/07" in t for t in found.get("mous", [])), found
        assert not any("BETAUNIK" in t for t in found.get("mous", [])), found

    @pytest.mark.django_db
    def test_reference_fragment_and_exact_reference_rank_first(self, world, admin_user):
        assert _found(admin_user, "KITB/MOU/BETAUNIK/07")["mous"][0].startswith("KITB/MOU/BETAUNIK/07")
        assert len(_found(admin_user, "MOU/ALPHA")["mous"]) == 1

    @pytest.mark.django_db
    def test_event_session_speaker_by_three_languages(self, world, partner_a):
        assert _found(partner_a, "pitching")["events"]  # English stem
        assert _found(partner_a, "pendanaan")["events"]  # Indonesian
        assert _found(partner_a, "발표회")["events"]  # Korean, before a particle
        assert _found(partner_a, "keynotes hydrogen")["sessions"] == ["Keynote on hydrogen publicunik"]
        assert _found(partner_a, "Lee publicunik")["speakers"] == ["Dr. Lee publicunik"]

    @pytest.mark.django_db
    def test_application_by_company_name_registration_number_and_number(self, world, partner_a, admin_user):
        application = world["a"]["application"]
        assert _found(partner_a, "alphaunik motors")["applications"] == [f"Alphaunik Motors (#{application.pk})"]
        assert _found(partner_a, "REG-alphaunik")["applications"] == [f"Alphaunik Motors (#{application.pk})"]
        assert f"Alphaunik Motors (#{application.pk})" in _found(admin_user, f"#{application.pk}")["applications"]

    # --- scope: every kind, partner A, partner B, staff ----------------------------------------------
    @pytest.mark.django_db
    def test_partners_never_find_the_other_organisations_records(self, world, partner_a, partner_b):
        for user, own, other in ((partner_a, "a", "b"), (partner_b, "b", "a")):
            theirs = TAGS[other]
            assert _found(user, theirs) == {}, f"{user} found {theirs}: {_found(user, theirs)}"
            assert _found(user, f"KITB/MOU/{theirs.upper()}/07") == {}
            assert _found(user, f"REG-{theirs}") == {}
            assert _found(user, f"#{world[other]['application'].pk}").get("applications") is None
            mine = _found(user, TAGS[own])
            assert set(mine) == {"mous", "commitments", "applications", "organisations", "people"}, mine
            # no count, no "more" link, nothing of the other side in any group
            for group in core.run(user, core.parse("battery OR baterai")):
                assert theirs not in " ".join(h.title + h.detail + h.url for h in group.hits).lower()

    @pytest.mark.django_db
    def test_staff_find_both_organisations_records_of_every_kind(self, world, admin_user):
        for tag in TAGS.values():
            assert set(_found(admin_user, tag)) == {"mous", "commitments", "applications", "organisations", "people"}
        assert set(_found(admin_user, "draftunik")) == {"events", "sessions", "speakers"}
        assert _found(admin_user, "regunik")["registrations"] == ["Registrant Regunik <regunik@example.com>"]

    @pytest.mark.django_db
    def test_partners_never_find_draft_events_their_sessions_or_speakers(self, world, partner_a, partner_b):
        for user in (partner_a, partner_b):
            assert _found(user, "draftunik") == {}
            assert set(_found(user, "publicunik")) == {"events", "sessions", "speakers"}

    @pytest.mark.django_db
    def test_registrations_never_appear_for_partners(self, world, partner_a, partner_b, client):
        for user in (partner_a, partner_b):
            assert "registrations" not in _found(user, "regunik")
            assert "registrations" not in _found(user, "regunik", kind="registrations")
            client.force_login(user)
            response = client.get(reverse("portal_search"), {"q": "Registrant Regunik", "kind": "registrations"})
            assert response.status_code == 200
            assert b"regunik@example.com" not in response.content

    @pytest.mark.django_db
    def test_a_partner_who_is_not_org_admin_finds_no_colleagues(self, world, technopark):
        plain = UserFactory(organization=technopark, email="plain@technopark.example")
        assert "people" not in _found(plain, "kim")

    @pytest.mark.django_db
    def test_staff_without_view_permissions_find_nothing(self, world, kitb):
        clerk = UserFactory(staff=True, organization=kitb, email="clerk@kitb.example")
        assert _found(clerk, "alphaunik") == {}
        clerk.user_permissions.add(Permission.objects.get(codename="view_mou"))
        clerk = type(clerk).objects.get(pk=clerk.pk)
        assert set(_found(clerk, "alphaunik")) == {"mous", "commitments"}

    # --- pages, highlighting, bad input ----------------------------------------------------------------
    @pytest.mark.django_db
    def test_portal_page_groups_and_highlights_safely(self, world, client, partner_a):
        world["a"]["mou"].title_en = "<script>alert(1)</script> Battery alphaunik"
        world["a"]["mou"].save()
        client.force_login(partner_a)
        response = client.get(reverse("portal_search"), {"q": "alphaunik"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<mark>alphaunik</mark>" in html
        assert 'id="search-mous"' in html and 'id="search-applications"' in html

    @pytest.mark.django_db
    def test_admin_page_and_header_box(self, world, staff_client):
        response = staff_client.get(reverse("admin_search"), {"q": "betaunik"})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="header-search"' in html
        assert reverse("admin:partnerships_mou_change", args=[world["b"]["mou"].pk]) in html
        assert staff_client.get(reverse("admin:index")).content.decode().count('action="/admin/search/"') == 1

    @pytest.mark.django_db
    @pytest.mark.parametrize("q, message", [
        ("", "Type a word"),
        ("   ", "Type a word"),
        ("x", "at least 2"),
        ("a" * 101, "too long"),
        ("a" * 5000, "too long"),
        ("%%% ***", "nothing to search for"),
        (" ".join(["w"] * 3 + [f"w{i}" for i in range(9)]), "at most 8 words"),
    ])
    def test_bad_input_gets_a_clear_message(self, world, client, partner_a, q, message):
        client.force_login(partner_a)
        response = client.get(reverse("portal_search"), {"q": q})
        assert response.status_code == 400
        assert message in response.content.decode()

    @pytest.mark.django_db
    @pytest.mark.parametrize("q", [
        "'; DROP TABLE partnerships_mou; --", "a\x00b battery", "foo:* & !bar | (baz)", "100%_\\", "<b>battery</b>",
        "ünïcödé ñ", "🔋🔋", "\u200b\u200bbattery", "OR AND NOT", "a' OR '1'='1",
    ])
    def test_odd_input_is_searched_never_a_500(self, world, partner_a, admin_user, q):
        partner, staff = Client(), Client()
        partner.force_login(partner_a)
        staff.force_login(admin_user)
        for c, url in ((partner, reverse("portal_search")), (staff, reverse("admin_search"))):
            response = c.get(url, {"q": q, "kind": "<x>"})
            assert response.status_code in (200, 400), response.status_code
            assert "<b>battery</b>" not in response.content.decode()

    @pytest.mark.django_db
    def test_like_wildcards_are_literal(self, world, admin_user):
        assert _found(admin_user, "%%%a") == _found(admin_user, "%%%a")  # parses
        assert "mous" not in _found(admin_user, "K_TB/MOU")

    @pytest.mark.django_db
    def test_kind_shows_more_of_one_kind_and_unknown_kind_is_ignored(self, world, admin_user):
        assert set(_found(admin_user, "alphaunik", kind="mous")) == {"mous"}
        assert set(_found(admin_user, "alphaunik", kind="nonsense")) == set(_found(admin_user, "alphaunik"))


@pytest.mark.django_db
def test_staff_on_portal_search_go_to_admin_search(staff_client):
    response = staff_client.get(reverse("portal_search"), {"q": "x y"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin_search"))


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("portal_search"), {"q": "battery"}).status_code == 302
    assert client.get(reverse("admin_search"), {"q": "battery"}).status_code == 302


# --- cost ----------------------------------------------------------------------------------------------
@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_search_query_count_is_flat(kitb, technopark, admin_user, partner_a):
    partner_a.is_org_admin = True
    partner_a.save(update_fields=["is_org_admin"])

    def make(n, start):
        for i in range(start, start + n):
            tag = f"flat{i:03d}"
            _records_of(technopark, tag, kitb)
            event = EventFactory(published=True, actor=admin_user, title_en=f"Battery seminar flat{i:03d}")
            Session.objects.create(event=event, title="Battery session", start=event.start, end=event.end).speakers.add(
                SpeakerFactory(name=f"Battery Expert {i}"))
            Registration.objects.create(event=event, name=f"Battery Fan {i}", email=f"fan{i}@example.com", token=f"t{i}",
                                        status="confirmed")

    query = core.parse("battery")
    make(1, 0)
    small = {u.pk: count_queries(core.run, u, query) for u in (admin_user, partner_a)}
    make(12, 1)
    for user in (admin_user, partner_a):
        large = count_queries(core.run, user, query)
        assert_flat_queries(small[user.pk], large, limit=2 * len(core.sources()) + 4)  # two per source; savepoint, planner settings, restore, release
        assert any(g.more for g in large[2]), "12 matching records of a kind should overflow the page"
