"""Account emails (allauth) name the portal, in English and in Spanish, and go
over a real SMTP connection."""

import email
from email import policy

import pytest
from django.core import mail
from django.urls import reverse

from tests.listserv.conftest import smtp_settings, smtp_sink  # noqa: F401
from tests.members.test_signup import SIGNUP

pytestmark = pytest.mark.django_db


def test_verification_email_names_the_portal(client):
    client.post(reverse("account_signup"), SIGNUP)
    message = mail.outbox[0]
    assert message.subject.startswith("[LMSA] ")
    assert "Hello from LMSA Member Portal!" in message.body
    assert "Thank you for using LMSA Member Portal!" in message.body
    assert "from !" not in message.body and " on ." not in message.body


def test_password_reset_email_names_the_portal_in_spanish(client, active_member):
    active_member.preferred_language = "es"
    active_member.save()
    client.post(reverse("account_reset_password"), {"email": active_member.email})
    message = mail.outbox[-1]
    assert message.subject.startswith("[LMSA] ")
    assert "LMSA Member Portal" in message.body
    assert "¡Hola" in message.body or "Hola" in message.body
    assert "de !" not in message.body


def test_verification_email_over_smtp_names_the_portal(client, smtp_settings):  # noqa: F811
    client.post(reverse("account_signup"), SIGNUP)
    assert len(smtp_settings.messages) == 1
    _sender, recipients, raw = smtp_settings.messages[0]
    assert recipients == [SIGNUP["email"]]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"].startswith("[LMSA] ")
    body = parsed.get_body(preferencelist=("plain",)).get_content()
    assert "Hello from LMSA Member Portal!" in body
