"""The public page: guests register without an account; the place counts only after the e-mailed
confirmation; unconfirmed places lapse after 24 hours; honeypot and rate limits; cancel link."""
import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Registration

from .factories import EventFactory


@pytest.fixture
def public_event(db, staff_user):
    return EventFactory(published=True, is_public=True, capacity=1, actor=staff_user, title_en="Open MSME seminar",
                        title_id="Seminar UMKM terbuka", title_ko="공개 중소기업 세미나")


def _form(email="guest@umkm.example", **extra):
    return {"name": "Siti Rahma", "email": email, "organization_name": "Batik Rahma", "country": "ID", "website": "", **extra}


def _link(message, name):
    match = re.search(r"https?://\S+/events/r/([\w-]+)/" + name, message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_public_page_needs_no_login_and_speaks_three_languages(client, public_event):
    url = reverse("events_public:event_detail", args=[public_event.slug])
    assert url == f"/events/{public_event.slug}/"
    for language, title in (("en", "Open MSME seminar"), ("id", "Seminar UMKM terbuka"), ("ko", "공개 중소기업 세미나")):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        page = response.content.decode()
        assert title in page and f'lang="{language}"' in page
        assert "WIB" in page and "KST" in page


@pytest.mark.django_db
def test_non_public_or_draft_events_have_no_public_page(client, event, staff_user):
    assert client.get(f"/events/{event.slug}/").status_code == 404
    draft = EventFactory(is_public=True, actor=staff_user)
    assert client.get(f"/events/{draft.slug}/").status_code == 404


@pytest.mark.django_db
def test_guest_place_counts_only_after_confirmation(client, public_event, partner_a, django_capture_on_commit_callbacks):
    url = reverse("events_public:event_detail", args=[public_event.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form(), HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    guest = Registration.objects.get(event=public_event, email="guest@umkm.example")
    assert guest.status == "pending" and guest.language == "id" and guest.user_id is None
    assert len(mail.outbox) == 1
    token = _link(mail.outbox[0], "confirm/")

    # Not confirmed yet: the only place is still free, a partner takes it.
    first = services.registration_create(event_id=public_event.pk, user=partner_a)
    assert first.status == "confirmed"

    # The e-mailed link: GET shows a button, POST confirms; the event is now full so: waitlist.
    assert client.get(f"/events/r/{token}/confirm/").status_code == 200
    guest.refresh_from_db()
    assert guest.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/r/{token}/confirm/", follow=True)
    guest.refresh_from_db()
    assert guest.status == "waitlisted"
    assert "waitlist" in response.content.decode()


@pytest.mark.django_db
def test_confirmed_guest_gets_code_ics_and_can_cancel_from_the_link(client, public_event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events_public:event_detail", args=[public_event.slug]), _form())
    token = _link(mail.outbox[0], "confirm/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/r/{token}/confirm/")
    guest = Registration.objects.get(token=token)
    assert guest.status == "confirmed"
    confirmation = mail.outbox[0]
    assert guest.check_in_code in confirmation.body
    assert f"/events/r/{token}/" in confirmation.body  # the cancellation link
    assert "WIB" in confirmation.body and "KST" in confirmation.body
    page = client.get(f"/events/r/{token}/").content.decode()
    assert guest.check_in_code in page
    assert client.get(f"/events/r/{token}/qr.svg").status_code == 200
    assert client.get(f"/events/r/{token}/event.ics").status_code == 200
    client.post(f"/events/r/{token}/cancel/")
    guest.refresh_from_db()
    assert guest.status == "cancelled"
    # Following the confirmation link again does not bring it back.
    client.post(f"/events/r/{token}/confirm/")
    guest.refresh_from_db()
    assert guest.status == "cancelled"


@pytest.mark.django_db
def test_unconfirmed_place_lapses_after_24_hours(client, public_event):
    guest = services.registration_request_guest(
        event_id=public_event.pk, name="Late Guest", email="late@example.com", organization_name="UMKM"
    )
    assert services.registration_expire_lapsed(now=timezone.now() + dt.timedelta(hours=23)) == 0
    guest.refresh_from_db()
    assert guest.status == "pending"
    assert services.registration_expire_lapsed(now=timezone.now() + dt.timedelta(hours=24, minutes=1)) == 1
    guest.refresh_from_db()
    assert guest.status == "expired"
    assert guest.history.first().history_change_reason.startswith("lapsed")
    response = client.post(f"/events/r/{guest.token}/confirm/", follow=True)
    assert "lapsed" in response.content.decode()
    guest.refresh_from_db()
    assert guest.status == "expired"
    # The address is free again.
    again = services.registration_request_guest(
        event_id=public_event.pk, name="Late Guest", email="late@example.com", organization_name="UMKM"
    )
    assert again.pk != guest.pk and again.status == "pending"


@pytest.mark.django_db
def test_confirming_after_24_hours_without_the_sweep_also_lapses(public_event):
    guest = services.registration_request_guest(
        event_id=public_event.pk, name="Slow", email="slow@example.com", organization_name="UMKM"
    )
    Registration.objects.filter(pk=guest.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.registration_confirm_guest(token=guest.token)
    guest.refresh_from_db()
    assert guest.status == "expired"


@pytest.mark.django_db
def test_honeypot_creates_nothing_but_looks_the_same(client, public_event, own_redis_cache):
    response = client.post(reverse("events_public:event_detail", args=[public_event.slug]), _form(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert not Registration.objects.filter(event=public_event).exists()
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_the_per_email_limit_cannot_lock_a_stranger_out(client, public_event, own_redis_cache, settings):
    """Requests typed with someone else's address (from many addresses) never lock that person out:
    only registrations confirmed through the e-mailed link count for an address."""
    url = reverse("events_public:event_detail", args=[public_event.slug])
    limit = settings.EVENTS_GUEST_LIMIT_PER_EMAIL
    for i in range(limit + 3):
        assert client.post(url, _form(email="victim@example.com"), REMOTE_ADDR=f"10.0.1.{i}").status_code == 302
    # The victim, from their own address, is still answered "check your e-mail", not refused.
    response = client.post(url, _form(email="Victim@example.com"), REMOTE_ADDR="10.0.2.1")
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert Registration.objects.filter(event=public_event, email="victim@example.com", status="pending").count() == 1


@pytest.mark.django_db
def test_the_per_email_limit_counts_confirmed_registrations(client, staff_user, own_redis_cache, settings):
    settings.EVENTS_GUEST_LIMIT_PER_EMAIL = 2
    events = [EventFactory(published=True, is_public=True, capacity=5, actor=staff_user) for _ in range(3)]
    for i, event in enumerate(events[:2]):
        url = reverse("events_public:event_detail", args=[event.slug])
        assert client.post(url, _form(email="busy@example.com"), REMOTE_ADDR=f"10.0.3.{i}").status_code == 302
        token = Registration.objects.get(event=event, email="busy@example.com").token
        client.post(reverse("events_public:registration_confirm", args=[token]))
        assert Registration.objects.get(token=token).status == "confirmed"
    response = client.post(reverse("events_public:event_detail", args=[events[2].slug]), _form(email="busy@example.com"),
                           REMOTE_ADDR="10.0.3.9")
    assert response.status_code == 429 and "Too many" in response.content.decode()
    assert not Registration.objects.filter(event=events[2]).exists()


@pytest.mark.django_db
def test_the_limit_counts_the_client_address_the_login_lockout_sees(client, public_event, own_redis_cache, settings):
    """Behind two proxies of ours, the client is the second entry from the right of X-Forwarded-For
    (kitb_portal.accounts.security.client_ip, as for django-axes), whatever the client put further left."""
    from django.test import RequestFactory

    from kitb_portal.accounts.security import client_ip

    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 2
    settings.EVENTS_GUEST_LIMIT_PER_IP = 2
    url = reverse("events_public:event_detail", args=[public_event.slug])

    def post(i, forwarded):
        return client.post(url, _form(email=f"x{i}@example.com"), REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.1.1.1, 10.0.0.1")) == "1.1.1.1"
    assert post(1, "6.6.6.6, 1.1.1.1, 10.0.0.1").status_code == 302
    assert post(2, "7.7.7.7, 1.1.1.1, 10.0.0.1").status_code == 302
    assert post(3, "8.8.8.8, 1.1.1.1, 10.0.0.1").status_code == 429  # a forged left entry changes nothing
    assert post(4, "2.2.2.2, 10.0.0.1").status_code == 302  # another client behind the same proxies


@pytest.mark.django_db
def test_ipv6_clients_are_limited_per_64_network(client, public_event, own_redis_cache, settings):
    settings.EVENTS_GUEST_LIMIT_PER_IP = 2
    url = reverse("events_public:event_detail", args=[public_event.slug])
    assert client.post(url, _form(email="v1@example.com"), REMOTE_ADDR="2001:db8:1:2::1").status_code == 302
    assert client.post(url, _form(email="v2@example.com"), REMOTE_ADDR="2001:db8:1:2:aaaa::2").status_code == 302
    assert client.post(url, _form(email="v3@example.com"), REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:ffff").status_code == 429
    assert client.post(url, _form(email="v4@example.com"), REMOTE_ADDR="2001:db8:1:3::1").status_code == 302  # next /64


@pytest.mark.django_db
def test_rate_limit_per_ip_address(client, public_event, own_redis_cache):
    url = reverse("events_public:event_detail", args=[public_event.slug])
    for i in range(10):
        assert client.post(url, _form(email=f"p{i}@example.com"), REMOTE_ADDR="10.0.0.9").status_code == 302
    assert client.post(url, _form(email="p99@example.com"), REMOTE_ADDR="10.0.0.9").status_code == 429
    assert Registration.objects.filter(event=public_event).count() == 10
    assert client.post(url, _form(email="p99@example.com"), REMOTE_ADDR="10.0.0.10").status_code == 302
    from django.core.cache import caches

    assert caches["default"].__class__.__name__ == "RedisCache"


@pytest.mark.django_db
def test_bad_input_gets_a_form_error(client, public_event):
    response = client.post(reverse("events_public:event_detail", args=[public_event.slug]), _form(email="not-an-address"))
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


@pytest.mark.django_db
def test_second_request_for_the_same_address_resends_the_link_not_a_second_place(client, public_event, django_capture_on_commit_callbacks):
    url = reverse("events_public:event_detail", args=[public_event.slug])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form(email="GUEST@umkm.example"))
    assert response.status_code == 302
    assert Registration.objects.filter(event=public_event).count() == 1
    assert len(mail.outbox) == 2 and "already registered" in mail.outbox[1].body


@pytest.mark.django_db
def test_wrong_token_is_404(client):
    for path in ("/events/r/nope/", "/events/r/nope/confirm/", "/events/r/nope/qr.svg", "/events/r/nope/feedback/"):
        assert client.get(path).status_code == 404
    assert client.post("/events/r/nope/cancel/").status_code == 404


@pytest.mark.django_db
def test_public_list(client, public_event, event):
    page = client.get("/events/").content.decode()
    assert public_event.title_en in page and event.title_en not in page


@pytest.mark.django_db
def test_a_guest_gives_feedback_from_the_link_after_the_event(client, public_event, staff_user):
    guest = services.registration_request_guest(
        event_id=public_event.pk, name="Siti Rahma", email="siti@umkm.example", organization_name="Batik Rahma"
    )
    services.registration_confirm_guest(token=guest.token)
    url = f"/events/r/{guest.token}/feedback/"
    assert client.get(url).status_code == 404  # not attended, not over
    services.registration_check_in(registration_id=guest.pk, actor=staff_user)
    type(public_event).objects.filter(pk=public_event.pk).update(
        start=timezone.now() - dt.timedelta(hours=4), end=timezone.now() - dt.timedelta(hours=1), registration_closes=None
    )
    page = client.get(url)
    assert page.status_code == 200 and "Open MSME seminar" in page.content.decode()
    assert 'href="/portal/' not in page.content.decode()  # the public layout, not the portal's
    response = client.post(url, {"rating": "9"})
    assert response.status_code == 200 and "rating" in response.context["form"].errors
    response = client.post(url, {"rating": "5", "comment": "Useful for our batik export"})
    assert response.status_code == 302 and response["Location"] == f"/events/r/{guest.token}/"
    guest.refresh_from_db()
    assert guest.feedback.rating == 5 and guest.feedback.comment == "Useful for our batik export"
    assert client.get(url).context["form"].initial == {"rating": 5, "comment": "Useful for our batik export"}
