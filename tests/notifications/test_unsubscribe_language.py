"""The unsubscribe answers (the page and the one-click endpoint) are in the language the person reads
their e-mail in, not the mail client's or the browser's."""

import pytest
from django.test import Client
from django.urls import reverse

from kitb_portal.notifications import tokens
from kitb_portal.notifications.models import NotificationPreference


@pytest.mark.parametrize(
    ("preferred", "email_language", "answer"),
    [("ko", "", "수신 거부되었습니다."), ("en", "id", "Anda telah berhenti berlangganan."), ("en", "", "Unsubscribed.")],
)
@pytest.mark.django_db
def test_one_click_answer_is_in_the_recipients_language(partner_a, preferred, email_language, answer):
    partner_a.preferred_language = preferred
    partner_a.save(update_fields=["preferred_language"])
    if email_language:
        NotificationPreference.objects.create(user=partner_a, email_language=email_language)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en-US")
    response = client.post(tokens.one_click_url(partner_a.pk, "digest"), data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.content.decode().strip() == answer
    assert response["Content-Language"] == (email_language or preferred)


@pytest.mark.django_db
def test_one_click_refusal_of_a_mandatory_kind_is_in_the_recipients_language(partner_a):
    partner_a.preferred_language = "id"
    partner_a.save(update_fields=["preferred_language"])
    url = reverse("portal:unsubscribe_one_click", args=[tokens.make_token(partner_a.pk, "password_reset")])
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(url)
    assert response.status_code == 400
    assert "These messages" not in response.content.decode()
    assert response["Content-Language"] == "id"


@pytest.mark.django_db
def test_unsubscribe_page_is_in_the_recipients_language(partner_a):
    partner_a.preferred_language = "ko"
    partner_a.save(update_fields=["preferred_language"])
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("portal:unsubscribe", args=[tokens.make_token(partner_a.pk, "digest")]))
    assert response.status_code == 200
    assert '<html lang="ko"' in response.content.decode()
