"""The portal speaks Spanish with "tú"; allauth's own Spanish catalog mostly says
"usted". The account pages and emails a member sees say "tú" too (issue 15,
item 13): our catalog overrides allauth's strings (members/allauth_strings.py)."""

import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import translation

from members.factories import DEFAULT_PASSWORD, make_member
from tests.factories import make_totp
from tests.members.test_signup import SIGNUP, confirmation_link

pytestmark = pytest.mark.django_db
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}

# Forms only "usted" takes: "su" before what belongs to the reader, usted
# imperatives and verbs (allauth's wording). Case matters: "Su" and "su" are listed.
USTED = re.compile(
    r"\b([Uu]sted|[Ss]us? (contraseña|cuenta|dirección|direcciones|correo|código|"
    r"códigos|aplicación|usuario|bandeja|carpeta|navegador|dispositivo)|"
    r"[Ii]ntroduzca|[Ii]ntrodúzcalo|[Ii]ngrese|[Ee]scriba|[Vv]erifique|"
    r"[Cc]onfirme|[Cc]ompruebe|[Rr]egístrese|[Ii]nicie|[Hh]aga clic|[Pp]óngase|"
    r"contáctenos|Le hemos|le enviaremos|[Ii]nténtelo|[Ee]scanee|[Ss]olicite|"
    r"[Ee]mita|[Vv]uelva a|[Hh]a (iniciado|cerrado|confirmado|indicado|olvidado|"
    r"creado|recibido)|[Dd]ebe escribir|[Nn]o puede (eliminar|añadir|activar|"
    r"desactivar)|[Pp]uede (guardar|ignorar|registrarse)|[Ee]stá a punto|"
    r"[Ee]stá recibiendo|[Ee]stá seguro|[Ss]eguro que desea)\b"
    r"|¿(Ha olvidado|Olvidó|Ya tiene)\b"
)


def usted_forms(text: str) -> list[str]:
    return [
        " ".join(text[max(match.start() - 30, 0) : match.end() + 30].split())
        for match in USTED.finditer(text)
    ]


def visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_tu(text: str) -> None:
    assert text.strip()
    assert not usted_forms(text), usted_forms(text)


@pytest.mark.parametrize(
    ("usted", "tu"),
    [  # allauth's Spanish, and ours
        ("¿Ha olvidado su contraseña?", "¿Olvidaste tu contraseña?"),
        (
            "¿Ya tiene una cuenta? Por favor inicie sesión.",
            "¿Ya tienes una cuenta? Entonces inicia sesión.",
        ),
        (
            "Por favor, confirme su dirección de correo electrónico",
            "Confirma tu dirección de correo electrónico",
        ),
        (
            "Le hemos enviado un correo electrónico. Si no lo ha recibido, "
            "compruebe su carpeta de correo no deseado.",
            "Te enviamos un correo electrónico. Si no lo recibiste, revisa tu "
            "carpeta de correo no deseado.",
        ),
        (
            "Su contraseña no puede asemejarse tanto a su otra información personal.",
            "Tu contraseña no puede parecerse demasiado a tus otros datos personales.",
        ),
    ],
)
def test_the_markers_tell_usted_from_tu(usted, tu):
    assert usted_forms(usted)
    assert not usted_forms(tu)


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_reset_password"],
)
def test_account_pages_say_tu(client, url_name):
    response = client.get(reverse(url_name), **ES)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Language"] == "es"
    assert_tu(visible_text(response))


def test_login_error_says_tu(client):
    make_member(state="active", email="ana@example.org")
    response = client.post(
        reverse("account_login"),
        {"login": "ana@example.org", "password": "not-the-password"},
        **ES,
    )
    assert response.status_code == HTTPStatus.OK
    text = visible_text(response)
    assert "contraseña que escribiste no son correctas" in text
    assert_tu(text)


def test_signup_errors_verification_page_and_email_say_tu(client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "password2": "different"}, **ES
    )
    assert response.status_code == HTTPStatus.OK
    assert_tu(visible_text(response))

    response = client.post(reverse("account_signup"), SIGNUP, follow=True, **ES)
    assert response.redirect_chain
    assert_tu(visible_text(response))  # "We have sent an email to you..."

    (message,) = mail.outbox
    assert "Confirma tu dirección de correo electrónico" in message.subject
    assert_tu(message.subject)
    assert_tu(message.body)

    response = client.get(confirmation_link(message), **ES)
    assert response.status_code == HTTPStatus.OK
    assert_tu(visible_text(response))  # "Please confirm that ... is an email..."


def test_password_reset_pages_and_email_say_tu(client):
    make_member(state="active", email="ana@example.org", preferred_language="es")
    response = client.post(
        reverse("account_reset_password"),
        {"email": "ana@example.org"},
        follow=True,
        **ES,
    )
    assert_tu(visible_text(response))  # "We have sent you an email..."
    (message,) = mail.outbox
    assert_tu(message.subject)
    assert_tu(message.body)

    bad_key = reverse("account_reset_password_from_key", args=["x", "bad-key"])
    response = client.get(bad_key, follow=True, **ES)
    assert_tu(visible_text(response))  # "The password reset link was invalid..."


def test_password_reset_for_an_unknown_address_says_tu(client):
    client.post(reverse("account_reset_password"), {"email": "nadie@example.org"}, **ES)
    (message,) = mail.outbox
    assert_tu(message.body)


def test_two_factor_page_says_tu(client):
    member = make_member(state="active", email="ana@example.org")
    make_totp(member)
    EmailAddress.objects.filter(user=member).update(verified=True)
    response = client.post(
        reverse("account_login"),
        {"login": "ana@example.org", "password": DEFAULT_PASSWORD},
        follow=True,
        **ES,
    )
    assert response.status_code == HTTPStatus.OK
    text = visible_text(response)
    assert "Tu cuenta está protegida" in text
    assert_tu(text)


def test_signed_in_and_out_messages_say_tu(client):
    make_member(state="active", email="ana@example.org")
    response = client.post(
        reverse("account_login"),
        {"login": "ana@example.org", "password": DEFAULT_PASSWORD},
        follow=True,
        **ES,
    )
    assert_tu(visible_text(response))
    assert_tu(visible_text(client.get(reverse("account_logout"), **ES)))
    response = client.post(reverse("account_logout"), follow=True, **ES)
    assert_tu(visible_text(response))
    with translation.override("es"):
        assert translation.gettext("You have signed out.") == "Cerraste sesión."
