"""Abuse limits of every public form and every email-sending endpoint.

Per IP and, where a form names a target address, per email: the request after the
limit gets the friendly 429 page and changes nothing. Honeypot submissions get the
same answer as a real one and save nothing. Counters live in the shared cache
(``RATELIMIT_USE_CACHE``; Redis in the PostgreSQL pass), so they hold across
processes (the two-instance check is in ``tests/faults/``).
"""

import dataclasses
import itertools
from collections.abc import Callable
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertTemplateUsed

from listserv.models import Interest, Subscriber
from members.factories import make_member
from members.models import User
from mentors.factories import MentorFactory, language
from mentors.models import Mentor
from residency_hub.factories import SpecialtyFactory
from residency_hub.models import ProgramSubmission

pytestmark = pytest.mark.django_db

_addresses = itertools.count(1)


def new_ip() -> str:
    number = next(_addresses)
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


# ------------------------------------------------------------------------------
# Valid submissions of each form
# ------------------------------------------------------------------------------
def mentor_signup(email: str) -> dict:
    specialty = SpecialtyFactory(slug="limits-medicine", name="Limits Medicine")
    return {
        "first_name": "Rosa",
        "last_name": "Delgado",
        "credentials": "MD",
        "email": email,
        "phone": "+1 787 555 0100",
        "specialty": specialty.pk,
        "institution": "Ponce Health Sciences University",
        "city": "Ponce",
        "state": "PR",
        "languages": [language("es").pk],
        "mentee_levels": ["medical_student"],
        "modes": ["virtual"],
        "capacity": "3",
        "accepting_mentees": "on",
        "consent_to_share": "on",
        "website": "",
    }


def request_link(email: str) -> dict:
    if not Mentor.objects.filter(email__iexact=email).exists():
        MentorFactory(email=email)
    return {"email": email, "website": ""}


def program_submission(email: str) -> dict:
    specialty = SpecialtyFactory(slug="limits-medicine", name="Limits Medicine")
    return {
        "submitter_name": "Rosa Coordinator",
        "submitter_email": email,
        "submitter_role": "Program coordinator",
        "name": f"Program of {email}",
        "institution": "Desert Health",
        "specialty": specialty.pk,
        "city": "Tucson",
        "state": "AZ",
        "program_website": "https://desert.example/residency",
        "program_size": "8",
        "diversity_mission": "Serving the borderlands.",
        "contact_name": "Dr. Luis Ortega",
        "contact_email": "luis@desert.example",
        "event_starts_at": "",
        "event_ends_at": "",
        "event_time_zone": "America/Phoenix",
        "consent": "on",
        "website": "",
    }


def listserv_signup(email: str) -> dict:
    return {
        "name": "Dr. Camila Reyes",
        "email": email,
        "role": "physician",
        "institution": "Baylor College of Medicine",
        "state": "TX",
        "interests": [Interest.objects.order_by("pk").first().pk],
        "consent": "on",
        "website": "",
    }


def account_signup(email: str) -> dict:
    return {
        "first_name": "Lucía",
        "last_name": "Hernández",
        "email": email,
        "password1": "Mentor-Me-2026!",
        "password2": "Mentor-Me-2026!",
        "member_type": "medical_student",
        "institution": "UCSF School of Medicine",
        "graduation_year": str(timezone.localdate().year + 2),
        "region": "west",
        "website": "",
    }


def login(email: str) -> dict:
    return {"login": email, "password": "not-the-password"}


def password_reset(email: str) -> dict:
    return {"email": email}


@dataclasses.dataclass
class Endpoint:
    name: str
    data: Callable[[str], dict]
    per_ip: int
    per_email: int | None = None
    honeypot: bool = False
    saved: Callable[[], int] = lambda: 0

    def post(self, client, email: str, ip: str, **extra):
        data = self.data(email)
        data.update(extra)
        return client.post(reverse(self.name), data, REMOTE_ADDR=ip)


ENDPOINTS = [
    Endpoint(
        "mentors:join",
        mentor_signup,
        per_ip=10,
        per_email=5,
        honeypot=True,
        saved=lambda: Mentor.objects.count(),
    ),
    Endpoint(
        "mentors:request-link",
        request_link,
        per_ip=10,
        per_email=3,
        honeypot=True,
        saved=lambda: len(mail.outbox),
    ),
    Endpoint(
        "residency_hub:submit",
        program_submission,
        per_ip=10,
        per_email=5,
        honeypot=True,
        saved=lambda: ProgramSubmission.objects.count(),
    ),
    Endpoint(
        "listserv:signup",
        listserv_signup,
        per_ip=10,
        per_email=3,
        honeypot=True,
        saved=lambda: Subscriber.objects.count(),
    ),
    Endpoint(
        "account_signup",
        account_signup,
        per_ip=20,
        honeypot=True,
        saved=lambda: User.objects.count(),
    ),
    Endpoint("account_login", login, per_ip=30),
    Endpoint(
        "account_reset_password",
        password_reset,
        per_ip=20,
        per_email=5,
        saved=lambda: len(mail.outbox),
    ),
]
IDS = [endpoint.name for endpoint in ENDPOINTS]


def assert_friendly_429(response):
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assertTemplateUsed(response, "429.html")
    assertContains(
        response, "Please slow down", status_code=HTTPStatus.TOO_MANY_REQUESTS
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_limited_per_ip(endpoint):
    client, ip = Client(), new_ip()
    for number in range(endpoint.per_ip):
        response = endpoint.post(client, f"ip{number}@limits.example", ip)
        assert response.status_code < 400, (number, response.status_code)
    saved = endpoint.saved()
    response = endpoint.post(client, "one-more@limits.example", ip)
    assert_friendly_429(response)
    assert endpoint.saved() == saved
    # Another address is not affected.
    response = endpoint.post(client, "elsewhere@limits.example", new_ip())
    assert response.status_code != HTTPStatus.TOO_MANY_REQUESTS


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.per_email], ids=lambda e: e.name
)
def test_limited_per_target_email(endpoint):
    client, email = Client(), "target@limits.example"
    for number in range(endpoint.per_email):
        response = endpoint.post(client, email, new_ip())
        assert response.status_code < 400, (number, response.status_code)
    saved = endpoint.saved()
    # The same address from a fresh IP, in another case: still over the limit.
    response = endpoint.post(client, email.upper(), new_ip())
    assert_friendly_429(response)
    assert endpoint.saved() == saved


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.honeypot], ids=lambda e: e.name
)
def test_honeypot_is_accepted_silently_and_saves_nothing(endpoint):
    client = Client()
    real = endpoint.post(client, "real.person@limits.example", new_ip())
    assert real.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert "form" not in (real.context or {}) or not real.context["form"].errors
    saved, sent = endpoint.saved(), len(mail.outbox)
    assert saved, "the real submission saved or sent nothing"
    bot = endpoint.post(
        client, "bot@limits.example", new_ip(), website="https://spam.example"
    )
    assert bot.status_code == real.status_code
    if real.status_code == HTTPStatus.FOUND:
        assert bot["Location"] == real["Location"]
    else:
        # The same page (the real one also rendered the emails it sent).
        assert bot.templates[0].name in [t.name for t in real.templates]
    assert endpoint.saved() == saved
    assert len(mail.outbox) == sent


def test_adding_an_email_address_is_limited_per_member(client):
    """Adding an address sends a verification email: limited per account."""
    member = make_member(state="active")
    client.force_login(member)
    url = reverse("account_email")
    for number in range(10):
        response = client.post(
            url, {"action_add": "", "email": f"extra{number}@limits.example"}
        )
        assert response.status_code < 400, response.status_code
    sent = len(mail.outbox)
    response = client.post(url, {"action_add": "", "email": "more@limits.example"})
    assert_friendly_429(response)
    assert len(mail.outbox) == sent


def test_limits_count_in_the_shared_cache():
    assert settings.RATELIMIT_USE_CACHE == "default"
    assert settings.CACHES["default"]["BACKEND"] != (
        "django.core.cache.backends.dummy.DummyCache"
    )
    endpoint = ENDPOINTS[3]
    ip = new_ip()
    for number in range(endpoint.per_ip):
        endpoint.post(Client(), f"shared{number}@limits.example", ip)
    # The counter is in the cache, not in a process or a client: a new client is
    # refused, and clearing the cache lifts the limit.
    assert_friendly_429(endpoint.post(Client(), "new@limits.example", ip))
    caches[settings.RATELIMIT_USE_CACHE].clear()
    assert endpoint.post(Client(), "new@limits.example", ip).status_code == 302
