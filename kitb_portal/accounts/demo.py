"""Demo organisations and users. Other apps' demo steps look them up through these constants.

Passwords come from DEMO_PASSWORD, or one is generated once and kept in ``.data/demo-password``
(mode 600), so every run prints the same working logins, one per line:
``demo-login <role> <email> <password>``. Demo users whose role must use two-factor authentication
(the KITB administrator) get a TOTP device whose secret is derived from the demo password, and a
line ``demo-totp <email> <base32 secret>`` to add to an authenticator app. Never for production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KITB = "Kawasan Industri Terpadu Batang"
TECHNOPARK = "Chungbuk Technopark"
PROVINCE = "Chungcheongbuk-do Provincial Government"

# role -> (e-mail, full name, organisation, staff group or None, preferred language)
DEMO_USERS = {
    "kitb-administrator": ("admin@kitb.demo", "Dewi Lestari", KITB, "KITB administrator", "id"),
    "partnerships-officer": ("partnerships@kitb.demo", "Budi Santoso", KITB, "Partnerships officer", "id"),
    "events-officer": ("events@kitb.demo", "Sari Wulandari", KITB, "Events officer", "id"),
    "screening-committee": ("reviewer@kitb.demo", "Agus Prasetyo", KITB, "Screening committee member", "en"),
    "screening-committee-2": ("reviewer2@kitb.demo", "Rina Kusuma", KITB, "Screening committee member", "id"),
    "partner-technopark": ("partner@cbtp.demo", "Kim Min-jun", TECHNOPARK, None, "ko"),
    "partner-province": ("partner@chungbuk.demo", "Lee Seo-yeon", PROVINCE, None, "ko"),
}


# name -> (local name, kind, country, is_host)
ORGANIZATIONS = {
    KITB: ("KITB", "industrial_estate", "ID", True),
    TECHNOPARK: ("충북테크노파크", "technopark", "KR", False),
    PROVINCE: ("충청북도", "government", "KR", False),
}


def password_file() -> Path:
    from kitb_portal.devstack import DATA_DIR

    return DATA_DIR / "demo-password"


def demo_password() -> str:
    """DEMO_PASSWORD, else the one kept in .data/demo-password (generated on the first run)."""
    from_env = os.environ.get("DEMO_PASSWORD", "").strip()
    if from_env:
        return from_env
    path = password_file()
    if path.exists():
        kept = path.read_text().strip()
        if kept:
            return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = "demo-" + secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(generated + "\n")
    os.chmod(path, 0o600)
    return generated


def demo_totp_key(email: str, password: str) -> str:
    """The demo TOTP secret (hex, 20 bytes) of ``email``: derived from the demo password, so every run
    prints the same secret for the same password (demo data only)."""
    return hmac.new(password.encode(), f"kitb-demo-totp:{email.lower()}".encode(), hashlib.sha1).hexdigest()


def base32_secret(hex_key: str) -> str:
    """What an authenticator app takes ("enter a setup key")."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode()


def seed_second_factor(user, password: str) -> str:
    """A TOTP device (two_factor's "default") with the demo secret; returns the base32 secret."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = demo_totp_key(user.email, password)
    device = TOTPDevice.objects.filter(user=user, name="default").first()
    if device is None:
        TOTPDevice.objects.create(user=user, name="default", key=key, confirmed=True)
    elif device.key != key:  # DEMO_PASSWORD changed: keep the printed secret working
        device.key, device.last_t, device.drift = key, -1, 0
        device.save(update_fields=["key", "last_t", "drift"])
    return base32_secret(key)


def seed(stdout) -> None:
    """Organisations and demo users; idempotent (a second run adds nothing and prints the same logins)."""
    from django.conf import settings
    from django.contrib.auth.models import Group

    from .models import Organization, User
    from .roles import sync_role_permissions
    from .second_factor import is_required

    if getattr(settings, "PRODUCTION", False):
        stdout.write("accounts: DJANGO_ENV=production, no demo users created.\n")
        return
    sync_role_permissions()  # the role groups exist even on a database migrated before they did
    organizations = {}
    for name, (local_name, kind, country, is_host) in ORGANIZATIONS.items():
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = Organization.objects.create(name=name, local_name=local_name, kind=kind, country=country, is_host=is_host)
            stdout.write(f"accounts: organisation {name} created\n")
        organizations[name] = org

    password = demo_password()
    totp_secrets = {}
    for email, full_name, org_name, group_name, language in DEMO_USERS.values():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name,
                organization=organizations[org_name],
                preferred_language=language,
                is_staff=group_name is not None,
                is_org_admin=group_name is None,
                time_zone="Asia/Jakarta" if group_name else "Asia/Seoul",
            )
            stdout.write(f"accounts: user {email} created\n")
        elif not user.check_password(password):
            user.set_password(password)  # keep the printed login working when DEMO_PASSWORD changed
            user.save(update_fields=["password"])
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
            user.group_names = None  # read the groups again for is_required
        if is_required(user):
            totp_secrets[email] = seed_second_factor(user, password)
    for role, (email, *_rest) in DEMO_USERS.items():
        stdout.write(f"demo-login {role} {email} {password}\n")
    for email, secret in totp_secrets.items():
        stdout.write(f"demo-totp {email} {secret}\n")
