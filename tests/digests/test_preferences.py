"""Preferences: kinds switched off, mandatory messages, e-mail language, unsubscribe links, the pages."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from kitb_portal.notifications import services, tokens
from kitb_portal.notifications.models import DigestFrequency, NotificationPreference, OutboxMessage
from kitb_portal.notifications.services import notify
from tests.factories import UserFactory

TEMPLATE = "notifications/email/test_message"


def mute(user, *codes, **fields):
    return NotificationPreference.objects.update_or_create(user=user, defaults={"muted_kinds": list(codes), **fields})[0]


# --- notify() ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_switched_off_kind_is_not_written_unless_mandatory(partner_a):
    mute(partner_a, "event_reminder")

    assert notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="k:1", kind="event_reminder") is None
    assert not OutboxMessage.objects.filter(key="k:1").exists()
    # another kind still goes out, and a mandatory message of the muted kind too
    assert notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="k:2", kind="event_registration")
    forced = notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="k:3", kind="event_reminder",
                    mandatory=True, mandatory_reason="You organise this event.")
    assert forced is not None
    assert "You organise this event." in forced.body_text and "You organise this event." in forced.body_html
    assert "unsubscribe" not in forced.body_text.lower() and "List-Unsubscribe" not in forced.headers


@pytest.mark.django_db
def test_an_optional_message_has_the_unsubscribe_link_and_rfc8058_headers(partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="k:u", kind="mou_status")
    [sent] = mail.outbox
    html = sent.alternatives[0][0]

    link = next(line for line in sent.body.splitlines() if "/portal/unsubscribe/" in line).split()[-1]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert tokens.read_token(token) == (partner_a.pk, "mou_status")
    assert f'href="{link}"' in html
    assert sent.extra_headers["List-Unsubscribe"] == f"<{link}one-click/>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The token is made at delivery: the outbox row holds none (kitb_portal/notifications/secrets.py).
    message.refresh_from_db()
    assert token not in message.body_text + message.body_html + str(message.headers)


@pytest.mark.django_db
def test_account_messages_cannot_be_switched_off_and_say_why(partner_a, django_capture_on_commit_callbacks):
    mute(partner_a, "password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="k:pw", kind="password_reset")
    assert message is not None
    [sent] = mail.outbox
    assert "cannot be switched off" in sent.body
    assert "List-Unsubscribe" not in sent.extra_headers


@pytest.mark.django_db
def test_the_email_language_preference_wins_over_the_portal_language(partner_a):
    NotificationPreference.objects.create(user=partner_a, email_language="ko")

    message = notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="k:ko")

    assert message.language == "ko" and message.subject.startswith("테스트 메시지")
    # a guest's explicit language is kept
    guest = notify(email="guest@example.org", language="id", template=TEMPLATE, context={"title": "x"}, key="k:guest")
    assert guest.language == "id" and "unsubscribe" not in guest.body_text.lower()


@pytest.mark.django_db
def test_the_mou_owner_always_gets_the_expiry_reminder_partner_contacts_may_opt_out(kitb, technopark, province, partner_a):
    from partnerships.reminders import reminders_sweep
    from tests.partnerships.factories import mou_with_parties

    owner = UserFactory(staff=True, organization=kitb, email="owner@kitb.example")
    mou = mou_with_parties(kitb, technopark, owner=owner, status="active", signed_date=dt.date(2025, 1, 1),
                           effective_date=dt.date(2025, 1, 1), expiry_date=dt.date(2027, 3, 31))
    mute(owner, "mou_expiry")
    mute(partner_a, "mou_expiry")
    colleague = UserFactory(organization=technopark, email="colleague@technopark.example")

    summary = reminders_sweep(today=mou.expiry_date - dt.timedelta(days=30))

    rows = {m.recipient_id: m for m in OutboxMessage.objects.filter(kind="mou_expiry")}
    assert set(rows) == {owner.pk, colleague.pk} and summary["expiry_reminders"] == 2
    assert "You own this MoU" in rows[owner.pk].body_text and "List-Unsubscribe" not in rows[owner.pk].headers
    assert "List-Unsubscribe" in rows[colleague.pk].headers


# --- unsubscribe links ------------------------------------------------------------------------


@pytest.mark.django_db
def test_unsubscribe_page_asks_first_then_switches_the_kind_off(partner_a):
    client = Client()
    url = tokens.unsubscribe_url(partner_a.pk, "event_reminder")

    page = client.get(url)
    assert page.status_code == 200 and b"Event reminders" in page.content and b"<form method=\"post\">" in page.content
    assert not NotificationPreference.objects.filter(user=partner_a).exists()  # GET changes nothing (link scanners)

    done = client.post(url)
    assert done.status_code == 200 and b"Done" in done.content
    assert NotificationPreference.objects.get(user=partner_a).muted_kinds == ["event_reminder"]
    assert notify(recipient=partner_a, template=TEMPLATE, context={"title": "x"}, key="k:after", kind="event_reminder") is None


@pytest.mark.django_db
def test_one_click_post_works_without_login_or_csrf_token(partner_a):
    client = Client(enforce_csrf_checks=True)
    url = tokens.one_click_url(partner_a.pk, "digest")

    response = client.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=partner_a).digest_frequency == DigestFrequency.OFF
    assert client.get(url).status_code == 405  # only POST


@pytest.mark.django_db
def test_forged_tokens_and_mandatory_kinds_are_refused(partner_a):
    client = Client(enforce_csrf_checks=True)
    token = tokens.make_token(partner_a.pk, "mou_status")
    forged = token.replace("mou_status", "x")[:-2] + "zz"
    other_user = tokens.make_token(partner_a.pk + 999, "mou_status")

    assert client.get(reverse("portal:unsubscribe", args=[forged])).status_code == 404
    assert client.post(reverse("portal:unsubscribe_one_click", args=[forged])).status_code == 404
    assert client.post(reverse("portal:unsubscribe_one_click", args=[other_user])).status_code == 404
    assert client.post(reverse("portal:unsubscribe_one_click", args=[tokens.make_token(partner_a.pk, "password_reset")])).status_code == 400
    assert not NotificationPreference.objects.exists()


# --- the preferences pages --------------------------------------------------------------------


@pytest.mark.django_db
def test_portal_preferences_page_saves_the_partners_choices(client_a, partner_a):
    url = reverse("portal:notification_preferences")
    page = client_a.get(url)
    assert page.status_code == 200
    assert b"Event reminders" in page.content and b"Review assignments" not in page.content  # staff-only kind hidden

    response = client_a.post(url, {"email_language": "ko", "digest_frequency": "daily",
                                   "received_kinds": ["mou_status", "event_registration"]})

    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=partner_a)
    assert pref.email_language == "ko" and pref.digest_frequency == "daily"
    assert "event_reminder" in pref.muted_kinds and "mou_status" not in pref.muted_kinds
    assert pref.history.count() == 1


@pytest.mark.django_db
def test_bad_preferences_input_gives_a_form_error(client_a, partner_a):
    response = client_a.post(reverse("portal:notification_preferences"),
                             {"email_language": "fr", "digest_frequency": "hourly", "received_kinds": ["review_assigned"]})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"email_language", "digest_frequency", "received_kinds"}
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_preferences_need_a_login_and_staff_go_to_their_admin_page(client, staff_user):
    url = reverse("portal:notification_preferences")
    assert client.get(url).status_code == 302 and "login" in client.get(url)["Location"]
    client.force_login(staff_user)
    assert client.get(url)["Location"] == reverse("admin:notifications_notificationpreference_mine")


@pytest.mark.django_db
def test_staff_without_any_permission_edit_their_own_preferences_in_the_admin(client, kitb):
    reviewer = UserFactory(staff=True, organization=kitb, email="plain-staff@kitb.example")
    client.force_login(reviewer)
    url = reverse("admin:notifications_notificationpreference_mine")

    page = client.get(url)
    assert page.status_code == 200 and b"Review assignments" in page.content

    response = client.post(url, {"email_language": "", "digest_frequency": "off", "received_kinds": ["review_assigned"]})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=reviewer)
    assert pref.digest_frequency == "off" and "application_overdue" in pref.muted_kinds and "review_assigned" not in pref.muted_kinds
    # the changelist of everyone's preferences stays closed to them
    assert client.get(reverse("admin:notifications_notificationpreference_changelist")).status_code == 403


@pytest.mark.django_db
def test_nobody_changes_someone_elses_preferences(partner_a, partner_b, admin_user):
    with pytest.raises(PermissionDenied):
        services.preference_update(actor=partner_b, user=partner_a, email_language="", digest_frequency="off", received_kinds=[])
    services.preference_update(actor=admin_user, user=partner_a, email_language="", digest_frequency="off", received_kinds=[])
    assert NotificationPreference.objects.get(user=partner_a).digest_frequency == "off"


@pytest.mark.django_db
def test_admin_changelist_of_preferences_has_bounded_queries(staff_client, technopark):
    from tests.utils import assert_flat_queries, count_queries

    url = reverse("admin:notifications_notificationpreference_changelist")
    for _i in range(3):
        mute(UserFactory(organization=technopark), "mou_status")
    small = count_queries(staff_client.get, url)
    for _i in range(20):
        mute(UserFactory(organization=technopark), "mou_status")
    large = count_queries(staff_client.get, url)
    assert small[2].status_code == large[2].status_code == 200
    assert_flat_queries(small, large)


@pytest.mark.django_db
def test_an_administrator_sees_and_changes_anyones_preferences_in_the_admin(staff_client, partner_a):
    pref = NotificationPreference.objects.create(user=partner_a, digest_frequency="daily", muted_kinds=["mou_note"])
    changelist = staff_client.get(reverse("admin:notifications_notificationpreference_changelist"))
    assert changelist.status_code == 200 and partner_a.email.encode() in changelist.content
    url = reverse("admin:notifications_notificationpreference_change", args=[pref.pk])
    response = staff_client.post(url, {"user": partner_a.pk, "email_language": "id", "digest_frequency": "weekly",
                                       "muted_kinds": "mou_note,event_reminder"})
    assert response.status_code == 302
    pref.refresh_from_db()
    assert pref.digest_frequency == "weekly" and pref.muted_kinds == ["mou_note", "event_reminder"]
