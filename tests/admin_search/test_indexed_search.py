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
@pytest.mark.parametrize("related_limit, array_limit", [
    (1000, 10_000),  # related ids as a list: id IN (1, 2, 3)
    (0, 10_000),  # every related lookup past the list: one array, id = ANY('{1,2,3}'::bigint[])
    (0, 0),  # past the array too (even among the rows referred to): the join stays
])
def test_finds_what_djangos_search_finds(commitments, admin_user, monkeypatch, term, expected, related_limit, array_limit):
    queryset, duplicates = search(Commitment, admin_user, term, monkeypatch, search_related_limit=related_limit,
                                  search_related_array_limit=array_limit)
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


@pytest.fixture
def mous(db, technopark, province):
    from tests.partnerships.factories import MoUPartyFactory

    both = MoUFactory(reference="KITB/2026/031", title_en="Battery recycling")
    MoUPartyFactory(mou=both, organization=technopark)
    MoUPartyFactory(mou=both, organization=province)
    by_party = MoUFactory(title_en="Port logistics")
    MoUPartyFactory(mou=by_party, organization=technopark)
    return {"both": both, "by_party": by_party, "by_title": MoUFactory(title_en="Technopark expansion"),
            "none": MoUFactory(title_en="Water supply")}


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["Technopark", "2026/031", "battery", "Technopark battery", "water", "nothing-like-this",
                                  "Chungbuk", "Chungbuk Technopark"])
@pytest.mark.parametrize("related_limit, array_limit", [(1000, 10_000), (0, 10_000), (0, 0)])
def test_mou_search_across_parties_finds_djangos_rows_without_duplicates(mous, admin_user, monkeypatch, term,
                                                                         related_limit, array_limit):
    """parties__organization__name (a reverse foreign key) becomes id IN (SELECT mou_id FROM party ...):
    the rows Django's join finds, each once, so no DISTINCT."""
    from partnerships.models import MoU

    queryset, duplicates = search(MoU, admin_user, term, monkeypatch, search_related_limit=related_limit,
                                  search_related_array_limit=array_limit)
    found = list(queryset.values_list("pk", flat=True))
    django_qs, django_duplicates = admin.ModelAdmin.get_search_results(admin.site._registry[MoU], None, MoU.objects.all(), term)
    assert sorted(found) == sorted(set(django_qs.values_list("pk", flat=True)))
    assert len(found) == len(set(found)) and duplicates is False and not queryset.query.distinct
    assert 'JOIN "partnerships_mouparty"' not in str(queryset.query)  # the parties only in a subquery


@pytest.mark.django_db
def test_a_search_past_the_bound_says_more_than_the_bound(commitments, staff_client, settings, monkeypatch):
    """A search's count stops at search_exact_limit; past it the changelist says "more than N" (in
    the user's language), not the number it stopped at."""
    from kitb_portal.common.admin_tools import BoundedCountPaginator

    monkeypatch.setattr(BoundedCountPaginator, "search_exact_limit", 2)
    response = staff_client.get("/admin/partnerships/commitment/", {"q": "e"})  # all four commitments
    page = response.content.decode()
    assert response.status_code == 200
    assert "More than 2 commitments" in page and "more than 2 results" in page, page
    assert "3 commitments" not in page and "3 results" not in page and "All 3 selected" not in page
    assert "Select all commitments found (more than 2)" in page  # "select all" acts on every match
    response = staff_client.get("/admin/partnerships/commitment/", {"q": "Technopark"})  # two: the count itself
    assert "2 commitments" in response.content.decode() and "More than" not in response.content.decode()
    for language, words in (("id", "Lebih dari 2"), ("ko", "2건 초과")):
        staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = staff_client.get("/admin/partnerships/commitment/", {"q": "e"})
        assert f'lang="{language}"' in response.content.decode() and words in response.content.decode()


@pytest.mark.django_db
def test_the_date_hierarchy_waits_for_the_search(commitments, staff_client):
    """No MIN/MAX and DISTINCT years over a search's result: the date bar is not shown while a search
    is active, unless a year was chosen in it first (then it stays, narrowed by the search)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as searching:
        response = staff_client.get("/admin/partnerships/commitment/", {"q": "Technopark"})
    assert response.status_code == 200 and response.context["cl"].date_hierarchy is None
    assert not any('MIN("partnerships_commitment"."due_date")' in q["sql"] for q in searching.captured_queries)
    response = staff_client.get("/admin/partnerships/commitment/", {"q": "Technopark", "due_date__year": 2026})
    assert response.status_code == 200 and response.context["cl"].date_hierarchy == "due_date"
    response = staff_client.get("/admin/partnerships/commitment/")
    assert response.context["cl"].date_hierarchy == "due_date"


@pytest.mark.django_db
def test_a_search_that_can_match_nothing_counts_zero(staff_client, db):
    """Every search field of review assignments lies across a foreign key: a word in no related row
    makes every part "id IN ()", which cannot be compiled; the bounded count says 0."""
    from kitb_portal.common.admin_tools import BoundedCountPaginator

    assert BoundedCountPaginator(Commitment.objects.filter(pk__in=[]), 25).count == 0
    response = staff_client.get("/admin/tenants/reviewassignment/", {"q": "nothing-like-this"})
    assert response.status_code == 200 and response.context["cl"].result_count == 0


#: Admins of tables that grow with the years (every MoU, event, registration, application, message):
#: their search goes through the indexes, never through a read of the whole table.
GROWING_TABLES = [
    "partnerships.MoU", "partnerships.Commitment", "partnerships.MoUParty", "partnerships.MoUDocument",
    "partnerships.DocumentApproval", "partnerships.MoUNote", "events.Registration", "events.Feedback",
    "tenants.Application", "notifications.OutboxMessage",
]


def _trigram_indexed_columns() -> set[tuple[str, str]]:
    """(table, column) of every trigram index."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")
        return {(table, definition.split("(", 1)[1].split(" gin_trgm_ops")[0].strip('"')) for table, definition in cursor.fetchall()}


def _column(model, field: str):
    *hops, name = field.lstrip("^=@").split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.db_table, model._meta.get_field(name).column


@pytest.mark.django_db
def test_every_search_field_of_a_growing_table_has_its_trigram_index():
    """A column the admin's search reads with ILIKE needs a trigram index, or that search reads the
    table (an application search took 30 ms per query at 20,000 applications before theirs)."""
    from django.apps import apps

    from kitb_portal.common.admin_tools import IndexedSearchMixin

    indexed = _trigram_indexed_columns()
    missing = []
    for label in GROWING_TABLES:
        model = apps.get_model(label)
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, IndexedSearchMixin), label
        for field in model_admin.search_fields:
            if _column(model, field) not in indexed:
                missing.append(f"{label}: {field}")
    assert not missing, missing


@pytest.mark.django_db
def test_every_field_the_portal_lists_search_has_its_trigram_index():
    """The portal's MoU and event lists and the registrations' event filter search with ILIKE too."""
    from events.admin.filters import RegistrationEventFilter
    from events.models import Event
    from events.selectors.events import SEARCH_FIELDS as EVENT_FIELDS
    from partnerships.models import MoU
    from partnerships.selectors import SEARCH_FIELDS as MOU_FIELDS

    indexed = _trigram_indexed_columns()
    searched = [(MoU, f) for f in MOU_FIELDS] + [(Event, f) for f in (*EVENT_FIELDS, *RegistrationEventFilter.event_text_fields)]
    assert [f"{model.__name__}.{f}" for model, f in searched if _column(model, f) not in indexed] == []
