"""Site pages: home, PLUS Network, health check, error pages."""

from html.parser import HTMLParser
from http import HTTPStatus
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.urls import reverse
from pytest_django.asserts import assertContains


def test_home_presents_the_four_initiatives(client, db):
    response = client.get(reverse("home"))
    for title in [
        "National Mentor Registry",
        "URM Residency Hub",
        "Ask Me Anything",
        "National Mentorship Listserv",
    ]:
        assertContains(response, title)


def test_plus_network_page(client, db):
    assertContains(client.get(reverse("plus-network")), "PLUS Network")


def test_healthz_reports_database_ok(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_down(client, db):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("down"),
    ):
        response = client.get(reverse("healthz"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["database"] == "unavailable"


def test_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assertContains(response, "We could not find that page", status_code=404)


def test_friendly_500_needs_no_context(rf):
    from django.utils import translation

    from lmsa_portal.views import server_error

    with translation.override("en"):
        response = server_error(rf.get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert b"Something went wrong" in response.content


def test_pages_use_vendored_bootstrap_not_a_cdn(client, db):
    response = client.get(reverse("home"))
    assertContains(response, "/static/vendor/bootstrap/css/bootstrap.min.css")
    assert b"cdn." not in response.content


def test_spanish_home(client, db):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es")
    assertContains(response, 'lang="es"')


class _MarkupChecker(HTMLParser):
    """Elements that repeat an attribute, and CSRF inputs per form."""

    def __init__(self):
        super().__init__()
        self.repeated: list[tuple[str, list]] = []
        self.csrf_per_form: list[int] = []

    def handle_starttag(self, tag, attrs):
        names = [name for name, _value in attrs]
        if len(names) != len(set(names)):
            self.repeated.append((tag, attrs))
        if tag == "form":
            self.csrf_per_form.append(0)
        if tag == "input" and ("name", "csrfmiddlewaretoken") in attrs:
            self.csrf_per_form[-1] += 1


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/", False),
        ("/accounts/signup/", False),
        ("/accounts/login/", False),
        ("/listserv/", False),
        ("/mentors/join/", False),
        ("/residency-hub/submit/", False),
        ("/ama/", False),
        ("/mentors/", True),
        ("/residency-hub/", True),
        ("/members/me/", True),
    ],
)
def test_forms_carry_one_csrf_token_and_no_attribute_twice(
    client, active_member, path, signed_in
):
    # Seen: the hub's search box said type="text" ... type="search", and the
    # mentor and program sign-up forms carried two CSRF inputs.
    if signed_in:
        client.force_login(active_member)
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    checker = _MarkupChecker()
    checker.feed(response.content.decode())
    assert checker.repeated == []
    assert checker.csrf_per_form
    assert all(count <= 1 for count in checker.csrf_per_form), checker.csrf_per_form


def test_favicon_ico_leads_to_the_site_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith(".svg")
    assert "favicon" in response["Location"]
