"""The main navigation (issue 15, item 13): on a desktop window it is one row, in
Spanish too, for visitors, members waiting for approval and staff (the longest
bars). From 1200 px it is expanded; narrower (1024 px: small laptops, tablets) it
collapses behind the menu button, which on a phone opens one item a row."""

import pytest

from members.factories import DEFAULT_PASSWORD, make_member
from tests.e2e.conftest import Journey, current_totp
from tests.e2e.test_spanish_journeys import log_in
from tests.factories import make_totp

# Every item of the bar: the brand, each link and the log-out button.
ROWS = """() => {
  const items = [document.querySelector('.navbar-brand'),
                 ...document.querySelectorAll('#main-nav .nav-item')];
  const bar = document.querySelector('nav.navbar .container');
  const edge = bar.getBoundingClientRect().right
    - parseFloat(getComputedStyle(bar).paddingRight);
  return items.map((el) => {
    const box = el.getBoundingClientRect();
    return {text: el.innerText.trim(), top: box.top, bottom: box.bottom,
            left: box.left, right: box.right, edge: edge};
  });
}"""


def nav_boxes(journey: Journey) -> list[dict]:
    return journey.page.evaluate(ROWS)


def assert_one_row(journey: Journey, width: int) -> None:
    boxes = nav_boxes(journey)
    assert len(boxes) >= 7, boxes
    # One row: every item's vertical middle within the first item's height.
    first = boxes[0]
    middle = (first["top"] + first["bottom"]) / 2
    off_row = [
        box["text"]
        for box in boxes
        if not box["top"] <= middle <= box["bottom"] or box["bottom"] - box["top"] > 60
    ]
    assert not off_row, f"{width}px, {journey.page.url}: not on the first row: {boxes}"
    # Nor past the bar's edge (a row too long would stick out of the window).
    assert max(box["right"] for box in boxes) <= first["edge"] + 1, boxes


def assert_collapsed_to_one_row(journey: Journey, width: int) -> None:
    page = journey.page
    assert page.locator(".navbar-toggler").is_visible()
    assert not page.locator("#main-nav").is_visible()
    height = page.evaluate("document.querySelector('nav.navbar').offsetHeight")
    assert height <= 72, f"{width}px: the collapsed bar is {height}px tall"


def sign_in_staff(journey: Journey, email: str, secret: str) -> None:
    page = journey.page
    journey.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    page.locator("#id_code").fill(current_totp(secret))
    journey.click_and_check(page.locator("main form button[type=submit]").first)


def desktop(browser, live_server, locale: str, width: int) -> Journey:
    context = browser.new_context(
        locale=locale,
        timezone_id="America/New_York",
        viewport={"width": width, "height": 800},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return Journey(page, live_server.url)


@pytest.mark.parametrize("width", [1440, 1280, 1024])
@pytest.mark.parametrize("locale", ["es-ES", "en-US"])
def test_desktop_navigation_is_one_row(
    browser, live_server, transactional_db, locale, width
):
    pending = make_member(state="pending", email="pendiente@example.org")
    staff = make_member(state="staff", email="staff@example.org")
    secret = make_totp(staff)
    check = assert_one_row if width >= 1200 else assert_collapsed_to_one_row

    journey = desktop(browser, live_server, locale, width)
    journey.goto("/")
    check(journey, width)

    log_in(journey, pending.email)  # "My account" carries "waiting for approval"
    journey.goto("/")
    assert journey.page.locator("header .badge").count() == 1
    check(journey, width)

    journey.page.context.clear_cookies()
    sign_in_staff(journey, staff.email, secret)  # adds "Admin"
    journey.goto("/")
    assert journey.page.locator("#main-nav a[href='/admin/']").count() == 1
    check(journey, width)
    journey.page.context.close()
    journey.assert_no_console_errors()


@pytest.mark.parametrize("locale", ["es-ES", "en-US"])
def test_phone_menu_opens_one_item_a_row(
    browser, live_server, transactional_db, locale
):
    context = browser.new_context(
        locale=locale,
        timezone_id="America/New_York",
        viewport={"width": 375, "height": 740},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.emulate_media(reduced_motion="reduce")
    journey = Journey(page, live_server.url)
    log_in(journey, make_member(state="pending", email="ana@example.org").email)
    journey.goto("/")

    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert not page.locator("#main-nav").is_visible()
    toggler.click()
    page.locator("#main-nav.show").wait_for()
    page.wait_for_function(
        "!document.querySelector('#main-nav').classList.contains('collapsing')"
    )

    boxes = nav_boxes(journey)[1:]
    tops = [round(box["top"]) for box in boxes]
    assert tops == sorted(set(tops)), f"items share a row on a phone: {boxes}"
    assert max(box["right"] for box in boxes) <= 375, boxes
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    journey.check_accessibility()
    context.close()
    journey.assert_no_console_errors()
