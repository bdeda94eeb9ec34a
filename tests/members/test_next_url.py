"""A malformed ?next= on the account pages is ignored, never a 500."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains


@pytest.mark.parametrize("target", ["http://[::1", "//[bad", "https://]x["])
def test_malformed_next_on_signup_is_ignored(client, db, target):
    response = client.post(reverse("account_signup"), {"email": "", "next": target})
    # The form comes back with its errors; the bad target is dropped from the
    # links to the other account pages (allauth passes a safe next= along).
    assertContains(response, "This field is required.")
    assert f"?next={target}" not in response.content.decode()


def test_malformed_next_on_login_is_ignored(client, db):
    response = client.get(reverse("account_login"), {"next": "http://[::1"})
    assert response.status_code == HTTPStatus.OK
