"""Phone numbers through django-phonenumber-field: E.164 in the database, national
format for US numbers on the page, a clear error for a bad number, and the data
migration that normalised the numbers stored before."""

import importlib

import pytest
from django.db import connection, migrations
from django.db.migrations.loader import MigrationLoader
from pytest_django.asserts import assertContains

from lmsa_portal.phones import normalized_phone, phone_display, phone_link
from mentors.factories import MentorFactory
from mentors.models import Mentor
from residency_hub.factories import AdvisorContactFactory
from residency_hub.models import AdvisorContact


def stored_phone(model, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored", "shown", "link"),
    [
        ("(787) 555-0142", "+17875550142", "(787) 555-0142", "tel:+1-787-555-0142"),
        ("+1 505 555 0100", "+15055550100", "(505) 555-0100", "tel:+1-505-555-0100"),
        ("505.555.0199", "+15055550199", "(505) 555-0199", "tel:+1-505-555-0199"),
        (
            "+52 55 1234 5678",
            "+525512345678",
            "+52 55 1234 5678",
            "tel:+52-55-1234-5678",
        ),
    ],
)
def test_valid_numbers_are_stored_as_e164_and_shown_nationally(
    typed, stored, shown, link
):
    mentor = MentorFactory(phone=typed)
    assert stored_phone(Mentor, mentor.pk) == stored
    mentor = Mentor.objects.get(pk=mentor.pk)
    assert phone_display(mentor.phone) == shown
    assert phone_link(mentor.phone) == link


@pytest.mark.django_db
def test_a_number_with_an_extension_keeps_its_extension():
    contact = AdvisorContactFactory(phone="505 555 0100 ext. 12")
    assert stored_phone(AdvisorContact, contact.pk) == "505 555 0100 ext. 12"
    contact = AdvisorContact.objects.get(pk=contact.pk)
    contact.save()  # a later save does not drop it either
    assert stored_phone(AdvisorContact, contact.pk) == "505 555 0100 ext. 12"
    assert phone_display(contact.phone) == "(505) 555-0100 ext. 12"
    assert phone_link(contact.phone) == "tel:+1-505-555-0100;ext=12"


@pytest.mark.django_db
def test_older_text_that_is_no_number_is_kept_as_it_was():
    mentor = MentorFactory(phone="ask the front desk")
    mentor = Mentor.objects.get(pk=mentor.pk)
    mentor.save()
    assert stored_phone(Mentor, mentor.pk) == "ask the front desk"
    assert phone_display(mentor.phone) == "ask the front desk"
    assert phone_link(mentor.phone) == ""
    assert phone_display("") == ""


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("(787) 555-0142", "+17875550142"),
        ("  +1 (505) 555-0100 ", "+15055550100"),
        ("+44 20 7946 0958", "+442079460958"),
        ("(555) 010-0001", "(555) 010-0001"),  # no such area code: kept
        ("call me", "call me"),
        ("787 555 0142 x7", "787 555 0142 x7"),  # an extension: kept
    ],
)
def test_normalized_phone(text, normalized):
    assert normalized_phone(text, "US") == normalized


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("app", "migration", "before", "model_name", "factory"),
    [
        (
            "mentors",
            "0014_phone_numbers",
            "0013_us_states_from_localflavor",
            "Mentor",
            MentorFactory,
        ),
        (
            "residency_hub",
            "0012_phone_numbers",
            "0011_us_states_from_localflavor",
            "AdvisorContact",
            AdvisorContactFactory,
        ),
    ],
)
def test_data_migration_normalises_valid_numbers_and_keeps_the_rest(
    app, migration, before, model_name, factory
):
    """Run the migration's function against the models as they were before it
    (the phone a plain text column), on rows holding what older forms accepted."""
    old_apps = MigrationLoader(connection).project_state((app, before)).apps
    old_model = old_apps.get_model(app, model_name)
    typed = ["(787) 555-0142", "+1 505 555 0100", "(555) 010-0001", "n/a", ""]
    pks = []
    for text in typed:
        pk = factory(phone="").pk
        old_model.objects.filter(pk=pk).update(phone=text)
        pks.append(pk)
    module = importlib.import_module(f"{app}.migrations.{migration}")
    normalize = module.Migration.operations[0]
    assert isinstance(normalize, migrations.RunPython)
    normalize.code(old_apps, None)
    model = old_apps.get_model(app, model_name)
    stored = [model.objects.get(pk=pk).phone for pk in pks]
    assert stored == ["+17875550142", "+15055550100", "(555) 010-0001", "n/a", ""]


@pytest.mark.django_db
def test_manage_form_stores_e164_and_shows_the_national_format(client):
    from tests.mentors.test_links import edit_data, manage_path

    mentor = MentorFactory(languages=["es"])
    response = client.post(manage_path(mentor), edit_data(mentor, phone="787.555.0123"))
    assert response.status_code == 302, response.content.decode()[:500]
    assert stored_phone(Mentor, mentor.pk) == "+17875550123"
    assertContains(client.get(manage_path(mentor)), 'value="(787) 555-0123"')


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["555-0100", "(555) 010-0001", "call me", "12"])
def test_a_bad_number_gets_a_clear_message_and_is_kept_in_the_form(client, typed):
    from tests.mentors.test_links import edit_data, manage_path

    mentor = MentorFactory(phone="(787) 555-0100", languages=["es"])
    response = client.post(manage_path(mentor), edit_data(mentor, phone=typed))
    assertContains(
        response, "Enter a phone number such as (787) 555-0100", status_code=400
    )
    assertContains(response, f'value="{typed}"', status_code=400)
    assert stored_phone(Mentor, mentor.pk) == "+17875550100"


@pytest.mark.django_db
def test_spreadsheet_export_shows_the_national_format_and_import_validates():
    from mentors.resources import MentorResource

    mentor = MentorFactory(phone="+1 787 555 0142", languages=["es"])
    dataset = MentorResource().export()
    assert dataset.dict[0]["Phone"] == "(787) 555-0142"

    column = dataset.headers.index("Phone")
    row = list(dataset[0])
    row[column] = "555-0100"  # no area code
    dataset[0] = tuple(row)
    result = MentorResource().import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    assert "Enter a phone number such as" in str(result.invalid_rows[0].error_dict)

    row[column] = "787.555.0199"
    dataset[0] = tuple(row)
    result = MentorResource().import_data(dataset, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    assert stored_phone(Mentor, mentor.pk) == "+17875550199"


@pytest.mark.django_db
def test_the_phone_error_is_in_spanish_for_a_spanish_reader(client):
    from tests.mentors.test_links import edit_data, manage_path

    mentor = MentorFactory(languages=["es"])
    response = client.post(
        manage_path(mentor),
        edit_data(mentor, phone="12"),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assertContains(
        response, "Escribe un número de teléfono como (787) 555-0100", status_code=400
    )
