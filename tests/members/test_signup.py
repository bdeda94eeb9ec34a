"""Sign-up → verification email → login, and the membership it creates."""

import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains

from members.access import MemberState, member_state
from members.factories import DEFAULT_PASSWORD
from members.models import Membership, User

SIGNUP = {
    "first_name": "Lucía",
    "last_name": "Hernández",
    "email": "lucia@example.org",
    "password1": "Mentor-Me-2026!",
    "password2": "Mentor-Me-2026!",
    "member_type": "medical_student",
    "institution": "UCSF School of Medicine",
    "graduation_year": "2028",
    "region": "west",
}


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", message.body)
    assert match, message.body
    return match.group(0).replace("http://testserver", "")


def test_signup_creates_pending_membership_and_sends_verification(client, db):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="lucia@example.org")
    membership = user.membership
    assert membership.status == Membership.Status.PENDING
    assert membership.member_type == "medical_student"
    assert membership.institution == "UCSF School of Medicine"
    assert membership.graduation_year == 2028
    assert membership.region == "west"
    assert user.first_name == "Lucía"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lucia@example.org"]
    assert member_state(user) == MemberState.UNVERIFIED


def test_verification_link_then_login_shows_waiting_for_approval(client, db):
    client.post(reverse("account_signup"), SIGNUP)
    link = confirmation_link(mail.outbox[0])
    client.logout()
    response = client.get(link)
    assert response.status_code == HTTPStatus.OK
    response = client.post(link)
    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="lucia@example.org")
    assert member_state(user) == MemberState.PENDING
    response = client.post(
        reverse("account_login"),
        {"login": "lucia@example.org", "password": SIGNUP["password1"]},
    )
    assert response.status_code == HTTPStatus.FOUND
    response = client.get(reverse("members:me"))
    assertContains(response, "Waiting for approval")


def test_unverified_user_cannot_log_in(client, db):
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "lucia@example.org", "password": SIGNUP["password1"]},
    )
    # allauth sends a fresh verification mail instead of logging in.
    assert response.status_code == HTTPStatus.FOUND
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_rejected_signup_keeps_what_was_typed(client, db):
    data = {**SIGNUP, "graduation_year": "", "password2": "different"}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "tell us your graduation year")
    assertContains(response, 'value="UCSF School of Medicine"')
    assertContains(response, 'value="Lucía"')
    assert not User.objects.filter(email="lucia@example.org").exists()


def test_a_form_sent_back_for_another_field_keeps_the_passwords(client, db):
    # Seen: a failed submit wiped both password boxes whatever the mistake was.
    response = client.post(reverse("account_signup"), {**SIGNUP, "region": ""})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert html.count('value="Mentor-Me-2026!"') == 2  # password1 and password2
    assert "no-store" in response["Cache-Control"]
    # The error summary at the top links to the field.
    assert re.search(
        r'class="alert alert-danger error-summary".*href="#id_region"', html, re.S
    )


def test_a_rejected_password_is_cleared_in_both_boxes(client, db):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "password2": "Something-Else-2026"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "Mentor-Me-2026!" not in response.content.decode()
    assert "Something-Else-2026" not in response.content.decode()


def test_graduation_year_is_marked_required_for_students(client, db):
    # Seen: required for students, but neither marked nor said.
    blank = client.get(reverse("account_signup")).content.decode()
    assert "Required for students and residents" in blank
    assert re.search(
        r'<input[^>]*name="graduation_year"[^>]*data-required-when='
        r'"member_type:medical_student,premed,resident"',
        blank,
    )
    response = client.post(reverse("account_signup"), {**SIGNUP, "graduation_year": ""})
    html = response.content.decode()
    label = re.search(
        r'<label[^>]*for="id_graduation_year"[^>]*>(.*?)</label>', html, re.S
    )
    assert 'class="asteriskField"' in label.group(1)
    field = re.search(r'<input[^>]*name="graduation_year"[^>]*>', html).group(0)
    assert " required" in field
    assert html.count("tell us your graduation year") == 2  # summary and field
    physician = client.post(
        reverse("account_signup"),
        {**SIGNUP, "member_type": "physician", "graduation_year": "", "region": ""},
    ).content.decode()
    label = re.search(
        r'<label[^>]*for="id_graduation_year"[^>]*>(.*?)</label>', physician, re.S
    )
    assert "asteriskField" not in label.group(1)


@pytest.mark.parametrize("year", ["1900", "3000", "abc"])
def test_implausible_graduation_year_is_refused(client, db, year):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "graduation_year": year}
    )
    assert response.status_code == HTTPStatus.OK
    assert not User.objects.filter(email="lucia@example.org").exists()


def test_honeypot_pretends_success_but_creates_nothing(client, db):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "website": "spam.example"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.filter(email="lucia@example.org").exists()
    assert mail.outbox == []


def test_signup_with_existing_email_does_not_reveal_it(client, active_member):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "email": active_member.email}
    )
    # Enumeration prevention: same redirect as a new sign-up; the owner gets a mail.
    assert response.status_code == HTTPStatus.FOUND
    assert User.objects.filter(email=active_member.email).count() == 1
    assert [m.to for m in mail.outbox] == [[active_member.email]]


def test_password_reset_does_not_reveal_unknown_emails(client, active_member):
    known = client.post(
        reverse("account_reset_password"), {"email": active_member.email}
    )
    unknown = client.post(
        reverse("account_reset_password"), {"email": "nobody@example.org"}
    )
    # The same answer for both; only the owner of the known address gets a link.
    assert known.status_code == unknown.status_code == HTTPStatus.FOUND
    assert known["Location"] == unknown["Location"]
    reset_links = [
        m.to for m in mail.outbox if "/accounts/password/reset/key/" in m.body
    ]
    assert reset_links == [[active_member.email]]


def test_login_is_rate_limited_after_failures(client, active_member):
    for _ in range(5):
        client.post(
            reverse("account_login"),
            {"login": active_member.email, "password": "wrong"},
        )
    # Even the right password is refused while the limit holds.
    response = client.post(
        reverse("account_login"),
        {"login": active_member.email, "password": DEFAULT_PASSWORD},
    )
    assertContains(response, "Too many failed login attempts")
    assert "_auth_user_id" not in client.session


def test_pending_member_is_told_after_verifying_and_staff_hear_of_it(
    client, db, settings
):
    settings.STAFF_NOTIFICATION_EMAILS = ["staff@lmsa.example"]
    settings.MEMBERSHIP_CONTACT_EMAIL = "membership@lmsa.example"
    client.post(reverse("account_signup"), SIGNUP)
    confirm = confirmation_link(mail.outbox[0])
    client.get(confirm)
    response = client.post(confirm, follow=True)  # logs in (LOGIN_ON_CONFIRMATION)

    assertContains(response, "Your membership is waiting for approval")
    assertContains(response, "mailto:membership@lmsa.example")
    assertContains(response, 'badge text-bg-warning">waiting for approval<')
    staff = [m for m in mail.outbox if m.to == ["staff@lmsa.example"]]
    assert len(staff) == 1
    assert "New member waiting for approval: Lucía Hernández" in staff[0].subject
    assert "UCSF School of Medicine" in staff[0].body
    membership = Membership.objects.get(user__email="lucia@example.org")
    assert f"/admin/members/membership/{membership.pk}/change/" in staff[0].body
    # In Spanish too.
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assertContains(spanish, "Tu membresía está esperando aprobación")


def test_roster_member_is_active_at_once_and_staff_are_not_told(client, db, settings):
    from members.models import RosterEntry

    settings.STAFF_NOTIFICATION_EMAILS = ["staff@lmsa.example"]
    RosterEntry.objects.create(email="lucia@example.org")
    client.post(reverse("account_signup"), SIGNUP)
    confirm = confirmation_link(mail.outbox[0])
    response = client.post(confirm, follow=True)
    assert "waiting for approval" not in response.content.decode()
    assert not [m for m in mail.outbox if m.to == ["staff@lmsa.example"]]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "url_name", ["account_reset_password", "account_reset_password_done"]
)
def test_contact_us_on_account_pages_is_a_link(
    client, db, settings, url_name, language
):
    # Seen: "Please contact us" with no way to do so.
    settings.MEMBERSHIP_CONTACT_EMAIL = "membership@lmsa.example"
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE=language)
    assertContains(response, 'href="mailto:membership@lmsa.example"')
    assert "contact us" not in response.content.decode().lower()


def test_verification_sent_page_links_to_the_membership_team(client, db):
    response = client.post(reverse("account_signup"), SIGNUP, follow=True)
    assertContains(response, "mailto:")
    assert "contact us" not in response.content.decode().lower()
