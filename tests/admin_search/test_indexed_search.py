"""The changelist search of the big tables (IndexedSearchMixin): the same rows as Django's own search,
found through the trigram indexes on UPPER(column) and through ids looked up in the related table."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from partnerships.models import Commitment
from tests.partnerships.factories import CommitmentFactory, MoUFactory


def search(model, user, term, monkeypatch, **attrs):
    model_admin = admin.site._registry[model]
    for name, value in attrs.items():
        monkeypatch.setattr(model_admin, name, value, raising=False)
    request = RequestFactory().get("/", {"q": term})
    request.user = user
    queryset, may_have_duplicates = model_admin.get_search_results(request, model._default_manager.all(), term)
    return queryset, may_have_duplicates


@pytest.fixture
def commitments(db, technopark, province):
    mou = MoUFactory(reference="KITB/2026/017", title_en="Battery cell cooperation")
    return {
        "own": CommitmentFactory(mou=mou, description="Open a joint laboratory in Batang", responsible_person="Park Ji-hoon",
                                 responsible_organization=technopark),
        "by_mou": CommitmentFactory(description="Send three engineers", responsible_organization=province),
        "by_org": CommitmentFactory(description="Host the delegation", responsible_organization=technopark),
        "other": CommitmentFactory(description="Translate the handbook", responsible_organization=province),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("term, expected", [
    ("laboratory", {"own"}),  # own column, a word inside it
    ("ji-HOON", {"own"}),  # case does not matter
    ("2026/017", {"own"}),  # the MoU's reference (across the foreign key)
    ("battery cell", {"own"}),  # every word must match somewhere
    ("Technopark", {"own", "by_org"}),  # the responsible organisation's name
    ('"joint laboratory"', {"own"}),  # a quoted phrase is one word
    ("nothing-like-this", set()),
])
@pytest.mark.parametrize("related_limit", [1000, 0])  # 0: every related lookup is "common", the join stays
def test_finds_what_djangos_search_finds(commitments, admin_user, monkeypatch, term, expected, related_limit):
    queryset, duplicates = search(Commitment, admin_user, term, monkeypatch, search_related_limit=related_limit)
    names = {name for name, c in commitments.items() if c.pk in set(queryset.values_list("pk", flat=True))}
    assert names == expected and duplicates is False
    # the same answer as Django's own search
    django_qs, _d = admin.ModelAdmin.get_search_results(admin.site._registry[Commitment], None, Commitment.objects.all(), term)
    assert set(django_qs.values_list("pk", flat=True)) == set(queryset.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_search_can_use_the_trigram_indexes(commitments, admin_user, monkeypatch):
    """With sequential scans priced out, the plan reads the UPPER(column) trigram indexes: their
    expression is the one icontains compiles to."""
    queryset, _d = search(Commitment, admin_user, "laboratory", monkeypatch)
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "commitment_description_trgm" in plan and "commitment_person_trgm" in plan, plan
