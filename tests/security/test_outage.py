"""A database that cannot be reached answers 503 with the portal's own page."""

import logging
import sys
from http import HTTPStatus

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, OperationalError
from django.test import Client
from django.urls import reverse

from lmsa_portal import outage

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    # A real browser sees the error page, not the test client's re-raise.
    return Client(raise_request_exception=False)


def _database_down(*args, **kwargs):
    raise OperationalError("could not connect to server: Connection refused")


def test_session_lookup_during_an_outage_answers_503(
    visitor, active_member, monkeypatch
):
    visitor.force_login(active_member)
    monkeypatch.setattr(SessionStore, "load", _database_down)

    response = visitor.get(reverse("mentors:directory"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    body = response.content.decode()
    assert "back in a minute" in body
    assert "it was not saved" in body
    assert "Traceback" not in body and "OperationalError" not in body


def test_a_form_post_during_an_outage_says_nothing_was_saved(visitor, monkeypatch):
    monkeypatch.setattr("mentors.views.MentorSignupView.post", _database_down)
    response = visitor.post(reverse("mentors:join"), {"first_name": "Ana"})
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Go back: your browser keeps what you typed" in response.content.decode()


def test_the_outage_page_is_in_spanish(visitor, monkeypatch):
    monkeypatch.setattr(SessionStore, "load", _database_down)
    visitor.cookies["sessionid"] = "x" * 32
    response = visitor.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert 'lang="es"' in response.content.decode()
    assert "Volvemos en un minuto" in response.content.decode()


def test_other_database_errors_stay_500(visitor, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(SessionStore, "load", broken)
    visitor.cookies["sessionid"] = "x" * 32
    response = visitor.get("/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Retry-After" not in response


def _record(exception=None, status_code=None):
    exc_info = None
    if exception is not None:
        try:
            raise exception
        except type(exception):
            exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.ERROR, "", 0, "x", (), exc_info
    )
    if status_code:
        record.status_code = status_code
    return record


def test_an_outage_is_logged_once_per_interval(monkeypatch, settings):
    settings.OUTAGE_LOG_INTERVAL_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(outage.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(outage, "_last_logged", 0.0)
    keep = outage.OncePerOutageFilter().filter

    assert keep(_record(OperationalError("down")))
    assert not keep(_record(OperationalError("down")))
    assert not keep(_record(status_code=503))
    assert keep(_record(ValueError("a bug")))  # other errors are always logged
    assert keep(_record(IntegrityError("a bug")))
    clock[0] += 61
    assert keep(_record(OperationalError("still down")))
