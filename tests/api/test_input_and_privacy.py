"""Bad input is a 400 naming the field (never a 500); partners never get scores, reviewers,
internal comments or the owning officer; the schema validates; the docs are served from our own
static files under the CSP."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from tenants.models import Application

from .conftest import OnTheSharedWorld, token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url,field", [
    ("/api/v1/mous/?status=bogus", "status"),
    ("/api/v1/mous/?expires_before=not-a-date", "expires_before"),
    ("/api/v1/mous/?organization=abc", "organization"),
    ("/api/v1/commitments/?due_after=2025-13-45", "due_after"),
    ("/api/v1/events/?starts_after=yesterday", "starts_after"),
    ("/api/v1/events/?kind=party", "kind"),
    ("/api/v1/registrations/?event=x", "event"),
    ("/api/v1/applications/?status=won", "status"),
    ("/api/v1/plots/?status=sold", "status"),
    ("/api/v1/contacts/?is_active=maybe", "is_active"),
    ("/api/v1/organisations/?kind=club", "kind"),
    ("/api/v1/mous/?cursor=%%%garbage", "cursor"),
    ("/api/v1/mous/?page_size=0", "page_size"),
    ("/api/v1/mous/?page_size=lots", "page_size"),
])
def test_malformed_query_is_400_naming_the_parameter(partner_a, url, field):
    response = token_client(partner_a, "read").get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize("url,body,field", [
    ("/api/v1/registrations/", {}, "event"),
    ("/api/v1/registrations/", {"event": "first"}, "event"),
    ("/api/v1/registrations/", {"event": 999999}, "event"),
    ("/api/v1/applications/", {"company_country": "KR"}, "company_name"),
    ("/api/v1/applications/", {"company_name": "X", "company_country": "KR", "investment_amount": "much"}, "investment_amount"),
    ("/api/v1/applications/", {"company_name": "X", "company_country": "KR", "export_share_pct": "150"}, "export_share_pct"),
    ("/api/v1/applications/", {"company_name": "X", "company_country": "KR", "contact_email": "nope"}, "contact_email"),
])
def test_malformed_body_is_400_naming_the_field(partner_a, url, body, field):
    response = token_client(partner_a).post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_unparseable_json_is_400(partner_a):
    response = token_client(partner_a).post("/api/v1/registrations/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_referral_draft_keeps_only_editable_fields(partner_a):
    response = token_client(partner_a).post(
        "/api/v1/applications/",
        {"company_name": "Cell Co", "company_country": "KR", "status": "approved", "referrer": 1, "decision_reason": "yes"},
        format="json",
    )
    assert response.status_code == 201
    created = Application.objects.get(pk=response.json()["id"])
    assert created.status == Application.Status.DRAFT and created.referrer_id == partner_a.organization_id and created.decision_reason == ""


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/mous/" in (tmp_path / "schema.yaml").read_text()


def test_schema_and_docs_need_a_login(client, partner_a):
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(partner_a)
    assert client.get("/api/schema/").status_code == 200
    assert token_client(partner_a, "read").get("/api/schema/").status_code == 200


def test_docs_pages_use_our_static_files_and_no_inline_script(client, partner_a):
    import re

    client.force_login(partner_a)
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Content-Security-Policy" in response and "unsafe-inline" not in response["Content-Security-Policy"]
        assert "<style" not in html and "http://" not in html and "https://" not in html
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    html = client.get("/api/docs/").content.decode()
    assert "api/swagger-init" in html and "swagger-ui-dist/swagger-ui-bundle" in html


class TestOnTheWorld(OnTheSharedWorld):
    """The tests that need the world (built once for the class)."""

    @pytest.mark.parametrize("body,field", [
        ({"status": "finished", "note": "x"}, "status"),
        ({"status": "done"}, "note"),
        ({"status": "done", "note": "ok", "closed_on": "someday"}, "closed_on"),
    ])
    def test_commitment_status_body_errors_name_the_field(self, world, clients, body, field):
        commitment = world["a"]["commitments"][0]
        response = clients["staff"].post(f"/api/v1/commitments/{commitment}/status/", body, format="json")
        assert response.status_code == 400 and field in response.json()

    def test_a_service_refusal_is_400_not_500(self, world, clients):
        commitment = world["a"]["commitments"][0]
        response = clients["staff"].post(f"/api/v1/commitments/{commitment}/status/", {"status": "open"}, format="json")
        assert response.status_code == 400 and "non_field_errors" in response.json()  # already open

    def test_partners_never_see_scores_reviewers_or_internal_comments(self, world, clients, admin_user):
        from tenants import services as tenant_services

        pk = world["a"]["applications"][0]
        tenant_services.comment_add(application_id=pk, actor=admin_user, body="Internal: weak balance sheet")
        body = clients["a"].get(f"/api/v1/applications/{pk}/").json()
        for hidden in ("score", "owning_officer", "counted_reviews", "assigned_reviews", "comments", "reviews"):
            assert hidden not in body
        assert "weak balance sheet" not in str(body)
        listing = clients["a"].get("/api/v1/applications/").json()["results"]
        assert listing and all("score" not in row and "owning_officer" not in row for row in listing)
        assert "score" in clients["staff"].get(f"/api/v1/applications/{pk}/").json()

    def test_blind_staff_get_no_score(self, world, db):
        """A staff member who may view applications but has not reviewed one gets an empty score."""
        from django.contrib.auth.models import Permission

        from tests.factories import UserFactory

        officer = UserFactory(staff=True, email="officer@kitb.example")
        officer.user_permissions.add(Permission.objects.get(codename="view_application"))
        pk = world["a"]["applications"][0]
        response = token_client(officer, "read").get(f"/api/v1/applications/{pk}/")
        assert response.status_code == 200 and response.json()["score"] is None

    def test_staff_without_model_permissions_see_nothing(self, world):
        from tests.factories import UserFactory

        bare = token_client(UserFactory(staff=True, email="bare@kitb.example"), "read")
        for resource in ("mous", "commitments", "registrations", "applications", "zones", "plots", "organisations", "contacts", "events"):
            response = bare.get(f"/api/v1/{resource}/")
            assert response.status_code == 200 and response.json()["results"] == [], resource
        assert bare.get(f"/api/v1/mous/{world['a']['mous'][0]}/").status_code == 404
