"""Staff tools: changelists, filters, search, bulk actions, history, CSV."""

import datetime
from http import HTTPStatus

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from residency_hub.factories import EventFactory, ProgramFactory, SpecialtyFactory
from residency_hub.models import Event, Program
from residency_hub.resources import EventResource, ProgramResource


def test_program_changelist_filters_and_searches(admin_client_mfa, program):
    ProgramFactory(name="Other Program", state="CA")
    url = reverse("admin:residency_hub_program_changelist")
    response = admin_client_mfa.get(url, {"q": "Sunrise", "state__exact": "NM"})
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Sunrise Family Medicine")
    assertNotContains(response, "Other Program")
    response = admin_client_mfa.get(url, {"specialty__id__exact": program.specialty.pk})
    assertContains(response, "Sunrise Family Medicine")


def test_programs_not_verified_for_twelve_months_are_flagged(admin_client_mfa, db):
    today = timezone.localdate()
    ProgramFactory(name="Fresh", last_verified_on=today - datetime.timedelta(days=30))
    ProgramFactory(name="Stale", last_verified_on=today - datetime.timedelta(days=400))
    ProgramFactory(name="Never", last_verified_on=None)
    assert sorted(p.name for p in Program.objects.verification_overdue()) == [
        "Never",
        "Stale",
    ]
    url = reverse("admin:residency_hub_program_changelist")
    response = admin_client_mfa.get(url, {"verification": "overdue"})
    assertContains(response, "Stale")
    assertContains(response, "Never")
    assertNotContains(response, "Fresh")
    response = admin_client_mfa.get(url, {"verification": "current"})
    assertContains(response, "Fresh")
    assertNotContains(response, "Stale")
    # The column shows the flag.
    response = admin_client_mfa.get(url)
    assertContains(response, "Needs verification")
    assertContains(response, "icon-yes.svg", count=2)


def test_bulk_mark_verified_records_history(admin_client_mfa, db):
    stale = ProgramFactory(last_verified_on=datetime.date(2020, 1, 1))
    url = reverse("admin:residency_hub_program_changelist")
    response = admin_client_mfa.post(
        url, {"action": "mark_verified", "_selected_action": [stale.pk]}
    )
    assert response.status_code == HTTPStatus.FOUND
    stale.refresh_from_db()
    assert stale.last_verified_on == timezone.localdate()
    assert stale.history.count() == 2
    assert stale.history.first().last_verified_on == timezone.localdate()


def test_program_change_page_has_inlines_and_history(admin_client_mfa, program):
    EventFactory(specialty=program.specialty, program=program, title="Inline event")
    response = admin_client_mfa.get(
        reverse("admin:residency_hub_program_change", args=[program.pk])
    )
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Dr. Elena Ruiz")
    assertContains(response, "Inline event")
    response = admin_client_mfa.get(
        reverse("admin:residency_hub_program_history", args=[program.pk])
    )
    assert response.status_code == HTTPStatus.OK


def test_event_changelist_and_autocomplete(admin_client_mfa, program):
    EventFactory(specialty=program.specialty, program=program, title="Findable")
    response = admin_client_mfa.get(
        reverse("admin:residency_hub_event_changelist"),
        {"q": "Findable", "status__exact": "confirmed"},
    )
    assertContains(response, "Findable")
    response = admin_client_mfa.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "residency_hub",
            "model_name": "event",
            "field_name": "specialty",
            "term": "Hub Test",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["results"][0]["text"] == program.specialty.name


def test_event_edit_in_admin_bumps_sequence(admin_client_mfa, specialty):
    event = EventFactory(
        specialty=specialty,
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 7, 1, 16, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 7, 1, 17, tzinfo=datetime.UTC),
    )
    url = reverse("admin:residency_hub_event_change", args=[event.pk])
    response = admin_client_mfa.get(url)
    assertContains(response, 'value="2026-07-01T12:00"')
    response = admin_client_mfa.post(
        url,
        {
            "title": "Moved open house",
            "status": "confirmed",
            "specialty": specialty.pk,
            "program": "",
            "starts_at": "2026-07-01T13:00",
            "ends_at": "2026-07-01T14:00",
            "time_zone": "America/New_York",
            "link": event.link,
            "host": event.host,
            "description": event.description,
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content
    event.refresh_from_db()
    assert event.title == "Moved open house"
    assert event.starts_at == datetime.datetime(2026, 7, 1, 17, tzinfo=datetime.UTC)
    assert event.sequence == 1


def test_bulk_cancel_events(admin_client_mfa, specialty):
    event = EventFactory(specialty=specialty)
    admin_client_mfa.post(
        reverse("admin:residency_hub_event_changelist"),
        {"action": "cancel_selected", "_selected_action": [event.pk]},
    )
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.sequence == 1


def test_program_csv_export_and_import_round_trip(admin_client_mfa, program):
    exported = ProgramResource().export()
    row = exported.dict[0]
    assert row["slug"] == program.slug
    assert row["specialty"] == program.specialty.slug

    other_specialty = SpecialtyFactory(name="Imported Specialty", slug="imported")
    dataset = tablib.Dataset(headers=exported.headers)
    changed = dict(row, dei_initiatives="Updated by CSV")
    dataset.append([changed[h] for h in exported.headers])
    new = dict(row, slug="brand-new", name="Brand New Program", specialty="imported")
    dataset.append([new[h] for h in exported.headers])
    result = ProgramResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    program.refresh_from_db()
    assert program.dei_initiatives == "Updated by CSV"
    assert Program.objects.get(slug="brand-new").specialty == other_specialty


def test_event_csv_import_gives_new_rows_a_uid(specialty):
    dataset = tablib.Dataset(
        headers=[
            "uid",
            "specialty",
            "program",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "time_zone",
            "link",
            "host",
            "status",
        ]
    )
    dataset.append(
        [
            "",
            specialty.slug,
            "",
            "Imported webinar",
            "",
            "2026-09-01 12:00:00",
            "2026-09-01 13:00:00",
            "America/New_York",
            "https://meet.example.org/x",
            "LMSA",
            "confirmed",
        ]
    )
    result = EventResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    event = Event.objects.get(title="Imported webinar")
    assert event.uid
    exported = EventResource().export().dict[0]
    assert exported["uid"] == str(event.uid)


def test_admin_import_and_export_pages_work(admin_client_mfa, program):
    response = admin_client_mfa.get(reverse("admin:residency_hub_program_import"))
    assert response.status_code == HTTPStatus.OK
    response = admin_client_mfa.get(reverse("admin:residency_hub_event_export"))
    assert response.status_code == HTTPStatus.OK
    csv = ProgramResource().export().csv.encode()
    response = admin_client_mfa.post(
        reverse("admin:residency_hub_program_import"),
        {
            "import_file": SimpleUploadedFile("programs.csv", csv),
            "format": "0",
            "resource": "0",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Confirm import")
    assertNotContains(response, "Errors")


def test_feed_token_admin_revokes(admin_client_mfa, active_member):
    from residency_hub.services import feed_token_rotate

    token = feed_token_rotate(user=active_member)
    admin_client_mfa.post(
        reverse("admin:residency_hub_calendarfeedtoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.is_revoked


def test_event_added_on_a_program_page_takes_the_programs_specialty(
    admin_client_mfa, program
):
    url = reverse("admin:residency_hub_program_change", args=[program.pk])
    contact = program.contacts.get()
    data = {
        "name": program.name,
        "slug": program.slug,
        "institution": program.institution,
        "specialty": program.specialty.pk,
        "city": program.city,
        "state": program.state,
        "website": program.website,
        "program_size": program.program_size,
        "language": program.language,
        "last_verified_on": program.last_verified_on.isoformat(),
        "diversity_mission": program.diversity_mission,
        "dei_initiatives": program.dei_initiatives,
        "pipeline_opportunities": "",
        "special_tracks": "",
        "applicant_tips": "",
        "coordinators-TOTAL_FORMS": "0",
        "coordinators-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "1",
        "contacts-0-id": contact.pk,
        "contacts-0-program": program.pk,
        "contacts-0-name": contact.name,
        "contacts-0-role": contact.role,
        "contacts-0-email": contact.email,
        "contacts-0-phone": contact.phone,
        "contacts-0-position": "0",
        "events-TOTAL_FORMS": "1",
        "events-INITIAL_FORMS": "0",
        "events-0-title": "Added inline",
        "events-0-status": "confirmed",
        "events-0-specialty": "",
        "events-0-starts_at": "2026-10-01T18:00",
        "events-0-ends_at": "2026-10-01T19:00",
        "events-0-time_zone": "America/Chicago",
        "events-0-link": "meet.example.org/inline",
        "events-0-host": "",
        "events-0-description": "",
    }
    response = admin_client_mfa.post(url, data)
    assert response.status_code == HTTPStatus.FOUND, response.context[
        "adminform"
    ].form.errors
    event = Event.objects.get(title="Added inline")
    assert event.program == program
    assert event.specialty == program.specialty
    assert event.starts_at == datetime.datetime(2026, 10, 1, 23, tzinfo=datetime.UTC)
    assert event.link == "https://meet.example.org/inline"


def test_submission_admin_shows_event_times_in_the_events_zone(
    admin_client_mfa, specialty
):
    from residency_hub.factories import (
        ProgramSubmissionFactory,
        SubmittedEventFactory,
    )

    submission = ProgramSubmissionFactory(specialty=specialty)
    SubmittedEventFactory(
        submission=submission,
        title="Open house",
        time_zone="America/Los_Angeles",
        starts_at=datetime.datetime(2026, 8, 3, 1, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC),
    )
    response = admin_client_mfa.get(
        reverse("admin:residency_hub_programsubmission_change", args=[submission.pk])
    )
    assertContains(response, 'value="2026-08-02T18:00"')
