"""Workflows of the hub that span models or send mail."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from members.mail import portal_url, send_templated_email
from members.models import User
from residency_hub.models import (
    AdvisorContact,
    CalendarFeedToken,
    Event,
    Program,
    ProgramSubmission,
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
    send_templated_email(
        template_prefix="residency_hub/email/submission_received_staff",
        to=list(getattr(settings, "STAFF_NOTIFICATION_EMAILS", [])),
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
    return submission


@transaction.atomic
def program_submission_approve(
    *, submission: ProgramSubmission, by: User
) -> ProgramSubmission:
    """Publish a submission (new program or update of its program) and tell the
    submitter."""
    if submission.status != ProgramSubmission.Status.PENDING:
        return submission
    program = submission.program or Program(
        slug=unique_program_slug(
            name=submission.name, institution=submission.institution
        )
    )
    for field in PROGRAM_FIELDS:
        setattr(program, field, getattr(submission, field))
    program.website = submission.program_website
    program.last_verified_on = timezone.localdate()
    program.save()
    listed = {contact.name: contact for contact in program.contacts.all()}
    next_position = max((c.position for c in listed.values()), default=0) + 1
    for contact in submission.contacts.all():
        # The same person sent in again updates their row; new people go last.
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
    # A resubmission repeats the program's events: the same title at the same
    # time updates the listed event (its calendar UID stays) instead of adding a
    # twin.
    listed_events = {
        (listed.title.strip().lower(), listed.starts_at): listed
        for listed in program.events.all()
    }
    for event in submission.events.all():
        listed_event = listed_events.get(
            (event.title.strip().lower(), event.starts_at)
        ) or Event(specialty=program.specialty, program=program)
        listed_event.title = event.title
        listed_event.description = event.description
        listed_event.starts_at = event.starts_at
        listed_event.ends_at = event.ends_at
        listed_event.time_zone = event.time_zone
        listed_event.link = event.link
        listed_event.host = program.institution
        listed_event.save()
    submission.program = program
    submission._change_reason = f"Approved by {by}"
    submission.status = ProgramSubmission.Status.APPROVED
    submission.decided_at = timezone.now()
    submission.decided_by = by
    submission.save()
    # Queued through django-tasks: with the database backend the task row commits
    # together with the decision.
    _tell_submitter(submission=submission)
    return submission


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


def _tell_submitter(*, submission: ProgramSubmission) -> None:
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
        program.save(update_fields=["last_verified_on", "updated_at"])
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
