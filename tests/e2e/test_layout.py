"""Reflow (WCAG 1.4.10): every main page works 320 CSS pixels wide and at 200% zoom.

200% zoom of a 1280x800 window leaves 640x400 CSS pixels, rendered with two device
pixels per CSS pixel: a 640x400 viewport with ``device_scale_factor=2`` is what the
browser lays out then (media queries see 640 px). At both sizes no page scrolls
sideways, nothing visible sticks out of the window (tables may scroll inside their
own box, as 1.4.10 allows), the collapsed navigation opens and axe-core passes.
"""

import pytest

from tests.e2e.conftest import Journey
from tests.e2e.test_spanish_journeys import build_world, log_in

SIZES = {
    "320px": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1},
    "zoom-200%": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}

# Visible elements that stick out of the window, outside a box that scrolls or
# clips them (visually hidden text and the honeypot are clipped to 1px boxes).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const inside = (box) => box.left >= -1 && box.right <= width + 1;
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || inside(box)) continue;
    const shown = {visibilityProperty: true, opacityProperty: true};
    if (!el.checkVisibility(shown)) continue;
    let contained = false;
    for (let up = el; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (up !== el && (overflow === 'auto' || overflow === 'scroll')) {
        contained = true; break;
      }
      if (overflow === 'hidden' || overflow === 'clip') {
        const clip = up.getBoundingClientRect();
        if (clip.width <= 1 || inside(clip)) { contained = true; break; }
      }
    }
    if (!contained) {
      offenders.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
        + `.${String(el.className).split(' ').join('.')} `
        + `[${Math.round(box.left)}..${Math.round(box.right)}]`);
    }
  }
  return offenders.slice(0, 10);
}"""


def assert_reflows(journey: Journey) -> None:
    page = journey.page
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, (
        f"{page.url} scrolls sideways: {scroll_width}px wide in a {client_width}px "
        f"window; sticking out: {page.evaluate(OVERFLOWING)}"
    )
    offenders = page.evaluate(OVERFLOWING)
    assert not offenders, f"{page.url}: content outside the window: {offenders}"


@pytest.fixture(params=SIZES, ids=list(SIZES))
def small_journey(request, browser, live_server):
    context = browser.new_context(
        locale="en-US", timezone_id="America/New_York", **SIZES[request.param]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.emulate_media(reduced_motion="reduce")
    journey = Journey(page, live_server.url)
    yield journey
    context.close()
    journey.assert_no_console_errors()


def test_every_main_page_reflows(small_journey, transactional_db):
    journey = small_journey
    page = journey.page
    world = build_world()

    # The navigation collapses behind a button that opens it, and its links fit.
    journey.goto("/")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert toggler.get_attribute("aria-expanded") == "false"
    toggler.click()
    registry = page.locator("#main-nav").get_by_role("link", name="Mentor Registry")
    registry.wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"
    assert_reflows(journey)

    for path in world.anonymous_pages():
        journey.goto(path)
        assert_reflows(journey)
    # A rejected form, with its summary and messages under the fields.
    journey.goto("/mentors/join/")
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    assert page.locator(".error-summary").is_visible()
    assert_reflows(journey)

    log_in(journey, world.member_email)
    for path in world.member_pages():
        journey.goto(path)
        assert_reflows(journey)
    # The mentor directory's filters sit behind a button on narrow screens.
    journey.goto("/mentors/")
    filters = page.locator("#mentor-filters")
    if not filters.is_visible():
        page.get_by_role("button", name="Search and filters").click()
        filters.wait_for(state="visible")
    assert page.locator("#id_language").is_visible()
    assert_reflows(journey)
