"""Pages cost the same number of queries whatever the data size (and at most their budget), and the
changelist helpers stay bounded. Data: ``seed_bulk --scale 1``, then three times more (``--add``)."""
from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from events.models import Event, Registration
from kitb_portal.accounts.models import Organization
from kitb_portal.common.admin_tools import BoundedCountPaginator
from partnerships.models import MoU
from tests.utils import assert_flat_queries, count_queries

pytestmark = pytest.mark.django_db

# Each page's budget, well inside the ceiling of 20 that the cold sweep holds for every page
# (tests/perf/test_sweep_ceiling.py). The second factor reads the session's device once per request.
LIMIT = 13
# The admin index composes every app's dashboard section: a few more queries, each a small aggregate
# or a list of ten (cheaper together than fewer, larger statements: see tenants.dashboard).
LIMITS = {"admin dashboard": 17}

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
        client.get(path)  # warm: session, templates
        cache.clear()  # the cold page: the staff dashboard's kept sections drawn again
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
        assert_flat_queries(small[name], large[name], limit=LIMITS.get(name, LIMIT))


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


def test_the_dashboard_follows_every_change(client, admin_user, demo_partner, technopark):
    """The admin index shows a saved record on the next page."""
    from tests.partnerships.factories import mou_with_parties

    kitb = Organization.objects.get(is_host=True)
    client.force_login(admin_user)
    url = reverse("admin:index")
    mou_with_parties(kitb, technopark, reference="DASH/1", status=MoU.Status.NEGOTIATION)
    queries, _sql, response = count_queries(client.get, url)
    assert queries <= LIMITS["admin dashboard"]
    negotiation = _figure(response, "In negotiation")
    mou_with_parties(kitb, technopark, reference="DASH/2", status=MoU.Status.NEGOTIATION)
    assert int(_figure(client.get(url), "In negotiation")) == int(negotiation) + 1


def _figure(response, label: str) -> str:
    """The value of the dashboard figure ``label``, read from the page."""
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

    from kitb_portal.common.admin_tools import fast_action_checkbox

    technopark.name = 'Chungbuk "Techno" & Park <1>'
    stock = django_admin.ModelAdmin(Organization, django_admin.site).action_checkbox(technopark)
    assert fast_action_checkbox(None, technopark) == stock
