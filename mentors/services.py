"""Mentor listing workflows: sign-up, review, self-service and reconfirmation.

Every function that changes a listing's status tells the physician by email. The
physician has no account: the emails carry signed links (``lmsa_portal.signing``) to
manage the listing or confirm it is still current.
"""

import datetime
from dataclasses import dataclass, replace
from http import HTTPStatus

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from listserv.suppression import normalise, suppressed_among
from lmsa_portal.mail import portal_url, send_templated_email, user_language
from lmsa_portal.phones import phone_display
from lmsa_portal.signing import LinkUnusable, SignedLink, address_fingerprint
from members.access import is_active_member, with_member_state
from members.models import User
from mentors.models import Language, Mentor, MentorshipRequest


def reconfirm_after() -> datetime.timedelta:
    return datetime.timedelta(days=settings.MENTOR_RECONFIRM_AFTER_DAYS)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(days=settings.MENTOR_STALE_AFTER_DAYS)


def staff_emails() -> list[str]:
    return list(settings.STAFF_NOTIFICATION_EMAILS)


# ------------------------------------------------------------------------------
# Signed links
# ------------------------------------------------------------------------------
def _listing(value) -> Mentor:
    """The listing a mentor's link points at, if it can still be acted on."""
    mentor = Mentor.objects.select_related("specialty").get(pk=value["mentor"])
    # A link bound to a new address (``EMAIL_CHANGE_LINK``) dies when that
    # address is confirmed or another one is asked for.
    if "a" in value and (
        not mentor.pending_email
        or value["a"] != address_fingerprint(mentor.pending_email)
    ):
        raise signing.BadSignature("Not the address waiting for confirmation")
    # A removed or declined listing's links say so, and offer a new sign-up.
    unusable = {
        Mentor.Status.REMOVED: (
            HTTPStatus.GONE,
            _("This listing was removed"),
            _(
                "The listing this link belonged to is no longer in the registry, "
                "so the link no longer works."
            ),
        ),
        Mentor.Status.DECLINED: (
            HTTPStatus.BAD_REQUEST,
            _("This listing was not approved"),
            _(
                "Our staff could not approve this listing; the email we sent "
                "explains why. You are welcome to sign up again."
            ),
        ),
    }
    if mentor.status in unusable:
        status, title, message = unusable[mentor.status]
        raise LinkUnusable(
            title=title,
            message=message,
            status=status,
            action_url_name="mentors:join",
            action_label=_("Sign up again"),
        )
    return mentor


# Self-service: edit, pause, remove (a fresh one is a form away).
MANAGE_LINK = SignedLink(
    purpose="mentor-manage",
    url_name="mentors:manage",
    max_age_setting="MENTOR_MANAGE_LINK_MAX_AGE_DAYS",
    sign=lambda mentor: {"mentor": mentor.pk},
    load=_listing,
    renew_url_name="mentors:request-link",
)
# "I'm still mentoring": works past the stale date, so a late click still brings
# the listing back.
STILL_MENTORING_LINK = replace(
    MANAGE_LINK,
    purpose="mentor-still-mentoring",
    url_name="mentors:still-mentoring",
    max_age_setting="MENTOR_STILL_MENTORING_LINK_MAX_AGE_DAYS",
)
# Sent to a new address: makes ``mentor.pending_email`` the listing's own; bound
# to that address (by fingerprint), so an older link dies when another is asked for.
EMAIL_CHANGE_LINK = replace(
    MANAGE_LINK,
    purpose="mentor-email-change",
    url_name="mentors:email-confirm",
    sign=lambda mentor: {
        "mentor": mentor.pk,
        "a": address_fingerprint(mentor.pending_email),
    },
)


def mentor_manage_url(*, mentor: Mentor, request: HttpRequest | None = None) -> str:
    """Absolute self-service link for ``mentor`` (edit, pause, remove)."""
    return MANAGE_LINK.url(mentor, request=request)


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
    if name == "phone":
        return phone_display(value)
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
            confirm_url=EMAIL_CHANGE_LINK.url(mentor, request=request),
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
def mentor_confirm_still_mentoring(
    *, mentor: Mentor, capacity: int, accepting_mentees: bool
) -> Mentor:
    """The physician confirms the listing is current, and says in the same press
    how many mentees they can take now; a stale one comes back."""
    _mark_confirmed(mentor)
    mentor.capacity = capacity
    mentor.accepting_mentees = accepting_mentees
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
                still_mentoring_url=STILL_MENTORING_LINK.url(mentor),
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
                still_mentoring_url=STILL_MENTORING_LINK.url(mentor),
            )
            result.marked_stale += 1
    return result


# ------------------------------------------------------------------------------
# Mentorship requests: a member asks, the mentor answers from the email
# ------------------------------------------------------------------------------
class RequestRefused(Exception):
    """The request cannot be sent; ``message`` says why, for the member."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _request_and_answer(value):
    """(request, answer) of a mentor's one-click answer; no request when its
    member deleted their account (for the mentor, it was withdrawn)."""
    from mentors.models import MentorshipRequest

    if value["answer"] not in ("accept", "decline"):
        raise signing.BadSignature("Not an answer")
    request = (
        MentorshipRequest.objects.select_related("mentor", "member")
        .filter(pk=value["request"])
        .first()
    )
    return request, value["answer"]


REQUEST_ANSWER_LINK = SignedLink(
    purpose="mentor-request-answer",
    url_name="mentors:request-answer",
    max_age_setting="MENTOR_REQUEST_LINK_MAX_AGE_DAYS",
    sign=lambda mentorship_request, answer: {
        "request": mentorship_request.pk,
        "answer": answer,
    },
    load=_request_and_answer,
    renew_url_name="mentors:request-link",
)


def request_answer_url(*, mentorship_request, answer: str) -> str:
    """The mentor's one-click ``answer`` ("accept" or "decline") to a request."""
    return REQUEST_ANSWER_LINK.url(mentorship_request, answer)


@transaction.atomic
def mentorship_request_create(*, mentor: Mentor, member: User, fields: dict):
    """Send a member's request to a mentor who takes new mentees; the mentor gets
    it by email (Reply-To the member) with two one-click answers."""
    from mentors.models import MentorshipRequest

    # Lock the member, then the listing: two requests at once can neither pass
    # the member's cap of open requests nor both take the listing's last place.
    User.objects.select_for_update().values_list("pk", flat=True).get(pk=member.pk)
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
    if not _may_email(member, suppressed_among([member.email])):
        return True  # answered; the address bounced or the account is closed
    similar = []
    if locked.status == MentorshipRequest.Status.DECLINED:
        similar = _similar_for(member=member, mentor=locked.mentor)
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
    """Live mentors who take new mentees now: of the same specialty first, then
    speaking one of the same languages."""
    taking = (
        Mentor.objects.live().for_directory().filter(taking=1).exclude(pk=mentor.pk)
    )
    found = list(taking.filter(specialty=mentor.specialty_id).order_by("?")[:limit])
    if len(found) < limit:
        speakers = Mentor.languages.through.objects.filter(
            language__in=mentor.languages.all()
        ).values("mentor_id")
        found += (
            taking.filter(pk__in=speakers)
            .exclude(pk__in=[other.pk for other in found])
            .order_by("?")[: limit - len(found)]
        )
    return found


def _similar_for(*, member: User, mentor: Mentor) -> list[tuple[str, str]]:
    """(name, link) of similar mentors for an email to ``member``. Mentors are
    members-only: someone whose membership lapsed gets none, and finds mentors
    again once they renew."""
    if not is_active_member(member):
        return []
    return [
        (other.full_name, portal_url(other.get_absolute_url()))
        for other in similar_mentors(mentor=mentor)
    ]


def mentorship_request_withdraw(*, mentorship_request) -> bool:
    from mentors.models import MentorshipRequest

    return bool(
        MentorshipRequest.objects.filter(
            pk=mentorship_request.pk, status=MentorshipRequest.Status.OPEN
        ).update(status=MentorshipRequest.Status.WITHDRAWN, answered_at=timezone.now())
    )


# ------------------------------------------------------------------------------
# Follow-ups (daily cron): "did you connect?", and requests left unanswered
# ------------------------------------------------------------------------------
def _request_and_outcome(value):
    """(request, outcome) of a member's "did you connect?" link."""
    from mentors.models import MentorshipRequest

    if value["outcome"] not in MentorshipRequest.Outcome.values:
        raise signing.BadSignature("Not an outcome")
    request = MentorshipRequest.objects.select_related("mentor", "member").get(
        pk=value["request"]
    )
    return request, value["outcome"]


REQUEST_FOLLOWUP_LINK = SignedLink(
    purpose="mentor-request-followup",
    url_name="mentors:request-followup",
    max_age_setting="MENTOR_FOLLOWUP_LINK_MAX_AGE_DAYS",
    sign=lambda mentorship_request, outcome: {
        "request": mentorship_request.pk,
        "outcome": outcome,
    },
    load=_request_and_outcome,
    # The member has nothing to renew: their requests are on their account page.
    renew_url_name="members:me",
    renew_label=gettext_lazy("Your account and your requests"),
)


def request_followup_url(*, mentorship_request, outcome: str) -> str:
    """The member's one-click answer to "did you connect?"."""
    return REQUEST_FOLLOWUP_LINK.url(mentorship_request, outcome)


def mentorship_request_record_outcome(*, mentorship_request, outcome: str) -> bool:
    """The member's answer to "did you connect?"; a later answer replaces an
    earlier one ("not yet", then "yes"). True when it changed something."""
    return bool(
        MentorshipRequest.objects.filter(
            pk=mentorship_request.pk, status=MentorshipRequest.Status.ACCEPTED
        )
        .exclude(outcome=outcome)
        .update(outcome=outcome, outcome_at=timezone.now())
    )


@dataclass
class FollowupResult:
    asked: int = 0  # "did you connect?" emails sent
    closed: int = 0  # unanswered requests closed (each member told, but see below)
    not_emailed: int = 0  # dealt with, but the address is suppressed or inactive


def _may_email(member: User, suppressed: set[str]) -> bool:
    return member.is_active and normalise(member.email) not in suppressed


def mentorship_requests_follow_up(
    *, now: datetime.datetime | None = None
) -> FollowupResult:
    """Ask members "did you connect?" MENTOR_FOLLOWUP_AFTER_DAYS after an
    acceptance, and close requests with no answer after
    MENTOR_REQUEST_UNANSWERED_AFTER_DAYS, telling the member kindly (with similar
    mentors who take new mentees).

    Idempotent: ``followed_up_at`` (and the unanswered state) record what was
    done, so a second run, or a run after a missed day, sends nothing twice. An
    address on the suppression list gets no email but the request is still dealt
    with (an unanswered one must stop counting as open).
    """
    now = now or timezone.now()
    result = FollowupResult()
    Status = MentorshipRequest.Status
    accepted = MentorshipRequest.objects.filter(
        status=Status.ACCEPTED,
        followed_up_at__isnull=True,
        answered_at__lte=now
        - datetime.timedelta(days=settings.MENTOR_FOLLOWUP_AFTER_DAYS),
    )
    unanswered = MentorshipRequest.objects.filter(
        status=Status.OPEN,
        created_at__lte=now
        - datetime.timedelta(days=settings.MENTOR_REQUEST_UNANSWERED_AFTER_DAYS),
    )
    due = list(accepted.values_list("pk", flat=True)) + list(
        unanswered.values_list("pk", flat=True)
    )
    suppressed = suppressed_among(
        MentorshipRequest.objects.filter(pk__in=due).values_list(
            "member__email", flat=True
        )
    )
    for request_id in due:
        with transaction.atomic():
            # Lock the request only: the mentor's answer locks it too, so an
            # answer and the closing cannot both happen.
            locked = (
                MentorshipRequest.objects.select_for_update(of=("self",))
                .select_related("mentor", "member")
                .filter(pk=request_id, followed_up_at__isnull=True)
                .filter(status__in=[Status.ACCEPTED, Status.OPEN])
                .first()
            )
            if locked is None:
                continue
            if locked.status == Status.OPEN:
                if locked.created_at > now - datetime.timedelta(
                    days=settings.MENTOR_REQUEST_UNANSWERED_AFTER_DAYS
                ):
                    continue
                locked.status = Status.UNANSWERED
                result.closed += 1
            locked.followed_up_at = now
            locked.save(update_fields=["status", "followed_up_at"])
            if not _may_email(locked.member, suppressed):
                result.not_emailed += 1
            elif locked.status == Status.UNANSWERED:
                _email_unanswered(locked)
            else:
                _email_did_you_connect(locked)
                result.asked += 1
    return result


def _email_did_you_connect(mentorship_request) -> None:
    send_templated_email(
        template_prefix="mentors/email/request_followup",
        to=[mentorship_request.member.email],
        context={
            "request": mentorship_request,
            "mentor": mentorship_request.mentor,
            "links": [
                (
                    label,
                    request_followup_url(
                        mentorship_request=mentorship_request, outcome=outcome
                    ),
                )
                for outcome, label in MentorshipRequest.Outcome.choices
            ],
        },
        language=user_language(mentorship_request.member),
    )


def _email_unanswered(mentorship_request) -> None:
    member = mentorship_request.member
    similar = _similar_for(member=member, mentor=mentorship_request.mentor)
    send_templated_email(
        template_prefix="mentors/email/request_unanswered",
        to=[member.email],
        context={
            "request": mentorship_request,
            "mentor": mentorship_request.mentor,
            "days": settings.MENTOR_REQUEST_UNANSWERED_AFTER_DAYS,
            "similar": similar,
            "account_url": portal_url(reverse("members:me")),
            "directory_url": portal_url(reverse("mentors:directory")),
        },
        language=user_language(member),
    )


# ------------------------------------------------------------------------------
# Saved searches: a weekly email about new mentors matching (weekly cron)
# ------------------------------------------------------------------------------
ALERT_MENTORS_SHOWN = 10


def _saved_search(value):
    from mentors.models import SavedSearch

    saved_search = SavedSearch.objects.filter(pk=value["search"]).first()
    if saved_search is None:  # deleted on the account page: nothing left to stop
        raise LinkUnusable(
            title=_("Weekly email about new mentors"),
            message=_(
                "This saved search was deleted: you will get no more emails about it."
            ),
        )
    return saved_search


SAVED_SEARCH_UNSUBSCRIBE_LINK = SignedLink(
    purpose="mentor-saved-search-unsubscribe",
    url_name="mentors:saved-search-unsubscribe",
    max_age_setting="MENTOR_SAVED_SEARCH_LINK_MAX_AGE_DAYS",
    sign=lambda saved_search: {"search": saved_search.pk},
    load=_saved_search,
    # The member's saved searches (and their emails) are on their account page.
    renew_url_name="members:me",
    renew_label=gettext_lazy("My account"),
)


def saved_search_unsubscribe_url(*, saved_search) -> str:
    """The one-click link in a saved search's alert that stops its emails."""
    return SAVED_SEARCH_UNSUBSCRIBE_LINK.url(saved_search)


def alert_week_start(now: datetime.datetime) -> datetime.datetime:
    """Monday 00:00 (the portal's time zone) of the week ``now`` is in: each
    saved search is checked at most once a week."""
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now, zone).date()
    monday = today - datetime.timedelta(days=today.weekday())
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time()), zone)


def saved_search_new_mentors(*, saved_search, since, until):
    """Live mentors matching ``saved_search`` approved in (since, until], or None
    when its filters are no longer understood (a specialty was removed, say):
    leaving one out would widen the search."""
    from mentors.filters import MentorFilter, saved_search_query

    query, errors = saved_search_query(QueryDict(saved_search.query))
    if errors:
        return None
    found = MentorFilter(
        data=QueryDict(query), queryset=Mentor.objects.live().for_directory()
    ).qs
    return found.filter(decided_at__gt=since, decided_at__lte=until)


@dataclass
class AlertResult:
    checked: int = 0
    sent: int = 0


def saved_search_send_alerts(*, now: datetime.datetime | None = None) -> AlertResult:
    """Email each active member, per saved search, the live mentors approved
    since its last check. Idempotent: a search is checked once a week
    (``last_checked_at``), so a second run in the same week sends nothing; a
    member who is not active gets nothing, and their search waits for them."""
    from mentors.models import SavedSearch

    now = now or timezone.now()
    week_start = alert_week_start(now)
    due = Q(last_checked_at__lt=week_start) | Q(
        last_checked_at__isnull=True, created_at__lt=week_start
    )
    searches = SavedSearch.objects.filter(due, alerts=True)
    members = {
        member.pk: member
        for member in with_member_state(
            User.objects.filter(pk__in=searches.values("member_id"))
        )
    }
    suppressed = suppressed_among(member.email for member in members.values())
    result = AlertResult()
    for search_id, member_id in searches.values_list("pk", "member_id"):
        member = members[member_id]
        if not is_active_member(member) or not _may_email(member, suppressed):
            continue
        with transaction.atomic():
            saved_search = (
                SavedSearch.objects.select_for_update()
                .filter(due, pk=search_id, alerts=True)
                .first()
            )
            if saved_search is None:
                continue
            since = saved_search.last_checked_at or saved_search.created_at
            saved_search.last_checked_at = now
            saved_search.save(update_fields=["last_checked_at"])
            result.checked += 1
            found = saved_search_new_mentors(
                saved_search=saved_search, since=since, until=now
            )
            total = found.count() if found is not None else 0
            if not total:
                continue
            unsubscribe_url = saved_search_unsubscribe_url(saved_search=saved_search)
            send_templated_email(
                template_prefix="mentors/email/saved_search_alert",
                to=[member.email],
                context={
                    "saved_search": saved_search,
                    "mentors": [
                        (mentor, portal_url(mentor.get_absolute_url()))
                        for mentor in found[:ALERT_MENTORS_SHOWN]
                    ],
                    "total": total,
                    "more": max(total - ALERT_MENTORS_SHOWN, 0),
                    "since": since,
                    "directory_url": portal_url(saved_search.directory_url),
                    "account_url": portal_url(reverse("members:me")),
                    "unsubscribe_url": unsubscribe_url,
                },
                language=user_language(member),
                headers={
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            result.sent += 1
    return result


def saved_search_stop_alerts(*, saved_search) -> bool:
    """Stop a saved search's weekly email; True when it was on."""
    from mentors.models import SavedSearch

    return bool(
        SavedSearch.objects.filter(pk=saved_search.pk, alerts=True).update(alerts=False)
    )
