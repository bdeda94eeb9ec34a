"""Site pages: home, PLUS Network, health check, error pages."""

from http import HTTPStatus
from unittest import mock

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
