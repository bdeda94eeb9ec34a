"""Print what `make bench` builds its URL mix from, as JSON: the real values of the
scale data (specialty slugs, states, languages, months, words from names and
titles, video slugs) and the bench member's calendar-feed token."""

import json
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from members.models import User
from members.scale import BENCH_MEMBER_EMAIL

SAMPLE = 300  # at most this many video slugs
WORD = re.compile(r"[^\W\d_]{4,}")


def words(*texts: str) -> list[str]:
    """Distinct words of four letters or more, lower case, in first-seen order."""
    seen = {}
    for text in texts:
        for word in WORD.findall(text or ""):
            seen.setdefault(word.lower(), None)
    return list(seen)


class Command(BaseCommand):
    help = "Print the scale data's values for the bench's URL mix as JSON."

    def handle(self, *args, **options):
        from ama.models import Audience, Topic, Video
        from mentors.models import Language, MenteeLevel, Mentor, MentoringMode
        from residency_hub.models import CalendarFeedToken, Event, Program, Specialty

        user = User.objects.filter(email=BENCH_MEMBER_EMAIL).first()
        if user is None:
            raise CommandError("Run `manage.py seed_scale` first.")
        token = CalendarFeedToken.objects.live().filter(user=user).first()
        token = token or CalendarFeedToken.objects.create(user=user)
        videos = Video.objects.published()
        mentors = Mentor.objects.live()
        today = timezone.localdate()
        first = Event.objects.order_by("starts_at").values_list("starts_at", flat=True)
        vocabulary = {
            "specialties": list(Specialty.objects.values_list("slug", flat=True)),
            "states": sorted(set(mentors.values_list("state", flat=True)[:5000])),
            "mentor_languages": list(Language.objects.values_list("code", flat=True)),
            "levels": MenteeLevel.values,
            "modes": MentoringMode.values,
            "mentor_words": words(
                *mentors.values_list("last_name", flat=True)[:2000],
                *mentors.values_list("institution", flat=True)[:2000],
                *Specialty.objects.values_list("name", flat=True),
            ),
            "program_words": words(
                *Program.objects.values_list("name", flat=True)[:2000],
                *Program.objects.values_list("city", flat=True)[:2000],
            ),
            "topics": list(Topic.objects.values_list("slug", flat=True)),
            "audiences": Audience.values,
            "years": sorted(
                {d.year for d in videos.values_list("date", flat=True)[:5000]}
                or {today.year}
            ),
            "video_words": words(*videos.values_list("title", flat=True)[:2000]),
            "video_slugs": spread(videos.order_by("pk").values_list("slug", flat=True)),
            "months": months(first.first(), first.last(), today),
            "feed_token": token.token,
        }
        self.stdout.write(json.dumps(vocabulary))


def spread(values) -> list:
    """At most SAMPLE of ``values``, evenly spread (the same on every run)."""
    values = list(values)
    return values[:: max(1, len(values) // SAMPLE)][:SAMPLE]


def months(first, last, today) -> list[str]:
    """``YYYY-MM`` of every month with events (this month if there are none)."""
    first, last = (value.date() if value else today for value in (first, last))
    index, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index, end + 1)]
