"""Staff publish an AMA session; a member who asked for announcements gets the
email, adds the session to a calendar, asks a question, and after the recording is
published hears that it was answered."""

import datetime
import re

import icalendar
from django.core import mail
from django.utils import timezone

from ama.factories import ChapterFactory, UpcomingSessionFactory
from ama.models import Question, UpcomingSession
from ama.services import upcoming_session_archive, videos_publish
from members.factories import DEFAULT_PASSWORD, make_member
from tests.e2e.conftest import Journey
from tests.factories import make_totp


def _link(body: str, path: str) -> str:
    match = re.search(rf"https?://[^\s/]+({path}\S*)", body)
    assert match, body
    return match.group(1)


def test_staff_announce_a_session_and_a_member_follows_it_to_the_answer(
    journey, transactional_db
):
    page = journey.page
    member = make_member(state="active", email="ana@example.org")
    session = UpcomingSessionFactory(
        title="Applying to residency",
        status=UpcomingSession.Status.DRAFT,
        starts_at=timezone.now() + datetime.timedelta(days=6),
        recording_url="https://youtu.be/dQw4w9WgXcQ",
    )

    # The member asks for announcements on their account page.
    journey.goto("/accounts/login/")
    page.locator("#id_login").fill(member.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.get_by_role("button", name="Sign In"))
    journey.goto("/members/me/")
    journey.click_and_check(
        page.get_by_role("button", name="Tell me about new AMA sessions")
    )
    assert "We will email you" in page.content()

    # Staff publish the draft from the admin list.
    staff = make_member(state="staff", is_superuser=True, email="staff@example.org")
    secret = make_totp(staff)
    staff_context = page.context.browser.new_context()
    admin = Journey(staff_context.new_page(), journey.base_url)
    admin.goto("/admin/ama/upcomingsession/")
    admin.sign_in_with_totp("staff@example.org", secret)
    admin.page.locator(f'input[name="_selected_action"][value="{session.pk}"]').check()
    admin.page.locator('select[name="action"]').select_option("publish_selected")
    with admin.page.expect_navigation():
        admin.page.get_by_role("button", name="Go").click()
    assert "on its way to 1 person" in admin.page.content()

    (announcement,) = [m for m in mail.outbox if member.email in m.to]
    assert "Applying to residency" in announcement.subject
    # The calendar file from the email parses.
    ics = page.request.get(
        journey.base_url
        + _link(announcement.body, f"/ama/upcoming/{session.pk}/calendar.ics")
    )
    assert ics.ok
    (event,) = icalendar.Calendar.from_ical(ics.body()).walk("VEVENT")
    assert "Applying to residency" in str(event["SUMMARY"])

    # The member follows the email to the session and asks a question.
    journey.goto(_link(announcement.body, f"/ama/upcoming/{session.pk}/"))
    page.get_by_label("Your question").fill("How many programs should I apply to?")
    journey.click_and_check(page.get_by_role("button", name="Send my question"))
    assert "Thank you!" in page.content()

    # After the session: staff answer it in a chapter and publish the recording.
    question = Question.objects.get(session=session)
    video = upcoming_session_archive(session=session)
    chapter = ChapterFactory(video=video, start_seconds=754, title="Applications")
    question.status = Question.Status.ANSWERED
    question.answered_chapter = chapter
    question.save()
    mail.outbox.clear()
    videos_publish(videos=type(video).objects.filter(pk=video.pk))
    (notice,) = [m for m in mail.outbox if member.email in m.to]
    assert "Answered at 12:34" in notice.body
    journey.goto(_link(notice.body, video.get_absolute_url()).split("#")[0])
    assert "Applications" in page.content()
    staff_context.close()
