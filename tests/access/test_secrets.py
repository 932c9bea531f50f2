"""No page a role can reach shows a live secret of another person.

The check runs inside test_url_matrix's walk, on the GET answers it already has (each page rendered
once per role): every page a non-superuser role is let in to is searched for the victims' live
secrets (the administrator's password-reset token, a newcomer's invitation token, a guest's manage
token, a partner's calendar-feed and unsubscribe tokens, a delegation member's passport number). A
secret the role itself holds for the URL it opened (the guest's own manage page) is its own. The
tests here prove the secrets are real and that the walk's check finds one a page shows.
"""
from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from kitb_portal.accounts import access

from .test_url_matrix import ENTRIES, request_as
from .walk import rule_for

pytestmark = pytest.mark.django_db


def test_the_walk_reports_a_page_that_shows_another_persons_secret(world):
    """The partner's own registrations page shows its calendar-feed address: with the feed token
    not the partner's own, the walk's check must report that page, as the partner, naming the secret."""
    entry = next(e for e in ENTRIES if e.name == "events:my_registrations")
    assert not request_as(world, entry, rule_for(entry), access.PARTNER)
    not_theirs = copy.copy(world)
    not_theirs.secret_owner = {kind: roles for kind, roles in world.secret_owner.items() if kind != "calendar feed token"}
    problems = request_as(not_theirs, entry, rule_for(entry), access.PARTNER)
    assert problems == [f"GET {reverse('events:my_registrations')} as {access.PARTNER} shows the calendar feed token, another person's live secret"], problems


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
