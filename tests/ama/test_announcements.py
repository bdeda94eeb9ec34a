"""AMA announcements: who is told, once, in their zone and language; the reminder
the day before; the recording notice; the session's .ics and the upcoming feed."""

import datetime
import re
from http import HTTPStatus

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ama.announcements import (
    session_publish,
    session_send_recording_notice,
    sessions_send_reminders,
)
from ama.factories import (
    ChapterFactory,
    QuestionFactory,
    UpcomingSessionFactory,
)
from ama.models import AnnouncementSubscription, Question, UpcomingSession
from ama.services import upcoming_session_archive, videos_publish
from listserv.factories import SubscriberFactory
from listserv.models import Interest
from members.factories import make_member

pytestmark = pytest.mark.django_db

# 2027-01-15 00:00 UTC: 7 p.m. Eastern and 4 p.m. Pacific on the 14th.
STARTS = datetime.datetime(2027, 1, 15, 0, 0, tzinfo=datetime.UTC)


def draft(**fields) -> UpcomingSession:
    return UpcomingSessionFactory(
        status=UpcomingSession.Status.DRAFT,
        starts_at=STARTS,
        title="Applying to residency",
        **fields,
    )


def opted_in(**user_fields):
    member = make_member(state="active", **user_fields)
    AnnouncementSubscription.objects.create(user=member)
    return member


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture(autouse=True)
def _before_the_session(monkeypatch):
    now = STARTS - datetime.timedelta(days=10)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)


def test_a_draft_is_seen_by_staff_only(client):
    session = draft()
    assert client.get(session.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert session not in UpcomingSession.objects.upcoming()
    staff = make_member(state="staff")
    client.force_login(staff)
    assert client.get(session.get_absolute_url()).status_code == HTTPStatus.OK


def test_publishing_announces_to_exactly_those_who_asked_once():
    wanted = opted_in(email="wants@example.org")
    make_member(state="active", email="did.not.ask@example.org")
    lapsed = opted_in(email="lapsed@example.org")
    lapsed.membership.expires_on = timezone.localdate() - datetime.timedelta(days=1)
    lapsed.membership.save()
    ama_interest = Interest.objects.get(code="ama")
    listserv_fan = SubscriberFactory(email="fan@example.org")
    listserv_fan.interests.add(ama_interest)
    SubscriberFactory(email="other.interest@example.org")
    session = draft()

    assert session_publish(session=session) == 1  # not ticked: members only
    assert recipients() == [wanted.email]
    assert session_publish(session=session) == 0  # twice -> once
    assert len(mail.outbox) == 1
    session.refresh_from_db()
    assert session.status == UpcomingSession.Status.PUBLISHED
    assert session.announced_at is not None

    mail.outbox.clear()
    ticked = draft(announce_to_listserv=True)
    ticked.title = "Second session"
    # A member who is also a listserv fan gets one email, not two.
    SubscriberFactory(email=wanted.email).interests.add(ama_interest)
    session_publish(session=ticked)
    assert recipients() == ["fan@example.org", wanted.email]


def test_the_time_is_in_each_recipients_zone_and_language():
    opted_in(email="la@example.org", time_zone="America/Los_Angeles")
    opted_in(
        email="es@example.org", preferred_language="es", time_zone="America/New_York"
    )
    session_publish(session=draft())
    by_address = {message.to[0]: message for message in mail.outbox}
    english = by_address["la@example.org"]
    assert "Thursday, Jan. 14, 2027, 4 p.m. Pacific Time" in english.body
    assert "New Ask Me Anything session: Applying to residency" in english.subject
    spanish = by_address["es@example.org"]
    assert "jueves" in spanish.body and "hora del Este" in spanish.body
    assert "Nueva sesión Ask Me Anything" in spanish.subject
    for message in mail.outbox:
        assert f"/ama/upcoming/{UpcomingSession.objects.get().pk}/" in message.body
        assert "calendar.ics" in message.body
        assert "/members/me/" in message.body  # how to stop them


def test_publishing_through_admin_announces(admin_client_mfa):
    opted_in(email="wants@example.org")
    session = draft()
    response = admin_client_mfa.post(
        reverse("admin:ama_upcomingsession_changelist"),
        {"action": "publish_selected", "_selected_action": [session.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert recipients() == ["wants@example.org"]


def test_reminder_goes_the_day_before_once(monkeypatch):
    opted_in(email="wants@example.org")
    session = draft()
    session_publish(session=session)
    mail.outbox.clear()
    assert sessions_send_reminders(now=STARTS - datetime.timedelta(days=2)) == 0
    assert sessions_send_reminders(now=STARTS - datetime.timedelta(hours=20)) == 1
    assert "Tomorrow: Applying to residency" in mail.outbox[0].subject
    assert sessions_send_reminders(now=STARTS - datetime.timedelta(hours=19)) == 0
    call_command("ama_send_reminders")  # the cron entry runs (and sends nothing)
    assert len(mail.outbox) == 1


def test_an_unannounced_session_gets_no_reminder():
    opted_in(email="wants@example.org")
    UpcomingSessionFactory(starts_at=STARTS)  # published, never announced
    assert sessions_send_reminders(now=STARTS - datetime.timedelta(hours=20)) == 0


def test_recording_notice_tells_askers_and_voters_about_their_questions():
    session = UpcomingSessionFactory(
        starts_at=STARTS, recording_url="https://youtu.be/dQw4w9WgXcQ"
    )
    asker = make_member(state="active", email="asker@example.org")
    voter = make_member(state="active", email="voter@example.org")
    make_member(state="active", email="bystander@example.org")
    answered = QuestionFactory(
        session=session,
        author=asker,
        text="How many programs should I apply to?",
        status=Question.Status.APPROVED,
    )
    unanswered = QuestionFactory(
        session=session, author=asker, text="Is a gap year OK?"
    )
    answered.votes.create(user=voter)
    video = upcoming_session_archive(session=session)
    chapter = ChapterFactory(video=video, start_seconds=754, title="Applications")
    answered.status = Question.Status.ANSWERED
    answered.answered_chapter = chapter
    answered.save()
    assert session_send_recording_notice(session=session) == 0  # still a draft

    videos_publish(videos=type(video).objects.filter(pk=video.pk))
    assert recipients() == ["asker@example.org", "voter@example.org"]
    by_address = {message.to[0]: message.body for message in mail.outbox}
    asker_body = by_address["asker@example.org"]
    assert "How many programs should I apply to?" in asker_body
    assert "Answered at 12:34" in asker_body
    assert "#t=754" in asker_body
    assert "Is a gap year OK?" in asker_body and "Not answered" in asker_body
    assert "Is a gap year OK?" not in by_address["voter@example.org"]
    assert unanswered.pk  # kept
    assert session_send_recording_notice(session=session) == 0  # once
    assert len(mail.outbox) == 2


def test_the_session_ics_parses_and_names_the_session(client):
    session = UpcomingSessionFactory(starts_at=STARTS, title="Applying to residency")
    response = client.get(reverse("ama:upcoming-ics", args=[session.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert "Applying to residency" in str(event["SUMMARY"])
    assert event.decoded("DTSTART") == STARTS
    assert event.decoded("DTEND") == STARTS + datetime.timedelta(hours=1)
    assert session.get_absolute_url() in str(event["DESCRIPTION"])
    hidden = draft()
    assert (
        client.get(reverse("ama:upcoming-ics", args=[hidden.pk])).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_the_upcoming_feed_lists_published_sessions_only(client):
    UpcomingSessionFactory(starts_at=STARTS, title="Published one")
    draft(description="secret draft")
    response = client.get(reverse("ama:upcoming-feed"))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Upcoming: Published one" in body
    assert "Applying to residency" not in body


def test_members_opt_in_on_the_account_page_and_after_asking(client):
    member = make_member(state="active")
    client.force_login(member)
    page = client.get(reverse("members:me")).content.decode()
    assert "Tell me about new AMA sessions" in page
    client.post(
        reverse("ama:announcements-toggle"), {"subscribe": "1", "next": "/members/me/"}
    )
    assert AnnouncementSubscription.objects.filter(user=member).exists()
    assert "Stop these emails" in client.get(reverse("members:me")).content.decode()
    client.post(reverse("ama:announcements-toggle"), {"subscribe": "0"})
    assert not AnnouncementSubscription.objects.filter(user=member).exists()

    session = UpcomingSessionFactory(starts_at=STARTS)
    response = client.post(
        reverse("ama:question-create", args=[session.pk]),
        {"text": "What should I do in my first year?"},
        follow=True,
    )
    assert "Tell me about new AMA sessions" in response.content.decode()
    assert re.search(
        r'name="next" value="/ama/upcoming/\d+/"', response.content.decode()
    )


def test_pending_members_cannot_opt_in(client):
    client.force_login(make_member(state="pending"))
    response = client.post(reverse("ama:announcements-toggle"), {"subscribe": "1"})
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)
    assert not AnnouncementSubscription.objects.exists()


def test_suppressed_addresses_get_no_announcement_and_no_notice():
    # A member or listserv address that bounced for good or complained gets no
    # AMA email either.
    from listserv.suppression import suppress

    opted_in(email="bounced.member@example.org")
    opted_in(email="fine@example.org")
    fan = SubscriberFactory(email="complained@example.org")
    fan.interests.add(Interest.objects.get(code="ama"))
    suppress(email="Bounced.Member@example.org", reason="hard_bounce")
    suppress(email="complained@example.org", reason="complaint")
    session_publish(session=draft(announce_to_listserv=True))
    assert recipients() == ["fine@example.org"]
