"""Coordinators keep their program current: receipt and signed link, edit through
the link as a diff staff approve, yearly "still accurate?", several coordinators."""

import base64
import datetime
import json
import re
import time
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from lmsa_portal.attention import needs_attention
from lmsa_portal.signing import make_token
from residency_hub import services
from residency_hub.factories import (
    AdvisorContactFactory,
    EventFactory,
    ProgramCoordinatorFactory,
    ProgramSubmissionFactory,
)
from residency_hub.models import (
    AdvisorContact,
    Event,
    Program,
    ProgramCoordinator,
    ProgramSubmission,
    SubmittedContact,
)
from residency_hub.services import feed_token_rotate

NEXT_YEAR = timezone.localdate().year + 1


@pytest.fixture
def coordinator(program):
    return ProgramCoordinatorFactory(
        program=program, email="rosa@sunrise.example", name="Rosa Díaz"
    )


@pytest.fixture
def event(program):
    return EventFactory(
        program=program,
        specialty=program.specialty,
        title="Spring open house",
        starts_at=datetime.datetime(NEXT_YEAR, 4, 2, 16, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(NEXT_YEAR, 4, 2, 17, tzinfo=datetime.UTC),
        time_zone="America/New_York",
        link="https://meet.example.org/spring",
    )


def edit_path(coordinator) -> str:
    return urlsplit(services.coordinator_edit_url(coordinator=coordinator)).path


def confirm_path(coordinator) -> str:
    return urlsplit(services.STILL_ACCURATE_LINK.url(coordinator)).path


def edit_data(program, *, fields=None, contacts=None, events=None) -> dict:
    """The edit page as the browser posts it untouched, with overrides."""
    data = {
        **services_initial(program),
        **(fields or {}),
    }
    contact_rows = contacts if contacts is not None else live_contact_rows(program)
    event_rows = events if events is not None else live_event_rows(program)
    for prefix, rows in (("contacts", contact_rows), ("events", event_rows)):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for r in rows if r.get("live_id")))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "30"
        for number, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{number}-{key}"] = value
    return data


def services_initial(program) -> dict:
    data = {}
    for name, field in services.EDITABLE_FIELDS.items():
        value = getattr(program, field)
        data[name] = "" if value is None else value
    data["specialty"] = program.specialty_id
    return data


def live_contact_rows(program) -> list[dict]:
    return [
        {
            "live_id": c.pk,
            "name": c.name,
            "role": c.role,
            "email": c.email,
            "phone": c.phone,
        }
        for c in program.contacts.all()
    ]


def wall(value, zone_name) -> str:
    import zoneinfo

    return value.astimezone(zoneinfo.ZoneInfo(zone_name)).strftime("%Y-%m-%dT%H:%M")


def live_event_rows(program) -> list[dict]:
    return [
        {
            "live_id": e.pk,
            "title": e.title,
            "description": e.description,
            "starts_at": wall(e.starts_at, e.time_zone),
            "ends_at": wall(e.ends_at, e.time_zone),
            "time_zone": e.time_zone,
            "link": e.link,
        }
        for e in program.events.upcoming()
    ]


# ------------------------------------------------------------------------------
# 1. Receipt and signed link
# ------------------------------------------------------------------------------
def test_approving_a_submission_makes_the_submitter_a_coordinator_with_a_link(
    client, staff_user, specialty
):
    submission = ProgramSubmissionFactory(specialty=specialty, language="es")
    services.program_submission_approve(submission=submission, by=staff_user)
    coordinator = ProgramCoordinator.objects.get(program=submission.program)
    assert coordinator.email == submission.submitter_email
    (approved,) = mail.outbox
    path = edit_path(coordinator)
    assert path in approved.body
    # Spanish submitter, Spanish mail.
    assert "Tu enlace privado" in approved.body
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assertContains(response, submission.name)


def test_a_coordinators_change_gets_a_receipt_with_the_link(
    client, coordinator, program
):
    data = edit_data(program, fields={"city": "Santa Fe"})
    response = client.post(edit_path(coordinator), data)
    assert response.status_code == HTTPStatus.FOUND
    receipt, staff = mail.outbox
    assert receipt.to == [coordinator.email]
    assert edit_path(coordinator).rsplit("/", 2)[0] in receipt.body
    assert "/residency-hub/coordinators/" in receipt.body
    assert staff.to == ["staff@lmsa.net"]


def test_edit_page_is_prefilled_with_the_live_entry(client, coordinator, event):
    program = coordinator.program
    response = client.get(edit_path(coordinator))
    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"].startswith("max-age=0")
    assertContains(response, f'value="{program.name}"')
    assertContains(response, 'value="Dr. Elena Ruiz"')
    assertContains(response, 'value="Spring open house"')
    assertContains(response, f'value="{NEXT_YEAR}-04-02T12:00"')  # New York time


def test_tampered_link_is_refused_without_data(client, coordinator):
    path = edit_path(coordinator)
    token = path.rstrip("/").rsplit("/", 1)[1]
    payload, _, rest = token.partition(":")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    # {"c": 2, "a": "..."} under the original signature: another coordinator.
    other_payload = (
        base64.urlsafe_b64encode(
            json.dumps(
                {"c": coordinator.pk + 1, "a": "x"}, separators=(",", ":")
            ).encode()
        )
        .decode()
        .rstrip("=")
    )
    for bad in (flipped, token[:-1], payload, f"{other_payload}:{rest}", "abc"):
        response = client.get(reverse("residency_hub:coordinator-edit", args=[bad]))
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assertNotContains(
            response, "Dr. Elena Ruiz", status_code=HTTPStatus.BAD_REQUEST
        )
    # A token of another purpose (the mentors' manage link, the yearly confirm).
    for other in (
        make_token(purpose="mentor-manage", value={"c": coordinator.pk}),
        confirm_path(coordinator).rstrip("/").rsplit("/", 1)[1],
        make_token(purpose="program-coordinator", value={"c": coordinator.pk}),
    ):
        response = client.get(reverse("residency_hub:coordinator-edit", args=[other]))
        assert response.status_code == HTTPStatus.BAD_REQUEST


def test_expired_link_offers_a_fresh_one(client, coordinator, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 61 * 24 * 3600)
    path = edit_path(coordinator)
    monkeypatch.setattr(time, "time", real_time)
    response = client.get(path)
    assertContains(response, "This link has expired", status_code=400)
    assertContains(
        response, reverse("residency_hub:coordinator-request-link"), status_code=400
    )


def test_revoked_coordinator_link_stops_and_others_keep_working(client, program):
    first = ProgramCoordinatorFactory(program=program)
    second = ProgramCoordinatorFactory(program=program)
    first_path, second_path = edit_path(first), edit_path(second)
    assert first_path != second_path
    services.coordinators_revoke(ProgramCoordinator.objects.filter(pk=first.pk))
    assert client.get(first_path).status_code == HTTPStatus.BAD_REQUEST
    assert client.get(second_path).status_code == HTTPStatus.OK


def test_a_changed_address_kills_the_old_link(client, coordinator):
    path = edit_path(coordinator)
    coordinator.email = "new.rosa@sunrise.example"
    coordinator.save()
    assert client.get(path).status_code == HTTPStatus.BAD_REQUEST
    assert client.get(edit_path(coordinator)).status_code == HTTPStatus.OK


def test_staff_revoke_from_the_admin(admin_client_mfa, client, coordinator):
    path = edit_path(coordinator)
    response = admin_client_mfa.post(
        reverse("admin:residency_hub_programcoordinator_changelist"),
        {"action": "revoke_selected", "_selected_action": [coordinator.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    coordinator.refresh_from_db()
    assert coordinator.is_revoked
    assert client.get(path).status_code == HTTPStatus.BAD_REQUEST


def test_request_link_answer_never_tells_whether_the_address_is_known(
    client, coordinator
):
    url = reverse("residency_hub:coordinator-request-link")
    known = client.post(url, {"email": "ROSA@sunrise.example "})
    unknown = client.post(url, {"email": "nobody@else.example"})
    assert known.status_code == unknown.status_code == HTTPStatus.OK
    # The same page (but for its fresh CSRF token) whether known or not.
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub(b"", known.content) == csrf.sub(b"", unknown.content)
    (sent,) = mail.outbox
    assert sent.to == [coordinator.email]
    assert edit_path(coordinator).rsplit("/", 2)[0] in sent.body


def test_request_link_skips_revoked_coordinators(client, coordinator):
    services.coordinators_revoke(ProgramCoordinator.objects.all())
    client.post(
        reverse("residency_hub:coordinator-request-link"), {"email": coordinator.email}
    )
    assert mail.outbox == []


def test_request_link_is_rate_limited(client, coordinator):
    url = reverse("residency_hub:coordinator-request-link")
    statuses = [
        client.post(url, {"email": coordinator.email}).status_code for _ in range(4)
    ]
    assert statuses[:3] == [HTTPStatus.OK] * 3
    assert statuses[3] == HTTPStatus.TOO_MANY_REQUESTS


def test_public_form_never_hands_a_program_to_whoever_types_its_name(
    client, program, specialty
):
    submission = ProgramSubmissionFactory(
        specialty=specialty, program=program, submitter_email="intruder@evil.example"
    )
    services._send_receipt(submission=submission)
    assert "/residency-hub/coordinators/" not in mail.outbox[0].body
    assert not ProgramCoordinator.objects.exists()


# ------------------------------------------------------------------------------
# 2. Edit through the link: the diff, and approval applies exactly it
# ------------------------------------------------------------------------------
def test_untouched_form_sends_nothing(client, coordinator, event):
    program = coordinator.program
    response = client.post(edit_path(coordinator), edit_data(program), follow=True)
    assertContains(response, "You did not change anything.")
    assert not ProgramSubmission.objects.exists()
    assert mail.outbox == []


def coordinator_change(client, coordinator, **kwargs) -> ProgramSubmission:
    response = client.post(
        edit_path(coordinator), edit_data(coordinator.program, **kwargs)
    )
    assert response.status_code == HTTPStatus.FOUND, response.context and [
        response.context["form"].errors,
        response.context["contact_formset"].errors,
        response.context["event_formset"].errors,
    ]
    return ProgramSubmission.objects.get(coordinator=coordinator)


def test_diff_of_text_fields(client, coordinator):
    program = coordinator.program
    submission = coordinator_change(
        client,
        coordinator,
        fields={
            "dei_initiatives": "- Spanish clinic",
            "program_website": "https://sunrise.example/fm",
            "program_size": "14",
        },
    )
    assert sorted(submission.changed_fields) == [
        "dei_initiatives",
        "program_size",
        "program_website",
    ]
    changes = {c.label: c for c in services.submission_diff(submission)}
    assert set(changes) == {"DEI initiatives", "program website", "positions per year"}
    assert changes["DEI initiatives"].before == program.dei_initiatives
    assert changes["DEI initiatives"].after == "- Spanish clinic"
    assert changes["positions per year"].before == "12"
    assert changes["positions per year"].after == "14"
    assert submission.status == ProgramSubmission.Status.PENDING
    program.refresh_from_db()
    assert program.dei_initiatives != "- Spanish clinic"  # not live before review


def test_diff_of_contacts_added_changed_removed(client, coordinator):
    program = coordinator.program
    kept = program.contacts.get()
    gone = AdvisorContactFactory(program=program, name="Dr. Gone", position=1)
    rows = live_contact_rows(program)
    rows[0]["role"] = "DEI lead"
    rows[1]["remove"] = "on"
    rows.append({"name": "Dr. New Person", "email": "new@sunrise.example"})
    submission = coordinator_change(client, coordinator, contacts=rows)
    assert submission.changed_fields == []
    actions = {
        (row.action, row.replaces_id, row.name) for row in submission.contacts.all()
    }
    assert actions == {
        ("change", kept.pk, "Dr. Elena Ruiz"),
        ("remove", gone.pk, "Dr. Gone"),
        ("add", None, "Dr. New Person"),
    }
    changes = {(c.action, c.label) for c in services.submission_diff(submission)}
    assert changes == {
        ("change", "Dr. Elena Ruiz"),
        ("remove", "Dr. Gone"),
        ("add", "Dr. New Person"),
    }


def test_diff_of_events_added_changed_cancelled(client, coordinator, event):
    program = coordinator.program
    other = EventFactory(program=program, specialty=program.specialty, title="Fall Q&A")
    rows = live_event_rows(program)
    by_title = {row["title"]: row for row in rows}
    by_title["Spring open house"]["starts_at"] = f"{NEXT_YEAR}-04-02T13:00"
    by_title["Spring open house"]["ends_at"] = f"{NEXT_YEAR}-04-02T14:30"
    by_title["Fall Q&A"]["cancel"] = "on"
    by_title["Fall Q&A"]["title"] = ""  # a cancelled row's fields are not read
    rows.append(
        {
            "title": "Interview day prep",
            "starts_at": f"{NEXT_YEAR}-05-01T18:00",
            "ends_at": f"{NEXT_YEAR}-05-01T19:00",
            "time_zone": "America/Chicago",
            "link": "meet.example.org/prep",
        }
    )
    submission = coordinator_change(client, coordinator, events=rows)
    actions = {
        (row.action, row.replaces_id, row.title) for row in submission.events.all()
    }
    assert actions == {
        ("change", event.pk, "Spring open house"),
        ("cancel", other.pk, other.title),
        ("add", None, "Interview day prep"),
    }
    changes = {c.label: c for c in services.submission_diff(submission)}
    assert changes["Spring open house"].action == "change"
    assert "12:00" in changes["Spring open house"].before
    assert "13:00" in changes["Spring open house"].after
    assert changes["Fall Q&A"].action == "cancel"
    assert changes["Interview day prep"].action == "add"
    assert "https://meet.example.org/prep" in changes["Interview day prep"].after


def test_a_row_of_another_program_is_refused(client, coordinator):
    stranger = AdvisorContactFactory(name="Dr. Stranger")
    rows = live_contact_rows(coordinator.program)
    rows.append({"live_id": stranger.pk, "name": "Dr. Stranger", "remove": "on"})
    response = client.post(
        edit_path(coordinator), edit_data(coordinator.program, contacts=rows)
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not ProgramSubmission.objects.exists()
    assert AdvisorContact.objects.filter(pk=stranger.pk).exists()


def test_approve_applies_exactly_the_diff_and_twice_is_harmless(
    client, coordinator, event, staff_user, active_member
):
    program = coordinator.program
    program.last_verified_on = timezone.localdate() - datetime.timedelta(days=500)
    program.verification_requested_at = timezone.now() - datetime.timedelta(days=70)
    program.save()
    gone = AdvisorContactFactory(program=program, name="Dr. Gone", position=1)
    cancelled = EventFactory(
        program=program, specialty=program.specialty, title="Fall Q&A"
    )
    uid, sequence = event.uid, event.sequence
    contacts = live_contact_rows(program)
    contacts[0]["phone"] = "+1 505 555 0199"
    contacts[1]["remove"] = "on"
    contacts.append({"name": "Dr. New Person", "role": "Chief resident"})
    events = live_event_rows(program)
    by_title = {row["title"]: row for row in events}
    by_title["Spring open house"]["starts_at"] = f"{NEXT_YEAR}-04-02T13:00"
    by_title["Spring open house"]["ends_at"] = f"{NEXT_YEAR}-04-02T14:00"
    by_title["Fall Q&A"]["cancel"] = "on"
    submission = coordinator_change(
        client,
        coordinator,
        fields={"special_tracks": "Medical Spanish"},
        contacts=contacts,
        events=events,
    )
    # Staff change another field meanwhile: approval must not undo it.
    Program.objects.filter(pk=program.pk).update(city="Las Cruces")
    services.program_submission_approve(submission=submission, by=staff_user)
    services.program_submission_approve(submission=submission, by=staff_user)

    program.refresh_from_db()
    assert program.special_tracks == "Medical Spanish"
    assert program.city == "Las Cruces"
    assert program.last_verified_on == timezone.localdate()
    assert program.verification_requested_at is None
    assert not program.not_verified_recently
    assert sorted(program.contacts.values_list("name", "phone")) == [
        ("Dr. Elena Ruiz", "+1 505 555 0199"),
        ("Dr. New Person", ""),
    ]
    assert not AdvisorContact.objects.filter(pk=gone.pk).exists()
    assert program.events.count() == 2  # no twin, nothing lost
    event.refresh_from_db()
    assert event.uid == uid and event.sequence == sequence + 1
    assert event.starts_at == datetime.datetime(
        NEXT_YEAR, 4, 2, 17, tzinfo=datetime.UTC
    )
    cancelled.refresh_from_db()
    assert cancelled.status == Event.Status.CANCELLED
    # Approved once: one email to the coordinator (plus receipt and staff notice).
    assert [m.to for m in mail.outbox].count([coordinator.email]) == 2

    token = feed_token_rotate(user=active_member)
    feed = client.get(
        reverse("residency_hub:calendar-feed", args=[program.specialty.slug])
        + f"?token={token.token}"
    ).content.decode()
    assert feed.count("BEGIN:VEVENT") == 2
    assert "STATUS:CANCELLED" in feed
    assert f"UID:{uid}" in feed


def test_a_row_removed_by_staff_meanwhile_is_skipped(client, coordinator, staff_user):
    rows = live_contact_rows(coordinator.program)
    rows[0]["role"] = "DEI lead"
    submission = coordinator_change(client, coordinator, contacts=rows)
    AdvisorContact.objects.all().delete()
    services.program_submission_approve(submission=submission, by=staff_user)
    assert not AdvisorContact.objects.exists()
    assert SubmittedContact.objects.get().replaces is None


def test_admin_change_page_shows_the_diff(admin_client_mfa, client, coordinator, event):
    events = live_event_rows(coordinator.program)
    events[0]["cancel"] = "on"
    contacts = live_contact_rows(coordinator.program)
    contacts[0]["remove"] = "on"
    submission = coordinator_change(
        client,
        coordinator,
        fields={"city": "Santa Fe"},
        contacts=contacts,
        events=events,
    )
    response = admin_client_mfa.get(
        reverse("admin:residency_hub_programsubmission_change", args=[submission.pk])
    )
    assertContains(response, "What changed")
    assertContains(response, "<del>Albuquerque</del>", html=False)
    assertContains(response, "<ins>Santa Fe</ins>", html=False)
    assertContains(response, "Cancelled (stays in calendar feeds as cancelled)")
    assertContains(response, "removed")
    # Approving from the queue applies it.
    admin_client_mfa.post(
        reverse("admin:residency_hub_programsubmission_changelist"),
        {"action": "approve_selected", "_selected_action": [submission.pk]},
    )
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert not coordinator.program.contacts.exists()


def test_decline_keeps_the_live_entry(client, coordinator, staff_user):
    submission = coordinator_change(client, coordinator, fields={"city": "Taos"})
    services.program_submission_decline(
        submission=submission, by=staff_user, reason="Please check the city."
    )
    coordinator.program.refresh_from_db()
    assert coordinator.program.city == "Albuquerque"


# ------------------------------------------------------------------------------
# 3. Yearly verification
# ------------------------------------------------------------------------------
def test_yearly_email_timeline(client, coordinator, active_member, staff_user):
    program = coordinator.program
    second = ProgramCoordinatorFactory(program=program)
    revoked = ProgramCoordinatorFactory(program=program, revoked_at=timezone.now())
    fresh = ProgramCoordinatorFactory()  # verified today: not asked
    start = timezone.now()
    program.last_verified_on = timezone.localdate() - datetime.timedelta(days=366)
    program.save()

    # Day 0: every live coordinator is asked once, with a confirm and edit link.
    result = services.programs_send_verification_requests(now=start)
    assert (result.programs, result.emails) == (1, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [coordinator.email, second.email]
    )
    assert revoked.email not in [m.to[0] for m in mail.outbox]
    assert fresh.email not in [m.to[0] for m in mail.outbox]
    body = next(m.body for m in mail.outbox if m.to == [coordinator.email])
    assert confirm_path(coordinator).rsplit("/", 2)[0] in body
    assert "/residency-hub/coordinators/" in body
    # Idempotent: the next days send nothing more.
    for day in (1, 30, 59):
        again = services.programs_send_verification_requests(
            now=start + datetime.timedelta(days=day)
        )
        assert again.emails == 0
    assert len(mail.outbox) == 2

    client.force_login(active_member)
    detail = reverse("residency_hub:program-detail", args=[program.slug])
    assertNotContains(client.get(detail), "Not verified recently")
    assert program not in Program.objects.not_verified_recently(
        now=start + datetime.timedelta(days=59)
    )

    # Day 61 unanswered: members see it, staff get the tile.
    program.refresh_from_db()
    Program.objects.filter(pk=program.pk).update(
        verification_requested_at=timezone.now() - datetime.timedelta(days=61)
    )
    assertContains(client.get(detail), "Not verified recently")
    tiles = {t.key: t for t in needs_attention()}
    assert tiles["programs-unanswered"].count == 1
    assert "verification=unanswered" in tiles["programs-unanswered"].url

    # A late click still counts: one button, verified today, off the list.
    confirm = client.get(confirm_path(coordinator))
    assertContains(confirm, "Yes, it is still accurate")
    program.refresh_from_db()
    assert program.verification_requested_at is not None  # opening changes nothing
    client.post(confirm_path(coordinator))
    program.refresh_from_db()
    assert program.last_verified_on == timezone.localdate()
    assert program.verification_requested_at is None
    assertNotContains(client.get(detail), "Not verified recently")
    assert {t.key: t for t in needs_attention()}["programs-unanswered"].count == 0
    # Verified: not asked again until 12 months later.
    assert services.programs_send_verification_requests().emails == 0
    later = timezone.now() + datetime.timedelta(days=367)
    # A year on, both it and the program verified "today" at the start are due.
    assert services.programs_send_verification_requests(now=later).programs == 2


def test_cron_command_is_idempotent(coordinator):
    Program.objects.update(last_verified_on=None)
    call_command("programs_verify")
    call_command("programs_verify")
    assert len(mail.outbox) == 1


def test_program_without_coordinators_is_not_asked(program):
    Program.objects.update(last_verified_on=None)
    assert services.programs_send_verification_requests().programs == 0
    program.refresh_from_db()
    assert program.verification_requested_at is None


def test_needs_attention_tile_links_to_the_filtered_changelist(
    admin_client_mfa, program, django_assert_num_queries
):
    ProgramCoordinatorFactory(program=program)
    Program.objects.update(
        verification_requested_at=timezone.now() - datetime.timedelta(days=61)
    )
    (tile,) = [t for t in needs_attention() if t.key == "programs-unanswered"]
    response = admin_client_mfa.get(tile.url)
    assertContains(response, program.name)
    assertContains(response, "1 program")


# ------------------------------------------------------------------------------
# 4. Several coordinators
# ------------------------------------------------------------------------------
def test_each_coordinator_has_their_own_link_and_change(client, program, staff_user):
    first = ProgramCoordinatorFactory(program=program, name="First")
    second = ProgramCoordinatorFactory(program=program, name="Second")
    coordinator_change(client, first, fields={"city": "Taos"})
    coordinator_change(client, second, fields={"state": "AZ"})
    assert ProgramSubmission.objects.filter(program=program).count() == 2
    for submission in ProgramSubmission.objects.all():
        services.program_submission_approve(submission=submission, by=staff_user)
    program.refresh_from_db()
    # Each change applied only its own field: neither undid the other.
    assert (program.city, program.state) == ("Taos", "AZ")


def test_approving_a_public_update_adds_its_submitter_as_another_coordinator(
    program, coordinator, staff_user
):
    submission = ProgramSubmissionFactory(
        program=program, specialty=program.specialty, submitter_email="New@X.example"
    )
    services.program_submission_approve(submission=submission, by=staff_user)
    assert sorted(program.coordinators.values_list("email", flat=True)) == [
        "new@x.example",
        coordinator.email,
    ]


def test_a_revoked_coordinator_is_not_brought_back_by_a_public_submission(
    program, coordinator, staff_user
):
    services.coordinators_revoke(ProgramCoordinator.objects.all())
    submission = ProgramSubmissionFactory(
        program=program,
        specialty=program.specialty,
        submitter_email=coordinator.email,
    )
    services.program_submission_approve(submission=submission, by=staff_user)
    coordinator.refresh_from_db()
    assert coordinator.is_revoked
    assert "/residency-hub/coordinators/" not in mail.outbox[-1].body


def test_spanish_edit_page(client, coordinator):
    response = client.get(edit_path(coordinator), HTTP_ACCEPT_LANGUAGE="es")
    assertContains(response, "Enviar cambios a revisión")


def test_staff_email_a_coordinator_their_link_from_the_admin(
    admin_client_mfa, coordinator
):
    revoked = ProgramCoordinatorFactory(revoked_at=timezone.now())
    admin_client_mfa.post(
        reverse("admin:residency_hub_programcoordinator_changelist"),
        {"action": "send_links", "_selected_action": [coordinator.pk, revoked.pk]},
    )
    (sent,) = mail.outbox
    assert sent.to == [coordinator.email]
    assert edit_path(coordinator).rsplit("/", 2)[0] in sent.body


def test_program_admin_lists_its_coordinators(admin_client_mfa, coordinator):
    response = admin_client_mfa.get(
        reverse("admin:residency_hub_program_change", args=[coordinator.program.pk])
    )
    assertContains(response, coordinator.email)


def test_a_listed_row_named_twice_is_refused_and_saves_nothing(client, coordinator):
    # Review: two rows naming one listed contact (doubled or tampered form) gave a
    # 500 on approval (remove twice) or brought a removed contact back.
    program = coordinator.program
    rows = live_contact_rows(program)
    rows.append({**rows[0], "remove": "on"})
    rows[0]["remove"] = "on"
    response = client.post(edit_path(coordinator), edit_data(program, contacts=rows))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The same row appears twice" in response.content.decode()
    assert not ProgramSubmission.objects.exists()


def test_staff_add_a_coordinator_with_capitals_in_the_address(
    admin_client_mfa, coordinator
):
    # Review: the unique check ran on "Rosa@…" and the save on "rosa@…": a 500.
    from residency_hub.models import ProgramCoordinator

    form = ProgramCoordinator(program=coordinator.program, email="Rosa@Sunrise.example")
    with pytest.raises(ValidationError):
        form.full_clean()
    assert ProgramCoordinator.objects.count() == 1


def test_a_contact_removed_while_the_page_was_open_can_be_sent_again_as_new(
    client, coordinator
):
    # Review: a stale row trapped the coordinator on a 400 they could not fix.
    program = coordinator.program
    removed = AdvisorContactFactory(program=program, name="Dr. Gone")
    rows = live_contact_rows(program)
    removed.delete()  # staff removed it after the page was opened
    response = client.post(edit_path(coordinator), edit_data(program, contacts=rows))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert "no longer listed for your program" in body
    assert 'value="Dr. Gone"' in body  # what was typed stays
    assert not ProgramSubmission.objects.exists()
    # The page now holds it as a new row: sending it again adds it.
    number = [r["name"] for r in rows].index("Dr. Gone")
    hidden = f'name="contacts-{number}-live_id" id="id_contacts-{number}-live_id"'
    assert f'<input type="hidden" {hidden}>' in body  # no value: a new row
    rows[number]["live_id"] = ""
    again = client.post(edit_path(coordinator), edit_data(program, contacts=rows))
    assert again.status_code == HTTPStatus.FOUND
    submission = ProgramSubmission.objects.get()
    assert any(
        c.label == "Dr. Gone" and c.action == "add"
        for c in services.submission_diff(submission)
    )


def test_the_shared_field_lists_stay_as_declared(client, coordinator):
    # Seen in CI: an inline formset appended its foreign key to the shared list,
    # and the next coordinator edit was a 500.
    client.get(reverse("residency_hub:submit"))
    client.get(edit_path(coordinator))
    assert services.CONTACT_FIELDS == ("name", "role", "email", "phone")
    assert "submission" not in services.EVENT_FIELDS
