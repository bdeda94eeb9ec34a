"""Demo data loads, is valid and can be loaded twice."""

import pytest

from ama.demo import load_demo
from ama.models import Chapter, Question, UpcomingSession, Video

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_valid(client):
    load_demo()
    counts = (
        Video.objects.count(),
        Chapter.objects.count(),
        Question.objects.count(),
        UpcomingSession.objects.count(),
    )
    chapter_ids = set(Chapter.objects.values_list("pk", flat=True))
    load_demo()
    assert (
        Video.objects.count(),
        Chapter.objects.count(),
        Question.objects.count(),
        UpcomingSession.objects.count(),
    ) == counts
    assert set(Chapter.objects.values_list("pk", flat=True)) == chapter_ids
    assert Video.objects.published().count() == 12
    for video in Video.objects.all():
        video.full_clean()
        assert video.embed is not None
        assert video.chapters.exists()
    session = UpcomingSession.objects.get()
    assert session.accepts_questions
    assert client.get(session.get_absolute_url()).status_code == 200
    assert client.get("/ama/?topic=mcat").context["paginator"].count >= 2
