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


@pytest.mark.django_db
def test_registrations_are_found_by_their_columns_and_their_events_title(admin_user, monkeypatch):
    from events import services
    from events.models import Registration
    from tests.events.factories import EventFactory
    from tests.factories import OrganizationFactory, UserFactory

    forum = EventFactory(title_en="Battery materials forum", published=True)
    other = EventFactory(title_en="Port logistics seminar", published=True)

    def register(event, name, organisation):
        user = UserFactory(full_name=name, organization=OrganizationFactory(name=organisation))
        return services.registration_create(event_id=event.pk, user=user)

    by_name = register(other, "Siti Rahayu", "PT Maju")
    by_title = register(forum, "Lee Min-ho", "Cheongju Cells")
    register(other, "Budi", "PT Lain")

    def found(term):
        queryset, _d = search(Registration, admin_user, term, monkeypatch)
        return set(queryset.values_list("pk", flat=True))

    assert found("rahayu") == {by_name.pk}
    assert found("materials") == {by_title.pk}
    assert found("cheongju") == {by_title.pk}
    assert found(by_name.check_in_code[1:-1]) == {by_name.pk}
    sql, params = search(Registration, admin_user, "rahayu", monkeypatch)[0].order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("registration_name_trgm_idx", "registration_email_trgm_idx", "registration_org_name_trgm_idx",
                  "registration_code_trgm_idx"):
        assert index in plan, plan
