"""Workflows of the hub that span models or send mail."""

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from lmsa_portal.mail import portal_url, send_templated_email
from lmsa_portal.phones import phone_display
from lmsa_portal.signing import SignedLink, address_fingerprint
from members.models import User
from residency_hub.models import (
    VERIFICATION_ANSWER_DAYS,
    AdvisorContact,
    CalendarFeedToken,
    Event,
    Program,
    ProgramCoordinator,
    ProgramSubmission,
    SubmittedContact,
    SubmittedEvent,
)

PROGRAM_FIELDS = [
    "name",
    "institution",
    "specialty",
    "city",
    "state",
    "program_size",
    "diversity_mission",
    "dei_initiatives",
    "applicant_tips",
    "pipeline_opportunities",
    "special_tracks",
]
# What a coordinator can change on the entry: submission field -> program field.
EDITABLE_FIELDS = {
    **{field: field for field in PROGRAM_FIELDS},
    "program_website": "website",
}
# Tuples: forms use them as Meta.fields, and an inline formset appends its foreign
# key to a list it is given (a shared list would grow).
CONTACT_FIELDS = ("name", "role", "email", "phone")
EVENT_FIELDS = ("title", "description", "starts_at", "ends_at", "time_zone", "link")


# ------------------------------------------------------------------------------
# Coordinators' signed links (lmsa_portal.signing)
# ------------------------------------------------------------------------------
def _live_coordinator(value) -> ProgramCoordinator:
    """The coordinator a link was sent to: revoking the row or changing its
    address kills every link it was sent."""
    coordinator = ProgramCoordinator.objects.select_related(
        "program", "program__specialty"
    ).get(pk=value["c"])
    if coordinator.is_revoked:
        raise signing.BadSignature("Revoked coordinator")
    if value.get("a") != address_fingerprint(coordinator.email):
        raise signing.BadSignature("Not the coordinator's address")
    return coordinator


def _sign_coordinator(coordinator: ProgramCoordinator) -> dict:
    return {"c": coordinator.pk, "a": address_fingerprint(coordinator.email)}


# The coordinator's program, to edit (a fresh link is a form away).
COORDINATOR_LINK = SignedLink(
    purpose="program-coordinator",
    url_name="residency_hub:coordinator-edit",
    max_age_setting="PROGRAM_COORDINATOR_LINK_MAX_AGE_DAYS",
    sign=_sign_coordinator,
    load=_live_coordinator,
    renew_url_name="residency_hub:coordinator-request-link",
)
# The yearly "still accurate?": works past the 60 days after which the program
# shows "not verified recently", so a late click still counts.
STILL_ACCURATE_LINK = replace(
    COORDINATOR_LINK,
    purpose="program-still-accurate",
    url_name="residency_hub:coordinator-confirm",
    max_age_setting="PROGRAM_STILL_ACCURATE_LINK_MAX_AGE_DAYS",
)


def coordinator_edit_url(
    *, coordinator: ProgramCoordinator, request: HttpRequest | None = None
) -> str:
    return COORDINATOR_LINK.url(coordinator, request=request)


def _email_coordinator(
    *,
    coordinator: ProgramCoordinator,
    template: str,
    request: HttpRequest | None = None,
    **context,
) -> None:
    send_templated_email(
        template_prefix=f"residency_hub/email/{template}",
        to=[coordinator.email],
        context={
            "coordinator": coordinator,
            "program": coordinator.program,
            "edit_url": coordinator_edit_url(coordinator=coordinator, request=request),
            "request_link_url": portal_url(
                reverse("residency_hub:coordinator-request-link"), request=request
            ),
            **context,
        },
        language=coordinator.language or settings.LANGUAGE_CODE,
    )


def coordinator_send_links(*, email: str, request: HttpRequest | None = None) -> int:
    """Email a fresh edit link for each program ``email`` coordinates.

    Returns how many were sent; callers must not reveal it to the visitor.
    """
    sent = 0
    coordinators = ProgramCoordinator.objects.live().filter(email=email.strip().lower())
    for coordinator in coordinators.select_related("program"):
        coordinator_send_link(coordinator=coordinator, request=request)
        sent += 1
    return sent


def coordinator_send_link(
    *, coordinator: ProgramCoordinator, request: HttpRequest | None = None
) -> None:
    _email_coordinator(
        coordinator=coordinator, template="coordinator_link", request=request
    )


def coordinators_revoke(coordinators) -> int:
    """Stop the links of the live ones among ``coordinators`` (a queryset)."""
    return coordinators.live().update(revoked_at=timezone.now())


def coordinator_for_submitter(
    *, submission: ProgramSubmission
) -> ProgramCoordinator | None:
    """The submitter as a coordinator of the approved program: added when new,
    never brought back when staff revoked them."""
    coordinator, _created = ProgramCoordinator.objects.get_or_create(
        program=submission.program,
        email=submission.submitter_email.strip().lower(),
        defaults={
            "name": submission.submitter_name,
            "language": submission.language,
        },
    )
    return None if coordinator.is_revoked else coordinator


def unique_program_slug(*, name: str, institution: str) -> str:
    """A slug for a new program that no other program uses."""
    base = slugify(f"{name} {institution}")[:200] or "program"
    slug, number = base, 2
    while Program.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def program_submission_create(
    *, submission: ProgramSubmission, rows: Iterable = ()
) -> ProgramSubmission:
    """Queue a public submission for staff review and tell the staff. ``rows``
    are its bound event and contact formsets, saved with it."""
    if submission.program_id is None:
        # An update of a listed program is matched for staff; they can change it.
        submission.program = Program.objects.filter(
            name__iexact=submission.name.strip(),
            institution__iexact=submission.institution.strip(),
        ).first()
    submission.save()
    for formset in rows:
        formset.instance = submission
        formset.save()
    _send_receipt(submission=submission)
    _tell_staff(submission=submission)
    return submission


def _send_receipt(*, submission: ProgramSubmission) -> None:
    """The submitter's receipt; a coordinator's carries their link again."""
    coordinator = submission.coordinator
    if coordinator is None and submission.program_id is not None:
        # Only a coordinator staff already approved gets the link: the public
        # form never hands a program to whoever types its name.
        coordinator = (
            ProgramCoordinator.objects.live()
            .filter(
                program=submission.program,
                email=submission.submitter_email.strip().lower(),
            )
            .first()
        )
    send_templated_email(
        template_prefix="residency_hub/email/submission_receipt",
        to=[submission.submitter_email],
        context={
            "submission": submission,
            "edit_url": coordinator_edit_url(coordinator=coordinator)
            if coordinator
            else "",
        },
        language=submission.language,
    )


def _tell_staff(*, submission: ProgramSubmission) -> None:
    send_templated_email(
        template_prefix="residency_hub/email/submission_received_staff",
        to=list(settings.STAFF_NOTIFICATION_EMAILS),
        context={
            "submission": submission,
            "review_url": portal_url(
                reverse(
                    "admin:residency_hub_programsubmission_change",
                    args=[submission.pk],
                )
            ),
        },
    )


@transaction.atomic
def program_submission_approve(
    *, submission: ProgramSubmission, by: User
) -> ProgramSubmission:
    """Publish a submission (new program or update of its program) and tell the
    submitter. A coordinator's change applies exactly its diff: the fields they
    changed, and each contact or event row on the row it names."""
    # Locked and read again: a second approval (another tab, a double click)
    # finds it decided and changes nothing.
    stored_status = (
        ProgramSubmission.objects.select_for_update()
        .filter(pk=submission.pk)
        .values_list("status", flat=True)
        .first()
    )
    if stored_status != ProgramSubmission.Status.PENDING:
        return submission
    program = submission.program or Program(
        slug=unique_program_slug(
            name=submission.name, institution=submission.institution
        )
    )
    fields = (
        EDITABLE_FIELDS
        if submission.changed_fields is None
        else {f: EDITABLE_FIELDS[f] for f in submission.changed_fields}
    )
    for submitted_field, program_field in fields.items():
        setattr(program, program_field, getattr(submission, submitted_field))
    program.last_verified_on = timezone.localdate()
    program.verification_requested_at = None
    program.save()
    _apply_contacts(program=program, submission=submission)
    _apply_events(program=program, submission=submission)
    submission.program = program
    submission._change_reason = f"Approved by {by}"
    submission.status = ProgramSubmission.Status.APPROVED
    submission.decided_at = timezone.now()
    submission.decided_by = by
    submission.save()
    # Queued through django-tasks: with the database backend the task row commits
    # together with the decision.
    coordinator = submission.coordinator or coordinator_for_submitter(
        submission=submission
    )
    _tell_submitter(
        submission=submission,
        # A revoked coordinator's link would not work.
        coordinator=None if coordinator and coordinator.is_revoked else coordinator,
    )
    return submission


def _apply_contacts(*, program: Program, submission: ProgramSubmission) -> None:
    listed = {contact.name: contact for contact in program.contacts.all()}
    by_pk = {contact.pk: contact for contact in listed.values()}
    next_position = max((c.position for c in listed.values()), default=0) + 1
    for contact in submission.contacts.all():
        Action = SubmittedContact.Action
        if contact.action in (Action.CHANGE, Action.REMOVE):
            # Each listed row at most once (pop), even if named twice.
            advisor = by_pk.pop(contact.replaces_id, None)
            if advisor is None:  # removed meanwhile: nothing left to change
                continue
            if contact.action == Action.REMOVE:
                listed.pop(advisor.name, None)
                advisor.delete()
                continue
            advisor.name = contact.name
        else:
            # The same person sent in again updates their row; new people go
            # last.
            advisor = listed.get(contact.name) or AdvisorContact(
                program=program, name=contact.name, position=next_position
            )
            if advisor.pk is None:
                next_position += 1
        advisor.role = contact.role
        advisor.email = contact.email
        advisor.phone = contact.phone
        advisor.save()
        listed[contact.name] = advisor


def _apply_events(*, program: Program, submission: ProgramSubmission) -> None:
    # A resubmission repeats the program's events: the same title at the same
    # time updates the listed event (its calendar UID stays) instead of adding a
    # twin.
    events = list(program.events.all())
    # A cancelled event added again is a new event, not the cancelled one.
    listed_events = {
        (e.title.strip().lower(), e.starts_at): e
        for e in events
        if e.status != Event.Status.CANCELLED
    }
    by_pk = {event.pk: event for event in events}
    for event in submission.events.all():
        Action = SubmittedEvent.Action
        if event.action in (Action.CHANGE, Action.CANCEL):
            listed_event = by_pk.pop(event.replaces_id, None)
            if listed_event is None:
                continue
            if event.action == Action.CANCEL:
                # Kept with STATUS:CANCELLED so subscribed calendars drop it.
                listed_event.status = Event.Status.CANCELLED
                listed_event.save()
                continue
        else:
            listed_event = listed_events.get(
                (event.title.strip().lower(), event.starts_at)
            ) or Event(specialty=program.specialty, program=program)
        for field in EVENT_FIELDS:
            setattr(listed_event, field, getattr(event, field))
        listed_event.host = program.institution
        listed_event.save()


@transaction.atomic
def program_submission_decline(
    *, submission: ProgramSubmission, by: User, reason: str = ""
) -> ProgramSubmission:
    """Decline a submission and tell the submitter why."""
    if submission.status != ProgramSubmission.Status.PENDING:
        return submission
    submission.status = ProgramSubmission.Status.DECLINED
    submission._change_reason = f"Declined by {by}"
    submission.decision_note = reason
    submission.decided_at = timezone.now()
    submission.decided_by = by
    submission.save()
    _tell_submitter(submission=submission)
    return submission


def _tell_submitter(
    *, submission: ProgramSubmission, coordinator: ProgramCoordinator | None = None
) -> None:
    approved = submission.status == ProgramSubmission.Status.APPROVED
    send_templated_email(
        template_prefix=(
            "residency_hub/email/submission_approved"
            if approved
            else "residency_hub/email/submission_declined"
        ),
        to=[submission.submitter_email],
        context={
            "submission": submission,
            "program_url": portal_url(submission.program.get_absolute_url())
            if approved and submission.program
            else "",
            "submit_url": portal_url(reverse("residency_hub:submit")),
            "edit_url": coordinator_edit_url(coordinator=coordinator)
            if coordinator
            else "",
        },
        language=submission.language,
    )


def programs_mark_verified(*, programs, on: datetime.date | None = None) -> int:
    """Record that staff confirmed these programs' entries today."""
    on = on or timezone.localdate()
    count = 0
    # One save per program so edit history records who verified what.
    for program in programs:
        program.last_verified_on = on
        program.verification_requested_at = None
        program.save(
            update_fields=[
                "last_verified_on",
                "verification_requested_at",
                "updated_at",
            ]
        )
        count += 1
    return count


def current_feed_token(*, user: User) -> CalendarFeedToken | None:
    """The member's live feed token, if they made one."""
    if not user.is_authenticated:
        return None
    return CalendarFeedToken.objects.live().filter(user=user).first()


@transaction.atomic
def feed_token_rotate(*, user: User) -> CalendarFeedToken:
    """Revoke the member's feed token (if any) and make a new one."""
    feed_token_revoke(user=user)
    return CalendarFeedToken.objects.create(user=user)


def feed_token_revoke(*, user: User) -> int:
    """Stop every feed link of the member from working."""
    live = CalendarFeedToken.objects.live().filter(user=user)
    return live.update(revoked_at=timezone.now())


def feed_tokens_revoke(tokens) -> int:
    """Revoke the live ones among ``tokens`` (a queryset); their feeds stop at
    once and the calendar pages stop showing them."""
    return tokens.live().update(revoked_at=timezone.now())


# ------------------------------------------------------------------------------
# A coordinator's change: the diff staff review
# ------------------------------------------------------------------------------
@dataclass
class Change:
    kind: str  # "field", "contact" or "event"
    action: str  # "change", "add", "remove", "cancel"
    label: str
    before: str = ""
    after: str = ""


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    return str(value)


def _event_summary(event) -> str:
    zone = zoneinfo.ZoneInfo(event.time_zone)
    start = event.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    end = event.ends_at.astimezone(zone).strftime("%H:%M")
    parts = [event.title, f"{start}–{end} {event.time_zone}", event.link]
    return " · ".join(part for part in parts if part)


def _contact_summary(contact) -> str:
    parts = [contact.name, contact.role, contact.email, phone_display(contact.phone)]
    return " · ".join(part for part in parts if part)


def submission_diff(submission: ProgramSubmission) -> list[Change]:
    """What approving ``submission`` changes on its live program ("what changed").

    A new program: every field is an addition."""
    program = submission.program
    changes: list[Change] = []
    names = (
        list(EDITABLE_FIELDS)
        if submission.changed_fields is None
        else submission.changed_fields
    )
    for name in names:
        program_field = EDITABLE_FIELDS[name]
        after = getattr(submission, name)
        before = getattr(program, program_field) if program else None
        if program is not None and before == after:
            continue
        label = str(ProgramSubmission._meta.get_field(name).verbose_name)
        changes.append(Change("field", "change", label, _shown(before), _shown(after)))
    for contact in submission.contacts.select_related("replaces"):
        live = contact.replaces
        if contact.action == SubmittedContact.Action.ADD:
            changes.append(
                Change("contact", "add", contact.name, "", _contact_summary(contact))
            )
        elif live is not None:
            after = (
                ""
                if contact.action == SubmittedContact.Action.REMOVE
                else _contact_summary(contact)
            )
            changes.append(
                Change(
                    "contact", contact.action, live.name, _contact_summary(live), after
                )
            )
    for event in submission.events.select_related("replaces"):
        live = event.replaces
        if event.action == SubmittedEvent.Action.ADD:
            changes.append(
                Change("event", "add", event.title, "", _event_summary(event))
            )
        elif live is not None:
            after = (
                ""
                if event.action == SubmittedEvent.Action.CANCEL
                else _event_summary(event)
            )
            changes.append(
                Change("event", event.action, live.title, _event_summary(live), after)
            )
    return changes


@transaction.atomic
def coordinator_change_create(
    *,
    coordinator: ProgramCoordinator,
    fields: dict,
    contacts: list[dict],
    events: list[dict],
    language: str = "en",
) -> ProgramSubmission | None:
    """Queue a coordinator's change of their program for staff review.

    ``fields`` are the edit form's program fields; ``contacts`` and ``events``
    are rows as ``{"action", "replaces", **values}`` (only changed rows). Returns
    None when nothing differs from the live entry."""
    program = coordinator.program
    changed = [
        name
        for name, program_field in EDITABLE_FIELDS.items()
        if fields[name] != getattr(program, program_field)
    ]
    if not changed and not contacts and not events:
        return None
    submission = ProgramSubmission(
        program=program,
        coordinator=coordinator,
        submitter_name=coordinator.name or coordinator.email,
        submitter_email=coordinator.email,
        submitter_role="",
        changed_fields=changed,
        language=language,
        **fields,
    )
    submission.save()
    for position, row in enumerate(contacts):
        SubmittedContact.objects.create(submission=submission, position=position, **row)
    for position, row in enumerate(events):
        SubmittedEvent.objects.create(submission=submission, position=position, **row)
    _send_receipt(submission=submission)
    _tell_staff(submission=submission)
    return submission


# ------------------------------------------------------------------------------
# Yearly "still accurate?" (cron)
# ------------------------------------------------------------------------------
def program_confirm_still_accurate(*, program: Program) -> Program:
    """A coordinator says the entry is current: verified today."""
    programs_mark_verified(programs=[program])
    return program


@dataclass
class VerificationResult:
    programs: int = 0
    emails: int = 0


def programs_send_verification_requests(
    *, now: datetime.datetime | None = None
) -> VerificationResult:
    """Ask the coordinators of programs not verified for 12 months whether the
    entry is still accurate. Idempotent: a program asked once is not asked again
    until it is verified (which clears ``verification_requested_at``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = VerificationResult()
    # The same "overdue" as the staff filter and the needs-attention count.
    due = (
        Program.objects.verification_overdue(today)
        .filter(
            verification_requested_at__isnull=True,
            coordinators__revoked_at__isnull=True,
            coordinators__isnull=False,
        )
        .distinct()
    )
    for program_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            program = (
                Program.objects.select_for_update()
                .filter(pk=program_id, verification_requested_at__isnull=True)
                .first()
            )
            if program is None:
                continue
            program.verification_requested_at = now
            program._change_reason = "Verification asked for"
            program.save(update_fields=["verification_requested_at", "updated_at"])
            result.programs += 1
            for coordinator in program.coordinators.live():
                coordinator.program = program
                _email_coordinator(
                    coordinator=coordinator,
                    template="still_accurate",
                    confirm_url=STILL_ACCURATE_LINK.url(coordinator),
                    answer_by=now + datetime.timedelta(days=VERIFICATION_ANSWER_DAYS),
                )
                result.emails += 1
    return result
