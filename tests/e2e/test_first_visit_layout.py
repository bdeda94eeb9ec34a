"""What a newcomer's phone and browser show first (issue 15 items 5, 6 and 12): the
month calendar fits a phone as a day-by-day agenda, times are in the device's zone
named in words from the first members-only page on, and the video and calendar
pages do not move once shown (cumulative layout shift below 0.1).
"""

import datetime

import pytest
from django.test import Client

from ama.factories import ChapterFactory, VideoFactory
from members.factories import make_member
from residency_hub.factories import EventFactory, SpecialtyFactory
from tests.e2e.conftest import Journey

MONTH = "2030-04"  # 1 April 2030 is a Monday: events on every weekday below.
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

# Sum of the layout shifts since the page started loading (buffered entries), read
# two frames after the call so that the page's own scripts have run.
CLS = """() => new Promise(resolve => {
  let total = 0;
  const add = entries => entries.forEach(e => {
    if (!e.hadRecentInput) total += e.value;
  });
  const observer = new PerformanceObserver(list => add(list.getEntries()));
  observer.observe({type: 'layout-shift', buffered: true});
  requestAnimationFrame(() => requestAnimationFrame(() => {
    add(observer.takeRecords());
    observer.disconnect();
    resolve(total);
  }));
})"""


def month_of_events():
    specialty = SpecialtyFactory(name="Phone Medicine", slug="phone-medicine")
    events = []
    for offset, weekday in enumerate(WEEKDAYS + ["Sunday"]):
        # 19:00 UTC: 3 PM in New York, 12 PM in Los Angeles (daylight time).
        start = datetime.datetime(2030, 4, 1 + offset, 19, tzinfo=datetime.UTC)
        events.append(
            EventFactory(
                specialty=specialty,
                title=f"{weekday} open house",
                time_zone="America/New_York",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
            )
        )
    return specialty, events


def first_visit(browser, live_server, *, language: str, **context_options):
    """A browser that has never loaded a portal page, already signed in (as after
    a session kept from another device): no lmsa_tz cookie yet."""
    member = make_member(
        state="active", email=f"phone-{language}@example.org", preferred_language=""
    )
    client = Client()
    client.force_login(member)
    context = browser.new_context(
        locale="es-ES" if language == "es" else "en-US", **context_options
    )
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, Journey(page, live_server.url)


@pytest.mark.parametrize("width", [375, 320])
@pytest.mark.parametrize("language", ["en", "es"])
def test_month_calendar_fits_a_phone_as_an_agenda(
    browser, live_server, transactional_db, width, language
):
    month_of_events()
    context, journey = first_visit(
        browser,
        live_server,
        language=language,
        viewport={"width": width, "height": 740},
        timezone_id="America/New_York",
    )
    page = journey.page
    journey.goto(f"/residency-hub/specialties/phone-medicine/calendar/?month={MONTH}")
    assert page.evaluate(
        "document.scrollingElement.scrollWidth <= window.innerWidth"
    ), "the page scrolls sideways"
    for weekday in WEEKDAYS + ["Sunday"]:
        link = page.get_by_role("link", name=f"{weekday} open house")
        assert link.count() == 1, f"{weekday}: one link, not the grid's and the list's"
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            f"{weekday}'s event is outside the {width} px screen: {box}"
        )
    # The grid is display:none, not only out of sight: read once by a screen reader.
    assert page.locator("table.calendar-month").evaluate(
        "table => getComputedStyle(table.parentElement).display"
    ) == ("none")
    page.screenshot(path=f"/tmp/h15ui-calendar-{language}-{width}.png", full_page=True)
    context.close()
    journey.assert_no_console_errors()


@pytest.mark.parametrize(
    ("language", "zone_words", "start_text"),
    [("en", "Pacific Time", "12:00 PM"), ("es", "hora del Pacífico", "12:00")],
)
def test_first_members_only_page_shows_the_devices_zone_in_words(
    browser, live_server, transactional_db, language, zone_words, start_text
):
    _specialty, events = month_of_events()
    context, journey = first_visit(
        browser,
        live_server,
        language=language,
        viewport={"width": 375, "height": 740},
        timezone_id="America/Los_Angeles",
    )
    page = journey.page
    journey.goto(f"/residency-hub/events/{events[0].pk}/")
    when = page.locator("dd").first.inner_text()
    assert start_text in when and "3:00 PM" not in when and "15:00" not in when, when
    assert zone_words in when, when
    body = page.locator("main").inner_text()
    assert "America/" not in body and "UTC" not in body, body
    assert zone_words in page.locator(".timezone-note").inner_text()
    page.screenshot(path=f"/tmp/h15ui-event-{language}-375.png", full_page=True)
    context.close()
    journey.assert_no_console_errors()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("language", ["en", "es"])
def test_video_and_calendar_pages_do_not_shift(
    browser, live_server, transactional_db, language, width
):
    month_of_events()
    video = VideoFactory(
        title="Layout shift session", video_url="https://youtu.be/dQw4w9WgXcQ"
    )
    for second in (0, 300, 900):
        ChapterFactory(video=video, start_seconds=second, title=f"Part {second}")
    context, journey = first_visit(
        browser,
        live_server,
        language=language,
        viewport={"width": width, "height": 800},
        timezone_id="America/Los_Angeles",
    )
    page = journey.page
    shifts = {}
    for path in (
        video.get_absolute_url(),
        f"/residency-hub/specialties/phone-medicine/calendar/?month={MONTH}",
    ):
        journey.goto(path)
        page.wait_for_load_state("load")
        shifts[path] = page.evaluate(CLS)
    assert all(shift < 0.1 for shift in shifts.values()), f"layout shifts: {shifts}"
    assert page.locator(".ama-player").count() == 0  # calendar page now
    journey.goto(video.get_absolute_url())
    assert page.locator(".ama-player").is_visible()
    assert page.locator("button.ama-load-player").count() == 1  # ama.js ran
    page.screenshot(path=f"/tmp/h15ui-video-{language}-{width}.png")
    context.close()
    journey.assert_no_console_errors()
