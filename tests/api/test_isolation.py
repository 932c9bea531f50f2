"""Every operation of the API's schema, as partner A, partner B and staff: each partner sees only
their organisation's records (another's is a 404), staff see all, writes act within the scope.

The operations are read from the OpenAPI schema itself: an endpoint added without a case here makes
``test_every_schema_operation_has_an_isolation_case`` fail."""
from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from tenants.models import Application
from tests.utils import own_copy

pytestmark = pytest.mark.django_db

RESOURCES = ["mous", "commitments", "events", "sessions", "registrations", "applications", "zones", "plots", "organisations", "contacts"]


@pytest.fixture
def world(shared_world):
    """The world, built once for the module: every database test here asks for it."""
    return own_copy(shared_world)["world"]


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(path, method) for path, item in schema["paths"].items() for method in item if method in ("get", "post", "put", "patch", "delete")}


def expected_ids(world, resource: str, who: str) -> set[int]:
    shared = set(world["shared"].get(resource, []))
    if who == "staff":
        return shared | set(world["a"].get(resource, [])) | set(world["b"].get(resource, [])) | set(world["staff_only"][resource])
    return shared | set(world[who].get(resource, []))


def ids_of(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _list_case(resource):
    def case(world, clients):
        for who in ("a", "b", "staff"):
            got = ids_of(clients[who].get(f"/api/v1/{resource}/"))
            assert got == expected_ids(world, resource, who), (resource, who)
    return case


def _detail_case(resource):
    def case(world, clients):
        everything = expected_ids(world, resource, "staff")
        for who in ("a", "b", "staff"):
            visible = expected_ids(world, resource, who)
            assert visible, (resource, who)
            for pk in everything:
                response = clients[who].get(f"/api/v1/{resource}/{pk}/")
                if pk in visible:
                    assert response.status_code == 200 and response.json()["id"] == pk, (resource, who, pk)
                else:
                    assert response.status_code == 404, (resource, who, pk, response.status_code)
    return case


def case_register(world, clients):
    event = world["published"]
    for who in ("a", "b"):  # each already holds a place: a second registration is refused, by field
        response = clients[who].post("/api/v1/registrations/", {"event": event.pk}, format="json")
        assert response.status_code == 400 and "non_field_errors" in response.json()
    response = clients["staff"].post("/api/v1/registrations/", {"event": event.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["user"] == world["users"]["staff"].pk and response.json()["status"] == "confirmed"
    # a draft event is not open to partners: named as the bad field, not a 404 or a 500
    response = clients["a"].post("/api/v1/registrations/", {"event": world["draft"].pk}, format="json")
    assert response.status_code == 400 and "event" in response.json()


def case_cancel(world, clients):
    reg_a, reg_b = world["a"]["registrations"][0], world["b"]["registrations"][0]
    assert clients["b"].post(f"/api/v1/registrations/{reg_a}/cancel/").status_code == 404
    assert clients["a"].post(f"/api/v1/registrations/{reg_b}/cancel/").status_code == 404
    assert clients["staff"].post(f"/api/v1/registrations/{reg_a}/cancel/").status_code == 403
    response = clients["a"].post(f"/api/v1/registrations/{reg_a}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    response = clients["b"].post(f"/api/v1/registrations/{reg_b}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def case_commitment_status(world, clients):
    c_a, c_b = world["a"]["commitments"][0], world["b"]["commitments"][0]
    body = {"status": "done", "note": "The joint seminar took place."}
    assert clients["a"].post(f"/api/v1/commitments/{c_b}/status/", body, format="json").status_code == 404
    assert clients["b"].post(f"/api/v1/commitments/{c_a}/status/", body, format="json").status_code == 404
    # partners see their commitments but only partnership officers change them
    assert clients["a"].post(f"/api/v1/commitments/{c_a}/status/", body, format="json").status_code == 403
    response = clients["staff"].post(f"/api/v1/commitments/{c_a}/status/", body, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done" and response.json()["closed_on"]
    response = clients["staff"].post(f"/api/v1/commitments/{c_a}/status/", {"status": "open"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "open"


def case_refer(world, clients):
    for who, org in (("a", world["users"]["a"].organization_id), ("b", world["users"]["b"].organization_id)):
        response = clients[who].post("/api/v1/applications/", {"company_name": f"Cell Co {who}", "company_country": "KR"}, format="json")
        assert response.status_code == 201, response.content
        created = Application.objects.get(pk=response.json()["id"])
        assert created.referrer_id == org and created.status == Application.Status.DRAFT
        assert "score" not in response.json()
        other = "b" if who == "a" else "a"
        assert clients[other].get(f"/api/v1/applications/{created.pk}/").status_code == 404
    assert clients["staff"].post("/api/v1/applications/", {"company_name": "X", "company_country": "KR"}, format="json").status_code == 403


CASES = {}
for _resource in RESOURCES:
    CASES[(f"/api/v1/{_resource}/", "get")] = _list_case(_resource)
    CASES[(f"/api/v1/{_resource}/{{id}}/", "get")] = _detail_case(_resource)
CASES[("/api/v1/registrations/", "post")] = case_register
CASES[("/api/v1/registrations/{id}/cancel/", "post")] = case_cancel
CASES[("/api/v1/commitments/{id}/status/", "post")] = case_commitment_status
CASES[("/api/v1/applications/", "post")] = case_refer


def test_every_schema_operation_has_an_isolation_case():
    operations = schema_operations()
    assert operations - set(CASES) == set(), "endpoints without an isolation case in tests/api/test_isolation.py"
    assert set(CASES) - operations == set(), "cases for endpoints the schema no longer has"


@pytest.mark.parametrize("operation", sorted(CASES), ids=lambda op: f"{op[1].upper()} {op[0]}")
def test_isolation(operation, world, clients):
    CASES[operation](world, clients)
