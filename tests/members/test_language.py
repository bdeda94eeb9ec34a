"""Language: browser default, switcher on every page, remembered in the profile."""

from http import HTTPStatus

from django.urls import reverse
from pytest_django.asserts import assertContains

from members.models import User


def test_browser_language_is_the_default(client, db):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assertContains(response, '<html lang="es">')


def test_switcher_on_every_page(client, active_member):
    client.force_login(active_member)
    for name in ["home", "plus-network", "members:me", "account_email"]:
        assertContains(client.get(reverse(name)), 'name="language"')


def test_switch_is_remembered_in_profile(client, active_member):
    client.force_login(active_member)
    response = client.post(reverse("set-language"), {"language": "es", "next": "/"})
    assert response.status_code == HTTPStatus.FOUND
    assert User.objects.get(pk=active_member.pk).preferred_language == "es"
    # A new session (another browser) without the cookie still gets Spanish.
    client.cookies.clear()
    client.force_login(active_member)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assertContains(response, '<html lang="es">')


def test_unknown_language_is_ignored(client, active_member):
    client.force_login(active_member)
    client.post(reverse("set-language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=active_member.pk).preferred_language == ""


def test_anonymous_switch_sets_cookie_only(client, db):
    response = client.post(
        reverse("set-language"), {"language": "es", "next": "/plus/"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assertContains(client.get(reverse("plus-network")), '<html lang="es">')
