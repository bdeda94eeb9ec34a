"""Calendars: month, upcoming and past views in the member's time zone."""

import datetime
import re
from http import HTTPStatus

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from residency_hub.factories import EventFactory
from residency_hub.forms import EventAdminForm

UTC = datetime.UTC


def calendar_url(specialty, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("residency_hub:calendar", args=[specialty.slug]) + (
        f"?{query}" if query else ""
    )


def cell_events(response) -> dict[datetime.date, list[str]]:
    return {
        cell["date"]: [event.title for event in cell["events"]]
        for week in response.context["weeks"]
        for cell in week
        if cell["events"]
    }


def test_month_view_places_events_on_their_day(client, active_member, specialty):
    EventFactory(
        specialty=specialty,
        title="Spring open house",
        starts_at=datetime.datetime(2026, 4, 15, 18, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 4, 15, 19, tzinfo=UTC),
    )
    client.force_login(active_member)
    response = client.get(calendar_url(specialty, month="2026-04"))
    assert response.status_code == HTTPStatus.OK
    assert cell_events(response) == {datetime.date(2026, 4, 15): ["Spring open house"]}
    assertContains(response, "April 2026")
    assertContains(response, "month=2026-03")
    assertContains(response, "month=2026-05")


def test_month_view_defaults_to_this_month_on_bad_input(
    client, active_member, specialty
):
    client.force_login(active_member)
    this_month = timezone.localdate().replace(day=1)
    for bad in ["nonsense", "2026-13", "99999-01", ""]:
        response = client.get(calendar_url(specialty, month=bad))
        assert response.status_code == HTTPStatus.OK
        assert response.context["month"] == this_month
    response = client.get(calendar_url(specialty, view="weird"))
    assert response.context["view"] == "month"


def test_upcoming_and_past_views(client, active_member, specialty):
    now = timezone.now()
    EventFactory(specialty=specialty, title="Next week")
    EventFactory(
        specialty=specialty,
        title="Last week",
        starts_at=now - datetime.timedelta(days=7),
        ends_at=now - datetime.timedelta(days=7, hours=-1),
    )
    EventFactory(specialty=specialty, title="Gone", status="cancelled")
    client.force_login(active_member)
    response = client.get(calendar_url(specialty, view="upcoming"))
    assertContains(response, "Next week")
    assertContains(response, "Gone")
    assertContains(response, "Cancelled")
    assertNotContains(response, "Last week")
    response = client.get(calendar_url(specialty, view="past"))
    assertContains(response, "Last week")
    assertNotContains(response, "Next week")


def test_calendar_names_the_members_time_zone(client, active_member, specialty):
    active_member.time_zone = "America/Chicago"
    active_member.save()
    client.force_login(active_member)
    response = client.get(calendar_url(specialty, month="2026-01"))
    assertContains(response, "<strong data-zone-name>Central Time</strong>", html=False)
    assertNotContains(response, "America/Chicago time zone")


def test_times_follow_the_member_zone_across_a_dst_change(
    client, active_member, specialty
):
    """US clocks go forward on 8 March 2026, Europe's on 29 March: for three weeks
    New York is four hours behind Madrid, not six."""
    before = EventFactory(
        specialty=specialty,
        title="Before the change",
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 3, 6, 17, tzinfo=UTC),  # 12:00 EST
        ends_at=datetime.datetime(2026, 3, 6, 18, tzinfo=UTC),
    )
    after = EventFactory(
        specialty=specialty,
        title="After the change",
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 3, 9, 16, tzinfo=UTC),  # 12:00 EDT
        ends_at=datetime.datetime(2026, 3, 9, 17, tzinfo=UTC),
    )
    active_member.time_zone = "Europe/Madrid"
    active_member.save()
    client.force_login(active_member)

    response = client.get(before.get_absolute_url())
    assertContains(response, "Friday 6 March 2026, 6:00 PM")
    assertContains(response, "Europe/Madrid")
    assertContains(response, "Organiser's time (Eastern Time)")
    assertContains(response, "12:00 PM")
    assertContains(response, "1:00 PM EST")

    response = client.get(after.get_absolute_url())
    assertContains(response, "Monday 9 March 2026, 5:00 PM")
    assertContains(response, "6:00 PM CET")
    assertContains(response, "1:00 PM EDT")

    # A New York member sees noon both times.
    active_member.time_zone = "America/New_York"
    active_member.save()
    for event, zone in [(before, "EST"), (after, "EDT")]:
        response = client.get(event.get_absolute_url())
        assertContains(response, "12:00 PM")
        assertContains(response, f"1:00 PM {zone}")
        assertNotContains(response, "Organiser's time")


def test_month_cell_uses_the_members_local_date(client, active_member, specialty):
    # 31 March 23:30 in Los Angeles is already 1 April in Madrid.
    EventFactory(
        specialty=specialty,
        title="Late webinar",
        time_zone="America/Los_Angeles",
        starts_at=datetime.datetime(2026, 4, 1, 6, 30, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 4, 1, 7, 30, tzinfo=UTC),
    )
    client.force_login(active_member)
    active_member.time_zone = "America/Los_Angeles"
    active_member.save()
    response = client.get(calendar_url(specialty, month="2026-03"))
    assert cell_events(response) == {datetime.date(2026, 3, 31): ["Late webinar"]}
    active_member.time_zone = "Europe/Madrid"
    active_member.save()
    response = client.get(calendar_url(specialty, month="2026-03"))
    assert cell_events(response) == {datetime.date(2026, 4, 1): ["Late webinar"]}
    response = client.get(calendar_url(specialty, month="2026-04"))
    assert cell_events(response) == {datetime.date(2026, 4, 1): ["Late webinar"]}


def test_admin_form_reads_times_in_the_organisers_zone_across_dst(specialty):
    data = {
        "specialty": specialty.pk,
        "title": "Open house",
        "time_zone": "America/New_York",
        "status": "confirmed",
        "starts_at": "2026-03-09T12:00",
        "ends_at": "2026-03-09T13:00",
    }
    form = EventAdminForm(data=data)
    assert form.is_valid(), form.errors
    event = form.save()
    assert event.starts_at == datetime.datetime(2026, 3, 9, 16, tzinfo=UTC)
    form = EventAdminForm(data={**data, "starts_at": "2026-03-06T12:00"})
    form.is_valid()
    assert form.cleaned_data["starts_at"] == datetime.datetime(
        2026, 3, 6, 17, tzinfo=UTC
    )
    # Shown back to staff in the organiser's zone, not the server's.
    event.time_zone = "America/Denver"
    event.save()
    form = EventAdminForm(instance=event)
    assert 'value="2026-03-09T10:00"' in str(form["starts_at"])


def test_admin_form_rejects_a_time_skipped_by_the_clock_change(specialty):
    form = EventAdminForm(
        data={
            "specialty": specialty.pk,
            "title": "Impossible",
            "time_zone": "America/New_York",
            "status": "confirmed",
            "starts_at": "2026-03-08T02:30",
            "ends_at": "2026-03-08T04:00",
        }
    )
    assert not form.is_valid()
    assert "does not exist" in str(form.errors["starts_at"])


def test_admin_form_rejects_end_before_start(specialty):
    form = EventAdminForm(
        data={
            "specialty": specialty.pk,
            "title": "Backwards",
            "time_zone": "UTC",
            "status": "confirmed",
            "starts_at": "2026-05-01T12:00",
            "ends_at": "2026-05-01T11:00",
        }
    )
    assert not form.is_valid()
    assert "end after it starts" in str(form.errors["ends_at"])


def test_calendar_query_count_does_not_grow(
    client, active_member, specialty, django_assert_max_num_queries
):
    client.force_login(active_member)
    starts = datetime.datetime(2026, 6, 3, 15, tzinfo=UTC)
    EventFactory(specialty=specialty, starts_at=starts, ends_at=starts)
    url = calendar_url(specialty, month="2026-06")
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for day in range(10):
        start = starts + datetime.timedelta(days=day)
        EventFactory(specialty=specialty, starts_at=start, ends_at=start)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert sum(len(v) for v in cell_events(response).values()) == 11
    assert re.search(r"Jun", response.content.decode())


def test_month_view_also_lists_the_events_day_by_day_for_phones(
    client, active_member, specialty
):
    """A seven-column grid does not fit a phone: below 768 px an agenda list shows
    the same events and the grid is display:none (read once by screen readers)."""
    EventFactory(
        specialty=specialty,
        title="Saturday fair",
        starts_at=datetime.datetime(2026, 4, 4, 16, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 4, 4, 17, tzinfo=UTC),
    )
    client.force_login(active_member)
    response = client.get(calendar_url(specialty, month="2026-04"))
    html = response.content.decode()
    agenda = html[html.index('class="list-unstyled calendar-agenda d-md-none"') :]
    assert "Saturday 4 April" in agenda and "Saturday fair" in agenda
    assertContains(response, 'class="table-responsive d-none d-md-block"')
