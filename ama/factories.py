"""factory_boy factories of the ama app: the one description of a valid row,
used by the tests, the demo (`load_demo_data`) and the scale seed."""

import datetime

import factory
from django.utils import timezone

from ama.models import (
    Chapter,
    Panelist,
    Question,
    QuestionVote,
    Topic,
    UpcomingSession,
    Video,
)
from members.factories import UserFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Video
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"AMA session {n}")
    slug = factory.Sequence(lambda n: f"ama-session-{n}")
    date = datetime.date(2024, 3, 14)
    video_url = factory.Sequence(
        lambda n: f"https://www.facebook.com/LMSANational/videos/{100000 + n}/"
    )
    description = "Physicians answer questions from students."
    status = Video.Status.PUBLISHED

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class PanelistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panelist

    video = factory.SubFactory(VideoFactory)
    name = factory.Faker("name")
    role = "Family Medicine"


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    video = factory.SubFactory(VideoFactory)
    start_seconds = factory.Sequence(lambda n: 60 * n)
    title = factory.Sequence(lambda n: f"Chapter {n}")


class UpcomingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpcomingSession

    title = factory.Sequence(lambda n: f"Upcoming AMA {n}")
    starts_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=7)
    )
    where_to_watch = "Facebook Live"
    status = UpcomingSession.Status.PUBLISHED


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    session = factory.SubFactory(UpcomingSessionFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"What is the best advice number {n}?")
    status = Question.Status.APPROVED


class QuestionVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionVote

    question = factory.SubFactory(QuestionFactory)
    user = factory.SubFactory(UserFactory)
