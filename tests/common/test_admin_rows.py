"""Changelist rows written by {% fast_result_list %} (kitb_portal/common/templatetags/admin_rows.py)
are Django's ``{% result_list %}`` rows, cell for cell, on every admin's changelist: plain, filtered
(the row links keep the filters), sorted, in Korean, and with ``list_editable``'s forms."""
from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kitb_portal.common.templatetags import admin_rows
from tests.factories import people
from tests.utils import built_once, logged_in_client, own_copy

pytestmark = pytest.mark.django_db
bulk = pytest.mark.bulk_data  # seed_bulk: out of the quick loop (make test-fast), in make test


def _seeded():
    admin_user = people()["admin_user"]
    call_command("seed_bulk", "--scale", "1", stdout=io.StringIO())
    return admin_user


def _changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def _rows(results) -> list[str]:
    return ["".join(str(item) for item in row) for row in results]


def _compare(client, url: str, language: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    cl = response.context["cl"]
    html = response.content.decode()
    with translation.override(language):
        django_rows = _rows(admin_list.results(cl))
        ours = _rows(admin_rows.results(cl))
    assert ours == django_rows, url
    if ours and language == "en":
        assert ours[0] in html, f"{url}: the page does not show the rows of fast_result_list"
    return len(ours)


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _seeded)


@pytest.fixture
def admin_user(seeded):
    return own_copy(seeded)


@bulk
class TestSeeded:
    """Every admin over seed_bulk's data (built once for the class: the quick test below sees none)."""

    def test_every_changelist_writes_djangos_rows(self, admin_user):
        client = logged_in_client(admin_user)
        shown = 0
        for url in _changelists():
            for language in ("en", "ko"):
                shown += _compare(client, url, language)
        assert shown > 1000  # the seeded data fill most changelists

    @pytest.mark.parametrize("query", [
        "?status__exact=open", "?o=-5.1", "?responsible_organization__id__exact=1&p=2", "?q=seminar", "?_popup=1&_to_field=id",
    ])
    def test_filtered_sorted_searched_and_popup_rows_are_djangos(self, admin_user, query):
        client = logged_in_client(admin_user)
        assert _compare(client, reverse("admin:partnerships_commitment_changelist") + query, "en") >= 0

    def test_editable_rows_keep_their_forms(self, admin_user):
        client = logged_in_client(admin_user)
        url = reverse("admin:tenants_screeningcriterion_changelist")
        response = client.get(url)
        cl = response.context["cl"]
        assert cl.formset is not None and cl.result_list
        assert _rows(admin_rows.results(cl)) == _rows(admin_list.results(cl))
        assert 'name="form-0-weight"' in response.content.decode()


def test_rows_of_a_few_commitments_are_djangos(db, kitb, technopark):
    """The quick loop's check (the seeded ones above run in make test): links, dates, choices, a
    boolean and an empty value, in English and Korean."""
    import datetime as dt

    from tests.factories import admin_user_of
    from tests.partnerships.factories import CommitmentFactory, mou_with_parties

    mou = mou_with_parties(kitb, technopark, reference="ROWS/1")
    CommitmentFactory(mou=mou, responsible_organization=technopark, due_date=dt.date(2027, 1, 5))
    CommitmentFactory(mou=mou, responsible_organization=kitb, due_date=None, responsible_person="")
    client = logged_in_client(admin_user_of(kitb))
    url = reverse("admin:partnerships_commitment_changelist")
    for language in ("en", "ko"):
        assert _compare(client, url, language) == 2
        assert _compare(client, url + "?status__exact=open&o=5", language) == 2
