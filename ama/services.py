"""AMA workflows that span several models: questions, votes, merging, archiving."""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ama.models import Question, QuestionVote, UpcomingSession, Video, unique_video_slug
from members.models import User


class QuestionsClosed(Exception):
    """The session has started or was archived: no more questions or votes."""


def max_questions_per_member() -> int:
    return settings.AMA_MAX_QUESTIONS_PER_MEMBER


def question_submit(*, session: UpcomingSession, author: User, text: str) -> Question:
    """Record a member's question; it waits for staff approval."""
    if not session.accepts_questions:
        raise QuestionsClosed
    return Question.objects.create(session=session, author=author, text=text.strip())


def question_vote(*, question: Question, user: User) -> bool:
    """Upvote once; True when a vote was added, False when it already existed.

    The unique constraint is what makes a second vote impossible: two concurrent
    requests both try to insert, one wins, the other hits IntegrityError.
    """
    if not question.session.accepts_questions:
        raise QuestionsClosed
    if question.status != Question.Status.APPROVED or question.merged_into_id:
        return False
    try:
        with transaction.atomic():
            QuestionVote.objects.create(question=question, user=user)
    except IntegrityError:
        return False
    return True


def question_withdraw_vote(*, question: Question, user: User) -> bool:
    """Take back a vote; True when there was one."""
    if not question.session.accepts_questions:
        raise QuestionsClosed
    deleted, _ = QuestionVote.objects.filter(question=question, user=user).delete()
    return bool(deleted)


@transaction.atomic
def questions_merge(*, into: Question, duplicates: Iterable[Question]) -> int:
    """Fold duplicates into one question: their votes move over (one per member),
    they are hidden and point at the question that stays."""
    merged = 0
    for duplicate in duplicates:
        if duplicate.pk == into.pk or duplicate.session_id != into.session_id:
            continue
        voters = QuestionVote.objects.filter(question=duplicate).values_list(
            "user_id", flat=True
        )
        already = set(
            QuestionVote.objects.filter(question=into).values_list("user_id", flat=True)
        )
        QuestionVote.objects.bulk_create(
            [
                QuestionVote(question=into, user_id=user_id)
                for user_id in voters
                if user_id not in already
            ],
            ignore_conflicts=True,
        )
        QuestionVote.objects.filter(question=duplicate).delete()
        # Questions merged into the duplicate earlier follow it.
        Question.objects.filter(merged_into=duplicate).update(merged_into=into)
        duplicate.merged_into = into
        duplicate.status = Question.Status.HIDDEN
        duplicate.save(update_fields=["merged_into", "status"])
        merged += 1
    if into.status == Question.Status.PENDING and merged:
        into.status = Question.Status.APPROVED
        into.save(update_fields=["status"])
    return merged


@transaction.atomic
def upcoming_session_archive(*, session: UpcomingSession) -> Video:
    """Turn a held session into a draft archive entry (staff add chapters, then
    publish); returns the existing entry when it was already archived."""
    if session.archived_video_id:
        return session.archived_video
    if not session.recording_url:
        raise ValueError("The session needs a recording link first.")
    date = timezone.localdate(session.starts_at)
    video = Video.objects.create(
        title=session.title,
        slug=unique_video_slug(session.title, date),
        date=date,
        audience=session.audience,
        description=session.description,
        video_url=session.recording_url,
        status=Video.Status.DRAFT,
    )
    session.archived_video = video
    session.save(update_fields=["archived_video"])
    return video


def videos_publish(*, videos: QuerySet) -> int:
    """Publish drafts in bulk, stamping the first publication time."""
    count = 0
    now = timezone.now()
    for video in videos.filter(status=Video.Status.DRAFT):
        video.publish(when=now)
        video.save(update_fields=["status", "published_at", "updated_at"])
        video_published(video=video)
        count += 1
    return count


def video_published(*, video: Video) -> int:
    """A recording is out: if it is an announced session's, the members who asked
    or upvoted hear about their questions (once). Returns emails sent."""
    from ama.announcements import session_send_recording_notice

    session = UpcomingSession.objects.filter(archived_video=video).first()
    if session is None:
        return 0
    return session_send_recording_notice(session=session)
