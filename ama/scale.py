"""Scale data for benchmarks: 1,000 AMA sessions with chapters, upcoming questions;
built by the AMA factories and saved with bulk inserts (reproducible)."""

import datetime
import random

from django.utils import timezone

from ama.factories import (
    ChapterFactory,
    QuestionFactory,
    QuestionVoteFactory,
    TopicFactory,
    UpcomingSessionFactory,
    VideoFactory,
)
from ama.models import Chapter, Question, QuestionVote, Topic, UpcomingSession, Video
from members.models import User

SCALE_SLUG_PREFIX = "scale-session-"
SUBJECTS = [
    "applying to medical school",
    "the MCAT",
    "personal statements",
    "the Match",
    "away rotations",
    "research years",
    "residency interviews",
    "Step 1",
    "being a Latino physician",
    "financial aid",
    "gap years",
    "letters",
]


def seed(*, rng: random.Random, counts: dict[str, int]) -> str:
    if Video.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).exists():
        return "ama: already seeded"
    topics = list(Topic.objects.all()) or [
        TopicFactory(name=subject.capitalize(), slug=f"scale-{n}")
        for n, subject in enumerate(SUBJECTS)
    ]
    today = timezone.localdate()
    now = timezone.now()
    videos = [
        VideoFactory.build(
            title=f"AMA: {rng.choice(SUBJECTS)} ({n})",
            slug=f"{SCALE_SLUG_PREFIX}{n:05d}",
            date=today - datetime.timedelta(days=rng.randint(1, 2000)),
            audience=rng.choice(["premed", "medical_students", "both"]),
            language=rng.choice(["en", "en", "es"]),
            description="Physicians and residents answer students' questions live.",
            duration=datetime.timedelta(minutes=rng.randint(30, 90)),
            video_url=f"https://www.youtube.com/watch?v=scale{n:06d}",
            summary="Practical advice on residency applications and mentorship.",
            status=Video.Status.PUBLISHED,
            published_at=now,
        )
        for n in range(counts["ama_sessions"])
    ]
    Video.objects.bulk_create(videos, batch_size=1000)
    videos = list(Video.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).only("pk"))
    Video.topics.through.objects.bulk_create(
        [
            Video.topics.through(video_id=v.pk, topic_id=rng.choice(topics).pk)
            for v in videos
        ],
        batch_size=2000,
    )
    Chapter.objects.bulk_create(
        [
            ChapterFactory.build(video=v, start_seconds=60 * k, title=f"Part {k + 1}")
            for v in videos
            for k in range(4)
        ],
        batch_size=4000,
    )
    session = UpcomingSessionFactory(
        title="AMA: scale test session",
        starts_at=now + datetime.timedelta(days=14),
        audience="both",
        description="Upcoming session with many questions.",
        where_to_watch="LMSA Facebook page",
        status=UpcomingSession.Status.PUBLISHED,
    )
    askers = list(User.objects.order_by("pk").only("pk")[:200])
    Question.objects.bulk_create(
        [
            QuestionFactory.build(
                session=session,
                author=rng.choice(askers) if askers else None,
                text=f"How should I prepare for {rng.choice(SUBJECTS)}? ({n})",
                status=Question.Status.APPROVED,
            )
            for n in range(counts["ama_sessions"])
        ],
        batch_size=2000,
    )
    questions = list(session.questions.only("pk"))
    QuestionVote.objects.bulk_create(
        [
            QuestionVoteFactory.build(question=rng.choice(questions), user=user)
            for user in askers
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return f"ama: {len(videos)} sessions, {len(questions)} questions"
