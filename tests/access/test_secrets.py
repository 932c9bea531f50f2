"""No page a role can reach shows a live secret of another person.

The same walk as test_url_matrix: every GET each non-superuser role is let in to, rendered, and
searched for the victims' live secrets (the administrator's password-reset token, a newcomer's
invitation token, a guest's manage token, a partner's calendar-feed and unsubscribe tokens). A
secret the role itself holds for the URL it opened (the guest's own manage page) is its own.
"""
from __future__ import annotations

import pytest

from kitb_portal.accounts import access

from .test_url_matrix import ENTRIES, request_as
from .walk import rule_for

pytestmark = pytest.mark.django_db

ROLES = [role for role in access.ROLES if role != access.SUPERUSER]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_no_page_shows_another_persons_secret(world, entry):
    rule = rule_for(entry)
    leaks = []

    def look(url, role, holds, response):
        if response.streaming or response.status_code != 200:
            return
        text = response.content.decode("utf-8", "replace")
        for kind, secret in world.secrets.items():
            if role in world.secret_owner.get(kind, ()) or (holds and secret in url):
                continue  # the role's own secret
            if secret in text:
                leaks.append(f"GET {url} as {role} shows the {kind}")

    for role in ROLES:
        request_as(world, entry, rule, role, on_page=look)
    assert not leaks, "\n".join(leaks)


def test_the_secrets_are_live(world):
    """The victims' secrets exist and are the real ones (the leak test would pass on empty strings)."""
    from django.contrib.auth.tokens import default_token_generator

    from events.models import DelegationMember, Registration
    from kitb_portal.accounts.services import invitation_state

    assert all(len(secret) >= 20 for kind, secret in world.secrets.items() if kind != "passport number"), world.secrets
    assert DelegationMember.objects.filter(passport_number=world.secrets["passport number"]).exists()
    victim = type(world.users[access.ADMINISTRATOR]).objects.get(pk=world.users[access.ADMINISTRATOR].pk)
    assert default_token_generator.check_token(victim, world.reset[1])
    assert invitation_state(world.invitation_token)[0] == "valid"
    assert Registration.objects.filter(token=world.guest_token).exists()
