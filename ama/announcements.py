"""Emails about AMA sessions: the announcement, the reminder the day before, and
the "your question was answered" notice once the recording is out.

Each goes out at most once per session: the session row is locked and its
``announced_at`` / ``reminded_at`` / ``recording_notice_sent_at`` set in the same
transaction that queues the emails (django-tasks' database backend commits the
queued emails with it). Times are written in each recipient's zone and language.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation

from ama.models import AnnouncementSubscription, Question, UpcomingSession
from listserv.models import InterestCode, Subscriber
from listserv.services import MANAGE_LINK
from listserv.suppression import normalise, suppressed_among
from lmsa_portal.mail import portal_url, send_templated_email, user_language
from lmsa_portal.time_zones import zone_name
from members.access import is_active_member, with_member_state
from members.models import User


@dataclass
class Recipient:
    email: str
    language: str
    zone: str
    # Where the recipient turns these emails off.
    stop_url: str


def _when(session: UpcomingSession, recipient: Recipient) -> str:
    """ "Thursday, January 14, 2027, 7:00 p.m. Pacific Time", in their language."""
    try:
        zone = zoneinfo.ZoneInfo(recipient.zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with translation.override(recipient.language):
        local = timezone.localtime(session.starts_at, zone)
        day = formats.date_format(local, "l, ") + formats.date_format(local)
        return f"{day}, {formats.time_format(local)} {zone_name(zone)}"


def announcement_recipients(session: UpcomingSession) -> list[Recipient]:
    """Active members who asked for announcements and, when staff ticked it, the
    listserv's confirmed AMA subscribers; one entry per address (a member's own
    settings win)."""
    account_url = portal_url(reverse("members:me"))
    recipients: dict[str, Recipient] = {}
    users = with_member_state(
        User.objects.filter(
            pk__in=AnnouncementSubscription.objects.values("user_id"), is_active=True
        )
    )
    for user in users:
        if is_active_member(user):
            recipients[user.email.lower()] = Recipient(
                email=user.email,
                language=user_language(user),
                zone=user.time_zone or settings.TIME_ZONE,
                stop_url=account_url,
            )
    if session.announce_to_listserv:
        subscribers = Subscriber.objects.confirmed().filter(
            interests__code=InterestCode.AMA
        )
        for subscriber in subscribers.distinct():
            recipients.setdefault(
                subscriber.email.lower(),
                Recipient(
                    email=subscriber.email,
                    language=settings.LANGUAGE_CODE,
                    zone=settings.TIME_ZONE,
                    stop_url=MANAGE_LINK.url(subscriber.pk),
                ),
            )
    return _without_suppressed(list(recipients.values()))


def _without_suppressed(recipients: list[Recipient]) -> list[Recipient]:
    """No email to an address on the listserv's suppression list (it bounced for
    good or its owner marked our mail as spam), whoever the recipient is."""
    suppressed = suppressed_among(recipient.email for recipient in recipients)
    return [r for r in recipients if normalise(r.email) not in suppressed]


def _send(session, recipient: Recipient, template: str, **context) -> None:
    send_templated_email(
        template_prefix=f"ama/email/{template}",
        to=[recipient.email],
        context={
            "session": session,
            "when": _when(session, recipient),
            "session_url": portal_url(session.get_absolute_url()),
            "calendar_url": portal_url(reverse("ama:upcoming-ics", args=[session.pk])),
            "stop_url": recipient.stop_url,
            **context,
        },
        language=recipient.language,
    )


def _claim(session_pk: int, field: str) -> UpcomingSession | None:
    """The published session, locked, when ``field`` is not stamped yet (then
    stamped); None when this email already went."""
    session = UpcomingSession.objects.select_for_update().get(pk=session_pk)
    if getattr(session, field) is not None:
        return None
    setattr(session, field, timezone.now())
    session.save(update_fields=[field])
    return session


@transaction.atomic
def session_publish(*, session: UpcomingSession) -> int:
    """Publish a draft and announce it; returns how many were emailed (0 when it
    was already announced)."""
    UpcomingSession.objects.filter(pk=session.pk).update(
        status=UpcomingSession.Status.PUBLISHED
    )
    session.status = UpcomingSession.Status.PUBLISHED
    claimed = _claim(session.pk, "announced_at")
    if claimed is None or claimed.starts_at <= timezone.now():
        return 0
    recipients = announcement_recipients(claimed)
    for recipient in recipients:
        _send(claimed, recipient, "announcement")
    return len(recipients)


def sessions_send_reminders(*, now: datetime.datetime | None = None) -> int:
    """The day-before reminder of announced sessions starting in the next 24
    hours (hourly cron, ``manage.py ama_send_reminders``); returns emails sent."""
    now = now or timezone.now()
    due = UpcomingSession.objects.upcoming().filter(
        announced_at__isnull=False,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(hours=24),
    )
    sent = 0
    for session_pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            session = _claim(session_pk, "reminded_at")
            if session is None:
                continue
            for recipient in announcement_recipients(session):
                _send(session, recipient, "reminder")
                sent += 1
    return sent


@transaction.atomic
def session_send_recording_notice(*, session: UpcomingSession) -> int:
    """Once the session's recording is published: every member who asked or
    upvoted hears, once, whether their questions were answered (with the
    chapter's timestamp link when staff set one). Returns emails sent."""
    video = session.archived_video
    if video is None or not video.is_published:
        return 0
    claimed = _claim(session.pk, "recording_notice_sent_at")
    if claimed is None:
        return 0
    questions = (
        Question.objects.filter(session=session, merged_into__isnull=True)
        .exclude(status=Question.Status.HIDDEN)
        .select_related("answered_chapter")
        .prefetch_related("votes")
    )
    asked: dict[int, list[Question]] = {}
    for question in questions:
        people = {vote.user_id for vote in question.votes.all()}
        if question.author_id:
            people.add(question.author_id)
        for user_id in people:
            asked.setdefault(user_id, []).append(question)
    users = list(with_member_state(User.objects.filter(pk__in=asked, is_active=True)))
    suppressed = suppressed_among(user.email for user in users)
    video_url = portal_url(video.get_absolute_url())
    sent = 0
    for user in users:
        if not is_active_member(user) or normalise(user.email) in suppressed:
            continue
        items = [
            {
                "text": question.text,
                "answered": question.status == Question.Status.ANSWERED
                or question.answered_chapter_id is not None,
                "chapter_url": portal_url(question.answered_chapter.get_absolute_url())
                if question.answered_chapter_id
                else "",
                "timestamp": question.answered_chapter.timestamp
                if question.answered_chapter_id
                else "",
            }
            for question in asked[user.pk]
        ]
        recipient = Recipient(
            email=user.email,
            language=user_language(user),
            zone=user.time_zone or settings.TIME_ZONE,
            stop_url=portal_url(reverse("members:me")),
        )
        _send(session, recipient, "recording", video_url=video_url, questions=items)
        sent += 1
    return sent
