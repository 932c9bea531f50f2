"""Pages cost the same number of queries whatever the data size (and at most 12), and the
changelist helpers stay bounded. Data: ``seed_bulk --scale 1``, then three times more (``--add``)."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from events.models import Event, Registration
from kitb_portal.accounts.models import Organization
from kitb_portal.common.admin_tools import BoundedCountPaginator
from partnerships.models import MoU
from tests.utils import assert_flat_queries, count_queries, count_queries_warm

pytestmark = pytest.mark.django_db

LIMIT = 12

PARTNER_PAGES = [
    ("portal home", lambda: reverse("portal:home")),
    ("portal MoU list", lambda: reverse("partnerships:mou_list")),
    ("portal event list", lambda: reverse("events:event_list")),
    ("portal my registrations", lambda: reverse("events:my_registrations")),
    ("portal application list", lambda: reverse("tenants:application_list")),
]
ADMIN_PAGES = [
    ("admin dashboard", lambda: reverse("admin:index")),
    ("admin MoU changelist", lambda: reverse("admin:partnerships_mou_changelist")),
    ("admin event changelist", lambda: reverse("admin:events_event_changelist")),
    ("admin registration changelist", lambda: reverse("admin:events_registration_changelist")),
    ("admin application changelist", lambda: reverse("admin:tenants_application_changelist")),
    ("admin outbox changelist", lambda: reverse("admin:notifications_outboxmessage_changelist")),
    ("admin user changelist", lambda: reverse("admin:accounts_user_changelist")),
]


def seed_bulk(*args) -> None:
    call_command("seed_bulk", *args, stdout=io.StringIO())


def _measure(client, pages) -> dict:
    measured = {}
    for name, url in pages:
        path = url()
        client.get(path)  # warm: session, permission cache, the dashboard's cache
        measured[name] = count_queries(client.get, path)
        assert measured[name][2].status_code == 200, f"{name}: {measured[name][2].status_code}"
    return measured


def test_every_benchmarked_page_costs_the_same_queries_at_two_sizes(client, admin_user, demo_partner):
    seed_bulk("--scale", "1")
    partner, staff = client.__class__(), client.__class__()
    partner.force_login(demo_partner)
    staff.force_login(admin_user)
    small = {**_measure(partner, PARTNER_PAGES), **_measure(staff, ADMIN_PAGES)}
    seed_bulk("--scale", "3", "--add")
    assert MoU.objects.count() >= 400 and Registration.objects.count() >= 15_000
    large = {**_measure(partner, PARTNER_PAGES), **_measure(staff, ADMIN_PAGES)}
    for name in small:
        assert_flat_queries(small[name], large[name], limit=LIMIT)


def test_changelist_filters_do_not_list_every_organisation_event_or_mou(client, admin_user, demo_partner):
    seed_bulk("--scale", "1")
    client.force_login(admin_user)
    names = list(Organization.objects.filter(users__email__endswith="@bulk.example").values_list("name", flat=True))
    event = Event.objects.filter(slug__startswith="bulk-", status="completed").first()
    pages = {
        "admin:events_registration_changelist": event.title_en,
        "admin:events_event_changelist": MoU.objects.filter(reference__startswith="BULK-").first().reference,
        "admin:accounts_user_changelist": names[0],
        "admin:tenants_application_changelist": names[0],
    }
    for url_name, never_listed in pages.items():
        html = client.get(reverse(url_name)).content.decode()
        assert 'class="kitb-text-filter"' in html, url_name
        assert never_listed not in html.split('id="changelist-filter"')[-1], f"{url_name} lists {never_listed!r}"


def test_text_filters_take_an_id_or_a_name(client, admin_user, demo_partner, technopark):
    seed_bulk("--scale", "1")
    client.force_login(admin_user)
    event = Event.objects.filter(slug__startswith="bulk-", status="completed").first()
    url = reverse("admin:events_registration_changelist")
    by_id = client.get(url, {"event": str(event.pk)}).context["cl"]
    assert {r.event_id for r in by_id.result_list} == {event.pk}
    by_name = client.get(reverse("admin:partnerships_mou_changelist"), {"party": "Chungbuk Techno"}).context["cl"]
    assert by_name.result_list and all(
        technopark.pk in {p.organization_id for p in mou.parties.all()} for mou in by_name.result_list
    )
    # the link the events admin gives to an event's registrations still works
    legacy = client.get(url, {"event__id__exact": str(event.pk)}).context["cl"]
    assert {r.event_id for r in legacy.result_list} == {event.pk}


def test_bounded_count_is_exact_below_the_limit_and_capped_or_estimated_above():
    from tests.events.factories import VenueFactory

    for i in range(7):
        VenueFactory(name=f"Hall {i}", city="Batang")

    class Small(BoundedCountPaginator):
        exact_limit = 5

    from events.models import Venue

    assert BoundedCountPaginator(Venue.objects.all(), 2).count == 7
    assert Small(Venue.objects.filter(city="Batang"), 2).count == 6  # filtered, past the limit: capped
    unfiltered = Small(Venue.objects.all(), 2).count  # the table's estimate (never below the capped count)
    assert unfiltered >= 6
    query_count, _sql, _r = count_queries(lambda: Small(Venue.objects.all(), 2).count)
    assert query_count == 1


def test_cached_dashboard_follows_every_change(client, admin_user, demo_partner, technopark):
    """The admin index is served from the cache, and a saved record drops the cached copy."""
    from tests.partnerships.factories import mou_with_parties

    kitb = Organization.objects.get(is_host=True)
    client.force_login(admin_user)
    url = reverse("admin:index")
    mou_with_parties(kitb, technopark, reference="CACHE/1", status=MoU.Status.NEGOTIATION)
    cold, _sql, _r = count_queries(client.get, url)
    warm, _sql, response = count_queries_warm(client.get, url)
    assert warm < cold and warm <= LIMIT
    negotiation = _figure(response, "In negotiation")
    mou_with_parties(kitb, technopark, reference="CACHE/2", status=MoU.Status.NEGOTIATION)
    assert int(_figure(client.get(url), "In negotiation")) == int(negotiation) + 1


def _figure(response, label: str) -> str:
    """The value of the dashboard figure ``label``, read from the page (served from the cache or not)."""
    import re

    for value, text in re.findall(
        r'<span class="dash-figure__value">([^<]*)</span>\s*<span class="dash-figure__label">(.*?)</span>\s*</',
        response.content.decode(), re.S,
    ):
        if re.sub(r"<[^>]+>", "", text).strip().endswith(label):
            return value
    raise AssertionError(f"no figure {label!r}")


def test_fast_action_checkbox_is_the_markup_django_renders(technopark):
    from django.contrib import admin as django_admin

    from kitb_portal.common.admin_tools import FastActionCheckboxMixin

    technopark.name = 'Chungbuk "Techno" & Park <1>'
    stock = django_admin.ModelAdmin(Organization, django_admin.site).action_checkbox(technopark)
    assert FastActionCheckboxMixin().action_checkbox(technopark) == stock


def test_page_rows_know_their_length_without_fetching_and_match_what_they_draw():
    from events.models import Venue
    from kitb_portal.common.admin_tools import PageRows
    from tests.events.factories import VenueFactory

    for i in range(7):
        VenueFactory(name=f"Room {i}", city="Batang")
    qs = Venue.objects.order_by("pk")

    class Small(BoundedCountPaginator):
        exact_limit = 5

    exact = BoundedCountPaginator(qs, 3)
    pages = [exact.page(n) for n in (1, 2, 3)]
    assert all(isinstance(p.object_list, PageRows) for p in pages)
    queries, _sql, lengths = count_queries_warm(lambda: [len(p.object_list) for p in pages])
    assert lengths == [3, 3, 1] and queries == 0  # known from the count, no row fetched
    assert [len(list(p.object_list)) for p in pages] == [3, 3, 1]  # and the rows drawn agree
    capped = Small(qs.filter(city="Batang"), 2)  # 7 rows, counted up to 6: pages within the count are full
    first, last = capped.page(1), capped.page(3)
    assert count_queries_warm(lambda: len(first.object_list))[0] == 0 and len(first.object_list) == 2
    assert len(last.object_list) == 2 and [v.name for v in last.object_list] == ["Room 4", "Room 5"]


def test_a_cached_changelist_does_not_fetch_its_rows(client, admin_user, kitb, technopark):
    """Served from the cache, an admin changelist of several pages asks for the count but not for the rows."""
    from tests.partnerships.factories import mou_with_parties

    for i in range(26):  # two pages of 25
        mou_with_parties(kitb, technopark, reference=f"ROWS/{i}")
    client.force_login(admin_user)
    url = reverse("admin:partnerships_mou_changelist")
    cold, cold_sql, _r = count_queries(client.get, url)
    warm, warm_sql, response = count_queries_warm(client.get, url)

    def fetches_rows(sql):
        return any(q.startswith('SELECT "partnerships_mou"."id", "partnerships_mou"."created_at"') for q in sql)

    assert fetches_rows(cold_sql) and not fetches_rows(warm_sql)
    assert warm < cold and response.content.decode().count("ROWS/") >= 25
