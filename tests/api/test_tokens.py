"""Personal API tokens: made in the portal (shown once), hashed at rest, used, revoked, expired,
scoped; throttled per token."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kitb_portal.accounts import services
from kitb_portal.accounts.api_tokens import hash_token
from kitb_portal.accounts.models import ApiToken

from .conftest import token_client

pytestmark = pytest.mark.django_db

TOKEN_IN_PAGE = re.compile(r'value="(kitb_[0-9a-f]{8}_[A-Za-z0-9_-]{43})"')


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_token_lifecycle_in_the_portal(client, partner_a):
    client.force_login(partner_a)
    response = client.post(reverse("portal:api_tokens"), {"name": "ERP sync", "scope": "read", "expires_in_days": "30"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = TOKEN_IN_PAGE.search(response.content.decode()).group(1)
    token = ApiToken.objects.get(user=partner_a)
    assert token.name == "ERP sync" and token.scope == "read" and raw.startswith(f"kitb_{token.prefix}_")
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)

    # shown once: the list page afterwards names the token by its prefix, never shows it again
    page = client.get(reverse("portal:api_tokens")).content.decode()
    assert raw not in page and token.prefix in page

    # hashed at rest: no column of any row holds the token or its secret part
    assert token.secret_hash == hash_token(raw)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert raw not in stored and raw.rsplit("_", 1)[1] not in stored

    # used: answers, and records when
    api = bearer(raw)
    assert api.get("/api/v1/organisations/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    # revoked in the portal: 401 from then on
    assert client.post(reverse("portal:api_token_revoke", args=[token.pk])).status_code == 302
    response = api.get("/api/v1/organisations/")
    assert response.status_code == 401 and "WWW-Authenticate" in response


def test_revoke_someone_elses_token_is_404(client, partner_a, partner_b):
    token, _raw = services.api_token_create(actor=partner_b, name="b", scope="read", expires_in_days=30)
    client.force_login(partner_a)
    assert client.post(reverse("portal:api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_token_is_401(partner_a):
    api = token_client(partner_a, "read")
    assert api.get("/api/v1/mous/").status_code == 200
    now = timezone.now()
    ApiToken.objects.filter(user=partner_a).update(created_at=now - dt.timedelta(days=31), expires_at=now - dt.timedelta(seconds=1))
    assert api.get("/api/v1/mous/").status_code == 401


def test_token_of_a_deactivated_user_is_401(partner_a):
    api = token_client(partner_a, "read")
    partner_a.is_active = False
    partner_a.save()
    assert api.get("/api/v1/mous/").status_code == 401


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer kitb_00000000_" + "x" * 43, "Bearer a b"])
def test_unknown_or_malformed_token_is_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/mous/").status_code == 401


def test_no_credentials_is_401():
    assert APIClient().get("/api/v1/mous/").status_code == 401


def test_a_tampered_secret_with_a_real_prefix_is_401(partner_a):
    api = token_client(partner_a, "read")
    raw = api.raw_token
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert bearer(tampered).get("/api/v1/mous/").status_code == 401


def test_read_scope_token_cannot_write(world):
    read_only = token_client(world["users"]["a"], "read")
    response = read_only.post("/api/v1/registrations/", {"event": world["published"].pk}, format="json")
    assert response.status_code == 403
    reg = world["a"]["registrations"][0]
    assert read_only.post(f"/api/v1/registrations/{reg}/cancel/").status_code == 403
    assert read_only.post("/api/v1/applications/", {"company_name": "X", "company_country": "KR"}, format="json").status_code == 403
    assert read_only.get("/api/v1/registrations/").status_code == 200


def test_rate_limit_is_per_token_and_answers_429(settings, partner_a):
    settings.API_THROTTLE_RATE = "3/minute"
    first, second = token_client(partner_a, "read"), token_client(partner_a, "read")
    for _ in range(3):
        assert first.get("/api/v1/organisations/").status_code == 200
    response = first.get("/api/v1/organisations/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert second.get("/api/v1/organisations/").status_code == 200  # each token has its own budget


@pytest.mark.parametrize("field,value,message", [
    ("name", "  ", "name"), ("scope", "admin", "scope"), ("expires_in_days", 0, "expires_in_days"), ("expires_in_days", 366, "expires_in_days"),
])
def test_token_service_refuses_bad_input_by_field(partner_a, field, value, message):
    from django.core.exceptions import ValidationError

    data = {"name": "ok", "scope": "read", "expires_in_days": 30, field: value}
    with pytest.raises(ValidationError) as exc:
        services.api_token_create(actor=partner_a, **data)
    assert message in exc.value.message_dict


def test_only_staff_with_permission_make_tokens_for_others(partner_a, partner_b, admin_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=partner_a, user=partner_b, name="x", scope="read", expires_in_days=30)
    token, _raw = services.api_token_create(actor=admin_user, user=partner_b, name="x", scope="read", expires_in_days=30)
    assert token.user == partner_b and token.created_by == admin_user


def test_admin_makes_a_token_and_shows_it_once(client, admin_user, partner_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_apitoken_add"), {"user": partner_a.pk, "name": "Ops", "scope": "write", "expires_in_days": "90"},
    )
    assert response.status_code == 200
    raw = TOKEN_IN_PAGE.search(response.content.decode()).group(1)
    token = ApiToken.objects.get(user=partner_a)
    assert token.secret_hash == hash_token(raw) and token.scope == "write"
    assert raw not in client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    response = client.post(reverse("admin:accounts_apitoken_changelist"), {"action": "revoke_tokens", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert bearer(raw).get("/api/v1/mous/").status_code == 401


def test_session_authenticates_the_browser_and_writes_need_csrf(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world["users"]["a"])
    assert client.get("/api/v1/registrations/").status_code == 200
    response = client.post("/api/v1/registrations/", {"event": world["published"].pk}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_session_of_an_administrator_without_second_factor_is_refused(admin_user):
    client = APIClient()
    client.force_login(admin_user, verified=False)
    assert client.get("/api/v1/mous/").status_code == 401
    client.force_login(admin_user)
    assert client.get("/api/v1/mous/").status_code == 200
