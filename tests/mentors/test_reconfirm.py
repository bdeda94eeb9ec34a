"""Staying current: the daily reconfirmation command and the still-mentoring link."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from mentors.factories import MentorFactory
from mentors.models import Mentor
from mentors.services import mentor_send_reconfirmations

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def link_in(message, name: str) -> str:
    match = re.search(
        rf"http://127\.0\.0\.1:8000(/mentors/{name}/[^\s]+)", message.body
    )
    assert match, message.body
    return match.group(1)


def test_reconfirmation_timeline(client):
    start = timezone.now()
    mentor = MentorFactory(confirmed_at=start)

    # 364 days: nothing yet.
    assert mentor_send_reconfirmations(now=start + 364 * DAY).reminded == 0
    assert mail.outbox == []

    # 12 months: one email with the one-click link; still listed.
    reminder_day = start + 366 * DAY
    result = mentor_send_reconfirmations(now=reminder_day)
    assert (result.reminded, result.marked_stale) == (1, 0)
    (message,) = mail.outbox
    assert message.to == [mentor.email]
    assert "still mentoring" in message.subject.lower()
    link_in(message, "still-mentoring")
    mentor.refresh_from_db()
    assert mentor.reconfirmation_sent_at == reminder_day
    assert Mentor.objects.live().filter(pk=mentor.pk).exists()

    # Idempotent: the next days send nothing again.
    assert mentor_send_reconfirmations(now=reminder_day + DAY).reminded == 0
    assert mentor_send_reconfirmations(now=reminder_day + 29 * DAY).marked_stale == 0
    assert len(mail.outbox) == 1

    # 30 days without an answer: stale, out of the directory, not deleted.
    result = mentor_send_reconfirmations(now=reminder_day + 30 * DAY)
    assert (result.reminded, result.marked_stale) == (0, 1)
    mentor.refresh_from_db()
    assert mentor.is_stale
    assert mentor.status == Mentor.Status.APPROVED
    assert not Mentor.objects.live().filter(pk=mentor.pk).exists()
    assert "hidden" in mail.outbox[-1].subject
    assert mentor_send_reconfirmations(now=reminder_day + 31 * DAY).marked_stale == 0
    assert len(mail.outbox) == 2


def test_clicking_still_mentoring_keeps_the_listing_and_asks_the_load(client):
    mentor = MentorFactory(confirmed_at=timezone.now() - 400 * DAY, capacity=3)
    mentor_send_reconfirmations()
    assert "how many mentees you can take now" in mail.outbox[0].body
    path = link_in(mail.outbox[0], "still-mentoring")

    # Opening the link (as a mail scanner would) changes nothing; the load is
    # there, filled in with the last answer.
    page = client.get(path)
    assertContains(page, "Yes, I'm still mentoring")
    assert page.context["form"]["capacity"].value() == 3
    assert page.context["form"]["accepting_mentees"].value() is True
    assertContains(page, 'min="1" max="50"')
    mentor.refresh_from_db()
    assert mentor.reconfirmation_sent_at is not None

    # A load out of range is explained and confirms nothing.
    refused = client.post(path, {"capacity": "0", "accepting_mentees": "on"})
    assertContains(refused, "Enter a number from 1 to 50.", status_code=400)
    mentor.refresh_from_db()
    assert (mentor.capacity, mentor.reconfirmation_sent_at is None) == (3, False)

    # The one press keeps the listing and records the load.
    response = client.post(path, {"capacity": "1", "accepting_mentees": "on"})
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Your listing is confirmed")
    assertContains(response, "You take up to 1 mentee at a time.")
    mentor.refresh_from_db()
    assert mentor.reconfirmation_sent_at is None
    assert timezone.now() - mentor.confirmed_at < datetime.timedelta(minutes=1)
    assert (mentor.capacity, mentor.accepting_mentees) == (1, True)

    # A year later the cycle starts again; meanwhile nothing is sent.
    assert mentor_send_reconfirmations().reminded == 0


def test_stale_listing_comes_back_with_the_link(client, active_member):
    mentor = MentorFactory(
        last_name="Vega",
        confirmed_at=timezone.now() - 500 * DAY,
        reconfirmation_sent_at=timezone.now() - 40 * DAY,
    )
    mentor_send_reconfirmations()
    mentor.refresh_from_db()
    assert mentor.is_stale
    path = link_in(mail.outbox[-1], "still-mentoring")
    client.force_login(active_member)
    assert "Vega" not in client.get(reverse("mentors:directory")).content.decode()
    # Back, but not taking new mentees for now (the box unticked).
    client.post(path, {"capacity": "2"})
    mentor.refresh_from_db()
    assert not mentor.is_stale
    assert not mentor.accepting_mentees
    assertContains(client.get(reverse("mentors:directory")), "Vega")


def test_only_approved_listings_are_reminded():
    old = timezone.now() - 400 * DAY
    for status in ("pending", "declined", "removed"):
        MentorFactory(status=status, confirmed_at=old)
    assert mentor_send_reconfirmations().reminded == 0
    assert mail.outbox == []


def test_management_command_runs_and_reports(capsys):
    MentorFactory(confirmed_at=timezone.now() - 400 * DAY)
    call_command("mentors_reconfirm")
    call_command("mentors_reconfirm")
    out = capsys.readouterr().out
    assert "Reconfirmation emails sent: 1" in out
    assert "Reconfirmation emails sent: 0" in out
    assert len(mail.outbox) == 1


def test_still_mentoring_link_refuses_tampering_and_removed(client):
    mentor = MentorFactory(confirmed_at=timezone.now() - 400 * DAY)
    mentor_send_reconfirmations()
    path = link_in(mail.outbox[0], "still-mentoring")
    assert client.post(path[:-4] + "xxx/").status_code == HTTPStatus.BAD_REQUEST
    Mentor.objects.filter(pk=mentor.pk).update(status="removed")
    assert client.post(path).status_code == HTTPStatus.GONE
