"""The subscription feed answers calendar apps that have the current copy with a
304, only after the token check, and holds a bounded window of past events."""

import datetime
from http import HTTPStatus

from django.utils import timezone

from members.factories import make_member
from residency_hub.factories import EventFactory
from residency_hub.models import Event
from residency_hub.services import feed_token_revoke, feed_token_rotate
from residency_hub.views import FEED_PAST_DAYS
from tests.residency_hub.test_ics import feed_url, parse


def titles(response) -> set[str]:
    return {str(vevent["SUMMARY"]) for vevent in parse(response).walk("VEVENT")}


def test_a_calendar_app_with_the_current_copy_gets_a_304(
    client, active_member, specialty, django_assert_max_num_queries
):
    EventFactory(specialty=specialty, title="Open house")
    url = feed_url(specialty, feed_token_rotate(user=active_member).token)
    first = client.get(url)
    assert first.status_code == HTTPStatus.OK
    assert first["ETag"] and first["Last-Modified"]
    # Token and member, then the events' count and last change: no build.
    with django_assert_max_num_queries(3):
        again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == HTTPStatus.NOT_MODIFIED


def test_an_edit_or_a_deletion_sends_the_feed_again(client, active_member, specialty):
    keep = EventFactory(specialty=specialty, title="Open house")
    gone = EventFactory(specialty=specialty, title="Q&A")
    url = feed_url(specialty, feed_token_rotate(user=active_member).token)
    first = client.get(url)
    Event.objects.filter(pk=keep.pk).update(
        title="Open house (new time)",
        updated_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    edited = client.get(
        url,
        headers={
            "if-none-match": first["ETag"],
            "if-modified-since": first["Last-Modified"],
        },
    )
    assert edited.status_code == HTTPStatus.OK
    assert titles(edited) == {"Open house (new time)", "Q&A"}
    gone.delete()
    deleted = client.get(url, headers={"if-none-match": edited["ETag"]})
    assert deleted.status_code == HTTPStatus.OK
    assert titles(deleted) == {"Open house (new time)"}


def test_renaming_the_specialty_sends_the_feed_again(client, active_member, specialty):
    EventFactory(specialty=specialty)
    url = feed_url(specialty, feed_token_rotate(user=active_member).token)
    etag = client.get(url)["ETag"]
    specialty.name = "Medicina de urgencias · Emergencias"
    specialty.save()
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == HTTPStatus.OK
    assert response["ETag"] != etag


def test_each_feed_is_built_once_per_change(
    client, active_member, specialty, monkeypatch
):
    from residency_hub import ics

    builds = []
    real_build = ics.build_calendar
    monkeypatch.setattr(
        ics, "build_calendar", lambda *a, **k: builds.append(1) or real_build(*a, **k)
    )
    event = EventFactory(specialty=specialty, title="Open house")
    url = feed_url(specialty, feed_token_rotate(user=active_member).token)
    other = feed_url(specialty, feed_token_rotate(user=make_member()).token)
    first = client.get(url).content
    assert client.get(other).content == first  # the same file for every member
    assert len(builds) == 1
    Event.objects.filter(pk=event.pk).update(
        title="Open house (moved)",
        updated_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    assert titles(client.get(url)) == {"Open house (moved)"}
    assert len(builds) == 2


def test_a_revoked_link_gets_a_404_even_with_the_current_etag(
    client, active_member, specialty
):
    EventFactory(specialty=specialty, title="Secret webinar")
    url = feed_url(specialty, feed_token_rotate(user=active_member).token)
    etag = client.get(url)["ETag"]
    feed_token_revoke(user=active_member)
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Secret webinar" not in response.content


def test_the_feed_keeps_only_a_window_of_past_events(client, active_member, specialty):
    now = timezone.now()

    def ended(days: float, title: str) -> None:
        end = now - datetime.timedelta(days=days)
        EventFactory(
            specialty=specialty,
            title=title,
            starts_at=end - datetime.timedelta(hours=1),
            ends_at=end,
        )

    ended(-10, "Next week")
    ended(1, "Yesterday")
    ended(FEED_PAST_DAYS - 1, "Inside the window")
    ended(FEED_PAST_DAYS + 1, "Just outside")
    ended(400, "Last year")
    url = feed_url(specialty, feed_token_rotate(user=active_member).token)
    assert titles(client.get(url)) == {"Next week", "Yesterday", "Inside the window"}
