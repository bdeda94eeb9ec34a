"""The public forms' honeypot is out of sight and out of the accessibility tree
(a screen-reader user who filled it would get a fake success and lose the form)."""

import pytest

PUBLIC_FORMS = [
    "/listserv/",
    "/mentors/join/",
    "/accounts/signup/",
    "/residency-hub/submit/",
]


@pytest.mark.parametrize("path", PUBLIC_FORMS)
def test_honeypot_is_hidden_from_sight_and_assistive_technology(journey, db, path):
    page = journey.page
    journey.goto(path)
    honeypot = page.locator('input[name="website"]')
    assert honeypot.count() == 1  # still there for bots
    # get_by_role and get_by_label see what assistive technology sees.
    assert page.get_by_role("textbox", name="Leave this field empty").count() == 0
    assert not page.get_by_text("Leave this field empty").is_visible()
    assert not honeypot.is_visible()
    # Tabbing through the form never lands on it.
    for _step in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") != "website"
