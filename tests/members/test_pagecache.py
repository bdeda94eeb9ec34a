"""members.pagecache: cached pages are fast and never mix up readers."""

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.ama.factories import VideoFactory
from tests.factories import make_member
from tests.mentors.factories import MentorFactory

pytestmark = pytest.mark.django_db


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


# --- anonymous_page_cache ---------------------------------------------------------
def test_anonymous_visitor_is_served_from_the_cache_without_queries(client):
    VideoFactory(title="Applying to medical school")
    first = client.get(reverse("ama:archive"))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(reverse("ama:archive"))
    assert len(queries) == 0
    assert second.content == first.content
    assertContains(second, "Applying to medical school")


def test_a_change_shows_at_once(client):
    VideoFactory(title="Applying to medical school")
    client.get(reverse("ama:archive"))
    VideoFactory(title="Matching into surgery")
    assertContains(client.get(reverse("ama:archive")), "Matching into surgery")


def test_each_language_has_its_own_entry(client):
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    spanish = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es")
    assertContains(english, '<html lang="en">')
    assertContains(spanish, '<html lang="es">')


def test_signed_in_member_never_gets_the_anonymous_page(client, active_member):
    anonymous = client.get(reverse("home"))
    assertContains(anonymous, reverse("account_login"))
    client.force_login(active_member)
    member_page = client.get(reverse("home"))
    assertContains(member_page, reverse("members:me"))
    assertNotContains(member_page, f'href="{reverse("account_login")}"')
    # ...and the member's page is never stored for the next visitor.
    assertContains(Client().get(reverse("home")), reverse("account_login"))
    assertNotContains(Client().get(reverse("home")), reverse("members:me"))


def test_pages_for_visitors_hold_no_csrf_token_or_cookie(client):
    """What makes them cacheable: the anonymous language switch needs no token."""
    response = client.get(reverse("home"))
    assertNotContains(response, "csrfmiddlewaretoken")
    assert not response.cookies
    switched = client.post(reverse("set-language"), {"language": "es", "next": "/"})
    assert switched.status_code == HTTPStatus.FOUND
    assertContains(client.get(reverse("home")), '<html lang="es">')


def test_signed_in_language_switch_still_needs_the_csrf_token(active_member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(active_member)
    refused = client.post(reverse("set-language"), {"language": "es", "next": "/"})
    assert refused.status_code == HTTPStatus.FORBIDDEN
    token = csrf_token_in(client.get(reverse("home")).content.decode())
    accepted = client.post(
        reverse("set-language"),
        {"language": "es", "next": "/", "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == HTTPStatus.FOUND


# --- SharedContentMixin -----------------------------------------------------------
def test_directory_content_is_shared_but_the_page_around_it_is_not(db):
    MentorFactory(first_name="Camila", last_name="Reyes")
    first, second = make_member(), make_member()
    first_client, second_client = Client(), Client()
    first_client.force_login(first)
    second_client.force_login(second)
    first_page = first_client.get(reverse("mentors:directory")).content.decode()
    with CaptureQueriesContext(connection) as queries:
        second_page = second_client.get(reverse("mentors:directory")).content.decode()
    assert "Camila" in first_page and "Camila" in second_page
    # Session and user (with the membership) only: the content came from the cache.
    assert len(queries) <= 2, [query["sql"] for query in queries.captured_queries]
    # Each member's page carries their own CSRF token (the log-out form).
    assert csrf_token_in(first_page) != csrf_token_in(second_page)


@pytest.mark.parametrize("state", ["pending", "declined", "expired", "unverified"])
def test_cached_directory_never_reaches_someone_not_active(state):
    MentorFactory(email="camila.reyes@example.org")
    member = Client()
    member.force_login(make_member())
    assertContains(member.get(reverse("mentors:directory")), "camila.reyes@example")
    outsider = Client()
    outsider.force_login(make_member(state=state))
    response = outsider.get(reverse("mentors:directory"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assertNotContains(response, "camila.reyes@example", status_code=403)
    anonymous = Client().get(reverse("mentors:directory"))
    assert anonymous.status_code == HTTPStatus.FOUND


def test_directory_shows_a_new_listing_at_once(active_member, client):
    client.force_login(active_member)
    MentorFactory(first_name="Camila")
    client.get(reverse("mentors:directory"))
    MentorFactory(first_name="Valentina")
    assertContains(client.get(reverse("mentors:directory")), "Valentina")


def test_each_time_zone_has_its_own_entry(client):
    """The archive shows upcoming sessions in the visitor's zone (lmsa_tz cookie)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from tests.ama.factories import UpcomingSessionFactory

    # Two zones on the same date right now (the key also holds the date), an
    # hour or more apart.
    zones = ["Europe/London", "Europe/Madrid", "America/New_York", "America/Chicago"]
    now = datetime.now(UTC)
    first, second = next(
        (a, b)
        for a in zones
        for b in zones
        if a != b
        and now.astimezone(ZoneInfo(a)).date() == now.astimezone(ZoneInfo(b)).date()
        and now.astimezone(ZoneInfo(a)).utcoffset()
        != now.astimezone(ZoneInfo(b)).utcoffset()
    )
    UpcomingSessionFactory(starts_at=datetime(2099, 4, 15, 18, 0, tzinfo=UTC))
    client.cookies["lmsa_tz"] = first
    first_page = client.get(reverse("ama:archive")).content.decode()
    client.cookies["lmsa_tz"] = second
    second_page = client.get(reverse("ama:archive")).content.decode()
    assert first_page != second_page
