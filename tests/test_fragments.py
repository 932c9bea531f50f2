"""Cached page fragments and the admin's cached app list and sidebar: served from Redis or memory, yet a
change shows on the next page, one organisation's rows never reach another, and each response carries
its own request's CSRF token."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from kitb_portal.common import fragments, freshness
from partnerships import services as mou_services
from tests.events.factories import EventFactory, VenueFactory
from tests.factories import UserFactory
from tests.partnerships.factories import mou_with_parties
from tests.test_health import dead_redis_cache
from tests.live import free_port
from tests.utils import count_queries, count_queries_warm

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def officer(kitb):
    return UserFactory(staff=True, is_superuser=True, organization=kitb, email="officer@kitb.example")


def test_the_mou_list_is_served_from_the_cache_and_follows_a_change(client_a, partner_a, kitb, technopark, officer):
    mou = mou_with_parties(kitb, technopark, owner=officer, reference="FRAG/1", title_en="Cached MoU")
    url = reverse("partnerships:mou_list")
    cold, _sql, first = count_queries(client_a.get, url)
    warm, _sql, second = count_queries_warm(client_a.get, url)
    assert warm < cold  # the rows came from Redis: no count, no MoU, party or document query
    assert "0 open · 0 done · 0 waived" in second.content.decode()

    mou_services.commitment_create(actor=officer, mou_id=mou.pk, description="Joint seminar", responsible_organization=technopark)
    assert "1 open · 0 done · 0 waived" in client_a.get(url).content.decode()
    mou_with_parties(kitb, technopark, owner=officer, reference="FRAG/2", title_en="Second MoU")
    assert "FRAG/2" in client_a.get(url).content.decode()


def test_colleagues_share_the_cached_rows_and_another_organisation_never_gets_them(
    client, partner_a, partner_b, kitb, technopark, province, officer
):
    mou_with_parties(kitb, technopark, owner=officer, reference="FRAG/A")
    mou_with_parties(kitb, province, owner=officer, reference="FRAG/B")
    url = reverse("partnerships:mou_list")
    colleague = UserFactory(organization=technopark, email="colleague@technopark.example")

    a, b, c = Client(), Client(), Client()
    a.force_login(partner_a)
    b.force_login(partner_b)
    c.force_login(colleague)
    assert "FRAG/A" in a.get(url).content.decode()
    warm, _sql, response = count_queries_warm(c.get, url)  # the colleague: the same cached rows
    assert "FRAG/A" in response.content.decode() and warm <= 3
    body_b = b.get(url).content.decode()
    assert "FRAG/B" in body_b and "FRAG/A" not in body_b
    assert "FRAG/B" not in a.get(url).content.decode()


def test_each_response_carries_its_own_csrf_token_and_the_form_in_a_cached_fragment_posts(partner_a, staff_user):
    venue = VenueFactory(name="Hall")
    start = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    event = EventFactory(published=True, venue=venue, actor=staff_user, start=start, end=start + dt.timedelta(hours=3))
    registration = event_services.registration_create(event_id=event.pk, user=partner_a)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(partner_a)
    url = reverse("events:my_registrations")
    first = browser.get(url).content.decode()
    second = browser.get(url).content.decode()  # served from the cache
    assert fragments.CSRF_SLOT not in first and fragments.CSRF_SLOT not in second
    tokens = TOKEN.findall(second)
    assert len(tokens) >= 3  # language switcher, logout, feed reset and the cancel button
    # a token rendered into the cached fragment is the viewer's own: the cancel form posts
    cancel_action = reverse("events:registration_cancel", args=[registration.pk])
    cancel_token = re.search(rf'action="{re.escape(cancel_action)}">.*?value="([^"]+)"', second, re.S).group(1)
    response = browser.post(cancel_action, {"csrfmiddlewaretoken": cancel_token, "next": "mine"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    # and the page drawn after the change no longer offers the cancel button
    assert cancel_action not in browser.get(url).content.decode()
    # a stranger's copy of the cached fragment never carries the first viewer's token
    other = Client(enforce_csrf_checks=True)
    other.force_login(UserFactory(organization=partner_a.organization, email="other@technopark.example"))
    assert cancel_token not in other.get(url).content.decode()


def test_pages_are_drawn_without_redis(client_a, settings, kitb, technopark, officer):
    mou_with_parties(kitb, technopark, owner=officer, reference="FRAG/NOREDIS")
    settings.CACHES = dead_redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    response = client_a.get(reverse("partnerships:mou_list"))
    assert response.status_code == 200 and "FRAG/NOREDIS" in response.content.decode()


def test_the_version_moves_on_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    before = freshness.version()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            freshness.invalidate()
            during = freshness.version()
    assert before < during < freshness.version()


def test_the_admin_sidebar_follows_the_users_permissions(client, staff_user):
    """Cached per user: a group given to the user shows its models on the next page; the current model is marked."""
    client.force_login(staff_user)
    staff_user.user_permissions.add(Permission.objects.get(codename="view_venue"))
    page = client.get(reverse("admin:events_venue_changelist")).content.decode()
    assert 'class="model-venue current-model"' in page
    assert "/admin/partnerships/mou/" not in page
    group = Group.objects.create(name="MoU readers")
    group.permissions.add(Permission.objects.get(codename="view_mou"))
    staff_user.groups.add(group)
    page = client.get(reverse("admin:events_venue_changelist")).content.decode()
    assert '<a href="/admin/partnerships/mou/"' in page
    page = client.get(reverse("admin:partnerships_mou_changelist")).content.decode()
    assert 'class="model-mou current-model"' in page and 'class="model-venue current-model"' not in page
    group.permissions.remove(Permission.objects.get(codename="view_mou"))
    page = client.get(reverse("admin:events_venue_changelist")).content.decode()
    assert '<a href="/admin/partnerships/mou/"' not in page


def test_admin_changelist_rows_are_cached_per_url_and_an_admin_post_refreshes_them(staff_client, kitb, technopark, officer):
    from partnerships.models import MoU

    first = mou_with_parties(kitb, technopark, owner=officer, reference="ROWS/1", title_en="Alpha")
    mou_with_parties(kitb, technopark, owner=officer, reference="ROWS/2", title_en="Beta")
    url = reverse("admin:partnerships_mou_changelist")
    assert "Alpha" in staff_client.get(url).content.decode()
    # another ordering or filter is another URL: drawn for itself
    by_reference = staff_client.get(url, {"o": "1"}).content.decode()
    by_reference_desc = staff_client.get(url, {"o": "-1"}).content.decode()
    assert by_reference.index("ROWS/1") < by_reference.index("ROWS/2")
    assert by_reference_desc.index("ROWS/2") < by_reference_desc.index("ROWS/1")
    # a save through a service (model signals) shows on the next page
    assert "Draft" in _row(staff_client.get(url), "ROWS/1")
    mou_services.mou_start_negotiation(mou_id=first.pk, actor=officer)
    assert "Negotiation" in _row(staff_client.get(url), "ROWS/1")
    # a bulk UPDATE bypasses the signals: the cached rows (Django still fetches the page of rows to count
    # the selection; drawing them is what is saved) stand until the next admin POST (or 60 s)
    MoU.objects.filter(pk=first.pk).update(title_en="Renamed in bulk")
    assert "Renamed in bulk" not in _row(staff_client.get(url), "ROWS/1")
    staff_client.post(url, {"action": "", "index": "0"})  # any admin POST (here: no action chosen)
    assert "Renamed in bulk" in _row(staff_client.get(url), "ROWS/1")


def _row(response, reference: str) -> str:
    rows = re.findall(r"<tr[^>]*>.*?</tr>", response.content.decode(), re.S)
    return next(row for row in rows if reference in row)
