"""Staff tools: admin validation, bulk actions, CSV import, history."""

import datetime
from http import HTTPStatus

import pytest
import tablib
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from ama.factories import QuestionFactory, UpcomingSessionFactory, VideoFactory
from ama.models import Question, QuestionVote, Topic, UpcomingSession, Video
from ama.resources import VideoResource
from members.factories import make_member

pytestmark = pytest.mark.django_db


def video_form_data(**overrides):
    data = {
        "title": "MCAT night",
        "slug": "mcat-night",
        "date": "2024-05-01",
        "status": "draft",
        "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "audience": "premed",
        "language": "en",
        "description": "",
        "summary": "",
        "transcript": "",
        "duration": "",
        "specialty": "",
        "panelists-TOTAL_FORMS": "0",
        "panelists-INITIAL_FORMS": "0",
        "chapters-TOTAL_FORMS": "1",
        "chapters-INITIAL_FORMS": "0",
        "chapters-0-start_seconds": "95",
        "chapters-0-title": "Study schedules",
    }
    data.update(overrides)
    return data


def test_admin_rejects_unknown_video_hosts_with_a_clear_message(admin_client_mfa):
    response = admin_client_mfa.post(
        reverse("admin:ama_video_add"),
        video_form_data(video_url="https://vimeo.com/123456"),
    )
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Use a Facebook or YouTube video link")
    assert not Video.objects.exists()


def test_admin_creates_video_with_inline_chapter(admin_client_mfa):
    response = admin_client_mfa.post(reverse("admin:ama_video_add"), video_form_data())
    assert response.status_code == HTTPStatus.FOUND, response.content[:2000]
    video = Video.objects.get()
    assert video.chapters.get().start_seconds == 95
    assert video.history.count() == 1


def test_admin_lists_and_searches(admin_client_mfa):
    VideoFactory(title="Away rotations night")
    for name in ("video", "upcomingsession", "question", "topic"):
        assert (
            admin_client_mfa.get(reverse(f"admin:ama_{name}_changelist")).status_code
            == HTTPStatus.OK
        )
    response = admin_client_mfa.get(
        reverse("admin:ama_video_changelist"), {"q": "rotations", "status": "published"}
    )
    assertContains(response, "Away rotations night")


def test_bulk_publish(admin_client_mfa):
    drafts = VideoFactory.create_batch(2, status=Video.Status.DRAFT)
    response = admin_client_mfa.post(
        reverse("admin:ama_video_changelist"),
        {
            "action": "publish_selected",
            ACTION_CHECKBOX_NAME: [video.pk for video in drafts],
        },
        follow=True,
    )
    assertContains(response, "Published 2 sessions.")
    for video in drafts:
        video.refresh_from_db()
        assert video.status == Video.Status.PUBLISHED
        assert video.published_at is not None


CSV = (
    "title,date,video_url,audience,language,topics,duration,description,status\n"
    "Applying 101,2021-05-12,https://www.facebook.com/LMSANational/videos/4862013894/,"
    "premed,en,Applying; MCAT,1:02:00,Timeline and school lists,published\n"
    "Preguntas,2022-02-03,https://fb.watch/kLm3Qx7tRb/,both,ES,Applying,,En español,\n"
)


def test_csv_import_dry_run_then_real():
    dataset = tablib.Dataset().load(CSV, format="csv")
    result = VideoResource().import_data(dataset, dry_run=True)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert not Video.objects.exists()
    assert not Topic.objects.exists()

    result = VideoResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    applying = Video.objects.get(title="Applying 101")
    assert applying.status == Video.Status.PUBLISHED
    assert applying.published_at is not None
    assert applying.duration == datetime.timedelta(hours=1, minutes=2)
    assert sorted(applying.topics.values_list("name", flat=True)) == [
        "Applying",
        "MCAT",
    ]
    spanish = Video.objects.get(title="Preguntas")
    assert spanish.language == "es"
    assert spanish.status == Video.Status.DRAFT

    # Importing the same list again updates instead of duplicating.
    result = VideoResource().import_data(dataset, dry_run=False)
    assert Video.objects.count() == 2
    assert Topic.objects.count() == 2


def test_csv_import_reports_bad_rows():
    bad = "title,date,video_url\nOops,2021-01-01,https://vimeo.com/1234\n"
    result = VideoResource().import_data(
        tablib.Dataset().load(bad, format="csv"), dry_run=True
    )
    assert result.has_validation_errors()
    errors = result.invalid_rows[0].error_dict
    assert "Facebook or YouTube" in str(errors["video_url"])
    assert not Video.objects.exists()


def test_admin_csv_import_previews_then_confirms(admin_client_mfa):
    upload = SimpleUploadedFile("sessions.csv", CSV.encode(), content_type="text/csv")
    response = admin_client_mfa.post(
        reverse("admin:ama_video_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Applying 101")
    assertContains(response, "Confirm import")
    assert not Video.objects.exists()  # the preview is a dry run

    confirm = response.context["confirm_form"]
    response = admin_client_mfa.post(
        reverse("admin:ama_video_process_import"), confirm.initial, follow=True
    )
    assert response.status_code == HTTPStatus.OK
    assert sorted(Video.objects.values_list("title", flat=True)) == [
        "Applying 101",
        "Preguntas",
    ]


def test_admin_csv_import_shows_row_errors(admin_client_mfa):
    bad = b"title,date,video_url\nOops,2021-01-01,https://vimeo.com/1234\n"
    response = admin_client_mfa.post(
        reverse("admin:ama_video_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("bad.csv", bad, content_type="text/csv"),
        },
    )
    assertContains(response, "Use a Facebook or YouTube video link")
    assertNotContains(response, "Confirm import")
    assert not Video.objects.exists()


def test_question_form_offers_only_this_sessions_questions_and_chapters(
    admin_client_mfa,
):
    from ama.services import upcoming_session_archive

    session = UpcomingSessionFactory(recording_url="https://youtu.be/dQw4w9WgXcQ")
    video = upcoming_session_archive(session=session)
    chapter = video.chapters.create(start_seconds=60, title="Dissection tips")
    VideoFactory().chapters.create(start_seconds=60, title="Another video")
    question = QuestionFactory(session=session)
    sibling = QuestionFactory(session=session)
    QuestionFactory()  # another session
    response = admin_client_mfa.get(
        reverse("admin:ama_question_change", args=[question.pk])
    )
    form = response.context["adminform"].form
    assert list(form.fields["merged_into"].queryset) == [sibling]
    assert list(form.fields["answered_chapter"].queryset) == [chapter]


def test_history_page(admin_client_mfa):
    video = VideoFactory()
    video.title = "Renamed"
    video.save()
    response = admin_client_mfa.get(reverse("admin:ama_video_history", args=[video.pk]))
    assert response.status_code == HTTPStatus.OK
    assert video.history.count() == 2


def _act(client, action, questions):
    return client.post(
        reverse("admin:ama_question_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [q.pk for q in questions]},
        follow=True,
    )


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve_selected", Question.Status.APPROVED),
        ("hide_selected", Question.Status.HIDDEN),
        ("mark_answered_selected", Question.Status.ANSWERED),
    ],
)
def test_moderation_actions(admin_client_mfa, action, status):
    questions = QuestionFactory.create_batch(2, status=Question.Status.PENDING)
    response = _act(admin_client_mfa, action, questions)
    assert response.status_code == HTTPStatus.OK
    for question in questions:
        question.refresh_from_db()
        assert question.status == status
        assert question.history.count() == 2


def test_merge_action_keeps_the_most_voted(admin_client_mfa):
    session = UpcomingSessionFactory()
    popular = QuestionFactory(session=session)
    duplicate = QuestionFactory(session=session)
    voter = make_member(state="active")
    QuestionVote.objects.create(question=popular, user=voter)
    QuestionVote.objects.create(question=popular, user=make_member(state="active"))
    QuestionVote.objects.create(question=duplicate, user=make_member(state="active"))
    response = _act(admin_client_mfa, "merge_selected", [popular, duplicate])
    assertContains(response, "Merged 1 question into")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == popular
    assert popular.votes.count() == 3


def test_merge_action_refuses_different_sessions(admin_client_mfa):
    first, second = QuestionFactory.create_batch(2)
    response = _act(admin_client_mfa, "merge_selected", [first, second])
    assertContains(response, "Only questions of the same session can be merged.")
    first.refresh_from_db()
    assert first.merged_into is None


def test_archive_action_needs_a_recording(admin_client_mfa):
    held = UpcomingSessionFactory(
        starts_at=timezone.now() - datetime.timedelta(days=1),
        recording_url="https://youtu.be/dQw4w9WgXcQ",
    )
    missing = UpcomingSessionFactory()
    response = admin_client_mfa.post(
        reverse("admin:ama_upcomingsession_changelist"),
        {"action": "archive_selected", ACTION_CHECKBOX_NAME: [held.pk, missing.pk]},
        follow=True,
    )
    assertContains(response, "has no recording link yet")
    assertContains(response, "1 draft archive entry is ready")
    held.refresh_from_db()
    assert held.archived_video.status == Video.Status.DRAFT
    assert UpcomingSession.objects.get(pk=missing.pk).archived_video is None


def test_session_change_page_shows_questions_inline(admin_client_mfa):
    question = QuestionFactory(text="Inline question text?")
    response = admin_client_mfa.get(
        reverse("admin:ama_upcomingsession_change", args=[question.session.pk])
    )
    assertContains(response, "Inline question text?")


def test_bulk_unpublish_keeps_history(admin_client_mfa):
    video = VideoFactory()
    response = admin_client_mfa.post(
        reverse("admin:ama_video_changelist"),
        {"action": "unpublish_selected", ACTION_CHECKBOX_NAME: [video.pk]},
        follow=True,
    )
    assertContains(response, "1 session moved to draft.")
    video.refresh_from_db()
    assert video.status == Video.Status.DRAFT
    assert video.history.first().status == Video.Status.DRAFT
