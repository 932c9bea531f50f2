"""A real SMTP server (aiosmtpd) on loopback that collects what it accepts and refuses on request,
and the ``smtp_server`` fixture that points Django's e-mail settings at it."""

from __future__ import annotations

import email
import logging
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

import pytest

from .ports import free_port
from .waiting import wait_until


@dataclass
class ReceivedMail:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def content_types(self) -> list[str]:
        return [part.get_content_type() for part in self.message.walk()]

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    @property
    def attachments(self) -> list[tuple[str, bytes]]:
        return [(p.get_filename(), p.get_payload(decode=True)) for p in self.message.iter_attachments()]


class _Handler:
    """aiosmtpd handler: records accepted messages, refuses the next N on request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[ReceivedMail] = []
        self.refusals: list[tuple[str, int, str]] = []  # (stage, code, text), oldest first
        self.refused = 0
        self.data_commands = 0

    def _take_refusal(self, stage: str):
        with self.lock:
            if self.refusals and self.refusals[0][0] == stage:
                self.refused += 1
                return self.refusals.pop(0)
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self._take_refusal("rcpt")
        if refusal:
            return f"{refusal[1]} {refusal[2]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
        refusal = self._take_refusal("data")
        if refusal:
            return f"{refusal[1]} {refusal[2]}"
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        parsed = email.message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), raw, parsed))
        return "250 Message accepted for delivery"


class SMTPServer:
    """A real SMTP server (aiosmtpd) on loopback. See the package docstring (tests/live/__init__.py)."""

    host = "127.0.0.1"

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = _Handler()
        self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SMTPServer:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            controller = Controller(self.handler, hostname=self.host, port=self.port, ready_timeout=10)
            for _ in range(50):  # the port may linger for a moment after stop()
                try:
                    controller.start()
                    break
                except OSError:
                    time.sleep(0.1)
                    controller = Controller(self.handler, hostname=self.host, port=self.port, ready_timeout=10)
            else:
                raise RuntimeError(f"could not start the SMTP server on port {self.port}")
            self._controller = controller
        return self

    def stop(self) -> None:
        """Take the server down: connections are refused until :meth:`start`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, count: int = 1, code: int = 451, text: str | None = None, stage: str = "data") -> None:
        """Refuse the next ``count`` messages with ``code`` (4xx temporary, 5xx permanent)."""
        assert stage in ("data", "rcpt")
        text = text or ("4.3.0 Try again later" if code < 500 else "5.7.1 Message rejected")
        with self.handler.lock:
            self.handler.refusals.extend([(stage, code, text)] * count)

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def refused(self) -> int:
        """How many messages (or recipients) were refused on request so far."""
        with self.handler.lock:
            return self.handler.refused

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()

    def wait_for(self, count: int, *, timeout: float = 30.0, context=None) -> list[ReceivedMail]:
        """Wait until at least ``count`` messages arrived; return all of them."""
        def arrived():
            messages = self.messages
            return messages if len(messages) >= count else None

        def describe():
            text = f"have {len(self.messages)} message(s), refused {self.refused}"
            return text + (f"\n{context()}" if context else "")

        return wait_until(arrived, timeout=timeout, message=f"{count} e-mail(s) at the SMTP server", context=describe)

    def by_recipient(self) -> dict[str, list[ReceivedMail]]:
        out: dict[str, list[ReceivedMail]] = {}
        for mail in self.messages:
            for rcpt in mail.rcpt_tos:
                out.setdefault(rcpt.lower(), []).append(mail)
        return out


@pytest.fixture
def smtp_server(settings):
    """A running aiosmtpd on loopback; Django's e-mail settings point at it for this test."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection at INFO
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()
