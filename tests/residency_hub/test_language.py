"""Programs carry the language their DEI activities are offered in (issue 10)."""

from http import HTTPStatus

from django.urls import reverse
from pytest_django.asserts import assertContains

from residency_hub.factories import ProgramFactory

LIST_URL = "residency_hub:program-list"


def names(response) -> list[str]:
    return [program.name for program in response.context["programs"]]


def test_new_programs_default_to_english(db):
    assert ProgramFactory().language == "en"


def test_filter_by_language(client, active_member):
    ProgramFactory(name="English Program", language="en")
    ProgramFactory(name="Spanish Program", language="es")
    client.force_login(active_member)

    response = client.get(reverse(LIST_URL), {"language": "es"})
    assert names(response) == ["Spanish Program"]

    response = client.get(reverse(LIST_URL), {"language": "en"})
    assert names(response) == ["English Program"]

    response = client.get(reverse(LIST_URL))
    assert names(response) == ["English Program", "Spanish Program"]


def test_bad_language_shows_form_error(client, active_member):
    ProgramFactory(name="English Program", language="en")
    client.force_login(active_member)

    response = client.get(reverse(LIST_URL), {"language": "xx"})

    assert response.status_code == HTTPStatus.OK
    assert "language" in response.context["filter"].form.errors
    # Left out, and said so: not "0 programs".
    assert names(response) == ["English Program"]
    assertContains(response, "is-invalid")
    assertContains(response, "Some filters were not understood")


def test_detail_shows_language(client, active_member):
    program = ProgramFactory(language="es")
    client.force_login(active_member)

    response = client.get(program.get_absolute_url())

    assertContains(response, "Offered in Spanish")
