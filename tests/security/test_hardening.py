"""Request-wide hardening (``lmsa_portal/limits.py``): responses to signed-in users are
never stored, request bodies are capped, and behind a proxy the rate limits key on
the forwarded client address (``RATELIMIT_IP_META_KEY``)."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ama.factories import UpcomingSessionFactory
from listserv.models import Subscriber
from lmsa_portal.limits import rightmost_forwarded_for
from mentors.models import Mentor
from tests.security.test_limits import listserv_signup, mentor_signup

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------
# 1. No stored responses for signed-in users
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["account_email", "account_change_password", "members:me", "ama"]
)
def test_signed_in_pages_are_no_store(client, active_member, name):
    if name == "ama":
        url = reverse("ama:upcoming-detail", kwargs={"pk": UpcomingSessionFactory().pk})
    else:
        url = reverse(name)
    client.force_login(active_member)
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]


def test_anonymous_home_is_not_marked_no_store(client):
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.OK
    assert "no-store" not in response.get("Cache-Control", "")


# ------------------------------------------------------------------------------
# 2. Request bodies are capped, files included
# ------------------------------------------------------------------------------
FORMS = [("listserv:signup", listserv_signup), ("mentors:join", mentor_signup)]
SIGNED_UP = {"listserv:signup": Subscriber, "mentors:join": Mentor}


@pytest.mark.parametrize(("name", "data"), FORMS)
def test_oversized_file_part_gets_413(settings, name, data):
    payload = data("big.upload@example.org")
    payload["attachment"] = SimpleUploadedFile(
        "big.bin", b"x" * (settings.MAX_REQUEST_BODY_BYTES + 1)
    )
    response = Client().post(reverse(name), payload)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


def test_413_is_in_the_visitors_language(settings):
    payload = listserv_signup("big.upload@example.org")
    payload["attachment"] = SimpleUploadedFile(
        "big.bin", b"x" * (settings.MAX_REQUEST_BODY_BYTES + 1)
    )
    response = Client().post(
        reverse("listserv:signup"), payload, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "demasiado grande" in response.content.decode()


@pytest.mark.parametrize(("name", "data"), FORMS)
def test_normal_post_still_works(name, data):
    payload = data("small.upload@example.org")
    payload["attachment"] = SimpleUploadedFile("small.txt", b"hello")
    response = Client().post(reverse(name), payload)
    # Accepted and stored: the sign-up's redirect, and its row.
    assert response.status_code == HTTPStatus.FOUND, response.content[:2000]
    assert SIGNED_UP[name].objects.filter(email="small.upload@example.org").exists()


def test_admin_allows_larger_bodies(settings, admin_client_mfa):
    body = b"x" * (settings.MAX_REQUEST_BODY_BYTES + 1)
    assert settings.MAX_ADMIN_REQUEST_BODY_BYTES > len(body)
    response = admin_client_mfa.post(
        "/admin/", {"upload": SimpleUploadedFile("big.csv", body)}
    )
    assert response.status_code != HTTPStatus.REQUEST_ENTITY_TOO_LARGE


# ------------------------------------------------------------------------------
# 3. Rate limits key on the forwarded client address when configured
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("meta_key", "header"),
    [
        ("HTTP_X_REAL_IP", "HTTP_X_REAL_IP"),
        ("lmsa_portal.limits.rightmost_forwarded_for", "HTTP_X_FORWARDED_FOR"),
    ],
)
def test_forwarded_addresses_get_separate_limits(settings, meta_key, header):
    settings.RATELIMIT_IP_META_KEY = meta_key
    proxy = {"REMOTE_ADDR": "10.99.0.1"}  # every request comes through the proxy
    client, url = Client(), reverse("listserv:signup")

    def post(number: int, address: str):
        data = listserv_signup(f"visitor{number}@example.org")
        return client.post(url, data, **proxy, **{header: address})

    statuses = [post(n, "203.0.113.7").status_code for n in range(11)]
    assert HTTPStatus.TOO_MANY_REQUESTS not in statuses[:10]
    assert statuses[10] == HTTPStatus.TOO_MANY_REQUESTS
    assert post(99, "198.51.100.4").status_code != HTTPStatus.TOO_MANY_REQUESTS


def test_rightmost_forwarded_for_ignores_client_supplied_entries(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert rightmost_forwarded_for(request) == "203.0.113.7"
    assert rightmost_forwarded_for(rf.get("/")) == "127.0.0.1"
