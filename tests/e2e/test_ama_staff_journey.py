"""Staff load the Facebook list of past sessions, publish them and moderate
questions for the next session, all in the admin (axe-checked)."""

import datetime

from django.utils import timezone

from ama.factories import QuestionFactory, UpcomingSessionFactory
from ama.models import Question, Video
from members.factories import make_member
from tests.factories import make_totp

CSV = (
    "title,date,video_url,audience,topics\n"
    "Applying 101,2021-05-12,https://www.facebook.com/LMSANational/videos/48620138947/,"
    "premed,Applying\n"
    "Match night,2023-10-25,https://fb.watch/kLm3Qx7tRb/,medical_students,The Match\n"
)


def test_staff_import_publish_and_moderate(journey, transactional_db, tmp_path):
    page = journey.page
    staff = make_member(state="staff", is_superuser=True, email="staff@example.org")
    secret = make_totp(staff)
    session = UpcomingSessionFactory(
        title="First year AMA", starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    keep = QuestionFactory(
        session=session, text="How do you study?", status=Question.Status.PENDING
    )
    duplicate = QuestionFactory(
        session=session,
        text="What study methods work?",
        status=Question.Status.PENDING,
    )
    rude = QuestionFactory(
        session=session, text="Off-topic rant", status=Question.Status.PENDING
    )
    sessions_csv = tmp_path / "sessions.csv"
    sessions_csv.write_text(CSV)

    journey.goto("/admin/ama/video/import/")
    journey.sign_in_with_totp(staff.email, secret)

    page.locator('input[name="import_file"]').set_input_files(str(sessions_csv))
    page.locator('select[name="format"]').select_option(label="csv")
    journey.click_and_check(page.get_by_role("button", name="Submit"))
    assert "Applying 101" in page.content()
    assert not Video.objects.exists()  # the preview is a dry run
    journey.click_and_check(page.get_by_role("button", name="Confirm import"))
    assert Video.objects.filter(status=Video.Status.DRAFT).count() == 2

    journey.goto("/admin/ama/video/")
    page.locator("#action-toggle").check()
    page.locator('select[name="action"]').select_option("publish_selected")
    journey.click_and_check(page.get_by_role("button", name="Go"))
    assert "Published 2 sessions." in page.content()
    assert Video.objects.published().count() == 2

    journey.goto(f"/admin/ama/question/?session__id__exact={session.pk}")
    for question in (keep, duplicate):
        page.locator(f'input[name="_selected_action"][value="{question.pk}"]').check()
    page.locator('select[name="action"]').select_option("merge_selected")
    journey.click_and_check(page.get_by_role("button", name="Go"))
    assert "Merged 1 question into" in page.content()
    page.locator(f'input[name="_selected_action"][value="{rude.pk}"]').check()
    page.locator('select[name="action"]').select_option("hide_selected")
    journey.click_and_check(page.get_by_role("button", name="Go"))

    # Every AMA admin form passes axe too.
    journey.goto(f"/admin/ama/video/{Video.objects.first().pk}/change/")
    journey.goto("/admin/ama/video/add/")
    journey.goto(f"/admin/ama/video/{Video.objects.first().pk}/history/")
    journey.goto(f"/admin/ama/upcomingsession/{session.pk}/change/")
    journey.goto("/admin/ama/upcomingsession/add/")
    journey.goto(f"/admin/ama/question/{keep.pk}/change/")
    journey.goto("/admin/ama/topic/add/")

    journey.goto(session.get_absolute_url())
    content = page.content()
    assert "Off-topic rant" not in content
    assert "What study methods work?" not in content
    assert "How do you study?" in content
