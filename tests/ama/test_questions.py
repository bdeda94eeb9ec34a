"""Members' questions for upcoming sessions: who may ask and vote, and how."""

import datetime
import threading
import time
from http import HTTPStatus

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from ama.factories import (
    ChapterFactory,
    QuestionFactory,
    QuestionVoteFactory,
    UpcomingSessionFactory,
)
from ama.models import Question, QuestionVote
from ama.services import question_vote, questions_merge, upcoming_session_archive
from members.factories import make_member

pytestmark = pytest.mark.django_db

NOT_ACTIVE = ["unverified", "pending", "declined", "expired"]


def ask(client, session, text="How did you choose your specialty?"):
    return client.post(
        reverse("ama:question-create", args=[session.pk]), {"text": text}
    )


def vote(client, question, action="vote"):
    return client.post(
        reverse("ama:question-vote", args=[question.pk]), {"action": action}
    )


def test_active_member_asks_a_question_that_waits_for_review(client, active_member):
    session = UpcomingSessionFactory()
    client.force_login(active_member)
    response = ask(client, session)
    assert response.status_code == HTTPStatus.FOUND
    question = Question.objects.get()
    assert question.author == active_member
    assert question.status == Question.Status.PENDING
    page = client.get(session.get_absolute_url())
    assertContains(page, "Your questions waiting for review")
    assertContains(page, "How did you choose your specialty?")
    # Others do not see it until staff approve.
    client.logout()
    assertNotContains(
        client.get(session.get_absolute_url()), "How did you choose your specialty?"
    )


def test_anonymous_cannot_ask_or_vote(client):
    session = UpcomingSessionFactory()
    question = QuestionFactory(session=session)
    response = ask(client, session)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
    response = vote(client, question)
    assert response["Location"].startswith(reverse("account_login"))
    assert Question.objects.count() == 1
    assert not QuestionVote.objects.exists()
    page = client.get(session.get_absolute_url())
    assertContains(page, "Log in to ask a question")
    assertNotContains(page, "Upvote")


@pytest.mark.parametrize("state", NOT_ACTIVE)
def test_not_active_users_cannot_ask_or_vote(client, state):
    user = make_member(state=state)
    session = UpcomingSessionFactory()
    question = QuestionFactory(session=session)
    client.force_login(user)
    assert ask(client, session).status_code == HTTPStatus.FORBIDDEN
    assert vote(client, question).status_code == HTTPStatus.FORBIDDEN
    assert Question.objects.count() == 1
    assert not QuestionVote.objects.exists()
    page = client.get(session.get_absolute_url())
    assertContains(page, "Only active LMSA members can send and upvote questions.")
    assertNotContains(page, "Send my question")


def test_rejected_question_keeps_what_was_typed(client, active_member):
    session = UpcomingSessionFactory()
    client.force_login(active_member)
    response = ask(client, session, text="Why?")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assertContains(response, "at least 10 characters", status_code=400)
    assertContains(response, ">\nWhy?</textarea>", status_code=400)
    response = ask(client, session, text="x" * 501)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Question.objects.exists()


def test_member_question_limit_per_session(client, active_member, settings):
    settings.AMA_MAX_QUESTIONS_PER_MEMBER = 2
    session = UpcomingSessionFactory()
    client.force_login(active_member)
    for number in range(2):
        assert (
            ask(client, session, text=f"Question number {number}?").status_code == 302
        )
    response = ask(client, session, text="One question too many?")
    assertContains(response, "most questions allowed", status_code=400)
    assert Question.objects.count() == 2


def test_questions_close_when_the_session_starts(client, active_member):
    session = UpcomingSessionFactory(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    question = QuestionFactory(session=session)
    client.force_login(active_member)
    ask(client, session)
    vote(client, question)
    assert Question.objects.count() == 1
    assert not QuestionVote.objects.exists()
    assertContains(
        client.get(session.get_absolute_url()), "Questions for this session are closed."
    )


def test_vote_and_withdraw(client, active_member):
    question = QuestionFactory()
    client.force_login(active_member)
    response = vote(client, question)
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert QuestionVote.objects.filter(question=question).count() == 1
    page = client.get(question.session.get_absolute_url())
    assertContains(page, "Withdraw vote")
    # Voting again (a double click) changes nothing.
    vote(client, question)
    assert QuestionVote.objects.filter(question=question).count() == 1
    vote(client, question, action="withdraw")
    assert not QuestionVote.objects.exists()
    # Without an explicit action the button toggles.
    vote(client, question, action="")
    assert QuestionVote.objects.count() == 1
    vote(client, question, action="")
    assert QuestionVote.objects.count() == 0


def test_cannot_vote_for_pending_hidden_or_merged_questions(client, active_member):
    pending = QuestionFactory(status=Question.Status.PENDING)
    hidden = QuestionFactory(status=Question.Status.HIDDEN)
    target = QuestionFactory()
    merged = QuestionFactory(session=target.session, merged_into=target)
    client.force_login(active_member)
    for question in (pending, hidden, merged):
        assert vote(client, question).status_code == HTTPStatus.NOT_FOUND
    assert not QuestionVote.objects.exists()


def test_unique_constraint_makes_double_votes_impossible(active_member):
    question = QuestionFactory()
    QuestionVote.objects.create(question=question, user=active_member)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionVote.objects.create(question=question, user=active_member)
    # The service swallows the conflict and reports that nothing was added.
    assert question_vote(question=question, user=active_member) is False
    assert QuestionVote.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_count_once():
    member = make_member(state="active")
    question = QuestionFactory()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def cast():
        try:
            barrier.wait()
            for attempt in range(50):
                try:
                    results.append(question_vote(question=question, user=member))
                    break
                except OperationalError as error:
                    # In-memory SQLite (tests) reports table locks at once instead
                    # of waiting like a file database; retry as its busy timeout
                    # would. PostgreSQL never takes this path.
                    if "locked" not in str(error) or attempt == 49:
                        raise
                    time.sleep(0.01)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert QuestionVote.objects.filter(question=question).count() == 1
    assert results.count(True) == 1


def test_page_lists_approved_questions_by_votes_and_hides_the_rest(client):
    session = UpcomingSessionFactory()
    low = QuestionFactory(session=session, text="Low votes question?")
    high = QuestionFactory(session=session, text="High votes question?")
    QuestionFactory(
        session=session, text="Hidden question?", status=Question.Status.HIDDEN
    )
    QuestionFactory(
        session=session, text="Pending question?", status=Question.Status.PENDING
    )
    QuestionFactory(session=session, text="Merged copy?", merged_into=high)
    for _ in range(3):
        QuestionVoteFactory(question=high)
    QuestionVoteFactory(question=low)
    response = client.get(session.get_absolute_url())
    assert [q.text for q in response.context["approved_questions"]] == [
        "High votes question?",
        "Low votes question?",
    ]
    content = response.content.decode()
    assert content.index("High votes question?") < content.index("Low votes question?")
    for invisible in ("Hidden question?", "Pending question?", "Merged copy?"):
        assert invisible not in content
    # Authors are never named on the page.
    assert high.author.email not in content
    assert high.author.last_name not in content


def test_deleting_an_account_anonymises_questions_and_drops_votes():
    question = QuestionFactory()
    QuestionVoteFactory(question=question, user=question.author)
    question.author.delete()
    question.refresh_from_db()
    assert question.author is None
    assert not QuestionVote.objects.exists()
    assert question.history.exists()


def test_merge_moves_votes_once_per_member():
    target = QuestionFactory()
    duplicate = QuestionFactory(session=target.session)
    both = make_member(state="active")
    only_duplicate = make_member(state="active")
    QuestionVote.objects.create(question=target, user=both)
    QuestionVote.objects.create(question=duplicate, user=both)
    QuestionVote.objects.create(question=duplicate, user=only_duplicate)
    assert questions_merge(into=target, duplicates=[duplicate]) == 1
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target
    assert duplicate.status == Question.Status.HIDDEN
    assert set(target.votes.values_list("user", flat=True)) == {
        both.pk,
        only_duplicate.pk,
    }
    assert not duplicate.votes.exists()


def test_archiving_a_session_and_linking_answers_to_chapters(client):
    session = UpcomingSessionFactory(
        title="First year AMA",
        starts_at=timezone.now() - datetime.timedelta(days=1),
        recording_url="https://www.facebook.com/LMSANational/videos/123456789/",
    )
    question = QuestionFactory(session=session, text="How do you study anatomy?")
    video = upcoming_session_archive(session=session)
    assert video.status == video.Status.DRAFT
    assert video.title == "First year AMA"
    assert upcoming_session_archive(session=session) == video
    chapter = ChapterFactory(video=video, start_seconds=600, title="Anatomy")
    question.answered_chapter = chapter
    question.status = Question.Status.ANSWERED
    question.full_clean()
    question.save()
    video.publish()
    video.save()
    page = client.get(session.get_absolute_url())
    assertContains(page, "Answered at 10:00 in the recording")
    assertContains(page, f'href="{video.get_absolute_url()}#t=600"')
    assertContains(page, "Watch the recording of this session")
    video_page = client.get(video.get_absolute_url())
    assertContains(video_page, "How do you study anatomy?")
    assertContains(video_page, f'href="#chapter-{chapter.pk}"')


def test_answered_chapter_must_belong_to_the_session_video():
    from django.core.exceptions import ValidationError

    question = QuestionFactory()
    question.answered_chapter = ChapterFactory()
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert "answered_chapter" in error.value.message_dict


def test_session_page_query_count_does_not_grow(client, active_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = UpcomingSessionFactory()
    client.force_login(active_member)
    QuestionFactory.create_batch(2, session=session)
    client.get(session.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(session.get_absolute_url())
    for question in QuestionFactory.create_batch(6, session=session):
        QuestionVoteFactory(question=question)
    with CaptureQueriesContext(connection) as many:
        client.get(session.get_absolute_url())
    assert len(many) == len(few)


def test_get_on_post_only_urls_redirects_members_to_the_session(client, active_member):
    question = QuestionFactory()
    client.force_login(active_member)
    for url in (
        reverse("ama:question-create", args=[question.session.pk]),
        reverse("ama:question-vote", args=[question.pk]),
    ):
        response = client.get(url)
        assert response["Location"] == question.session.get_absolute_url()


def test_session_time_is_shown_in_the_viewers_time_zone(client):
    session = UpcomingSessionFactory(
        starts_at=datetime.datetime(2030, 3, 7, 1, 0, tzinfo=datetime.UTC)
    )
    response = client.get(session.get_absolute_url())
    assertContains(response, "March 6, 2030, 8 p.m.")
    assertContains(response, "Eastern Time")
    viewer = make_member(state="active", time_zone="America/Los_Angeles")
    client.force_login(viewer)
    response = client.get(session.get_absolute_url())
    assertContains(response, "March 6, 2030, 5 p.m.")
    assertContains(response, "Pacific Time")
    assertNotContains(response, "time zone America/Los_Angeles")


def test_answer_links_wait_for_the_recording_to_be_published(client):
    session = UpcomingSessionFactory(recording_url="https://youtu.be/dQw4w9WgXcQ")
    video = upcoming_session_archive(session=session)
    chapter = ChapterFactory(video=video, start_seconds=30)
    QuestionFactory(
        session=session, status=Question.Status.ANSWERED, answered_chapter=chapter
    )
    assertNotContains(client.get(session.get_absolute_url()), "Answered at 0:30")
    video.publish()
    video.save()
    assertContains(client.get(session.get_absolute_url()), "Answered at 0:30")


def test_session_page_of_a_signed_in_member_is_never_stored(client, active_member):
    # It shows the member's own pending questions and votes.
    session = UpcomingSessionFactory()
    client.force_login(active_member)
    response = client.get(session.get_absolute_url())
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
