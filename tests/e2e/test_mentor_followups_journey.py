"""On a 375 px phone, in English and Spanish: the mentor reads their requests and
confirms the yearly "still mentoring?" with their load; the member answers "did
you connect?". axe-core checks every page."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from members.factories import make_member
from mentors.factories import MentorFactory, language
from mentors.models import MentorshipRequest
from mentors.services import (
    MANAGE_LINK,
    STILL_MENTORING_LINK,
    mentorship_requests_follow_up,
)
from tests.e2e.conftest import Journey

TEXT = {
    "requests": "Mentorship requests",
    "still": "Yes, I'm still mentoring",
    "confirmed": "Thank you! Your listing is confirmed",
    "not_yet": "Not yet",
}


def fits_the_screen(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, width


@pytest.mark.parametrize("lang", ["en", "es"])
def test_mentor_and_member_follow_up_on_a_phone(
    browser, live_server, transactional_db, lang
):
    with translation.override(lang):
        text = {key: gettext(value) for key, value in TEXT.items()}
        text["noted"] = gettext("Thank you! We noted your answer: “%(answer)s”.") % {
            "answer": text["not_yet"]
        }
    if lang == "es":
        assert text["still"] != TEXT["still"]  # the catalog is there
    language("en")
    mentor = MentorFactory(
        first_name="Lucía",
        last_name="Santiago",
        capacity=2,
        confirmed_at=timezone.now() - datetime.timedelta(days=400),
    )
    member = make_member(
        state="active",
        first_name="Ana",
        last_name="Ruiz-Betancourt",
        preferred_language=lang,
    )
    accepted = MentorshipRequest.objects.create(
        mentor=mentor,
        member=member,
        about_me="MS2",
        hopes="Pediatrics",
        status=MentorshipRequest.Status.ACCEPTED,
    )
    MentorshipRequest.objects.filter(pk=accepted.pk).update(
        answered_at=timezone.now() - datetime.timedelta(days=15)
    )
    MentorshipRequest.objects.create(
        mentor=mentor,
        member=make_member(state="active", first_name="Beto", last_name="Luna"),
        about_me="Premed",
        hopes="Applications",
    )

    context = browser.new_context(
        locale="es-ES" if lang == "es" else "en-US",
        viewport={"width": 375, "height": 740},
        timezone_id="America/New_York",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    journey = Journey(page, live_server.url)

    # The mentor's page lists both requests, the open one with its answers.
    journey.goto(f"/mentors/manage/{MANAGE_LINK.token(mentor)}/")
    requests = page.locator(".mentor-requests")
    assert text["requests"] in page.content()
    assert "Ana Ruiz-Betancourt" in requests.inner_text()
    assert requests.locator("a").count() == 2  # the open request's two answers
    fits_the_screen(page)

    # The yearly question: the load is filled in; the mentor changes it and
    # presses the one button.
    journey.goto(urlsplit(STILL_MENTORING_LINK.url(mentor)).path)
    assert page.locator("#id_capacity").input_value() == "2"
    fits_the_screen(page)
    page.locator("#id_capacity").fill("4")
    journey.click_and_check(page.get_by_role("button", name=text["still"]))
    assert text["confirmed"] in page.content()
    mentor.refresh_from_db()
    assert mentor.capacity == 4 and mentor.reconfirmation_sent_at is None

    # The member's "did you connect?" email, in their language.
    mail.outbox.clear()
    mentorship_requests_follow_up()
    (message,) = mail.outbox
    link = re.search(
        rf"^{text['not_yet']}: https?://\S+?(/mentors/connected/\S+/)$",
        message.body,
        re.M,
    ).group(1)
    journey.goto(link)
    fits_the_screen(page)
    journey.click_and_check(page.get_by_role("button", name=text["not_yet"]))
    assert text["noted"] in page.content()
    accepted.refresh_from_db()
    assert accepted.outcome == MentorshipRequest.Outcome.NOT_YET
    fits_the_screen(page)
    context.close()
    journey.assert_no_console_errors()
