"""Query budgets: every main page costs the same number of queries at two data sizes,
and few of them.

The data comes from `manage.py seed_scale` at two small scales, each inside a
transaction that is rolled back, so both sizes are measured in one test. A page whose
count grows with the rows has an N+1 (django-zeal also fails those, at the point
where they happen); a page over its budget does too much work per request.
"""

from http import HTTPStatus
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.scale import BENCH_MEMBER_EMAIL

SMALL, LARGE = 0.0002, 0.003  # about 2 vs 30 mentors, 4 vs 60 events, ...

# Queries a signed-in member costs before any page work: session, user, and the
# membership with the verified address (the access rule).
MEMBER_OVERHEAD = 3


def _paths(user) -> dict[str, str]:
    """Paths to pages of the seeded objects (looked up after each seeding)."""
    from ama.models import UpcomingSession, Video
    from listserv.models import Subscriber
    from listserv.services import MANAGE_LINK
    from mentors.models import Mentor
    from residency_hub.models import (
        CalendarFeedToken,
        Event,
        Program,
        ProgramCoordinator,
        Specialty,
    )
    from residency_hub.services import coordinator_edit_url

    specialty = Specialty.objects.get(slug="internal-medicine")
    calendar = reverse("residency_hub:calendar", args=[specialty.slug])
    video = Video.objects.published().order_by("-date").first()
    feed_token = CalendarFeedToken.objects.live().first() or (
        CalendarFeedToken.objects.create(user=user)
    )
    subscriber = Subscriber.objects.order_by("pk").first()
    # A program with events: its coordinator's edit page lists them.
    busiest = (
        Event.objects.filter(program__isnull=False).first() or Event()
    ).program or Program.objects.first()
    coordinator, _created = ProgramCoordinator.objects.get_or_create(
        program=busiest, email="perf.coordinator@example.org"
    )
    return {
        "home": "/",
        "mentor directory": reverse("mentors:directory"),
        "mentor directory, filtered": reverse("mentors:directory")
        + "?state=CA&language=es&sort=recent",
        "mentor directory, search": reverse("mentors:directory") + "?q=medical",
        "mentor directory, last page": reverse("mentors:directory") + "?page=last",
        "mentor detail": reverse(
            "mentors:detail", args=[Mentor.objects.live().first().pk]
        ),
        "program directory": reverse("residency_hub:program-list"),
        "program directory, search": reverse("residency_hub:program-list")
        + "?q=mission&sort=-last_verified_on",
        "program detail": Program.objects.first().get_absolute_url(),
        "specialty page": specialty.get_absolute_url(),
        "calendar month": calendar,
        "calendar upcoming": calendar + "?view=upcoming",
        "calendar past": calendar + "?view=past",
        "event detail": Event.objects.first().get_absolute_url(),
        "event .ics": reverse(
            "residency_hub:event-ics", args=[Event.objects.first().pk]
        ),
        "specialty .ics feed": reverse(
            "residency_hub:calendar-feed", args=[specialty.slug]
        )
        + f"?token={feed_token.token}",
        "AMA archive": reverse("ama:archive"),
        "AMA archive, search": reverse("ama:archive") + "?q=residency",
        "AMA video page": video.get_absolute_url(),
        "AMA upcoming session": UpcomingSession.objects.first().get_absolute_url(),
        "account page": reverse("members:me"),
        "listserv sign-up": reverse("listserv:signup"),
        "listserv preferences": reverse(
            "listserv:preferences", args=[MANAGE_LINK.token(subscriber.pk)]
        ),
        "coordinator edit page": urlsplit(
            coordinator_edit_url(coordinator=coordinator)
        ).path,
    }


# Page -> most queries allowed (including MEMBER_OVERHEAD where signed in).
BUDGETS = {
    "home": 4,
    "mentor directory": 8,
    "mentor directory, filtered": 8,
    "mentor directory, search": 8,
    "mentor directory, last page": 8,
    "mentor detail": 6,
    "program directory": 8,
    "program directory, search": 8,
    "program detail": 8,
    "specialty page": 11,
    "calendar month": 8,
    "calendar upcoming": 8,
    "calendar past": 8,
    "event detail": 6,
    "event .ics": 6,
    "specialty .ics feed": 6,
    "AMA archive": 8,
    # PostgreSQL: + the panelists and topics matched; + the member's state (layout)
    "AMA archive, search": 10,
    "AMA video page": 8,
    "AMA upcoming session": 10,
    # + the mentorship requests, saved searches and AMA announcements cards
    "account page": 13,
    # + the member's state, for the "waiting for approval" notice in the layout
    "listserv sign-up": 9,
    "listserv preferences": 7,
    # coordinator with program, contacts, upcoming events, specialty choices,
    # "a change is waiting" (a coordinator opens it signed in or not)
    "coordinator edit page": 8,
}


def _measure(client, scale: float) -> dict[str, int]:
    """Seed at ``scale``, count each page's queries, then roll the data back."""
    from members.models import User

    counts = {}
    with transaction.atomic():
        call_command("seed_scale", scale=scale, stdout=StringIO())
        user = User.objects.get(email=BENCH_MEMBER_EMAIL)
        client.force_login(user)
        paths = _paths(user)
        for label, path in paths.items():
            cache.clear()
            client.get(path)  # warm: per-process lookups (content types, ...)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == HTTPStatus.OK, (label, path)
            counts[label] = len(queries)
        transaction.set_rollback(True)
    client.logout()
    return counts


@pytest.mark.django_db
def test_every_main_page_costs_the_same_queries_at_two_sizes(client):
    small = _measure(client, SMALL)
    large = _measure(client, LARGE)
    assert large == small
    over_budget = {
        label: count for label, count in large.items() if count > BUDGETS[label]
    }
    assert over_budget == {}
