"""Public sign-up: validation, duplicates, prefill, emails, honeypot, rate limits."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from mentors.factories import MentorFactory, language
from mentors.models import Mentor
from residency_hub.factories import SpecialtyFactory

pytestmark = pytest.mark.django_db


def signup_data(**overrides) -> dict:
    specialty = SpecialtyFactory(name="Family Medicine", slug="family-medicine")
    data = {
        "first_name": "Rosa",
        "last_name": "Delgado",
        "credentials": "MD, MPH",
        "email": "Rosa.Delgado@Clinic.example",
        "phone": "+1 (787) 555-0100",
        "specialty": specialty.pk,
        "subspecialty": "Community health",
        "institution": "Ponce Health Sciences University",
        "city": "Ponce",
        "state": "PR",
        "languages": [language("es").pk, language("en").pk],
        "mentee_levels": ["premed", "medical_student"],
        "modes": ["virtual"],
        "capacity": "3",
        "accepting_mentees": "on",
        "bio": "Family physician in Ponce.",
        "special_requests": "Premed students from Puerto Rico first.",
        "consent_to_share": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_signup_page_is_public(client):
    response = client.get(reverse("mentors:join"))
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Any special requests?")
    assertContains(response, "Puerto Rico")
    assertContains(response, 'name="website"')  # honeypot


def test_signup_creates_pending_listing_and_emails(client):
    response = client.post(reverse("mentors:join"), signup_data())
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("mentors:thanks")
    mentor = Mentor.objects.get()
    assert mentor.status == Mentor.Status.PENDING
    assert mentor.email == "rosa.delgado@clinic.example"
    assert mentor.state == "PR"
    assert mentor.mentors_premed and mentor.mentors_medical_students
    assert not mentor.mentors_residents
    assert mentor.offers_virtual and not mentor.offers_in_person
    assert {lang.code for lang in mentor.languages.all()} == {"es", "en"}
    assert mentor.special_requests == "Premed students from Puerto Rico first."
    assert mentor.consent_to_share and mentor.consented_at is not None
    # Edit history, languages included (one record for the row, one for the m2m).
    assert {h.history_change_reason for h in mentor.history.all()} == {"Signed up"}
    assert {row.language.code for row in mentor.history.first().languages.all()} == {
        "es",
        "en",
    }

    receipt, staff = mail.outbox
    assert receipt.to == ["rosa.delgado@clinic.example"]
    assert "received" in receipt.subject
    assert "http://testserver/mentors/manage/" in receipt.body
    assert staff.to == ["staff@lmsa.net"]
    assert "Rosa Delgado" in staff.subject
    assert f"/admin/mentors/mentor/{mentor.pk}/change/" in staff.body


@override_settings(STAFF_NOTIFICATION_EMAILS=["team@lmsa.example", "b@lmsa.example"])
def test_staff_notification_goes_to_setting(client):
    client.post(reverse("mentors:join"), signup_data())
    assert mail.outbox[-1].to == ["team@lmsa.example", "b@lmsa.example"]


def test_thanks_page_explains_next_steps(client):
    response = client.get(reverse("mentors:thanks"))
    assertContains(response, "Check your inbox")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("email", "not-an-email", "Enter a valid email address"),
        ("phone", "call me maybe", "Enter a phone number"),
        ("phone", "12", "Enter a phone number"),
        ("capacity", "0", "Enter a number from 1 to 50"),
        ("capacity", "many", "Enter a whole number"),
        ("state", "ZZ", "Select a valid choice"),
        ("specialty", "999999", "Select a valid choice"),
        ("mentee_levels", [], "Choose at least one group of mentees"),
        ("modes", [], "Choose virtually, in person, or both"),
        ("languages", [], "Choose at least one language"),
        ("consent_to_share", "", "only with your consent"),
        ("first_name", "", "This field is required"),
    ],
)
def test_signup_rejects_bad_input_next_to_the_field(client, field, value, message):
    data = signup_data(**{field: value})
    if value == "" and field == "consent_to_share":
        del data["consent_to_share"]
    response = client.post(reverse("mentors:join"), data)
    assert response.status_code == HTTPStatus.OK
    assert field in response.context["form"].errors
    assertContains(response, message)
    # What was typed is kept.
    assertContains(response, 'value="Ponce Health Sciences University"')
    assert not Mentor.objects.exists()
    assert mail.outbox == []


def test_same_email_twice_updates_the_pending_entry(client):
    client.post(reverse("mentors:join"), signup_data())
    client.post(
        reverse("mentors:join"),
        signup_data(
            email="rosa.delgado@clinic.example",
            city="Mayagüez",
            modes=["virtual", "in_person"],
        ),
    )
    mentor = Mentor.objects.get()
    assert mentor.city == "Mayagüez"
    assert mentor.offers_in_person
    assert mentor.status == Mentor.Status.PENDING
    assert "updated" in mail.outbox[2].subject
    assert "updated" in mail.outbox[3].subject.lower()


def test_signup_with_address_of_approved_listing_changes_nothing(client):
    listed = MentorFactory(email="rosa.delgado@clinic.example", city="San Juan")
    response = client.post(reverse("mentors:join"), signup_data())
    # The visitor sees the same page as for a new address.
    assert response.url == reverse("mentors:thanks")
    assert Mentor.objects.count() == 1
    listed.refresh_from_db()
    assert listed.city == "San Juan"
    (message,) = mail.outbox
    assert message.to == ["rosa.delgado@clinic.example"]
    assert "already" in message.subject
    assert "/mentors/manage/" in message.body


def test_signup_after_removal_makes_a_new_pending_listing(client):
    MentorFactory(email="rosa.delgado@clinic.example", status="removed")
    client.post(reverse("mentors:join"), signup_data())
    assert Mentor.objects.filter(status="pending").count() == 1
    assert Mentor.objects.count() == 2


def test_honeypot_saves_nothing_but_looks_like_success(client):
    response = client.post(reverse("mentors:join"), signup_data(website="spam.biz"))
    assert response.status_code == HTTPStatus.FOUND
    assert not Mentor.objects.exists()
    assert mail.outbox == []


def test_signed_in_user_gets_prefilled_form_and_linked_listing(client, active_member):
    client.force_login(active_member)
    response = client.get(reverse("mentors:join"))
    form = response.context["form"]
    assert form.initial["email"] == active_member.email
    assert form.initial["first_name"] == active_member.first_name
    assert "institution" not in form.initial  # a student's school is not a practice
    client.post(reverse("mentors:join"), signup_data(email=active_member.email))
    assert Mentor.objects.get().user == active_member


def test_physician_member_gets_institution_prefilled(client, active_member):
    active_member.membership.member_type = "physician"
    active_member.membership.institution = "Hospital Auxilio Mutuo"
    active_member.membership.save()
    client.force_login(active_member)
    form = client.get(reverse("mentors:join")).context["form"]
    assert form.initial["institution"] == "Hospital Auxilio Mutuo"


def test_signup_is_rate_limited_per_email(client):
    for _ in range(5):
        client.post(reverse("mentors:join"), signup_data(), REMOTE_ADDR="10.0.0.1")
    response = client.post(
        reverse("mentors:join"), signup_data(), REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assertContains(
        response, "Please slow down", status_code=HTTPStatus.TOO_MANY_REQUESTS
    )


def test_signup_is_rate_limited_per_ip(client):
    for number in range(10):
        client.post(
            reverse("mentors:join"),
            signup_data(email=f"doc{number}@clinic.example"),
            REMOTE_ADDR="10.0.0.9",
        )
    response = client.post(
        reverse("mentors:join"),
        signup_data(email="another@clinic.example"),
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert Mentor.objects.count() == 10


def test_share_page_has_copyable_absolute_link(client):
    response = client.get(reverse("mentors:share"))
    assertContains(response, 'value="http://testserver/mentors/join/"')
    assertContains(response, "data-copy-target")
    assertContains(response, "js/portal.js")  # the copy buttons live there
    assertNotContains(response, "<script>")
