"""The keyboard alone: Tab, Shift+Tab, Enter, Space and typing, never a click.

A member skips to the content, logs in (after a wrong password, whose error takes
the focus), opens the mentor directory, filters by specialty and Spanish and opens a
mentor. Every element that takes the focus on the way shows it; axe-core checks
every page. A physician's rejected sign-up is walked the same way: the error summary
takes the focus and leads to each field, which names its error.
"""

import re

from playwright.sync_api import Page

from listserv.factories import SubscriberFactory
from members.factories import DEFAULT_PASSWORD, make_member
from mentors.factories import MentorFactory, language
from residency_hub.factories import SpecialtyFactory
from tests.e2e.conftest import Journey
from tests.factories import make_totp

# What has the focus, and whether it can be seen: an outline on screen whose colour
# stands out 3:1 from the background behind it (WCAG 2.4.7 and 1.4.11).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  let behind = el.parentElement;
  let background = 'rgb(255, 255, 255)';
  while (behind) {
    const colour = getComputedStyle(behind).backgroundColor;
    const [, , , alpha = 1] = rgb(colour);
    if (alpha > 0.5) { background = colour; break; }
    behind = behind.parentElement;
  }
  const style = getComputedStyle(el);
  const [light, dark] = [luminance(rgb(style.outlineColor)), luminance(rgb(background))]
    .sort((a, b) => b - a);
  const box = el.getBoundingClientRect();
  return {
    description: `${el.tagName.toLowerCase()}#${el.id} "${(el.innerText || el.value
      || el.getAttribute('aria-label') || '').trim().slice(0, 50)}"`,
    tag: el.tagName.toLowerCase(),
    id: el.id,
    classes: el.className,
    text: (el.innerText || '').trim(),
    focusVisible: el.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    outlineContrast: (light + 0.05) / (dark + 0.05),
    colours: `${style.outlineColor} on ${background}`,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


def keyboard_user(journey: Journey) -> Page:
    """The journey's page with reduced motion: Bootstrap's smooth scrolling would
    still be under way when the test asks where the focused element is."""
    journey.page.emulate_media(reduced_motion="reduce")
    return journey.page


def focused(page: Page) -> dict:
    element = page.evaluate(FOCUSED)
    assert element is not None, "nothing has the focus"
    return element


def assert_focus_visible(page: Page) -> dict:
    element = focused(page)
    if element["tag"] == "main":  # the skip link's target, not a control
        return element
    assert element["focusVisible"], f"{element['description']} is not :focus-visible"
    assert element["outline"], f"no focus outline on {element['description']}"
    assert element["outlineContrast"] >= 3, (
        f"focus outline of {element['description']} is "
        f"{element['outlineContrast']:.1f}:1 against its background "
        f"({element['colours']})"
    )
    assert element["onScreen"], f"{element['description']} is focused off screen"
    return element


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 40):
    """Press Tab (Shift+Tab) until ``selector`` has the focus, checking that every
    element on the way shows its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    visited = []
    for _ in range(limit):
        page.keyboard.press(key)
        element = assert_focus_visible(page)
        visited.append(element["description"])
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return element
    raise AssertionError(f"{selector} not reached with {key}; went through {visited}")


def press_and_check(journey: Journey, key: str) -> None:
    """A key that navigates (Enter on a link, Space on a submit button)."""
    with journey.page.expect_navigation():
        journey.page.keyboard.press(key)
    journey.check_accessibility()


def test_member_finds_a_spanish_speaking_mentor_by_keyboard_only(
    journey, transactional_db
):
    page = keyboard_user(journey)
    for code in ("es", "en"):
        language(code)
    pediatrics = SpecialtyFactory(name="Pediatrics", slug="pediatrics")
    valeria = MentorFactory(
        first_name="Valeria",
        last_name="Quiñones",
        specialty=pediatrics,
        languages=["es", "en"],
    )
    MentorFactory(first_name="Other", last_name="Englishonly", specialty=pediatrics)
    member = make_member(state="active", email="keyboard@example.org")

    # The skip link is the first stop, shows itself, and moves the focus to main.
    journey.goto("/")
    page.keyboard.press("Tab")
    skip = assert_focus_visible(page)
    assert "skip-link" in skip["classes"], skip
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    # Back up into the header (Shift+Tab) to the "Log in" link.
    tab_to(page, "header a[href^='/accounts/login/']", backwards=True)
    press_and_check(journey, "Enter")

    # Log in: a wrong password first; the error takes the focus.
    tab_to(page, "#id_login")
    page.keyboard.type(member.email)
    tab_to(page, "#id_password")
    page.keyboard.type("not-the-password")
    press_and_check(journey, "Enter")
    summary = focused(page)
    assert "error-summary" in summary["classes"], summary
    assert page.locator(".error-summary").get_attribute("role") == "alert"
    assert page.locator("#id_login").input_value() == member.email
    tab_to(page, "#id_password")
    page.keyboard.type(DEFAULT_PASSWORD)
    press_and_check(journey, "Enter")
    assert page.locator("header").get_by_text("Log out").count() == 1

    # The directory, from the main navigation.
    page.keyboard.press("Tab")
    assert "skip-link" in focused(page)["classes"]
    tab_to(page, "header a[href='/mentors/']")
    press_and_check(journey, "Enter")
    assert page.url.endswith("/mentors/")

    # Filter: typing picks an option of a focused select; Space submits.
    tab_to(page, "#id_specialty")
    page.keyboard.type("Pediatrics")
    assert page.locator("#id_specialty").input_value() == "pediatrics"
    tab_to(page, "#id_language")
    page.keyboard.type("Spanish")
    assert page.locator("#id_language").input_value() == "es"
    tab_to(page, "#mentor-filters button[type=submit]")
    press_and_check(journey, "Space")
    assert "specialty=pediatrics" in page.url and "language=es" in page.url
    assert "Englishonly" not in page.locator("main").inner_text()

    # Open the mentor.
    mentor_link = tab_to(page, f"main a[href='/mentors/{valeria.pk}/']")
    assert mentor_link["text"] == "Valeria Quiñones"
    press_and_check(journey, "Enter")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Valeria Quiñones")
    assert re.search(r"/mentors/\d+/$", page.url)


def test_rejected_sign_up_leads_from_the_summary_to_each_field(
    journey, transactional_db
):
    page = keyboard_user(journey)
    for code in ("es", "en"):
        language(code)
    SpecialtyFactory(name="Pediatrics", slug="pediatrics")

    journey.goto("/mentors/join/")
    tab_to(page, "#id_first_name")
    page.keyboard.type("Valeria")
    tab_to(page, "#id_email")
    page.keyboard.type("valeria-at-hospital")
    tab_to(page, "main form button[type=submit]")
    press_and_check(journey, "Enter")

    # The summary is announced (alert) and has the focus; what was typed is kept.
    summary = page.locator(".error-summary")
    assert focused(page)["classes"].split().count("error-summary") == 1
    assert summary.get_attribute("role") == "alert"
    assert "Please correct the fields marked below." in summary.inner_text()
    assert page.locator("#id_first_name").input_value() == "Valeria"
    assert page.locator("#id_email").input_value() == "valeria-at-hospital"
    # The first name was fine: not in the summary, not marked invalid.
    assert "First name" not in summary.inner_text()
    assert page.locator("#id_first_name").get_attribute("aria-invalid") is None

    # Each link of the summary puts the focus in its field.
    links = summary.locator("a")
    assert links.count() >= 5
    tab_to(page, ".error-summary a[href='#id_email']")
    page.keyboard.press("Enter")
    email = focused(page)
    assert email["id"] == "id_email"
    assert_focus_visible(page)

    # Every invalid field is tied to the text of its error.
    for index in range(links.count()):
        link = links.nth(index)
        field = page.locator(link.get_attribute("href"))
        message = link.inner_text().split(": ", 1)[1]
        assert field.get_attribute("aria-invalid") == "true", link.inner_text()
        describer = field.get_attribute("aria-describedby")
        if describer is None:  # a group of checkboxes: its fieldset says it
            describer = field.locator("xpath=ancestor::fieldset[1]").get_attribute(
                "aria-describedby"
            )
        assert describer, f"{link.inner_text()}: no aria-describedby"
        described = " ".join(
            page.locator(f"[id='{id_}']").inner_text() for id_ in describer.split()
        )
        assert message in described, (link.inner_text(), described)
    assert "Enter a valid email address." in summary.inner_text()


def test_staff_choose_export_fields_by_keyboard(journey, transactional_db):
    """django-import-export's export page: "Select all" is labelled, works by
    keyboard and runs without an inline handler (the CSP would block it)."""
    page = keyboard_user(journey)
    SubscriberFactory.create_batch(2)
    staff = make_member(state="staff", is_superuser=True, email="staff@example.org")
    secret = make_totp(staff)
    journey.goto("/admin/listserv/subscriber/export/")
    journey.sign_in_with_totp(staff.email, secret)
    assert page.url.endswith("/admin/listserv/subscriber/export/")

    select_all = page.get_by_label("Select all")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:visible")
    assert fields.count() >= 2
    assert all(fields.nth(i).is_checked() for i in range(fields.count()))
    # The admin's own skip link passes the sidebar.
    tab_to(page, "a[href='#content-start']")
    page.keyboard.press("Enter")
    tab_to(page, "#select-all-toggle")
    page.keyboard.press("Space")
    assert not select_all.is_checked()
    assert not any(fields.nth(i).is_checked() for i in range(fields.count()))
    page.keyboard.press("Space")
    assert all(fields.nth(i).is_checked() for i in range(fields.count()))
    journey.check_accessibility()
