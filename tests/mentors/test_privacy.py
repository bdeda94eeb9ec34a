"""No mentor contact detail in any response to someone who is not an active member."""

import re

import pytest
from django.urls import reverse

from mentors import services
from mentors.factories import MentorFactory

pytestmark = pytest.mark.django_db

EMAIL = "secret.mentor@hospital.example"
PHONE = "(939) 555-0177"
PENDING_EMAIL = "pending.mentor@hospital.example"
PENDING_PHONE = "(939) 555-0199"


@pytest.fixture
def listings(db):
    approved = MentorFactory(email=EMAIL, phone=PHONE, last_name="Figueroa")
    pending = MentorFactory(
        email=PENDING_EMAIL, phone=PENDING_PHONE, status="pending", confirmed_at=None
    )
    return approved, pending


def public_responses(client, approved, pending):
    """Every mentor page a visitor can load without a self-service link."""
    specialty = approved.specialty
    gets = [
        reverse("mentors:directory"),
        reverse("mentors:directory") + "?q=Figueroa",
        reverse("mentors:directory") + f"?specialty={specialty.slug}",
        reverse("mentors:detail", args=[approved.pk]),
        reverse("mentors:detail", args=[pending.pk]),
        reverse("mentors:join"),
        reverse("mentors:thanks"),
        reverse("mentors:share"),
        reverse("mentors:request-link"),
        reverse("mentors:manage", args=["not-a-token"]),
        reverse("mentors:still-mentoring", args=["not-a-token"]),
        reverse("residency_hub:specialty-detail", args=[specialty.slug]),
        reverse("home"),
    ]
    responses = [client.get(url, follow=True) for url in gets]
    # Forms that take a listed address answer without revealing the listing (a
    # rejected form shows what was typed, so type it in capitals).
    typed = EMAIL.upper()
    responses.append(client.post(reverse("mentors:request-link"), {"email": typed}))
    responses.append(
        client.post(reverse("mentors:join"), {"email": typed, "first_name": "X"})
    )
    return responses


def assert_no_contact(responses):
    for response in responses:
        body = response.content.decode()
        path = response.request["PATH_INFO"]
        for secret in (EMAIL, PHONE, PENDING_EMAIL, PENDING_PHONE, 'href="tel:'):
            assert secret not in body, (path, secret)
        # No link to write to any mentor (LMSA's own addresses are fine).
        assert not re.search(r"mailto:[^?\"]*@hospital\.example", body), path


def test_no_contact_details_for_anonymous_visitors(client, listings):
    assert_no_contact(public_responses(client, *listings))


@pytest.mark.parametrize("state", ["unverified", "pending", "declined", "expired"])
def test_no_contact_details_for_members_who_are_not_active(client, listings, state):
    from members.factories import make_member

    client.force_login(make_member(state=state))
    assert_no_contact(public_responses(client, *listings))


def test_contact_details_for_active_members(client, listings, active_member):
    """The counter-check: the same pages do show them to an active member."""
    client.force_login(active_member)
    body = client.get(reverse("mentors:directory")).content.decode()
    assert EMAIL in body and PHONE in body
    assert PENDING_EMAIL not in body


def test_a_forged_manage_link_shows_no_contact(client, listings):
    """The self-service page belongs to the physician; a wrong token shows nothing."""
    approved, _pending = listings
    url = services.mentor_manage_url(mentor=approved)
    wrong = url.removeprefix("http://127.0.0.1:8000")[:-6] + "abcde/"
    assert EMAIL not in client.get(wrong).content.decode()
