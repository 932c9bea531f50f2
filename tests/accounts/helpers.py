"""Helpers of the accounts tests."""
import re

from django.core import mail

from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "Chungbuk-Batang-2026!"


def link_in(message) -> str:
    """The first portal link in a delivered e-mail's plain text, as a path."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def last_mail_to(address: str):
    matching = [m for m in mail.outbox if address in m.to]
    assert matching, f"no e-mail to {address}; outbox: {[m.to for m in mail.outbox]}"
    return matching[-1]


def html_part(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def log_in(client, email: str, password: str = DEFAULT_PASSWORD, **extra):
    """Log in through the login form (django-axes needs the request, so no client.login())."""
    from django.urls import reverse

    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **extra)
