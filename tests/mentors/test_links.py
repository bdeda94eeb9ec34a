"""Self-service through signed links: edit, pause, resume, remove, fresh links."""

import datetime
import time
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from lmsa_portal.signing import make_token
from mentors import services
from mentors.factories import MentorFactory, language
from mentors.models import Mentor

pytestmark = pytest.mark.django_db


def manage_path(mentor) -> str:
    url = services.mentor_manage_url(mentor=mentor)
    return url.removeprefix("http://127.0.0.1:8000")


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def main_content(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def edit_data(mentor, **overrides) -> dict:
    data = {
        "first_name": mentor.first_name,
        "last_name": mentor.last_name,
        "credentials": mentor.credentials,
        "email": mentor.email,
        "phone": mentor.phone,
        "specialty": mentor.specialty_id,
        "subspecialty": "",
        "institution": mentor.institution,
        "city": mentor.city,
        "state": mentor.state,
        "languages": [language("es").pk],
        "mentee_levels": ["resident"],
        "modes": ["in_person"],
        "capacity": "4",
        "accepting_mentees": "on",
        "bio": "",
        "special_requests": "Residents in surgery, please.",
        "consent_to_share": "on",
    }
    data.update(overrides)
    return data


def test_manage_page_shows_listing_and_actions(client, mentor):
    response = client.get(manage_path(mentor))
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Manage your mentor listing")
    assertContains(response, "Visible to active LMSA members")
    assertContains(response, "Pause my listing")
    assertContains(response, "Remove my listing")
    assert "no-store" in response["Cache-Control"]


def test_edit_through_link_saves_and_reconfirms(client, mentor):
    old_confirmation = timezone.now() - datetime.timedelta(days=200)
    Mentor.objects.filter(pk=mentor.pk).update(confirmed_at=old_confirmation)
    path = manage_path(mentor)
    response = client.post(path, edit_data(mentor))
    assert response.status_code == HTTPStatus.FOUND
    mentor.refresh_from_db()
    assert mentor.mentors_residents and not mentor.mentors_medical_students
    assert mentor.offers_in_person and not mentor.offers_virtual
    assert mentor.capacity == 4
    assert [lang.code for lang in mentor.languages.all()] == ["es"]
    assert mentor.special_requests == "Residents in surgery, please."
    assert mentor.confirmed_at > old_confirmation
    assert mentor.history.first().history_change_reason == "Edited by the physician"


def test_edit_with_bad_input_keeps_typing_and_saves_nothing(client, mentor):
    response = client.post(
        manage_path(mentor), edit_data(mentor, phone="nope", city="Caguas")
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assertContains(response, "Enter a phone number", status_code=400)
    assertContains(response, 'value="Caguas"', status_code=400)
    mentor.refresh_from_db()
    assert mentor.city == "Houston"


def test_edit_cannot_take_another_listings_email(client, mentor):
    MentorFactory(email="taken@hospital.example")
    response = client.post(
        manage_path(mentor), edit_data(mentor, email="taken@hospital.example")
    )
    assertContains(response, "Another listing uses this email", status_code=400)


def test_pause_until_date_hides_listing_then_resume(client, mentor):
    path = manage_path(mentor)
    token = token_of(path)
    until = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        reverse("mentors:manage-pause", args=[token]), {"paused_until": until}
    )
    assert response.status_code == HTTPStatus.FOUND
    mentor.refresh_from_db()
    assert mentor.paused_until == until
    assert not Mentor.objects.live().filter(pk=mentor.pk).exists()
    assertContains(client.get(path), "Paused: hidden from the directory until")

    client.post(reverse("mentors:manage-pause", args=[token]), {"resume": "1"})
    mentor.refresh_from_db()
    assert mentor.paused_until is None
    assert Mentor.objects.live().filter(pk=mentor.pk).exists()


@pytest.mark.parametrize("days", [0, -3, 1000])
def test_pause_date_must_be_sensible(client, mentor, days):
    token = token_of(manage_path(mentor))
    until = timezone.localdate() + datetime.timedelta(days=days)
    response = client.post(
        reverse("mentors:manage-pause", args=[token]), {"paused_until": until}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assertContains(response, "Choose a day", status_code=400)
    mentor.refresh_from_db()
    assert mentor.paused_until is None


def test_remove_needs_confirmation_then_link_is_spent(client, mentor):
    path = manage_path(mentor)
    remove_url = reverse("mentors:manage-remove", args=[token_of(path)])
    assertContains(client.get(remove_url), "Yes, remove my listing")
    response = client.post(remove_url, {})
    assertContains(response, "Tick the box", status_code=400)
    mentor.refresh_from_db()
    assert mentor.status == Mentor.Status.APPROVED

    response = client.post(remove_url, {"confirm": "on"})
    assertContains(response, "Your listing was removed")
    mentor.refresh_from_db()
    assert mentor.status == Mentor.Status.REMOVED  # kept, not deleted
    assert "removed" in mail.outbox[-1].subject

    # Reusing the link after removal: a clear page, nothing editable.
    reused = client.get(path)
    assert reused.status_code == HTTPStatus.GONE
    assertContains(reused, "This listing was removed", status_code=410)
    assertNotContains(reused, mentor.email, status_code=410)
    post = client.post(path, edit_data(mentor))
    assert post.status_code == HTTPStatus.GONE
    mentor.refresh_from_db()
    assert mentor.status == Mentor.Status.REMOVED


def test_tampered_link_is_refused(client, mentor):
    path = manage_path(mentor)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = client.get(tampered)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assertContains(response, "This link is not valid", status_code=400)
    assertNotContains(response, mentor.email, status_code=400)


def test_link_pages_are_never_cached_even_when_refused(client, mentor):
    refused = client.get(reverse("mentors:manage", args=["not-a-token"]))
    rejected = client.post(manage_path(mentor), edit_data(mentor, phone="nope"))
    for response in (refused, rejected):
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "no-store" in response["Cache-Control"]


def test_link_for_another_purpose_is_refused(client, mentor):
    token = make_token(
        purpose=services.STILL_MENTORING_LINK.purpose, value={"mentor": mentor.pk}
    )
    response = client.get(reverse("mentors:manage", args=[token]))
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_expired_link_offers_a_fresh_one(client, mentor, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 61 * 24 * 3600)
    path = manage_path(mentor)
    monkeypatch.setattr(time, "time", real_time)
    response = client.get(path)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assertContains(response, "This link has expired", status_code=400)
    assertContains(response, reverse("mentors:request-link"), status_code=400)


def test_declined_listing_link_explains(client, pending_mentor):
    services.mentor_decline(mentor=pending_mentor, reason="Not a physician")
    response = client.get(manage_path(pending_mentor))
    assertContains(response, "not approved", status_code=400)


def test_pending_listing_can_be_edited_through_link(client, pending_mentor):
    response = client.get(manage_path(pending_mentor))
    assertContains(response, "Waiting for review")


def test_request_link_answers_the_same_for_known_and_unknown(client, mentor):
    known = client.post(
        reverse("mentors:request-link"), {"email": mentor.email.upper()}
    )
    unknown = client.post(
        reverse("mentors:request-link"), {"email": "nobody@example.org"}
    )
    assert known.status_code == unknown.status_code == HTTPStatus.OK
    # Same page (CSRF tokens and CSP nonces aside, the main content is identical).
    assert main_content(known) == main_content(unknown)
    (message,) = mail.outbox
    assert message.to == [mentor.email]
    assert "http://testserver/mentors/manage/" in message.body


def test_request_link_ignores_removed_listings_and_bots(client):
    MentorFactory(email="gone@hospital.example", status="removed")
    client.post(reverse("mentors:request-link"), {"email": "gone@hospital.example"})
    listed = MentorFactory(email="here@hospital.example")
    client.post(
        reverse("mentors:request-link"), {"email": listed.email, "website": "x"}
    )
    assert mail.outbox == []


def test_request_link_validates_and_is_rate_limited(client, mentor):
    response = client.post(reverse("mentors:request-link"), {"email": "not-email"})
    assertContains(response, "Enter a valid email address")
    for _ in range(3):
        client.post(reverse("mentors:request-link"), {"email": mentor.email})
    response = client.post(reverse("mentors:request-link"), {"email": mentor.email})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert len(mail.outbox) == 3


# ------------------------------------------------------------------------------
# A new email address is confirmed before it replaces the old one; staff are
# told what a physician changed.
# ------------------------------------------------------------------------------
def _sent_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def _link_in(message, name: str) -> str:
    import re

    match = re.search(rf"https?://\S+(/mentors/{name}/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_new_email_waits_for_its_owner_to_confirm_it(client, mentor, settings):
    # Seen: an edit through the manage link switched the listing to any address
    # at once, without confirming it.
    settings.STAFF_NOTIFICATION_EMAILS = ["staff@lmsa.example"]
    old_email = mentor.email
    response = client.post(
        manage_path(mentor), edit_data(mentor, email="New.Address@clinic.example")
    )
    assert response.status_code == HTTPStatus.FOUND
    mentor.refresh_from_db()
    assert mentor.email == old_email  # members still see the old one
    assert mentor.pending_email == "new.address@clinic.example"
    page = client.get(response["Location"])
    assertContains(page, "We sent a link to new.address@clinic.example")
    assertContains(page, "New address waiting for confirmation")

    (to_new,) = _sent_to("new.address@clinic.example")
    assert "Dear Dr. " + mentor.last_name in to_new.body
    (to_old,) = _sent_to(old_email)
    assert "new.address@clinic.example" in to_old.body
    assert "/mentors/manage/" in to_old.body  # to cancel it
    (to_staff,) = _sent_to("staff@lmsa.example")
    assert old_email in to_staff.body and "new.address@clinic.example" in to_staff.body

    link = _link_in(to_new, "email")
    assert "new.address" not in link  # the link does not carry the address
    opened = client.get(link)  # a mail scanner opening it changes nothing
    assertContains(opened, "Yes, use this address")
    mentor.refresh_from_db()
    assert mentor.email == old_email
    confirmed = client.post(link)
    assert confirmed.status_code == HTTPStatus.FOUND
    mentor.refresh_from_db()
    assert (mentor.email, mentor.pending_email) == ("new.address@clinic.example", "")
    assertContains(client.get(confirmed["Location"]), "Your listing now uses")
    # Spent: the link no longer works.
    assert client.post(link).status_code == HTTPStatus.BAD_REQUEST


def test_saving_again_with_the_old_address_cancels_the_change(client, mentor):
    client.post(manage_path(mentor), edit_data(mentor, email="someone@else.example"))
    link = _link_in(_sent_to("someone@else.example")[0], "email")
    client.post(manage_path(mentor), edit_data(mentor))
    mentor.refresh_from_db()
    assert mentor.pending_email == ""
    assert client.post(link).status_code == HTTPStatus.BAD_REQUEST
    mentor.refresh_from_db()
    assert mentor.email != "someone@else.example"


def test_an_address_taken_meanwhile_is_not_confirmed(client, mentor):
    client.post(manage_path(mentor), edit_data(mentor, email="wanted@clinic.example"))
    link = _link_in(_sent_to("wanted@clinic.example")[0], "email")
    MentorFactory(email="wanted@clinic.example")
    response = client.post(link)
    assertContains(response, "Another listing uses", status_code=HTTPStatus.CONFLICT)
    mentor.refresh_from_db()
    assert mentor.email != "wanted@clinic.example"


def test_staff_are_told_exactly_what_a_physician_changed(client, mentor, settings):
    # Seen: edits went live with no word to staff.
    settings.STAFF_NOTIFICATION_EMAILS = ["staff@lmsa.example"]
    client.post(manage_path(mentor), edit_data(mentor))  # bring it to the form's shape
    mail.outbox.clear()
    client.post(manage_path(mentor), edit_data(mentor))  # nothing changed
    assert _sent_to("staff@lmsa.example") == []
    client.post(
        manage_path(mentor),
        edit_data(mentor, city="Caguas", special_requests="Premeds only, please."),
    )
    (notice,) = _sent_to("staff@lmsa.example")
    assert mentor.full_name in notice.subject
    assert (
        "City" in notice.body and "Houston" in notice.body and "Caguas" in notice.body
    )
    assert "Premeds only, please." in notice.body
    assert "Residents in surgery, please." in notice.body  # what it was
    assert "Institution" not in notice.body  # unchanged fields are not listed
    assert "/admin/mentors/mentor/" in notice.body


def test_staff_see_a_changed_phone_as_people_write_it(client, mentor, settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["staff@lmsa.example"]
    client.post(manage_path(mentor), edit_data(mentor))  # bring it to the form's shape
    mail.outbox.clear()
    client.post(manage_path(mentor), edit_data(mentor, phone="787 281 0199"))
    (notice,) = _sent_to("staff@lmsa.example")
    assert "(787) 281-0199" in notice.body
    assert "+1787" not in notice.body
