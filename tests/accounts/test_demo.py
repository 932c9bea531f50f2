"""`manage.py seed_demo`: the demo organisations and logins, idempotent."""
import os
import re
import stat
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from kitb_portal.accounts import demo
from kitb_portal.accounts.models import Organization, User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # each test runs the whole demo seed

LOGIN_LINE = re.compile(r"^demo-login (\S+) (\S+@\S+) (\S+)$")


@pytest.fixture
def password_file(tmp_path, monkeypatch):
    """Keep the generated password in a temporary folder, not in the real .data/."""
    path = tmp_path / "data" / "demo-password"
    monkeypatch.setattr(demo, "password_file", lambda: path)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return path


def seed() -> list[tuple[str, str, str]]:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return [m.groups() for m in map(LOGIN_LINE.match, out.getvalue().splitlines()) if m]


def test_seed_demo_twice_adds_nothing_and_prints_the_same_working_logins(password_file, client):
    first = seed()
    counts = (Organization.objects.count(), User.objects.count(), Group.objects.count())
    second = seed()
    assert (Organization.objects.count(), User.objects.count(), Group.objects.count()) == counts
    assert first == second
    assert [role for role, _e, _p in first] == list(demo.DEMO_USERS)

    # Generated once, kept private, and it works.
    assert stat.S_IMODE(os.stat(password_file).st_mode) == 0o600
    password = password_file.read_text().strip()
    assert {p for _r, _e, p in first} == {password}
    for role, email, pw in first:
        response = client.post("/accounts/login/", {"username": email, "password": pw})
        assert response.status_code == 302, role
        client.post("/accounts/logout/")


def test_seed_demo_organisations_and_roles(password_file):
    seed()
    kitb = Organization.objects.get(name=demo.KITB)
    assert kitb.is_host and kitb.local_name == "KITB" and kitb.country == "ID"
    assert Organization.objects.get(name=demo.TECHNOPARK).local_name == "충북테크노파크"
    assert Organization.objects.get(name=demo.PROVINCE).local_name == "충청북도"
    for email, full_name, org_name, group_name, language in demo.DEMO_USERS.values():
        user = User.objects.get(email=email)
        assert user.full_name == full_name and user.organization.name == org_name and user.preferred_language == language
        if group_name:
            assert user.is_staff and not user.is_org_admin
            assert list(user.groups.values_list("name", flat=True)) == [group_name]
        else:
            assert not user.is_staff and user.is_org_admin and not user.groups.exists()
    # The two Korean partners are in different organisations, to try what one may not see of the other.
    a, b = (User.objects.get(email=demo.DEMO_USERS[r][0]) for r in ("partner-technopark", "partner-province"))
    assert a.organization_id != b.organization_id


def test_demo_password_from_the_environment(password_file, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Env-Demo-Password-1")
    assert {p for _r, _e, p in seed()} == {"Env-Demo-Password-1"}
    assert not password_file.exists()
    assert User.objects.get(email="admin@kitb.demo").check_password("Env-Demo-Password-1")
    # A changed DEMO_PASSWORD keeps the printed logins working.
    monkeypatch.setenv("DEMO_PASSWORD", "Env-Demo-Password-2")
    seed()
    assert User.objects.get(email="admin@kitb.demo").check_password("Env-Demo-Password-2")


def test_seed_uses_existing_organisations(password_file, technopark):
    """Organisations that exist already (by name) are used, not duplicated."""
    seed()
    assert Organization.objects.filter(name=demo.TECHNOPARK).count() == 1
    assert User.objects.get(email="partner@cbtp.demo").organization == technopark


def test_seed_demo_prints_a_totp_secret_for_the_administrator_that_logs_in(password_file, client):
    import base64

    from django_otp.oath import totp

    out = StringIO()
    call_command("seed_demo", stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines() if line.startswith("demo-totp ")]
    assert [email for _tag, email, _secret in lines] == [demo.DEMO_USERS["kitb-administrator"][0]]
    _tag, email, secret = lines[0]
    call_command("seed_demo", stdout=StringIO())  # a second run keeps the secret
    password = password_file.read_text().strip()
    assert demo.base32_secret(demo.demo_totp_key(email, password)) == secret

    response = client.post("/accounts/login/", {"username": email, "password": password})
    assert response["Location"] == "/accounts/login/verify/"
    code = f"{totp(base64.b32decode(secret), 30, 0, 6, 0):06d}"  # what the authenticator app shows
    response = client.post("/accounts/login/verify/", {"otp_token": code}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/" and response.status_code == 200
