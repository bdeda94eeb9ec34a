"""A member finds a specialty's events, opens one and adds it to their calendar."""

import datetime
import zoneinfo
from pathlib import Path

import icalendar
from django.utils import timezone

from ama.factories import VideoFactory
from members.factories import DEFAULT_PASSWORD, make_member
from members.models import User
from mentors.factories import MentorFactory
from residency_hub.factories import (
    AdvisorContactFactory,
    EventFactory,
    ProgramFactory,
    SpecialtyFactory,
)

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def log_in(journey, email: str) -> None:
    page = journey.page
    journey.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.get_by_role("button", name="Sign In"))


def test_member_opens_calendar_event_and_downloads_ics(journey, transactional_db):
    page = journey.page
    specialty = SpecialtyFactory(name="Journey Medicine", slug="journey-medicine")
    program = ProgramFactory(
        specialty=specialty,
        name="Borderlands Journey Residency",
        slug="borderlands-journey",
        dei_initiatives="- Holistic review\n- [Our DEI report](https://example.org/dei)",
    )
    AdvisorContactFactory(program=program, name="Dr. Inés Vega")
    local_start = (timezone.now() + datetime.timedelta(days=3)).astimezone(NEW_YORK)
    local_start = local_start.replace(hour=12, minute=0, second=0, microsecond=0)
    event = EventFactory(
        specialty=specialty,
        program=program,
        title="Journey open house",
        time_zone="America/New_York",
        starts_at=local_start,
        ends_at=local_start + datetime.timedelta(hours=1),
    )
    EventFactory(
        specialty=specialty,
        title="Earlier webinar",
        starts_at=timezone.now() - datetime.timedelta(days=20),
        ends_at=timezone.now() - datetime.timedelta(days=20, hours=-1),
    )
    MentorFactory(specialty=specialty, first_name="Rafael", last_name="Journey")
    VideoFactory(specialty=specialty, title="AMA: Journey Medicine residency")
    make_member(
        state="active", email="journey@example.org", time_zone="America/New_York"
    )
    log_in(journey, "journey@example.org")

    # The directory and the program page.
    journey.goto("/residency-hub/?specialty=journey-medicine")
    journey.click_and_check(page.get_by_role("link", name=program.name))
    assert "Dr. Inés Vega" in page.content()
    journey.click_and_check(
        page.get_by_role("link", name="Journey Medicine", exact=True).first
    )
    # The specialty page links its mentors and AMA videos.
    assert "Rafael Journey" in page.content()
    assert "AMA: Journey Medicine residency" in page.content()

    # The specialty's calendar: month view, named time zone, the event on its day.
    journey.goto(
        f"/residency-hub/specialties/journey-medicine/calendar/"
        f"?month={local_start:%Y-%m}"
    )
    note = page.locator(".timezone-note").inner_text()
    assert "Times are shown in Eastern Time" in note
    journey.click_and_check(page.get_by_role("link", name="Past events"))
    assert "Earlier webinar" in page.content()
    journey.click_and_check(page.get_by_role("link", name="Month"))
    journey.goto(
        f"/residency-hub/specialties/journey-medicine/calendar/"
        f"?month={local_start:%Y-%m}"
    )
    journey.click_and_check(page.get_by_role("link", name="Journey open house"))
    assert "12:00 PM" in page.content()

    # Add to calendar: the downloaded file is the event.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "journey-open-house.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["SUMMARY"] == "Journey open house"
    assert vevent["UID"].startswith(str(event.uid))
    assert vevent.decoded("DTSTART") == local_start

    # A member whose profile zone differs from the device's gets a hint.
    User.objects.filter(email="journey@example.org").update(time_zone="Europe/Madrid")
    journey.goto(f"/residency-hub/events/{event.pk}/")
    note = page.locator(".timezone-note").inner_text()
    assert "Times are shown in Madrid time" in note
    hint = page.locator(".timezone-hint").first
    assert hint.is_visible()
    assert "Your device is set to Eastern Time." in hint.inner_text()
    User.objects.filter(email="journey@example.org").update(
        time_zone="America/New_York"
    )

    # Subscribing: a personal feed link appears on the calendar page.
    journey.goto("/residency-hub/specialties/journey-medicine/calendar/?view=upcoming")
    journey.click_and_check(page.get_by_role("button", name="Create my calendar link"))
    feed_url = page.locator("#feed-url-journey-medicine").input_value()
    assert "/residency-hub/specialties/journey-medicine/calendar.ics?token=" in feed_url
    response = page.request.get(feed_url)
    assert response.status == 200
    assert "Journey open house" in response.text()

    # The public submission form is accessible too.
    journey.goto("/residency-hub/submit/")
    # Three event rows and two contact rows work without script; "Add another"
    # adds rows up to the maximum, then goes away.
    assert page.locator("#id_events-2-title").count() == 1
    add_event = page.get_by_role("button", name="Add another event")
    add_event.click()
    add_event.click()
    assert page.locator("#id_events-4-title").is_visible()
    assert page.locator("#id_events-TOTAL_FORMS").input_value() == "5"
    assert not add_event.is_visible()
    page.get_by_role("button", name="Add another contact").click()
    assert page.evaluate("document.activeElement.id") == "id_contacts-2-name"
    assert not page.get_by_role("button", name="Add another contact").is_visible()
    journey.check_accessibility()
    # A wrong row comes back with its message next to it and the typed text kept.
    page.locator("#id_events-4-title").fill("Backwards webinar")
    page.locator("#id_events-4-starts_at").fill(f"{local_start.year + 1}-03-10T12:00")
    page.locator("#id_events-4-ends_at").fill(f"{local_start.year + 1}-03-10T11:00")
    journey.click_and_check(page.get_by_role("button", name="Send for review"))
    assert page.locator("#id_events-4-title").input_value() == "Backwards webinar"
    assert (
        "The event must end after it starts."
        in page.locator("#id_events-4-ends_at").locator("xpath=..").inner_text()
    )
