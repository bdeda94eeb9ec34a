"""The .ics download and the per-member subscription feed (RFC 5545)."""

import datetime
import zoneinfo
from http import HTTPStatus

import icalendar
from django.urls import reverse
from django.utils import timezone

from members.factories import set_membership
from residency_hub.factories import EventFactory
from residency_hub.models import CalendarFeedToken, Event
from residency_hub.services import feed_token_rotate

UTC = datetime.UTC
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def feed_url(specialty, token: str) -> str:
    return reverse("residency_hub:calendar-feed", args=[specialty.slug]) + (
        f"?token={token}"
    )


def parse(response) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(response.content)


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_event_ics_field_by_field(client, active_member, program):
    event = EventFactory(
        specialty=program.specialty,
        program=program,
        title="Virtual open house",
        description="Meet our residents.",
        host="Dr. Elena Ruiz",
        link="https://meet.example.org/abc",
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 3, 9, 16, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 3, 9, 17, 30, tzinfo=UTC),
    )
    client.force_login(active_member)
    response = client.get(reverse("residency_hub:event-ics", args=[event.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="virtual-open-house.ics"'
    )
    calendar = parse(response)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//LMSA//Member Portal Residency Hub//EN"
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]

    vevent = only_event(calendar)
    assert vevent["UID"] == f"{event.uid}@127.0.0.1"
    assert vevent["SUMMARY"] == "Virtual open house"
    start = vevent.decoded("DTSTART")
    assert start == datetime.datetime(2026, 3, 9, 12, tzinfo=NEW_YORK)
    assert start.astimezone(UTC) == event.starts_at
    assert vevent["DTSTART"].params["TZID"] == "America/New_York"
    assert vevent.decoded("DTEND").astimezone(UTC) == event.ends_at
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["URL"] == "https://meet.example.org/abc"
    assert vevent["LOCATION"] == "https://meet.example.org/abc"
    description = str(vevent["DESCRIPTION"])
    assert "Meet our residents." in description
    assert "Host: Dr. Elena Ruiz" in description
    assert f"http://127.0.0.1:8000/residency-hub/events/{event.pk}/" in description
    assert vevent.decoded("DTSTAMP").tzinfo is not None
    assert vevent.categories == [program.specialty.name]
    # The advisor's email is never put in calendar files.
    assert b"elena.ruiz@sunrise.example" not in response.content


def test_uid_is_stable_and_sequence_bumps_on_changes(client, active_member, specialty):
    event = EventFactory(specialty=specialty)
    client.force_login(active_member)
    url = reverse("residency_hub:event-ics", args=[event.pk])
    first = only_event(parse(client.get(url)))
    event.save()  # nothing changed: no new revision
    assert only_event(parse(client.get(url)))["SEQUENCE"] == 0

    event.starts_at += datetime.timedelta(hours=1)
    event.ends_at += datetime.timedelta(hours=1)
    event.save()
    second = only_event(parse(client.get(url)))
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] == 1
    assert second.decoded("DTSTART") - first.decoded("DTSTART") == datetime.timedelta(
        hours=1
    )

    event.status = Event.Status.CANCELLED
    event.save(update_fields=["status"])
    event.refresh_from_db()
    assert event.sequence == 2
    third = only_event(parse(client.get(url)))
    assert third["STATUS"] == "CANCELLED"
    assert third["SEQUENCE"] == 2


def test_feed_lists_the_specialtys_events_with_cancellations(
    client, active_member, specialty
):
    token = feed_token_rotate(user=active_member)
    upcoming = EventFactory(specialty=specialty, title="Upcoming")
    cancelled = EventFactory(
        specialty=specialty, title="Called off", status="cancelled"
    )
    EventFactory(title="Other specialty")
    EventFactory(
        specialty=specialty,
        title="Long ago",
        starts_at=timezone.now() - datetime.timedelta(days=200),
        ends_at=timezone.now() - datetime.timedelta(days=200, hours=-1),
    )
    # No session: calendar apps only have the link.
    response = client.get(feed_url(specialty, token.token))
    assert response.status_code == HTTPStatus.OK
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-cache" in cache_control
    calendar = parse(response)
    assert calendar["X-WR-CALNAME"] == f"LMSA · {specialty.name}"
    assert "REFRESH-INTERVAL" in calendar
    by_uid = {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}
    assert set(by_uid) == {
        f"{upcoming.uid}@127.0.0.1",
        f"{cancelled.uid}@127.0.0.1",
    }
    assert by_uid[f"{cancelled.uid}@127.0.0.1"]["STATUS"] == "CANCELLED"
    assert by_uid[f"{upcoming.uid}@127.0.0.1"]["SUMMARY"] == "Upcoming"


def test_feed_without_valid_token_is_404_with_no_data(client, active_member, specialty):
    EventFactory(specialty=specialty, title="Secret webinar")
    token = feed_token_rotate(user=active_member)
    for bad in ["", "not-a-token", "x" * 500]:
        response = client.get(feed_url(specialty, bad))
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert b"Secret webinar" not in response.content
        assert b"VCALENDAR" not in response.content
    # A valid token for a specialty that does not exist: also 404.
    response = client.get(feed_url(type(specialty)(slug="nope"), token.token))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_revoked_token_stops_the_feed(client, active_member, specialty):
    EventFactory(specialty=specialty, title="Secret webinar")
    old = feed_token_rotate(user=active_member)
    new = feed_token_rotate(user=active_member)
    assert client.get(feed_url(specialty, old.token)).status_code == 404
    assert client.get(feed_url(specialty, new.token)).status_code == 200
    client.force_login(active_member)
    client.post(reverse("residency_hub:feed-token-revoke"))
    client.logout()
    response = client.get(feed_url(specialty, new.token))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Secret webinar" not in response.content


def test_malformed_tokens_are_404_without_reaching_the_database(
    client, active_member, specialty, django_assert_num_queries
):
    token = feed_token_rotate(user=active_member)
    for bad in (f"{token.token[:10]}\x00{token.token[10:]}", "x" * 65, "a b", "../"):
        with django_assert_num_queries(0):
            response = client.get(feed_url(specialty, bad))
        assert response.status_code == HTTPStatus.NOT_FOUND
    assert client.get(feed_url(specialty, token.token)).status_code == HTTPStatus.OK


def test_feed_stops_when_membership_stops_being_active(
    client, active_member, specialty
):
    EventFactory(specialty=specialty, title="Secret webinar")
    token = feed_token_rotate(user=active_member)
    assert client.get(feed_url(specialty, token.token)).status_code == 200
    set_membership(active_member, expires_on=timezone.localdate())
    response = client.get(feed_url(specialty, token.token))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Secret webinar" not in response.content
    set_membership(active_member, expires_on=None, status="declined")
    assert client.get(feed_url(specialty, token.token)).status_code == 404
    set_membership(active_member, status="approved")
    active_member.is_active = False
    active_member.save()
    assert client.get(feed_url(specialty, token.token)).status_code == 404


def test_feed_query_count_does_not_grow(
    client, active_member, specialty, django_assert_max_num_queries
):
    token = feed_token_rotate(user=active_member)
    EventFactory(specialty=specialty)
    with django_assert_max_num_queries(10) as few:
        client.get(feed_url(specialty, token.token))
    for _ in range(10):
        EventFactory(specialty=specialty)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(feed_url(specialty, token.token))


def test_rotate_and_revoke_views(client, active_member, specialty):
    client.force_login(active_member)
    assert client.get(reverse("residency_hub:feed-token-rotate")).status_code == 405
    response = client.post(reverse("residency_hub:feed-token-rotate"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("members:me")
    first = CalendarFeedToken.objects.live().get(user=active_member)
    calendar_page = reverse("residency_hub:calendar", args=[specialty.slug])
    response = client.post(
        reverse("residency_hub:feed-token-rotate"), {"next": calendar_page}
    )
    assert response["Location"] == calendar_page
    second = CalendarFeedToken.objects.live().get(user=active_member)
    assert second.token != first.token
    first.refresh_from_db()
    assert first.is_revoked
    # An outside address is never followed.
    response = client.post(
        reverse("residency_hub:feed-token-revoke"), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("members:me")
    assert not CalendarFeedToken.objects.live().filter(user=active_member).exists()


def test_only_active_members_get_a_calendar_link(client, expired_member):
    client.force_login(expired_member)
    response = client.post(reverse("residency_hub:feed-token-rotate"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not CalendarFeedToken.objects.filter(user=expired_member).exists()
    # Turning links off always works.
    response = client.post(reverse("residency_hub:feed-token-revoke"))
    assert response.status_code == HTTPStatus.FOUND


def test_calendar_page_offers_the_subscription(client, active_member, specialty):
    client.force_login(active_member)
    url = reverse("residency_hub:calendar", args=[specialty.slug])
    response = client.get(url)
    assert b"Create my calendar link" in response.content
    token = feed_token_rotate(user=active_member)
    response = client.get(url)
    content = response.content.decode()
    assert f"webcal://testserver{feed_url(specialty, token.token)}" in content
    assert f"http://testserver{feed_url(specialty, token.token)}" in content


def test_account_panel(client, active_member, expired_member, specialty, rf):
    from django.template.loader import render_to_string

    EventFactory(specialty=specialty)
    request = rf.get("/members/me/")
    request.user = active_member
    html = render_to_string(
        "residency_hub/includes/_account_panel.html",
        {"user": active_member, "request": request},
    )
    assert "Create my calendar link" in html
    token = feed_token_rotate(user=active_member)
    html = render_to_string(
        "residency_hub/includes/_account_panel.html",
        {"user": active_member, "request": request},
    )
    assert feed_url(specialty, token.token) in html
    assert reverse("residency_hub:feed-token-revoke") in html
    assert specialty.name in html
    request.user = expired_member
    html = render_to_string(
        "residency_hub/includes/_account_panel.html",
        {"user": expired_member, "request": request},
    )
    assert "available to active members" in html
    assert reverse("residency_hub:feed-token-rotate") not in html


def test_ics_description_is_plain_text_not_markdown(client, active_member, program):
    event = EventFactory(
        specialty=program.specialty,
        program=program,
        description="Meet **our residents** and see [the program](https://p.example/).",
    )
    client.force_login(active_member)
    response = client.get(reverse("residency_hub:event-ics", args=[event.pk]))
    description = str(only_event(parse(response))["DESCRIPTION"])
    assert "**" not in description and "](" not in description
    assert "Meet our residents and see the program (https://p.example/)." in description
