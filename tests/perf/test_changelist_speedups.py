"""The site-wide changelist speed-ups (kitb_portal.common.admin_tools, wired in admin_site) give the
same pages as Django: a deep page read by its ids first has the rows and order of Django's own
pagination, and the rows' checkboxes and links are the same HTML."""
from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse

from events.models import Room
from kitb_portal.common.admin_tools import DeferredJoinPaginator, FastRowLinkChangeList
from tests.events.factories import RoomFactory, VenueFactory
from tests.utils import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms():
    venues = [VenueFactory(name=f"Hall {i}") for i in range(3)]
    # Capacities repeat: the ordering has ties that only the primary key breaks, as in the admin.
    return [RoomFactory(venue=venues[i % 3], name=f"Room {i:02d}", capacity=10 * (i % 4) + 10) for i in range(23)]


def _same_pages_as_djangos(paginator_class, qs, annotation: str):
    """Every page of ``paginator_class`` has the rows, order and ``annotation`` of Django's paginator's."""
    ours, plain = paginator_class(qs, 4, orphans=1), Paginator(qs, 4, orphans=1)
    assert ours.num_pages == plain.num_pages > 3
    for number in plain.page_range:
        got = [(r.pk, getattr(r, annotation), r.venue.name) for r in ours.page(number)]
        assert got == [(r.pk, getattr(r, annotation), r.venue.name) for r in plain.page(number)], number
    return ours, plain


def test_a_deep_page_read_by_its_ids_has_the_rows_and_order_of_djangos_pagination(rooms):
    qs = (
        Room.objects.select_related("venue").filter(capacity__gte=20)
        .annotate(label=Concat(F("venue__name"), Value(" / "), F("name")))
        .order_by("-capacity", "venue__name", "-pk")
    )

    class Deep(DeferredJoinPaginator):
        deferred_from = 3  # every page but the first reads its ids first

    deep, plain = _same_pages_as_djangos(Deep, qs, "label")
    n, sql, page = count_queries(lambda: list(deep.page(3)))
    assert n == 2
    ids_sql = sql[0]
    assert "OFFSET 8" in ids_sql and '"events_room"."name"' not in ids_sql  # the ids alone, on the ordering
    assert ids_sql.count("SELECT") == 1 and "label" not in ids_sql  # no annotation the ordering does not need
    assert [r.pk for r in page] == [r.pk for r in plain.page(3)]


def test_the_portal_paginator_reads_a_later_page_in_one_query_with_its_annotations_for_that_page_only(rooms):
    from django.db.models import Count, OuterRef, Subquery

    from kitb_portal.common.pagination import PageFirstPaginator

    same_capacity = Room.objects.filter(capacity=OuterRef("capacity")).order_by().values("capacity").annotate(n=Count("pk")).values("n")
    qs = (
        Room.objects.select_related("venue").filter(capacity__gte=20)
        .annotate(peers=Subquery(same_capacity))
        .order_by("-capacity", "venue__name", "-pk")
    )
    first, _plain = _same_pages_as_djangos(PageFirstPaginator, qs, "peers")
    n, sql, _page = count_queries(lambda: list(first.page(3)))
    assert n == 1
    inner = sql[0][sql[0].index(" IN (SELECT"):]
    assert "OFFSET 8" in inner and "peers" not in inner.split("FROM", 1)[0]  # the page's ids, without the subquery
    n, sql, _page = count_queries(lambda: list(first.page(1)))
    assert n == 1 and " IN (SELECT" not in sql[0]  # the first page as Django reads it


def test_the_admin_changelist_uses_the_deferred_join_on_deep_pages(client, admin_user, rooms, monkeypatch):
    model_admin = admin.site._registry[Room]
    assert model_admin.paginator is DeferredJoinPaginator
    monkeypatch.setattr(model_admin, "list_per_page", 5)
    monkeypatch.setattr(DeferredJoinPaginator, "deferred_from", 5)
    client.force_login(admin_user)
    url = reverse("admin:events_room_changelist")
    cl = client.get(url, {"p": "3", "o": "3.-1"}).context["cl"]  # by capacity (ties), then name descending
    expected = Paginator(cl.queryset, 5).page(3)
    assert [r.pk for r in cl.result_list] == [r.pk for r in expected]


def _rows_html(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    start = html.index('<table id="result_list"')
    return html[start:html.index("</table>", start)]


def test_the_fast_checkbox_and_row_links_are_djangos_html(client, admin_user, rooms, monkeypatch):
    model_admin = admin.site._registry[Room]
    client.force_login(admin_user)
    url = reverse("admin:events_room_changelist")
    for query in ({}, {"q": "Hall 1"}, {"o": "3", "p": "1"}):
        fast = client.get(url, query)
        assert isinstance(fast.context["cl"], FastRowLinkChangeList)
        monkeypatch.delattr(model_admin, "get_changelist")  # Django's ChangeList and checkbox again
        monkeypatch.delattr(model_admin, "action_checkbox")
        slow = client.get(url, query)
        monkeypatch.undo()
        assert type(slow.context["cl"]) is not FastRowLinkChangeList
        assert _rows_html(fast.content.decode()) == _rows_html(slow.content.decode())
        assert 'class="action-select"' in _rows_html(fast.content.decode())


def test_select_options_with_attributes_keep_them():
    """Options that inherit the widget's attributes are written by Django's option template."""
    from django import forms

    class Inheriting(forms.Select):
        option_inherits_attrs = True

    html = Inheriting(attrs={"data-kind": "x"}, choices=[("a", "A"), ("b", "B & C")]).render("f", "b")
    assert '<option value="a" data-kind="x">A</option>' in html
    assert '<option value="b" data-kind="x" selected>B &amp; C</option>' in html
    plain = forms.Select(choices=[("a", "A"), ("b", "B & C")]).render("f", "b")
    assert '<option value="b" selected>B &amp; C</option>' in plain and 'data-kind' not in plain


def test_a_list_nothing_narrows_is_counted_once_and_a_narrowed_one_also_in_whole(client, admin_user, rooms, monkeypatch):
    model_admin = admin.site._registry[Room]
    assert model_admin.show_full_result_count  # Django's default, kept by this admin
    client.force_login(admin_user)
    url = reverse("admin:events_room_changelist")
    whole_count = 'SELECT COUNT(*) AS "__count" FROM "events_room"'

    n, sql, whole = count_queries(client.get, url, {"o": "3"})
    assert sql.count(whole_count) == 1
    cl = whole.context["cl"]
    assert cl.result_count == cl.full_result_count == 23 and cl.show_admin_actions
    assert cl.root_queryset is not cl.queryset and "count" not in cl.queryset.__dict__
    monkeypatch.delattr(model_admin, "get_changelist")  # Django's ChangeList: the same count twice
    n_django, sql_django, _ = count_queries(client.get, url, {"o": "3"})
    monkeypatch.undo()
    assert sql_django.count(whole_count) == 2 and n == n_django - 1

    n, sql, found = count_queries(client.get, url, {"q": "Hall 1"})
    assert sql.count(whole_count) == 1  # the whole list's, beside the search's own
    cl = found.context["cl"]
    assert 0 < cl.result_count < cl.full_result_count == 23
    assert "23 total" in found.content.decode()
