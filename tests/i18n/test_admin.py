"""The admin's own headings are translated like the rest of the portal."""

from http import HTTPStatus

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

HEADINGS = {
    "LMSA Member Portal administration": (
        "Administración del Portal de Miembros de LMSA"
    ),
    "LMSA Portal admin": "Administración del Portal LMSA",
    "Curate members, mentors, programs, sessions and mailings": (
        "Gestiona miembros, mentores, programas, sesiones y envíos"
    ),
}


def test_spanish_admin_index_shows_spanish_headings(admin_client_mfa):
    response = admin_client_mfa.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == HTTPStatus.OK
    assertContains(response, '<html lang="es"')
    for english, spanish in HEADINGS.items():
        assertContains(response, spanish)
        assertNotContains(response, english)


def test_english_admin_index_keeps_english_headings(admin_client_mfa):
    response = admin_client_mfa.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == HTTPStatus.OK
    for english in HEADINGS:
        assertContains(response, english)
