"""A malformed ?next= on the account pages is ignored, never a 500."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from members.factories import DEFAULT_PASSWORD


@pytest.mark.parametrize("target", ["http://[::1", "//[bad", "https://]x["])
def test_malformed_next_on_signup_is_ignored(client, db, target):
    response = client.post(reverse("account_signup"), {"email": "", "next": target})
    # The form comes back with its errors; the bad target is dropped from the
    # links to the other account pages (allauth passes a safe next= along).
    assertContains(response, "This field is required.")
    assert f"?next={target}" not in response.content.decode()


def test_malformed_next_on_login_is_ignored(client, active_member):
    target = "http://[::1"
    page = client.get(reverse("account_login"), {"next": target})
    assertContains(page, 'name="password"')
    assert f"?next={target}" not in page.content.decode()
    # Signing in with it lands on the usual page, not on the bad target.
    response = client.post(
        reverse("account_login"),
        {"login": active_member.email, "password": DEFAULT_PASSWORD, "next": target},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("home")
