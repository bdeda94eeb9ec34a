"""Emails go out in the recipient's language, whatever language staff work in."""

import datetime
from http import HTTPStatus

from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from members.factories import make_member
from members.services import membership_approve
from mentors.models import Mentor
from mentors.services import mentor_approve
from tests.mentors.test_signup import signup_data


def spanish(msgid: str) -> str:
    with translation.override("es"):
        text = gettext(msgid)
    assert text != msgid, f"no Spanish for {msgid!r} in the catalog"
    return text


def test_membership_approval_reaches_a_spanish_speaker_in_spanish(db):
    member = make_member(state="pending", preferred_language="es")
    staff = make_member(state="staff")
    with translation.override("en"):  # staff approve from an English admin
        membership_approve(
            membership=member.membership,
            by=staff,
            expires_on=datetime.date(2027, 6, 30),
        )

    (message,) = mail.outbox
    assert message.to == [member.email]
    assert spanish("Your LMSA membership is approved") in message.subject
    assert (
        spanish(
            "Your LMSA membership has been approved. You can now browse the "
            "National Mentor Registry and the URM Residency Hub."
        )
        in message.body
    )
    assert spanish("The LMSA team") in message.body
    # The date is written the Spanish way too.
    assert "30 de junio de 2027" in message.body
    assert "June" not in message.body


def test_english_speaker_still_gets_english(db):
    member = make_member(state="pending", preferred_language="en")
    with translation.override("es"):
        membership_approve(membership=member.membership)
    (message,) = mail.outbox
    assert "Your LMSA membership is approved" in message.subject


def test_spanish_speaking_physician_gets_receipt_and_approval_in_spanish(client, db):
    """The sign-up form filled in Spanish: every later email is in Spanish."""
    response = client.post(
        reverse("mentors:join"), signup_data(), HTTP_ACCEPT_LANGUAGE="es-PR,es;q=0.9"
    )
    assert response.status_code == HTTPStatus.FOUND
    mentor = Mentor.objects.get()
    assert mentor.language == "es"

    receipt, staff_notice = mail.outbox
    assert receipt.to == [mentor.email]
    assert spanish("We received your mentor sign-up") in receipt.subject
    assert (
        spanish(
            "Thank you for volunteering to mentor with the LMSA National Mentor "
            "Registry. We received your sign-up."
        )
        in receipt.body
    )
    assert "/mentors/manage/" in receipt.body
    # Staff read their notice in the portal's language.
    assert "Thank you for volunteering" not in staff_notice.body

    mail.outbox.clear()
    with translation.override("en"):
        mentor_approve(mentor=mentor, by=make_member(state="staff"))
    (approval,) = mail.outbox
    assert approval.to == [mentor.email]
    assert spanish("Your mentor listing is live") in approval.subject
