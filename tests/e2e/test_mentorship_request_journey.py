"""A mentorship request in a browser, axe-core on every page: a member saves a
search and asks a mentor from the listing; the mentor declines kindly from the
email's one-click link with a note; the member sees it on the account page and
the email suggests similar mentors. The weekly saved-search email's unsubscribe
link; the ask form in Spanish on a 375 px phone."""

import datetime
import re

from django.core import mail
from django.utils import timezone

from members.factories import make_member
from mentors.factories import MentorFactory, language
from mentors.models import MentorshipRequest, SavedSearch
from mentors.services import saved_search_send_alerts
from residency_hub.factories import SpecialtyFactory
from tests.e2e.conftest import Journey
from tests.e2e.test_spanish_journeys import log_in, spanish


def path_in(body: str, pattern: str) -> str:
    match = re.search(r"https?://[^\s/]+(" + pattern + r")", body)
    assert match, body
    return match.group(1)


def test_ask_decline_kindly_see_it_and_get_similar_mentors(journey, transactional_db):
    page = journey.page
    for code in ("es", "en"):
        language(code)
    pediatrics = SpecialtyFactory(name="Pediatrics", slug="pediatrics")
    valeria = MentorFactory(
        first_name="Valeria",
        last_name="Quiñones",
        specialty=pediatrics,
        email="valeria@hospital.example",
        special_requests="Medical students from PR first.",
    )
    similar = MentorFactory(
        first_name="Similar", last_name="Pediatra", specialty=pediatrics
    )
    surgeon = MentorFactory(first_name="Other", last_name="Surgeon")
    surgeon.languages.clear()  # another specialty, no language in common
    member = make_member(state="active", email="student@example.org", first_name="Ana")

    log_in(journey, member.email)
    journey.goto("/mentors/?specialty=pediatrics")
    assert "Valeria Quiñones" in page.content() and "Surgeon" not in page.content()

    # Save the current filters with a name, from the directory.
    page.get_by_label("Name this search").fill("Pediatrics mentors")
    journey.click_and_check(page.get_by_role("button", name="Save search"))
    assert "Search saved as “Pediatrics mentors”" in page.content()
    assert "specialty=pediatrics" in page.url
    assert SavedSearch.objects.get(member=member).query == "specialty=pediatrics"

    # Ask from the listing's card.
    journey.click_and_check(
        page.get_by_role("link", name="Ask Dr. Quiñones to mentor you")
    )
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Ask Valeria Quiñones to mentor you"
    )
    assert "Medical students from PR first." in page.content()
    assert "Medical student" in page.get_by_label("Who I am").input_value()
    journey.click_and_check(page.get_by_role("button", name="Send my request"))
    assert "This field is required" in page.content()  # hopes left empty
    page.get_by_label("What I hope for").fill("Help choosing a pediatrics program.")
    page.get_by_label("Message").fill("I read your special requests.")
    journey.click_and_check(page.get_by_role("button", name="Send my request"))
    assert "/members/me/" in page.url
    assert "Your request is on its way to Valeria Quiñones" in page.content()
    requests = page.get_by_role("region", name="Your mentorship requests")
    assert "Waiting for the mentor" in requests.inner_text()
    searches = page.get_by_role("region", name="Your saved mentor searches")
    assert "Pediatrics mentors" in searches.inner_text()

    # The mentor declines kindly from the email's one-click link.
    (to_mentor,) = [m for m in mail.outbox if m.to == [valeria.email]]
    assert to_mentor.reply_to == [member.email]
    decline = re.findall(r"https?://[^\s/]+(/mentors/answer/\S+/)", to_mentor.body)[1]
    mentor_context = page.context.browser.new_context(locale="en-US")
    mentor = Journey(mentor_context.new_page(), journey.base_url)
    mentor.goto(decline)
    assert "Help choosing a pediatrics program." in mentor.page.content()
    assert MentorshipRequest.objects.get().status == "open"  # opening changes nothing
    mentor.page.get_by_label("A kind word for the student").fill(
        "My year is full. Dr. Pediatra may have room!"
    )
    mentor.click_and_check(
        mentor.page.get_by_role("button", name="I can't take this on")
    )
    assert "We told the student kindly" in mentor.page.content()
    mentor.assert_no_console_errors()
    mentor_context.close()

    # The member's email: the note, and similar mentors who take new mentees.
    (to_member,) = [m for m in mail.outbox if m.to == [member.email]]
    assert "My year is full. Dr. Pediatra may have room!" in to_member.body
    similar_heading = "Mentors of the same specialty or language who take new mentees"
    assert similar_heading in to_member.body
    assert similar.get_absolute_url() in to_member.body
    assert valeria.get_absolute_url() not in to_member.body
    assert "Surgeon" not in to_member.body

    # The account page shows the declined state and the note.
    journey.goto("/members/me/")
    requests = page.get_by_role("region", name="Your mentorship requests")
    assert "The mentor cannot take this on" in requests.inner_text()
    assert "My year is full." in requests.inner_text()
    assert "Withdraw" not in requests.inner_text()

    # The saved search re-runs from the account page.
    journey.click_and_check(page.get_by_role("link", name="Pediatrics mentors"))
    assert "specialty=pediatrics" in page.url
    assert "Similar Pediatra" in page.content()

    # A week later a new pediatrician is listed: the weekly email, and its
    # one-click unsubscribe.
    MentorFactory(
        first_name="Nueva",
        last_name="Pediatra",
        specialty=pediatrics,
        decided_at=timezone.now() + datetime.timedelta(days=1),
    )
    saved_search_send_alerts(now=timezone.now() + datetime.timedelta(days=8))
    alert = mail.outbox[-1]
    assert alert.to == [member.email] and "Nueva Pediatra" in alert.body
    unsubscribe = path_in(alert.body, r"/mentors/searches/unsubscribe/\S+/")
    inbox = page.context.browser.new_context(locale="en-US")
    reader = Journey(inbox.new_page(), journey.base_url)
    reader.goto(unsubscribe)
    reader.click_and_check(reader.page.get_by_role("button", name="Stop these emails"))
    assert "no more weekly emails" in reader.page.content()
    reader.assert_no_console_errors()
    inbox.close()
    assert SavedSearch.objects.get(member=member).alerts is False

    # Back on the account page: the email is off; delete the search.
    journey.goto("/members/me/")
    assert "Weekly email off" in page.content()
    journey.click_and_check(
        page.get_by_role("button", name="Delete “Pediatrics mentors”")
    )
    assert "was deleted" in page.content()
    assert not SavedSearch.objects.filter(member=member).exists()


def test_the_ask_form_in_spanish_on_a_phone(browser, live_server, transactional_db):
    for code in ("es", "en"):
        language(code)
    mentor = MentorFactory(
        first_name="Valeria",
        last_name="Quiñones",
        specialty=SpecialtyFactory(name="Pediatrics", slug="pediatrics"),
        special_requests="Estudiantes de Puerto Rico primero.",
    )
    member = make_member(state="active", email="estudiante@example.org")
    context = browser.new_context(
        locale="es-ES",
        timezone_id="America/Puerto_Rico",
        viewport={"width": 375, "height": 740},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    journey = Journey(page, live_server.url)
    log_in(journey, member.email)

    def fits_the_phone() -> None:
        assert page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        ), f"{page.url} scrolls sideways at 375 px"

    journey.goto(f"/mentors/{mentor.pk}/ask/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Pídele a Valeria Quiñones que sea tu mentor"
    )
    fits_the_phone()
    button = page.get_by_role("button", name=spanish("Send my request"))
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    journey.click_and_check(button)
    assert "Este campo es obligatorio" in page.content()
    fits_the_phone()
    page.get_by_label(spanish("What I hope for")).fill("Ayuda con pediatría.")
    journey.click_and_check(page.get_by_role("button", name=spanish("Send my request")))
    assert "/members/me/" in page.url
    requests = page.get_by_role(
        "region", name=spanish("Your mentorship requests")
    ).inner_text()
    assert spanish("Waiting for the mentor's answer") in requests
    fits_the_phone()

    # Saving a search works on the phone too, and lands on the account page.
    journey.goto("/mentors/?specialty=pediatrics")
    page.get_by_label(spanish("Name this search")).fill("Pediatría")
    journey.click_and_check(page.get_by_role("button", name=spanish("Save search")))
    fits_the_phone()
    journey.goto("/members/me/")
    searches = page.get_by_role("region", name=spanish("Your saved mentor searches"))
    assert "Pediatría" in searches.inner_text()
    fits_the_phone()
    context.close()
    journey.assert_no_console_errors()
