"""Listserv fixtures: no pacing in tests, a real SMTP sink."""

import socket
import threading

import pytest

from tests.listserv.backends import FlakyBackend


@pytest.fixture(autouse=True)
def _listserv_settings(settings):
    settings.LISTSERV_RATE_PER_SECOND = 0
    settings.LISTSERV_RETRY_DELAY_SECONDS = 0
    settings.LISTSERV_BATCH_SIZE = 10
    FlakyBackend.failing = {}
    FlakyBackend.connections_opened = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SinkHandler:
    """aiosmtpd handler keeping every accepted message; ``on_mail`` runs before
    a MAIL FROM is accepted (used to kill a worker between two messages), and
    ``on_data`` after a message was stored but before the client hears "250"
    (used to kill a worker between the server's accept and its UPDATE)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.on_mail = None
        self.on_data = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.on_mail is not None:
            self.on_mail(len(self.messages))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                (envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        if self.on_data is not None:
            self.on_data(len(self.messages))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink():
    """A real SMTP server on 127.0.0.1 (aiosmtpd); yields (handler, port)."""
    from aiosmtpd.controller import Controller

    handler = SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Point Django's mail at the sink."""
    handler, port = smtp_sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    return handler
