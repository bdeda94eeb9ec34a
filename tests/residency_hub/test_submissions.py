"""Public program submissions: form, honeypot, rate limit, staff review, emails."""

import datetime
from http import HTTPStatus

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from residency_hub.factories import (
    ProgramSubmissionFactory,
    SubmittedContactFactory,
    SubmittedEventFactory,
)
from residency_hub.models import (
    AdvisorContact,
    Event,
    Program,
    ProgramSubmission,
    SubmittedEvent,
)

SUBMIT_URL = "residency_hub:submit"


def formset_data(prefix: str, rows: list[dict], *, total: int) -> dict:
    """A formset as the browser posts it: ``total`` rows, the first ones filled."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "5",
    }
    for number in range(total):
        row = rows[number] if number < len(rows) else {}
        for key, value in row.items():
            data[f"{prefix}-{number}-{key}"] = value
        if "time_zone" in row or prefix == "events":
            # The select always posts its (default) choice.
            data.setdefault(f"{prefix}-{number}-time_zone", "America/New_York")
    return data


def event_row(day: int = 9, **overrides) -> dict:
    next_year = timezone.localdate().year + 1
    row = {
        "title": "Virtual open house",
        "description": "Meet us.",
        "starts_at": f"{next_year}-03-{day:02d}T12:00",
        "ends_at": f"{next_year}-03-{day:02d}T13:00",
        "time_zone": "America/Phoenix",
        "link": "https://meet.example.org/desert",
    }
    row.update(overrides)
    return row


def contact_row(**overrides) -> dict:
    row = {
        "name": "Dr. Luis Ortega",
        "role": "Program director",
        "email": "luis@desert.example",
        "phone": "+1 520 555 0199",
    }
    row.update(overrides)
    return row


def form_data(specialty, events=None, contacts=None, **overrides) -> dict:
    events = [event_row()] if events is None else events
    contacts = [contact_row()] if contacts is None else contacts
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
        "consent": "on",
        **formset_data("events", events, total=max(3, len(events))),
        **formset_data("contacts", contacts, total=max(2, len(contacts))),
    }
    data.update(overrides)
    return data


def test_submission_page_is_public(client, db):
    response = client.get(reverse(SUBMIT_URL))
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Send for review")


def test_submission_page_renders_empty_rows_without_script(client, db):
    response = client.get(reverse(SUBMIT_URL))
    assertContains(response, 'name="events-TOTAL_FORMS" value="3"')
    assertContains(response, 'name="contacts-TOTAL_FORMS" value="2"')
    for number in range(3):
        assertContains(response, f'name="events-{number}-title"')
    for number in range(2):
        assertContains(response, f'name="contacts-{number}-name"')
    assertNotContains(response, 'name="events-3-title"')
    # "Add another" is an enhancement from the hub's script file, no inline script.
    assertContains(response, "js/residency_hub.js")
    assertNotContains(response, "<script>")


def test_submission_waits_for_review_and_staff_are_told(client, specialty):
    response = client.post(reverse(SUBMIT_URL), form_data(specialty))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("residency_hub:submit-done")
    submission = ProgramSubmission.objects.get()
    assert submission.status == ProgramSubmission.Status.PENDING
    assert submission.program is None
    event = submission.events.get()
    # Arizona keeps standard time all year: noon is 19:00 UTC.
    assert event.starts_at.astimezone(datetime.UTC).hour == 19
    assert submission.contacts.get().name == "Dr. Luis Ortega"
    assert not Program.objects.exists()
    # The submitter's receipt, then the staff's notice.
    assert [message.to for message in mail.outbox] == [
        [submission.submitter_email],
        ["staff@lmsa.net"],
    ]
    receipt, staff = mail.outbox
    assert "Desert Family Medicine" in receipt.subject
    # No link yet: it comes with the approval (staff vet who coordinates).
    assert "/residency-hub/coordinators/" not in receipt.body
    assert "Desert Family Medicine" in staff.subject
    assert (
        f"/admin/residency_hub/programsubmission/{submission.pk}/change/" in staff.body
    )


def test_several_events_and_contacts_are_kept_in_order(client, specialty):
    data = form_data(
        specialty,
        events=[event_row(9, title="First"), {}, event_row(11, title="Third row")],
        contacts=[contact_row(name="Dr. A"), contact_row(name="Dr. B")],
    )
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.FOUND
    submission = ProgramSubmission.objects.get()
    # The empty middle row is ignored.
    assert [e.title for e in submission.events.all()] == ["First", "Third row"]
    assert [c.name for c in submission.contacts.all()] == ["Dr. A", "Dr. B"]


def test_empty_extra_rows_are_ignored(client, specialty):
    data = form_data(specialty, events=[], contacts=[])
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.FOUND
    submission = ProgramSubmission.objects.get()
    assert not submission.events.exists()
    assert not submission.contacts.exists()


def test_rows_added_by_script_up_to_the_maximum(client, specialty):
    data = form_data(
        specialty,
        events=[event_row(day, title=f"Event {day}") for day in range(1, 6)],
        contacts=[contact_row(name=f"Dr. {n}") for n in range(3)],
    )
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.FOUND
    submission = ProgramSubmission.objects.get()
    assert submission.events.count() == 5
    assert submission.contacts.count() == 3


def test_more_rows_than_allowed_are_refused(client, specialty):
    data = form_data(
        specialty, events=[event_row(day) for day in range(1, 7)], contacts=[]
    )
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.OK
    assert response.context["event_formset"].non_form_errors()
    assert not ProgramSubmission.objects.exists()


def test_invalid_event_row_shows_its_error_and_saves_nothing(client, specialty):
    next_year = timezone.localdate().year + 1
    data = form_data(
        specialty,
        events=[
            event_row(9, title="Good open house"),
            event_row(
                10,
                title="Backwards webinar",
                ends_at=f"{next_year}-03-10T11:00",
            ),
        ],
        contacts=[contact_row(name="Dr. Kept Contact"), contact_row(name="Dr. Two")],
    )
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.OK
    formset = response.context["event_formset"]
    assert formset.forms[0].errors == {}
    assert "must end after it starts" in str(formset.forms[1].errors["ends_at"])
    assert not formset.forms[2].errors
    html = response.content.decode()
    # The message is next to the second row's end field, in that row's fieldset.
    row = html[html.index("Event 2</legend>") : html.index("Event 3</legend>")]
    assert 'id="id_events-1-ends_at"' in row
    assert "The event must end after it starts." in row
    assert "aria-invalid" in row or "is-invalid" in row
    # Nothing typed is lost.
    for text in [
        "Good open house",
        "Backwards webinar",
        f"{next_year}-03-10T11:00",
        "Dr. Kept Contact",
        "Dr. Two",
        "Desert Family Medicine",
    ]:
        assertContains(response, text)
    assert not ProgramSubmission.objects.exists()
    assert not SubmittedEvent.objects.exists()
    assert mail.outbox == []


def test_rejected_form_keeps_input_and_saves_nothing(client, specialty):
    data = form_data(
        specialty,
        events=[event_row(ends_at="2020-01-01T00:00")],
        submitter_email="not-an-email",
        consent="",
    )
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert "submitter_email" in form.errors
    assert "consent" in form.errors
    assert "ends_at" in response.context["event_formset"].forms[0].errors
    assertContains(response, "Desert Family Medicine")
    assertContains(response, "Serving the borderlands.")
    assertContains(response, "Dr. Luis Ortega")
    assert not ProgramSubmission.objects.exists()
    assert mail.outbox == []


def test_event_fields_must_come_together(client, specialty):
    data = form_data(specialty, events=[event_row(starts_at="", ends_at="")])
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.OK
    errors = response.context["event_formset"].forms[0].errors
    assert "Needed when you add an event." in str(errors["starts_at"])
    past = form_data(
        specialty,
        events=[event_row(starts_at="2020-03-09T12:00", ends_at="2020-03-09T13:00")],
    )
    response = client.post(reverse(SUBMIT_URL), past)
    errors = response.context["event_formset"].forms[0].errors
    assert "in the future" in str(errors["starts_at"])
    assert not ProgramSubmission.objects.exists()


def test_a_contact_needs_a_name(client, specialty):
    data = form_data(specialty, contacts=[{"email": "nameless@desert.example"}])
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.OK
    errors = response.context["contact_formset"].forms[0].errors
    assert errors["name"] == ["Please give the contact's name."]
    assertContains(response, "nameless@desert.example")
    assert not ProgramSubmission.objects.exists()


def test_program_without_event_is_fine(client, specialty):
    response = client.post(reverse(SUBMIT_URL), form_data(specialty, events=[]))
    assert response.status_code == HTTPStatus.FOUND
    assert not ProgramSubmission.objects.get().events.exists()


def test_post_without_the_rows_management_fields_counts_as_no_rows(client, specialty):
    data = {
        key: value
        for key, value in form_data(specialty).items()
        if not key.startswith(("events-", "contacts-"))
    }
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.FOUND
    submission = ProgramSubmission.objects.get()
    assert not submission.events.exists()


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
    submission = ProgramSubmissionFactory(specialty=specialty, language="es")
    SubmittedContactFactory(
        submission=submission, name="Dr. Luis Ortega", email="luis@desert.example"
    )
    SubmittedEventFactory(submission=submission, title="Open house")
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
    assert Event.objects.count() == 1
    assert len(mail.outbox) == 1


def test_submitted_events_and_contacts_are_all_published_on_approval(
    client, admin_client_mfa, specialty
):
    data = form_data(
        specialty,
        events=[
            event_row(9, title="Open house"),
            event_row(16, title="Q&A with residents", time_zone="America/Chicago"),
        ],
        contacts=[
            contact_row(name="Dr. Luis Ortega", email="luis@desert.example"),
            contact_row(name="Ana Chief", role="Chief resident", email="ana@d.example"),
        ],
    )
    assert client.post(reverse(SUBMIT_URL), data).status_code == HTTPStatus.FOUND
    submission = ProgramSubmission.objects.get()
    response = admin_client_mfa.post(
        reverse("admin:residency_hub_programsubmission_changelist"),
        {"action": "approve_selected", "_selected_action": [submission.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    program = Program.objects.get()
    events = {event.title: event for event in program.events.all()}
    assert set(events) == {"Open house", "Q&A with residents"}
    assert all(event.specialty == specialty for event in events.values())
    assert events["Q&A with residents"].time_zone == "America/Chicago"
    # Noon in Chicago in March of next year is daylight time: 17:00 UTC.
    assert events["Q&A with residents"].starts_at.astimezone(datetime.UTC).hour == 17
    contacts = list(program.contacts.all())
    assert [(c.name, c.role, c.email) for c in contacts] == [
        ("Dr. Luis Ortega", "Program director", "luis@desert.example"),
        ("Ana Chief", "Chief resident", "ana@d.example"),
    ]


def test_staff_see_submitted_rows_in_admin(admin_client_mfa, specialty):
    submission = ProgramSubmissionFactory(specialty=specialty)
    SubmittedContactFactory(submission=submission, name="Dr. Listed Advisor")
    SubmittedEventFactory(submission=submission, title="Opne house")
    url = reverse("admin:residency_hub_programsubmission_change", args=[submission.pk])
    response = admin_client_mfa.get(url)
    assertContains(response, "Opne house")
    assertContains(response, 'name="events-0-title"')
    assertContains(response, "Dr. Listed Advisor")


def test_approving_an_update_changes_the_listed_program(staff_user, program):
    from residency_hub.services import program_submission_approve

    submission = ProgramSubmissionFactory(
        specialty=program.specialty,
        program=program,
        name=program.name,
        institution=program.institution,
        dei_initiatives="New initiatives.",
    )
    # A listed contact sent in again is updated, a new one is added after.
    SubmittedContactFactory(
        submission=submission, name="Dr. Elena Ruiz", email="new.elena@sunrise.example"
    )
    SubmittedContactFactory(submission=submission, name="Dr. New Advisor")
    program_submission_approve(submission=submission, by=staff_user)
    program.refresh_from_db()
    assert program.dei_initiatives == "New initiatives."
    assert Program.objects.count() == 1
    assert program.history.count() == 2
    assert [(c.name, c.email) for c in program.contacts.all()][0] == (
        "Dr. Elena Ruiz",
        "new.elena@sunrise.example",
    )
    assert program.contacts.count() == 2
    assert program.contacts.last().name == "Dr. New Advisor"


def test_approving_a_resubmission_updates_its_events_instead_of_doubling_them(
    staff_user, program
):
    # Seen: a program that sent its update (with the same open house) twice had
    # every event twice in the calendar.
    from residency_hub.services import program_submission_approve

    starts = timezone.now() + datetime.timedelta(days=20)

    def resubmit(link: str):
        submission = ProgramSubmissionFactory(
            specialty=program.specialty,
            program=program,
            name=program.name,
            institution=program.institution,
        )
        SubmittedEventFactory(
            submission=submission, title="Open house", starts_at=starts, link=link
        )
        program_submission_approve(submission=submission, by=staff_user)

    resubmit("https://meet.example.org/first")
    first = program.events.get()
    resubmit("https://meet.example.org/second")
    event = program.events.get()  # still one
    assert event.uid == first.uid  # calendars keep the same event
    assert event.link == "https://meet.example.org/second"
    assert event.sequence > first.sequence


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


def test_event_row_with_an_unknown_time_zone_is_an_error_not_a_500(client, specialty):
    data = form_data(specialty, events=[event_row(9, time_zone="Mars/Olympus")])
    response = client.post(reverse(SUBMIT_URL), data)
    assert response.status_code == HTTPStatus.OK
    row = response.context["event_formset"].forms[0]
    assert "time_zone" in row.errors
    assertContains(response, "Mars/Olympus")
    assertContains(response, "Virtual open house")
    assert not ProgramSubmission.objects.exists()
