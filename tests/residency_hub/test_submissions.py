"""Public program submissions: form, honeypot, rate limit, staff review, emails."""

import datetime
from http import HTTPStatus

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from residency_hub.models import AdvisorContact, Event, Program, ProgramSubmission
from tests.residency_hub.factories import ProgramSubmissionFactory

SUBMIT_URL = "residency_hub:submit"


def form_data(specialty, **overrides) -> dict:
    next_year = timezone.localdate().year + 1
    data = {
        "submitter_name": "Rosa Coordinator",
        "submitter_email": "rosa@hospital.example",
        "submitter_role": "Program coordinator",
        "name": "Desert Family Medicine",
        "institution": "Desert Health",
        "specialty": specialty.pk,
        "city": "Tucson",
        "state": "AZ",
        "program_website": "https://desert.example/residency",
        "program_size": "8",
        "diversity_mission": "Serving the borderlands.",
        "dei_initiatives": "Medical Spanish track.",
        "contact_name": "Dr. Luis Ortega",
        "contact_role": "Program director",
        "contact_email": "luis@desert.example",
        "contact_phone": "+1 520 555 0199",
        "event_title": "Virtual open house",
        "event_description": "Meet us.",
        "event_starts_at": f"{next_year}-03-09T12:00",
        "event_ends_at": f"{next_year}-03-09T13:00",
        "event_time_zone": "America/Phoenix",
        "event_link": "https://meet.example.org/desert",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_submission_page_is_public(client, db):
    response = client.get(reverse(SUBMIT_URL))
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Send for review")


def test_submission_waits_for_review_and_staff_are_told(client, specialty):
    response = client.post(reverse(SUBMIT_URL), form_data(specialty))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("residency_hub:submit-done")
    submission = ProgramSubmission.objects.get()
    assert submission.status == ProgramSubmission.Status.PENDING
    assert submission.program is None
    # Arizona keeps standard time all year: noon is 19:00 UTC.
    assert submission.event_starts_at.astimezone(datetime.UTC).hour == 19
    assert not Program.objects.exists()
    assert [message.to for message in mail.outbox] == [["staff@lmsa.net"]]
    assert "Desert Family Medicine" in mail.outbox[0].subject
    assert (
        f"/admin/residency_hub/programsubmission/{submission.pk}/change/"
        in mail.outbox[0].body
    )


def test_rejected_form_keeps_input_and_saves_nothing(client, specialty):
    data = form_data(
        specialty,
        submitter_email="not-an-email",
        event_ends_at="2020-01-01T00:00",
        consent="",
    )
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert "submitter_email" in form.errors
    assert "consent" in form.errors
    assertContains(response, "Desert Family Medicine")
    assertContains(response, "Serving the borderlands.")
    assert not ProgramSubmission.objects.exists()
    assert mail.outbox == []


def test_event_fields_must_come_together(client, specialty):
    data = form_data(specialty, event_starts_at="", event_ends_at="")
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.OK
    assert "event_starts_at" in response.context["form"].errors
    past = form_data(
        specialty,
        event_starts_at="2020-03-09T12:00",
        event_ends_at="2020-03-09T13:00",
    )
    response = client.post(reverse(SUBMIT_URL), past)
    assert "in the future" in str(response.context["form"].errors["event_starts_at"])
    assert not ProgramSubmission.objects.exists()


def test_program_without_event_is_fine(client, specialty):
    data = form_data(
        specialty,
        event_title="",
        event_description="",
        event_starts_at="",
        event_ends_at="",
        event_link="",
    )
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.FOUND
    assert not ProgramSubmission.objects.get().has_event


def test_honeypot_gets_the_same_answer_but_nothing_is_saved(client, specialty):
    response = client.post(
        reverse(SUBMIT_URL), form_data(specialty, website="http://spam.example")
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("residency_hub:submit-done")
    assert not ProgramSubmission.objects.exists()
    assert mail.outbox == []


def test_submissions_are_rate_limited(client, specialty):
    statuses = [
        client.post(
            reverse(SUBMIT_URL),
            form_data(specialty, submitter_email=f"person{n}@example.org"),
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [HTTPStatus.FOUND] * 10
    assert statuses[-1] == HTTPStatus.TOO_MANY_REQUESTS
    assert ProgramSubmission.objects.count() == 10


def test_update_of_a_listed_program_is_matched(client, program):
    client.post(
        reverse(SUBMIT_URL),
        form_data(
            program.specialty,
            name=program.name.upper(),
            institution=program.institution,
        ),
    )
    assert ProgramSubmission.objects.get().program == program


def test_staff_approve_publishes_and_emails_the_submitter(admin_client_mfa, specialty):
    submission = ProgramSubmissionFactory(
        specialty=specialty,
        contact_name="Dr. Luis Ortega",
        contact_email="luis@desert.example",
        event_title="Open house",
        event_starts_at=timezone.now() + datetime.timedelta(days=10),
        event_ends_at=timezone.now() + datetime.timedelta(days=10, hours=1),
        language="es",
    )
    response = admin_client_mfa.post(
        reverse("admin:residency_hub_programsubmission_changelist"),
        {"action": "approve_selected", "_selected_action": [submission.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    submission.refresh_from_db()
    assert submission.status == ProgramSubmission.Status.APPROVED
    assert submission.decided_by is not None
    program = submission.program
    assert program.name == submission.name
    assert program.last_verified_on == timezone.localdate()
    assert AdvisorContact.objects.get(program=program).email == "luis@desert.example"
    event = Event.objects.get(program=program)
    assert event.specialty == specialty
    assert event.title == "Open house"
    assert [message.to for message in mail.outbox] == [[submission.submitter_email]]
    assert program.get_absolute_url() in mail.outbox[0].body
    # Approving again does nothing more.
    admin_client_mfa.post(
        reverse("admin:residency_hub_programsubmission_changelist"),
        {"action": "approve_selected", "_selected_action": [submission.pk]},
    )
    assert Program.objects.count() == 1
    assert len(mail.outbox) == 1


def test_approving_an_update_changes_the_listed_program(staff_user, program):
    from residency_hub.services import program_submission_approve

    submission = ProgramSubmissionFactory(
        specialty=program.specialty,
        program=program,
        name=program.name,
        institution=program.institution,
        dei_initiatives="New initiatives.",
    )
    program_submission_approve(submission=submission, by=staff_user)
    program.refresh_from_db()
    assert program.dei_initiatives == "New initiatives."
    assert Program.objects.count() == 1
    assert program.history.count() == 2


def test_staff_decline_asks_for_a_reason_and_emails_it(admin_client_mfa, specialty):
    submission = ProgramSubmissionFactory(specialty=specialty)
    url = reverse("admin:residency_hub_programsubmission_changelist")
    data = {"action": "decline_selected", "_selected_action": [submission.pk]}
    response = admin_client_mfa.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Reason")
    submission.refresh_from_db()
    assert submission.status == ProgramSubmission.Status.PENDING
    response = admin_client_mfa.post(
        url, {**data, "apply": "1", "reason": "Please add your DEI initiatives."}
    )
    assert response.status_code == HTTPStatus.FOUND
    submission.refresh_from_db()
    assert submission.status == ProgramSubmission.Status.DECLINED
    assert not Program.objects.exists()
    assert [message.to for message in mail.outbox] == [[submission.submitter_email]]
    assert "Please add your DEI initiatives." in mail.outbox[0].body


def test_submissions_are_rate_limited_per_email(client, specialty):
    for number in range(5):
        response = client.post(
            reverse(SUBMIT_URL), form_data(specialty), REMOTE_ADDR=f"10.0.1.{number}"
        )
        assert response.status_code == HTTPStatus.FOUND
    response = client.post(
        reverse(SUBMIT_URL), form_data(specialty), REMOTE_ADDR="10.0.1.99"
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert ProgramSubmission.objects.count() == 5
