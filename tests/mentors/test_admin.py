"""Staff tools: review queue, bulk decisions, filters, history, import and export."""

import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from mentors.factories import MentorFactory
from mentors.models import Mentor
from residency_hub.factories import SpecialtyFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:mentors_mentor_changelist"


def test_pending_queue_lists_only_pending_oldest_first(admin_client_mfa):
    newer = MentorFactory(status="pending", last_name="Newer", confirmed_at=None)
    older = MentorFactory(status="pending", last_name="Older", confirmed_at=None)
    Mentor.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    MentorFactory(last_name="Approvedperson")
    response = admin_client_mfa.get(reverse("admin:mentors_pendingmentor_changelist"))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert body.index("Older") < body.index("Newer")
    assert "Approvedperson" not in body
    assertContains(response, reverse("admin:mentors_mentor_change", args=[newer.pk]))


def test_bulk_approve_from_the_queue_emails_each_physician(admin_client_mfa):
    pending = MentorFactory.create_batch(2, status="pending", confirmed_at=None)
    response = admin_client_mfa.post(
        reverse("admin:mentors_pendingmentor_changelist"),
        {"action": "approve_selected", "_selected_action": [m.pk for m in pending]},
    )
    assert response.status_code == HTTPStatus.FOUND
    for mentor in pending:
        mentor.refresh_from_db()
        assert mentor.status == Mentor.Status.APPROVED
        assert mentor.confirmed_at is not None
        assert mentor.history.first().history_change_reason.startswith("Approved by")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in pending)
    assert all("live" in m.subject for m in mail.outbox)
    assert all("/mentors/manage/" in m.body for m in mail.outbox)


def test_decline_asks_for_a_reason_then_emails_it(admin_client_mfa):
    mentor = MentorFactory(status="pending", confirmed_at=None)
    data = {"action": "decline_selected", "_selected_action": [mentor.pk]}
    response = admin_client_mfa.post(reverse(CHANGELIST), data)
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Reason (sent to the physician)")
    mentor.refresh_from_db()
    assert mentor.status == Mentor.Status.PENDING

    response = admin_client_mfa.post(
        reverse(CHANGELIST),
        {**data, "apply": "1", "reason": "We could not verify your license."},
    )
    assert response.status_code == HTTPStatus.FOUND
    mentor.refresh_from_db()
    assert mentor.status == Mentor.Status.DECLINED
    (message,) = mail.outbox
    assert message.to == [mentor.email]
    assert "We could not verify your license." in message.body


def test_bulk_pause_asks_for_a_date(admin_client_mfa):
    mentors = MentorFactory.create_batch(2)
    data = {"action": "pause_selected", "_selected_action": [m.pk for m in mentors]}
    response = admin_client_mfa.post(reverse(CHANGELIST), data)
    assertContains(response, "Not taking mentees until")
    response = admin_client_mfa.post(
        reverse(CHANGELIST), {**data, "apply": "1", "paused_until": "2000-01-01"}
    )
    assertContains(response, "Choose a day after today")
    until = timezone.localdate() + datetime.timedelta(days=14)
    response = admin_client_mfa.post(
        reverse(CHANGELIST), {**data, "apply": "1", "paused_until": until.isoformat()}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert set(Mentor.objects.values_list("paused_until", flat=True)) == {until}
    assert len(mail.outbox) == 2
    assert not Mentor.objects.live().exists()

    admin_client_mfa.post(
        reverse(CHANGELIST),
        {"action": "resume_selected", "_selected_action": [m.pk for m in mentors]},
    )
    assert Mentor.objects.live().count() == 2


def test_visibility_filter_shows_stale_and_paused(admin_client_mfa):
    MentorFactory(last_name="Livelisting")
    MentorFactory(last_name="Stalelisting", stale_since=timezone.now())
    MentorFactory(
        last_name="Pausedlisting",
        paused_until=timezone.localdate() + datetime.timedelta(days=5),
    )
    for value, expected in [
        ("stale", "Stalelisting"),
        ("paused", "Pausedlisting"),
        ("live", "Livelisting"),
    ]:
        response = admin_client_mfa.get(reverse(CHANGELIST), {"visibility": value})
        body = response.content.decode()
        assert expected in body
        others = {"Livelisting", "Stalelisting", "Pausedlisting"} - {expected}
        assert not any(name in body for name in others), value


def test_changelist_search_and_filters(admin_client_mfa):
    MentorFactory(last_name="Findable", state="PR", email="find@hospital.example")
    MentorFactory(last_name="Hidden", state="TX")
    response = admin_client_mfa.get(reverse(CHANGELIST), {"q": "find@hospital"})
    assertContains(response, "Findable")
    assertNotContains(response, "Hidden")
    response = admin_client_mfa.get(reverse(CHANGELIST), {"state__exact": "PR"})
    assertContains(response, "Findable")
    assertNotContains(response, "Hidden")


def test_change_form_and_history(admin_client_mfa):
    mentor = MentorFactory()
    change = admin_client_mfa.get(
        reverse("admin:mentors_mentor_change", args=[mentor.pk])
    )
    assert change.status_code == HTTPStatus.OK
    assertContains(change, '<select name="specialty"')
    assertContains(change, 'type="checkbox" name="languages"')
    history = admin_client_mfa.get(
        reverse("admin:mentors_mentor_history", args=[mentor.pk])
    )
    assert history.status_code == HTTPStatus.OK


# ------------------------------------------------------------------------------
# Import / export
# ------------------------------------------------------------------------------
HEADER = (
    "First Name,Last Name,Credentials,Email,Phone,Specialty,Subspecialty,Institution,"
    "City,State,Languages,Mentee Levels,Virtual or In Person,Mentees at a Time,"
    "Accepting New Mentees,Bio,Any Special Requests?\n"
)
GOOD_ROWS = [
    "Marisol,Colón,MD,marisol@hospital.example,(787) 555-0101,Pediatrics,,"
    'UPR School of Medicine,San Juan,Puerto Rico,"Spanish, English",'
    '"Premed, Medical students",Virtual,3,Yes,,Premeds only please',
    "Tomás,Reyes,DO,TOMAS@hospital.example,,family medicine,Sports medicine,"
    'UT Health,San Antonio,TX,Spanish,Residents,"Virtual, In person",,no,'
    "Runner and mentor,",
]
BAD_ROW = (
    "Bad,Row,MD,not-an-email,,Astrology,,Nowhere,Nowhere,Atlantis,Klingon,"
    "Everyone,Telepathy,2,maybe,,"
)


def sheet(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "registry.csv", (HEADER + "\n".join(rows) + "\n").encode(), "text/csv"
    )


def preview_import(client, upload):
    return client.post(
        reverse("admin:mentors_mentor_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def confirm_import(client, preview):
    form = preview.context["confirm_form"]
    data = dict(form.initial.items())
    return client.post(reverse("admin:mentors_mentor_process_import"), data)


@pytest.fixture
def specialties(db):
    SpecialtyFactory(name="Pediatrics", slug="pediatrics")
    SpecialtyFactory(name="Family Medicine", slug="family-medicine")


def test_import_spreadsheet_with_dry_run_preview(admin_client_mfa, specialties):
    preview = preview_import(admin_client_mfa, sheet(*GOOD_ROWS))
    assert preview.status_code == HTTPStatus.OK
    assertContains(preview, "marisol@hospital.example")
    assert not Mentor.objects.exists()  # dry run

    response = confirm_import(admin_client_mfa, preview)
    assert response.status_code == HTTPStatus.FOUND
    marisol = Mentor.objects.get(email="marisol@hospital.example")
    assert marisol.state == "PR"
    assert marisol.special_requests == "Premeds only please"
    assert marisol.mentors_premed and marisol.mentors_medical_students
    assert marisol.offers_virtual and not marisol.offers_in_person
    assert {lang.code for lang in marisol.languages.all()} == {"es", "en"}
    assert marisol.status == Mentor.Status.APPROVED
    assert marisol.confirmed_at is not None
    tomas = Mentor.objects.get(email="tomas@hospital.example")
    assert tomas.specialty.slug == "family-medicine"
    assert tomas.capacity == 2
    assert not tomas.accepting_mentees
    assert tomas.offers_in_person and tomas.offers_virtual
    assert tomas.history.first().history_change_reason == "Imported from spreadsheet"
    assert mail.outbox == []  # importing the existing registry emails nobody


def test_reimport_updates_instead_of_duplicating(admin_client_mfa, specialties):
    confirm_import(
        admin_client_mfa, preview_import(admin_client_mfa, sheet(*GOOD_ROWS))
    )
    changed = GOOD_ROWS[0].replace("Premeds only please", "Residents too")
    confirm_import(admin_client_mfa, preview_import(admin_client_mfa, sheet(changed)))
    assert Mentor.objects.count() == 2
    marisol = Mentor.objects.get(email="marisol@hospital.example")
    assert marisol.special_requests == "Residents too"


def test_import_with_a_bad_row_reports_it_and_imports_nothing(
    admin_client_mfa, specialties
):
    preview = preview_import(admin_client_mfa, sheet(GOOD_ROWS[0], BAD_ROW))
    assert preview.status_code == HTTPStatus.OK
    body = preview.content.decode()
    assert (
        "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    )
    for problem in ("Unknown specialty", "Unknown state", "Enter a valid email"):
        assert problem in body, problem
    assert not Mentor.objects.exists()


def test_export_has_the_spreadsheet_columns(admin_client_mfa):
    MentorFactory(
        last_name="Exported",
        special_requests="Spanish speakers first",
        languages=["es", "en"],
        mentors_premed=True,
    )
    response = admin_client_mfa.post(
        reverse("admin:mentors_mentor_export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [],
            **{
                f"mentorresource_{name}": "on"
                for name in (
                    "first_name",
                    "last_name",
                    "email",
                    "special_requests",
                    "languages",
                    "mentee_levels",
                    "state",
                )
            },
        },
    )
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Any Special Requests?" in content
    assert "Spanish speakers first" in content
    assert "Exported" in content
