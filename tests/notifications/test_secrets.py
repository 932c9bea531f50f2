"""One-time secrets (reset, invitation, guest registration and unsubscribe links) never sit in the
outbox, and the admin never shows the body of a message that may carry one, to anyone."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from kitb_portal.accounts import roles
from kitb_portal.accounts import services as account_services
from kitb_portal.accounts.models import Invitation
from kitb_portal.notifications import kinds
from kitb_portal.notifications.models import OutboxMessage
from kitb_portal.notifications.services import notify
from tests.factories import UserFactory

from .conftest import TEMPLATE

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://\S+")


def stored(row: OutboxMessage) -> str:
    row.refresh_from_db()
    return "\n".join([row.subject, row.body_text, row.body_html, str(row.headers), str(row.secret_refs)])


def links_in(message, fragment: str) -> list[str]:
    return [url.rstrip('".,>') for url in URL.findall(message.body) if fragment in url]


def change_page(client, row) -> str:
    response = client.get(reverse("admin:notifications_outboxmessage_change", args=[row.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def events_officer(kitb):
    user = UserFactory(staff=True, organization=kitb, email="events@kitb.example")
    user.groups.add(Group.objects.get(name=roles.EVENTS_OFFICER))
    return user


def test_a_reset_link_asked_for_someone_else_is_in_nobodys_reach_but_the_recipients(
    client, events_officer, admin_user, django_capture_on_commit_callbacks
):
    """The takeover of the issue: an officer asks a reset for the administrator's address, then reads the outbox."""
    client.force_login(events_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": admin_user.email})
    assert response.status_code == 302
    [sent] = mail.outbox
    [link] = links_in(sent, "/password/reset/")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    row = OutboxMessage.objects.get(kind="password_reset", recipient=admin_user)

    assert token not in stored(row) and link not in stored(row)
    # The e-mailed link is the real one (checked before anyone logs in: a login voids it).
    response = Client().get(link, follow=True)
    assert response.status_code == 200 and "new_password1" in response.content.decode()
    # Not in the admin either, whoever looks (even a superuser, even the recipient).
    client.force_login(admin_user)
    page = change_page(client, row)
    assert token not in page and "/password/reset/M" not in page
    assert "only its recipient may see" in page


def test_a_reset_link_that_went_stale_before_delivery_is_not_sent(client, partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("accounts:password_reset"), {"email": partner_a.email})
    partner_a.set_password("a-new-Password-9876")  # the old link dies with the old password
    partner_a.save()
    for callback in callbacks:
        callback()
    row = OutboxMessage.objects.get(kind="password_reset", recipient=partner_a)
    assert mail.outbox == [] and row.status == OutboxMessage.Status.FAILED
    assert "cannot be made" in row.last_error


def test_an_invitation_link_is_made_at_delivery(client, invite_partner, admin_user):
    invitation = invite_partner()
    [sent] = mail.outbox
    [link] = links_in(sent, "/invitation/")
    assert link.endswith(reverse("accounts:invitation_accept", args=[invitation.token]))
    row = OutboxMessage.objects.get(kind="invitation")
    assert invitation.token not in stored(row)
    assert Invitation.objects.filter(pk=invitation.pk, token_hash=account_services.token_hash(invitation.token)).exists()
    client.force_login(admin_user)
    assert invitation.token not in change_page(client, row)
    client.logout()
    assert client.get(link).status_code == 200


def test_a_replaced_invitation_is_not_sent(invite_partner, technopark, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = account_services.user_invite(
            actor=admin_user, email="late@technopark.example", full_name="Late", organization=technopark, language="en",
        )
    Invitation.objects.filter(pk=first.pk).update(revoked_at=first.created_at)
    for callback in callbacks:
        callback()
    row = OutboxMessage.objects.get(kind="invitation")
    assert mail.outbox == [] and row.status == OutboxMessage.Status.FAILED


def test_a_guest_registration_link_is_made_at_delivery(client, admin_user, django_capture_on_commit_callbacks):
    from events import services as event_services
    from tests.events.factories import EventFactory

    event = EventFactory(published=True, is_public=True, actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        registration = event_services.registration_request_guest(
            event_id=event.pk, name="Guest", email="guest@example.org", organization_name="Guest Co",
        )
    [sent] = mail.outbox
    assert registration.token in sent.body
    row = OutboxMessage.objects.get(to_email="guest@example.org")
    assert registration.token not in stored(row)
    client.force_login(admin_user)
    assert registration.token not in change_page(client, row)


def test_unsubscribe_tokens_are_made_at_delivery(partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="k:unsub", kind="mou_status")
    [sent] = mail.outbox
    [link] = links_in(sent, "/portal/unsubscribe/")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in stored(row)
    assert token in sent.extra_headers["List-Unsubscribe"]


def test_the_admin_hides_the_body_of_every_secret_kind_even_written_before(client, admin_user, partner_a):
    """A row written before links were made at delivery (its body holds the link): never shown."""
    secret = "https://portal.example/accounts/password/reset/MQ/c0ffee-1234567890abcdef/"
    row = OutboxMessage.objects.create(
        key="legacy", kind="password_reset", recipient=partner_a, to_email=partner_a.email, template=TEMPLATE,
        subject="Reset", body_text=f"Open {secret}", body_html=f'<a href="{secret}">x</a>', status="sent",
        sent_at=partner_a.date_joined,
    )
    plain = notify(recipient=partner_a, template=TEMPLATE, context={"title": "Visible title"}, key="k:plain", kind="mou_status")
    client.force_login(admin_user)
    assert "c0ffee-1234567890abcdef" not in change_page(client, row)
    assert "Visible title" in change_page(client, plain)  # other kinds still show their body
    changelist = reverse("admin:notifications_outboxmessage_changelist")
    # No search or URL filter on the bodies either (it would tell the secret away character by character).
    assert client.get(changelist, {"body_text__contains": "c0ffee"}).status_code == 400
    assert client.get(changelist, {"headers__icontains": "unsubscribe"}).status_code == 400
    assert "legacy" not in client.get(changelist, {"q": "c0ffee"}).content.decode()


def test_the_secret_kinds_are_marked_in_one_place():
    assert {"password_reset", "invitation", "event_registration", "event_reminder", "event_change", "event_followup"} <= kinds.SECRET_KINDS
    assert not kinds.carries_secret("mou_status")


@pytest.fixture
def invite_partner(admin_user, technopark, django_capture_on_commit_callbacks):
    def _invite():
        with django_capture_on_commit_callbacks(execute=True):
            return account_services.user_invite(
                actor=admin_user, email="new.partner@technopark.example", full_name="Choi Yu-na",
                organization=technopark, language="ko",
            )

    return _invite
