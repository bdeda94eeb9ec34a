"""allauth's emails are written in the recipient's language, not the browser's."""

from http import HTTPStatus

from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from members.factories import make_member


def subject_in(language: str) -> str:
    with translation.override(language):
        return render_to_string("account/email/password_reset_key_subject.txt").strip()


def body_phrase_in(language: str) -> str:
    msgid = (  # allauth's password_reset_key_message.txt, one blocktrans
        "You're receiving this email because you or someone else has requested "
        "a password reset for your user account.\nIt can be safely ignored if you "
        "did not request a password reset. Click the link below to reset your "
        "password."
    )
    with translation.override(language):
        return gettext(msgid)


def ask_for_reset(client, email: str, accept_language: str):
    response = client.post(
        reverse("account_reset_password"),
        {"email": email},
        HTTP_ACCEPT_LANGUAGE=accept_language,
    )
    assert response.status_code == HTTPStatus.FOUND
    (message,) = mail.outbox
    return message


def test_spanish_speaker_gets_spanish_reset_email_from_english_browser(client, db):
    assert subject_in("es") != subject_in("en")
    assert body_phrase_in("es") != body_phrase_in("en")
    user = make_member(state="active", preferred_language="es")
    # The address typed in another case still finds the account's language.
    message = ask_for_reset(client, user.email.upper(), "en")
    assert subject_in("es") in message.subject
    assert subject_in("en") not in message.subject
    assert body_phrase_in("es") in message.body
    assert body_phrase_in("en") not in message.body


def test_no_preference_follows_the_request_language(client, db):
    user = make_member(state="active", preferred_language="")
    message = ask_for_reset(client, user.email, "es")
    assert subject_in("es") in message.subject
    assert body_phrase_in("es") in message.body


def test_no_preference_english_request_gets_english(client, db):
    user = make_member(state="active", preferred_language="")
    message = ask_for_reset(client, user.email, "en")
    assert subject_in("en") in message.subject
    assert body_phrase_in("en") in message.body
