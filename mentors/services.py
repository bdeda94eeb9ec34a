"""Mentor listing workflows: sign-up, review, self-service and reconfirmation.

Every function that changes a listing's status tells the physician by email. The
physician has no account: the emails carry signed links (``lmsa_portal.signing``) to
manage the listing or confirm it is still current.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from lmsa_portal.mail import portal_url, send_templated_email, user_language
from lmsa_portal.signing import address_fingerprint, make_token, read_token
from members.models import User
from mentors.models import Language, Mentor

MANAGE_PURPOSE = "mentor-manage"
STILL_MENTORING_PURPOSE = "mentor-still-mentoring"
EMAIL_CHANGE_PURPOSE = "mentor-email-change"
DAY = 24 * 60 * 60


def manage_link_max_age() -> int:
    """Seconds a self-service link stays valid (a fresh one is a form away)."""
    return settings.MENTOR_MANAGE_LINK_MAX_AGE_DAYS * DAY


def still_mentoring_link_max_age() -> int:
    """Seconds an "I'm still mentoring" link stays valid: past the stale date, so a
    late click still brings the listing back."""
    return settings.MENTOR_STILL_MENTORING_LINK_MAX_AGE_DAYS * DAY


def reconfirm_after() -> datetime.timedelta:
    return datetime.timedelta(days=settings.MENTOR_RECONFIRM_AFTER_DAYS)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(days=settings.MENTOR_STALE_AFTER_DAYS)


def staff_emails() -> list[str]:
    return list(settings.STAFF_NOTIFICATION_EMAILS)


# ------------------------------------------------------------------------------
# Signed links
# ------------------------------------------------------------------------------
def manage_token(*, mentor: Mentor) -> str:
    return make_token(purpose=MANAGE_PURPOSE, value={"mentor": mentor.pk})


def mentor_manage_url(*, mentor: Mentor, request: HttpRequest | None = None) -> str:
    """Absolute self-service link for ``mentor`` (edit, pause, remove)."""
    token = manage_token(mentor=mentor)
    return portal_url(reverse("mentors:manage", args=[token]), request=request)


def mentor_still_mentoring_url(
    *, mentor: Mentor, request: HttpRequest | None = None
) -> str:
    """Absolute "I'm still mentoring" link for ``mentor``."""
    token = make_token(purpose=STILL_MENTORING_PURPOSE, value={"mentor": mentor.pk})
    return portal_url(reverse("mentors:still-mentoring", args=[token]), request=request)


def mentor_from_token(*, purpose: str, token: str, max_age_seconds: int) -> Mentor:
    """The listing a signed link points at.

    Raises ``signing.BadSignature`` (``SignatureExpired`` when too old) or
    ``Mentor.DoesNotExist``.
    """
    value = read_token(purpose=purpose, token=token, max_age_seconds=max_age_seconds)
    if not isinstance(value, dict) or not isinstance(value.get("mentor"), int):
        raise signing.BadSignature("Malformed mentor token")
    mentor = Mentor.objects.select_related("specialty").get(pk=value["mentor"])
    # A link bound to a new address (``mentor_email_change_url``) dies when that
    # address is confirmed or another one is asked for.
    if "a" in value and (
        not mentor.pending_email
        or value["a"] != address_fingerprint(mentor.pending_email)
    ):
        raise signing.BadSignature("Not the address waiting for confirmation")
    return mentor


# ------------------------------------------------------------------------------
# Email helpers
# ------------------------------------------------------------------------------
def _email_mentor(
    *,
    mentor: Mentor,
    template: str,
    request: HttpRequest | None = None,
    to: str = "",
    **context,
) -> None:
    send_templated_email(
        template_prefix=f"mentors/email/{template}",
        to=[to or mentor.email],
        context={
            "mentor": mentor,
            "manage_url": mentor_manage_url(mentor=mentor, request=request),
            "request_link_url": portal_url(
                reverse("mentors:request-link"), request=request
            ),
            **context,
        },
        language=mentor.language or settings.LANGUAGE_CODE,
    )


def _email_staff(*, mentor: Mentor, template: str, request=None, **context) -> None:
    """A notice to STAFF_NOTIFICATION_EMAILS about one listing, in English, with
    the link to its admin page."""
    send_templated_email(
        template_prefix=f"mentors/email/{template}",
        to=staff_emails(),
        context={
            "mentor": mentor,
            "review_url": portal_url(
                reverse("admin:mentors_mentor_change", args=[mentor.pk]),
                request=request,
            ),
            **context,
        },
        language=settings.LANGUAGE_CODE,
    )


def _notify_staff(*, mentor: Mentor, updated: bool, request=None) -> None:
    _email_staff(
        mentor=mentor,
        template="staff_new_signup",
        request=request,
        updated=updated,
        queue_url=portal_url(
            reverse("admin:mentors_pendingmentor_changelist"), request=request
        ),
    )


def _change_reason(action: str, by: User | None) -> str:
    return f"{action} by {by}" if by else action


# ------------------------------------------------------------------------------
# Sign-up and editing
# ------------------------------------------------------------------------------
def _apply_fields(mentor: Mentor, fields: dict) -> None:
    for name, value in fields.items():
        setattr(mentor, name, value)


@transaction.atomic
def mentor_submit(
    *,
    fields: dict,
    languages: list[Language],
    user: User | None = None,
    request: HttpRequest | None = None,
) -> Mentor:
    """Record a public sign-up and email the physician and staff.

    The same address twice updates the pending entry instead of making a
    duplicate. An address that already has an approved listing changes nothing:
    its owner gets their self-service link by email (so the form never reveals
    whether an address is listed).
    """
    email = fields["email"].strip().lower()
    existing = Mentor.objects.select_for_update().open().with_email(email).first()
    if existing is not None and existing.status == Mentor.Status.APPROVED:
        _email_mentor(mentor=existing, template="already_listed", request=request)
        return existing

    mentor = existing or Mentor(status=Mentor.Status.PENDING)
    _apply_fields(mentor, fields)
    mentor.email = email
    mentor.consented_at = timezone.now()
    mentor.language = translation.get_language() or settings.LANGUAGE_CODE
    if mentor.language not in dict(settings.LANGUAGES):
        mentor.language = settings.LANGUAGE_CODE
    if user is not None and user.is_authenticated and mentor.user_id is None:
        mentor.user = user
    mentor._change_reason = "Sign-up updated" if existing else "Signed up"
    mentor.save()
    mentor.languages.set(languages)
    _email_mentor(
        mentor=mentor,
        template="signup_received",
        request=request,
        updated=existing is not None,
    )
    _notify_staff(mentor=mentor, updated=existing is not None, request=request)
    return mentor


@dataclass
class ListingChange:
    label: str
    before: str
    after: str


def _shown(mentor: Mentor, name: str) -> str:
    value = getattr(mentor, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    display = getattr(mentor, f"get_{name}_display", None)
    return str(display() if display else value or "")


@transaction.atomic
def mentor_update(
    *,
    mentor: Mentor,
    fields: dict,
    languages: list[Language],
    request: HttpRequest | None = None,
) -> list[ListingChange]:
    """The physician edits their listing through the signed link; staff are told
    what changed. A new email address is only kept aside: it replaces the old one
    when the physician opens the link sent to it (``mentor_confirm_email``).

    Saving an approved listing also counts as confirming it is current.
    """
    fields = dict(fields)
    new_email = fields.pop("email", mentor.email).strip().lower()
    changes = []
    with translation.override(settings.LANGUAGE_CODE):  # staff read the changes
        for name, value in fields.items():
            before = _shown(mentor, name)
            setattr(mentor, name, value)
            if _shown(mentor, name) != before:
                label = capfirst(Mentor._meta.get_field(name).verbose_name)
                changes.append(ListingChange(label, before, _shown(mentor, name)))
        spoken_before = sorted(str(language) for language in mentor.languages.all())
        spoken_after = sorted(str(language) for language in languages)
        if spoken_before != spoken_after:
            changes.append(
                ListingChange(
                    str(_("Languages")),
                    ", ".join(spoken_before),
                    ", ".join(spoken_after),
                )
            )
    email_change = new_email != mentor.email.lower()
    mentor.pending_email = new_email if email_change else ""
    if mentor.status == Mentor.Status.APPROVED:
        _mark_confirmed(mentor)
    mentor._change_reason = "Edited by the physician"
    mentor.save()
    mentor.languages.set(languages)
    if email_change:
        with translation.override(settings.LANGUAGE_CODE):
            label = str(_("Email address (waits for confirmation)"))
        changes.append(ListingChange(label, mentor.email, new_email))
        _email_mentor(
            mentor=mentor,
            template="email_change_confirm",
            request=request,
            to=new_email,
            confirm_url=mentor_email_change_url(mentor=mentor, request=request),
        )
        _email_mentor(
            mentor=mentor,
            template="email_change_requested",
            request=request,
            new_email=new_email,
        )
    if changes:
        _notify_staff_of_edit(mentor=mentor, changes=changes, request=request)
    return changes


def mentor_email_change_url(*, mentor: Mentor, request: HttpRequest | None = None):
    """The link that makes ``mentor.pending_email`` the listing's address; bound to
    that address (by fingerprint), so an older link dies when another is asked for."""
    token = make_token(
        purpose=EMAIL_CHANGE_PURPOSE,
        value={"mentor": mentor.pk, "a": address_fingerprint(mentor.pending_email)},
    )
    return portal_url(reverse("mentors:email-confirm", args=[token]), request=request)


@transaction.atomic
def mentor_confirm_email(*, mentor: Mentor) -> bool:
    """Make the pending address the listing's own. False when another open
    listing took that address in the meantime (nothing changes)."""
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    new_email = mentor.pending_email
    if Mentor.objects.open().with_email(new_email).exclude(pk=mentor.pk).exists():
        return False
    mentor.email = new_email
    mentor.pending_email = ""
    mentor._change_reason = "Email address confirmed by the physician"
    mentor.save(update_fields=["email", "pending_email"])
    return True


def _notify_staff_of_edit(*, mentor, changes, request=None) -> None:
    _email_staff(
        mentor=mentor,
        template="staff_listing_edited",
        request=request,
        changes=changes,
    )


# ------------------------------------------------------------------------------
# Review (staff)
# ------------------------------------------------------------------------------
def _mark_confirmed(mentor: Mentor, now: datetime.datetime | None = None) -> None:
    mentor.confirmed_at = now or timezone.now()
    mentor.reconfirmation_sent_at = None
    mentor.stale_since = None


@transaction.atomic
def mentor_approve(
    *, mentor: Mentor, by: User | None = None, request: HttpRequest | None = None
) -> Mentor:
    """Approve a listing: it enters the directory; the physician is told."""
    mentor.status = Mentor.Status.APPROVED
    mentor.decided_at = timezone.now()
    mentor.decision_note = ""
    _mark_confirmed(mentor, mentor.decided_at)
    mentor._change_reason = _change_reason("Approved", by)
    mentor.save()
    _email_mentor(
        mentor=mentor,
        template="approved",
        request=request,
        directory_url=portal_url(reverse("mentors:directory"), request=request),
    )
    return mentor


@transaction.atomic
def mentor_decline(
    *,
    mentor: Mentor,
    by: User | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Mentor:
    """Decline a listing with an optional reason that the physician receives."""
    mentor.status = Mentor.Status.DECLINED
    mentor.decided_at = timezone.now()
    mentor.decision_note = reason
    mentor._change_reason = _change_reason("Declined", by)
    mentor.save()
    _email_mentor(
        mentor=mentor,
        template="declined",
        request=request,
        join_url=portal_url(reverse("mentors:join"), request=request),
    )
    return mentor


# ------------------------------------------------------------------------------
# Pause, resume, remove
# ------------------------------------------------------------------------------
@transaction.atomic
def mentor_pause(
    *,
    mentor: Mentor,
    until: datetime.date,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Mentor:
    """Hide a listing until ``until``; staff pauses are emailed to the physician."""
    mentor.paused_until = until
    mentor._change_reason = _change_reason(f"Paused until {until}", by)
    mentor.save()
    if by is not None:
        _email_mentor(mentor=mentor, template="paused", request=request)
    return mentor


@transaction.atomic
def mentor_resume(*, mentor: Mentor, by: User | None = None) -> Mentor:
    """Show a paused listing again now."""
    mentor.paused_until = None
    mentor._change_reason = _change_reason("Resumed", by)
    mentor.save()
    return mentor


@transaction.atomic
def mentor_remove(
    *, mentor: Mentor, by: User | None = None, request: HttpRequest | None = None
) -> Mentor:
    """Take a listing out for good (kept for the record, never shown again)."""
    mentor.status = Mentor.Status.REMOVED
    mentor._change_reason = _change_reason("Removed", by)
    mentor.save()
    _email_mentor(
        mentor=mentor,
        template="removed",
        request=request,
        join_url=portal_url(reverse("mentors:join"), request=request),
    )
    return mentor


@transaction.atomic
def mentor_confirm_still_mentoring(*, mentor: Mentor) -> Mentor:
    """The physician confirms the listing is current; a stale one comes back."""
    _mark_confirmed(mentor)
    mentor._change_reason = "Confirmed still mentoring"
    mentor.save()
    return mentor


def mentor_send_manage_links(*, email: str, request: HttpRequest | None = None) -> int:
    """Email fresh self-service links for the open listings of ``email``.

    Returns how many were sent; callers must not reveal it to the visitor.
    """
    sent = 0
    for mentor in Mentor.objects.open().with_email(email).select_related("specialty"):
        _email_mentor(mentor=mentor, template="manage_link", request=request)
        sent += 1
    return sent


# ------------------------------------------------------------------------------
# Reconfirmation (daily cron)
# ------------------------------------------------------------------------------
@dataclass
class ReconfirmResult:
    reminded: int = 0
    marked_stale: int = 0


def mentor_send_reconfirmations(
    *, now: datetime.datetime | None = None
) -> ReconfirmResult:
    """Ask physicians confirmed over a year ago whether they still mentor, and
    hide listings left unanswered for 30 days after that email.

    Idempotent: the timestamps on each listing record what was done, so running
    it twice (or after a missed day) sends nothing twice.
    """
    now = now or timezone.now()
    result = ReconfirmResult()
    approved = Mentor.objects.filter(status=Mentor.Status.APPROVED)

    due = approved.filter(
        confirmed_at__lte=now - reconfirm_after(), reconfirmation_sent_at__isnull=True
    )
    for mentor_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            mentor = (
                Mentor.objects.select_for_update()
                .filter(pk=mentor_id, reconfirmation_sent_at__isnull=True)
                .first()
            )
            if mentor is None:
                continue
            mentor.reconfirmation_sent_at = now
            mentor._change_reason = "Reconfirmation emailed"
            mentor.save()
            _email_mentor(
                mentor=mentor,
                template="reconfirm",
                still_mentoring_url=mentor_still_mentoring_url(mentor=mentor),
                stale_on=(now + stale_after()),
            )
            result.reminded += 1

    overdue = approved.filter(
        reconfirmation_sent_at__lte=now - stale_after(), stale_since__isnull=True
    )
    for mentor_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            mentor = (
                Mentor.objects.select_for_update()
                .filter(pk=mentor_id, stale_since__isnull=True)
                .first()
            )
            if mentor is None:
                continue
            mentor.stale_since = now
            mentor._change_reason = "Marked stale: reconfirmation unanswered"
            mentor.save()
            _email_mentor(
                mentor=mentor,
                template="stale",
                still_mentoring_url=mentor_still_mentoring_url(mentor=mentor),
            )
            result.marked_stale += 1
    return result


# ------------------------------------------------------------------------------
# Mentorship requests: a member asks, the mentor answers from the email
# ------------------------------------------------------------------------------
REQUEST_ANSWER_PURPOSE = "mentor-request-answer"


class RequestRefused(Exception):
    """The request cannot be sent; ``message`` says why, for the member."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def request_answer_url(*, mentorship_request, answer: str) -> str:
    token = make_token(
        purpose=REQUEST_ANSWER_PURPOSE,
        value={"request": mentorship_request.pk, "answer": answer},
    )
    return portal_url(reverse("mentors:request-answer", args=[token]))


def request_from_token(token: str):
    """(request, answer) of a mentor's one-click link, or ``BadSignature``
    (``SignatureExpired``) / ``MentorshipRequest.DoesNotExist``."""
    from mentors.models import MentorshipRequest

    value = read_token(
        purpose=REQUEST_ANSWER_PURPOSE,
        token=token,
        max_age_seconds=settings.MENTOR_REQUEST_LINK_MAX_AGE_DAYS * DAY,
    )
    if not isinstance(value, dict) or value.get("answer") not in ("accept", "decline"):
        raise signing.BadSignature("Malformed request token")
    request = MentorshipRequest.objects.select_related("mentor", "member").get(
        pk=value.get("request")
    )
    return request, value["answer"]


@transaction.atomic
def mentorship_request_create(*, mentor: Mentor, member: User, fields: dict):
    """Send a member's request to a mentor who takes new mentees; the mentor gets
    it by email (Reply-To the member) with two one-click answers."""
    from mentors.models import MentorshipRequest

    # Lock the listing: two requests at once cannot both take its last place.
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    if not mentor.is_live() or not mentor.is_taking_mentees:
        raise RequestRefused(
            _("This mentor is not taking new mentees right now. Try another one.")
        )
    mine = MentorshipRequest.objects.filter(member=member)
    if mine.open().filter(mentor=mentor).exists():
        raise RequestRefused(_("You already asked this mentor; wait for the answer."))
    if mine.open().count() >= settings.MENTOR_MAX_OPEN_REQUESTS:
        raise RequestRefused(
            _(
                "You have %(count)s requests waiting for an answer: wait for one, "
                "or withdraw one on your account page, before asking someone new."
            )
            % {"count": settings.MENTOR_MAX_OPEN_REQUESTS}
        )
    mentorship_request = MentorshipRequest.objects.create(
        mentor=mentor, member=member, **fields
    )
    send_templated_email(
        template_prefix="mentors/email/request_received",
        to=[mentor.email],
        reply_to=[member.email],
        context={
            "mentor": mentor,
            "request": mentorship_request,
            "member_name": member.get_full_name() or member.email,
            "accept_url": request_answer_url(
                mentorship_request=mentorship_request, answer="accept"
            ),
            "decline_url": request_answer_url(
                mentorship_request=mentorship_request, answer="decline"
            ),
            "manage_url": mentor_manage_url(mentor=mentor),
        },
        language=mentor.language or settings.LANGUAGE_CODE,
    )
    return mentorship_request


@transaction.atomic
def mentorship_request_answer(*, mentorship_request, answer: str, note: str = ""):
    """The mentor's answer from the email; the member is told. True when it
    changed something (a second click, or an answer after a withdrawal, does not)."""
    from mentors.models import MentorshipRequest

    locked = MentorshipRequest.objects.select_for_update().get(pk=mentorship_request.pk)
    if locked.status != MentorshipRequest.Status.OPEN:
        return False
    locked.status = (
        MentorshipRequest.Status.ACCEPTED
        if answer == "accept"
        else MentorshipRequest.Status.DECLINED
    )
    locked.decline_note = note.strip() if answer == "decline" else ""
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "decline_note", "answered_at"])
    member = locked.member
    similar = []
    if locked.status == MentorshipRequest.Status.DECLINED:
        similar = [
            (other.full_name, portal_url(other.get_absolute_url()))
            for other in similar_mentors(mentor=locked.mentor)
        ]
    send_templated_email(
        template_prefix=f"mentors/email/request_{locked.status}",
        to=[member.email],
        context={
            "request": locked,
            "mentor": locked.mentor,
            "similar": similar,
            "account_url": portal_url(reverse("members:me")),
            "directory_url": portal_url(reverse("mentors:directory")),
        },
        language=user_language(member),
    )
    return True


def similar_mentors(*, mentor: Mentor, limit: int = 3) -> list[Mentor]:
    """Live mentors of the same specialty who take new mentees now."""
    return list(
        Mentor.objects.live()
        .for_directory()
        .filter(specialty=mentor.specialty_id, taking=1)
        .exclude(pk=mentor.pk)
        .order_by("?")[:limit]
    )


def mentorship_request_withdraw(*, mentorship_request) -> bool:
    from mentors.models import MentorshipRequest

    return bool(
        MentorshipRequest.objects.filter(
            pk=mentorship_request.pk, status=MentorshipRequest.Status.OPEN
        ).update(status=MentorshipRequest.Status.WITHDRAWN, answered_at=timezone.now())
    )
