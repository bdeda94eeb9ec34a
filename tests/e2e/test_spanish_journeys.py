"""The portal in Spanish: every initiative's main pages, axe-core on each.

A Spanish-speaking browser (``Accept-Language: es``) gets Spanish without doing
anything; an English one switches with the footer switcher. Each page declares
``<html lang="es">``, shows the Spanish text of the catalog, writes dates and
times the Spanish way, and has no WCAG A/AA violation.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from ama.factories import (
    ChapterFactory,
    PanelistFactory,
    QuestionFactory,
    TopicFactory,
    UpcomingSessionFactory,
    VideoFactory,
)
from ama.models import UpcomingSession
from listserv.factories import SubscriberFactory
from listserv.models import Interest, InterestCode, Subscriber
from listserv.services import CONFIRM_LINK, MANAGE_LINK
from members.factories import DEFAULT_PASSWORD, make_member
from mentors.factories import MentorFactory, language
from mentors.models import Mentor
from mentors.services import STILL_MENTORING_LINK, mentor_manage_url
from residency_hub.factories import (
    AdvisorContactFactory,
    EventFactory,
    ProgramFactory,
    SpecialtyFactory,
)
from tests.e2e.conftest import Journey, axe_violations, current_totp
from tests.factories import make_totp
from tests.i18n.test_catalog import read_catalog

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@dataclass
class World:
    """One of everything an initiative shows, for walking through its pages."""

    mentor: Mentor
    program_path: str
    specialty_path: str
    calendar_path: str
    event_path: str
    event_start: datetime.datetime
    video_path: str
    session: UpcomingSession
    preferences_path: str
    manage_path: str
    member_email: str
    pending_email: str

    def anonymous_pages(self) -> list[str]:
        return [
            "/",
            "/plus/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/mentors/join/",
            "/mentors/share/",
            "/mentors/manage/",
            "/residency-hub/submit/",
            "/ama/",
            self.video_path,
            f"/ama/upcoming/{self.session.pk}/",
            "/listserv/",
            self.preferences_path,
            self.manage_path,
            "/no-such-page/",
        ]

    def member_pages(self) -> list[str]:
        return [
            "/members/me/",
            "/mentors/",
            f"/mentors/{self.mentor.pk}/",
            "/residency-hub/",
            self.program_path,
            self.specialty_path,
            self.calendar_path,
            self.calendar_path.split("?")[0] + "?view=upcoming",
            self.event_path,
            "/accounts/email/",
            "/accounts/password/change/",
            "/accounts/2fa/",
            f"/ama/upcoming/{self.session.pk}/",
            "/members/me/delete/",
        ]


def build_world() -> World:
    """Browser journeys run on a flushed database: create what the pages list."""
    for code in ("es", "en"):
        language(code)
    for code in InterestCode.values:
        Interest.objects.get_or_create(code=code)
    specialty = SpecialtyFactory(name="Pediatrics", slug="pediatrics")
    mentor = MentorFactory(
        first_name="Valeria",
        last_name="Quiñones",
        specialty=specialty,
        languages=["es", "en"],
        special_requests="Estudiantes de Puerto Rico primero.",
    )
    program = ProgramFactory(
        specialty=specialty, name="Programa Frontera", slug="programa-frontera"
    )
    AdvisorContactFactory(program=program, name="Dra. Inés Vega")
    event_start = (timezone.now() + datetime.timedelta(days=3)).astimezone(NEW_YORK)
    event_start = event_start.replace(hour=17, minute=0, second=0, microsecond=0)
    event = EventFactory(
        specialty=specialty,
        program=program,
        title="Puertas abiertas",
        starts_at=event_start,
        ends_at=event_start + datetime.timedelta(hours=1),
    )
    topic = TopicFactory(name="MCAT", slug="mcat")
    video = VideoFactory(
        title="Estrategias para el MCAT",
        slug="estrategias-mcat",
        topics=[topic],
        specialty=specialty,
        date=datetime.date(2024, 3, 14),
    )
    PanelistFactory(video=video, name="Daniela Rivera", role="MS2")
    ChapterFactory(video=video, start_seconds=90, title="Presentaciones")
    session = UpcomingSessionFactory(
        title="Tu primer año de medicina",
        starts_at=datetime.datetime(2030, 3, 6, 20, 0, tzinfo=NEW_YORK),
    )
    QuestionFactory(session=session, text="¿Cómo estudias anatomía?")
    subscriber = SubscriberFactory(email="suscriptora@example.org")
    member = make_member(state="active", email="estudiante@example.org")
    pending = make_member(state="pending", email="pendiente@example.org")
    return World(
        mentor=mentor,
        program_path=program.get_absolute_url(),
        specialty_path=specialty.get_absolute_url(),
        calendar_path=(
            f"/residency-hub/specialties/{specialty.slug}/calendar/"
            f"?month={event_start:%Y-%m}"
        ),
        event_path=event.get_absolute_url(),
        event_start=event_start,
        video_path=video.get_absolute_url(),
        session=session,
        preferences_path=f"/listserv/preferences/{MANAGE_LINK.token(subscriber.pk)}/",
        manage_path=urlsplit(mentor_manage_url(mentor=mentor)).path,
        member_email=member.email,
        pending_email=pending.email,
    )


def log_in(journey: Journey, email: str) -> None:
    page = journey.page
    journey.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.locator("main form button[type=submit]").first)


def spanish(msgid: str, context: str | None = None) -> str:
    """The catalog's Spanish for ``msgid``; fails when it has none."""
    with translation.override("es"):
        text = pgettext(context, msgid) if context else gettext(msgid)
    assert text != msgid, f"no Spanish for {msgid!r} in the catalog"
    return text


# axe-core's landmark and structure rules (best practices, outside the WCAG tags
# the journeys run): one main, unique labelled landmarks, all content inside them,
# a level-one heading, a skip link whose target exists.
STRUCTURE_RULES = [
    "landmark-one-main",
    "landmark-unique",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-banner-is-top-level",
    "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level",
    "region",
    "page-has-heading-one",
    "skip-link",
]


def assert_structure(journey: Journey) -> None:
    violations = axe_violations(
        journey.page, {"type": "rule", "values": STRUCTURE_RULES}
    )
    assert not violations, f"{journey.page.url}: {violations}"


def _english_only() -> frozenset[str]:
    """English texts of the catalog whose Spanish differs, as a page would show them."""
    return frozenset(
        entry.msgid
        for entry in read_catalog()
        if entry.msgid_plural is None
        and entry.msgstr.get(0) not in ("", entry.msgid)
        and "%" not in entry.msgid
        and "{" not in entry.msgid
    )


ENGLISH_ONLY = _english_only()

# Every text a person meets on the page (names, labels, buttons, hints), except in
# parts marked as another language (the switcher names English in English).
SHOWN_TEXTS = """() => {
  const texts = [];
  const english = (el) => {
    const marked = el.closest('[lang]');
    return marked && !marked.lang.startsWith('es');
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || english(parent) || parent.closest('script, style')) continue;
    texts.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll(
      '[aria-label], [title], [placeholder], input[type=submit], input[type=button]')) {
    if (english(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'value']) {
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name).trim());
    }
  }
  texts.push(document.title.split(' · ')[0].trim());
  return texts.filter(Boolean);
}"""


def assert_no_english_left(journey: Journey) -> None:
    """A text the catalog translates still shows in English: it was looked up
    before the language was known (gettext at import time instead of
    gettext_lazy) or never passed through the catalog."""
    shown = set(journey.page.evaluate(SHOWN_TEXTS))
    left = sorted(shown & ENGLISH_ONLY)
    assert not left, f"{journey.page.url} shows English: {left}"


def assert_spanish_page(journey: Journey) -> None:
    page = journey.page
    assert_structure(journey)
    assert_no_english_left(journey)
    assert page.locator("html").get_attribute("lang") == "es", page.url
    # The chrome every page shares is in Spanish (skip link, navigation, switcher).
    assert page.locator(".skip-link").inner_text() == spanish("Skip to main content")
    assert page.get_by_role("navigation", name=spanish("Main")).count() == 1
    assert page.locator("label[for=language-select]").inner_text() == spanish(
        "Language"
    )


def h1(journey: Journey) -> str:
    return journey.page.get_by_role("heading", level=1).first.inner_text().strip()


@pytest.fixture
def spanish_journey(browser, live_server):
    """A browser whose language is Spanish (it sends ``Accept-Language: es-ES``)."""
    context = browser.new_context(locale="es-ES", timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(15_000)
    journey = Journey(page, live_server.url)
    yield journey
    context.close()
    journey.assert_no_console_errors()


def test_spanish_browser_gets_every_public_page_in_spanish(
    spanish_journey, transactional_db
):
    journey = spanish_journey
    world = build_world()
    page = journey.page
    for path in world.anonymous_pages():
        journey.goto(path)
        assert_spanish_page(journey)

    journey.goto("/")
    assert h1(journey) == spanish(
        "Mentorship for the next generation of Latino physicians"
    )
    journey.goto("/mentors/join/")
    assert h1(journey) == spanish("Join the National Mentor Registry")
    journey.goto("/listserv/")
    assert h1(journey) == spanish("National Mentorship Listserv")

    # Dates follow the language: Django's Spanish formats.
    journey.goto(world.video_path)
    assert "14 de marzo de 2024" in page.locator("main").inner_text()
    journey.goto(f"/ama/upcoming/{world.session.pk}/")
    assert "6 de marzo de 2030 a las 20:00" in page.locator("main").inner_text()

    # A rejected form explains itself in Spanish, next to each field.
    journey.goto("/listserv/")
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    assert spanish("Please correct the fields marked below.") in summary.inner_text()
    required = spanish("This field is required.")
    assert required in summary.inner_text()
    email = page.locator("#id_email")
    assert email.get_attribute("aria-invalid") == "true"
    described_by = email.get_attribute("aria-describedby").split()
    assert any(required in page.locator(f"#{id_}").inner_text() for id_ in described_by)


def test_spanish_member_uses_every_initiative_in_spanish(
    spanish_journey, transactional_db
):
    journey = spanish_journey
    world = build_world()
    page = journey.page
    log_in(journey, world.member_email)
    for path in world.member_pages():
        journey.goto(path)
        assert_spanish_page(journey)

    journey.goto("/mentors/")
    assert h1(journey) == spanish("National Mentor Registry")
    # Filtering by specialty and Spanish, with the Spanish names of both.
    page.locator("#id_specialty").select_option(label="Pediatrics")
    page.locator("#id_language").select_option("es")
    assert page.locator("#id_language option:checked").inner_text() == "Español"
    journey.click_and_check(
        page.get_by_role("button", name=spanish("Show mentors"), exact=True)
    )
    assert "Valeria Quiñones" in page.locator("main").inner_text()
    journey.click_and_check(page.get_by_role("link", name="Valeria Quiñones"))

    journey.goto("/residency-hub/")
    assert h1(journey) == spanish("URM Residency Hub")

    # The calendar names the month in Spanish, times are on the 24-hour clock.
    journey.goto(world.calendar_path)
    with translation.override("es"):
        month_heading = date_format(world.event_start, "YEAR_MONTH_FORMAT")
    assert month_heading in page.locator("main").inner_text()
    journey.goto(world.event_path)
    when = page.locator("main dd time").first.inner_text()
    assert "17:00" in when and "PM" not in when, when

    # A question for the next AMA: empty, it is explained; written, it is sent.
    journey.goto(f"/ama/upcoming/{world.session.pk}/")
    ask = page.locator("section[aria-labelledby=ask-heading] form [type=submit]")
    journey.click_and_check(ask.first)
    assert (
        spanish("This field is required.")
        in page.locator(".error-summary").inner_text()
    )
    assert page.locator("#id_text").get_attribute("aria-invalid") == "true"
    assert_spanish_page(journey)
    page.locator("#id_text").fill("¿Cómo elijo especialidad?")
    journey.click_and_check(ask.first)
    assert_spanish_page(journey)
    assert "¿Cómo elijo especialidad?" in page.locator("main").inner_text()

    # A pending member is told why, in Spanish.
    journey.page.context.clear_cookies()
    log_in(journey, world.pending_email)
    journey.goto("/mentors/")
    assert h1(journey) == spanish("This page is for active LMSA members")


def test_english_browser_switches_to_spanish_and_back(journey, transactional_db):
    """The footer switcher changes the language of the page and of the next ones."""
    build_world()
    page = journey.page
    journey.goto("/ama/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("#language-select").select_option("es")
    journey.click_and_check(page.get_by_role("button", name="Change"))
    assert page.url.endswith("/ama/")
    assert_spanish_page(journey)
    journey.goto("/listserv/")
    assert_spanish_page(journey)
    page.locator("#language-select").select_option("en")
    journey.click_and_check(page.get_by_role("button", name=spanish("Change")))
    assert page.locator("html").get_attribute("lang") == "en"


def test_spanish_speaking_staff_curate_in_spanish(spanish_journey, transactional_db):
    """Admin pages (lists, forms, import and export) in Spanish pass axe-core."""
    journey = spanish_journey
    world = build_world()
    staff = make_member(
        state="staff",
        is_superuser=True,
        email="personal@example.org",
        preferred_language="es",
    )
    secret = make_totp(staff)
    journey.goto("/admin/")
    page = journey.page
    # Journey.sign_in_with_totp looks for the English button; here it is Spanish.
    page.locator("#id_login").fill(staff.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    page.locator("#id_code").fill(current_totp(secret))
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    pages = [
        "/admin/",
        "/admin/members/membership/",
        "/admin/members/rosterentry/import/",
        "/admin/mentors/mentor/",
        f"/admin/mentors/mentor/{world.mentor.pk}/change/",
        "/admin/mentors/pendingmentor/",
        "/admin/residency_hub/program/",
        "/admin/residency_hub/event/add/",
        "/admin/ama/video/",
        "/admin/ama/upcomingsession/",
        "/admin/listserv/subscriber/",
        "/admin/listserv/subscriber/export/",
        "/admin/listserv/mailing/add/",
    ]
    for path in pages:
        journey.goto(path)
        assert page.locator("html").get_attribute("lang") == "es", path
    # An empty autocomplete field is named after its label (static/js/admin.js).
    journey.goto("/admin/residency_hub/event/add/")
    page.locator(".select2-selection[role=combobox]").first.wait_for()
    label = page.locator("label[for=id_specialty]").inner_text().strip()
    assert page.get_by_role("combobox", name=label).count() == 1
    journey.check_accessibility()
    journey.goto("/admin/")
    with translation.override("es"):
        log_out = gettext("Log out")
    assert journey.page.get_by_role("button", name=log_out).count() == 1


def test_links_from_emails_work_in_spanish(spanish_journey, transactional_db):
    """The pages people reach from their emails and after a form, in Spanish:
    confirming and leaving the listserv, keeping or removing a mentor listing."""
    journey = spanish_journey
    world = build_world()
    page = journey.page

    for path in [
        "/listserv/thanks/",
        "/mentors/join/thanks/",
        "/residency-hub/submit/thanks/",
    ]:
        journey.goto(path)
        assert_spanish_page(journey)

    # Listserv: confirm from the email, then leave in one click.
    pending = SubscriberFactory(
        email="nueva@example.org",
        status=Subscriber.Status.UNCONFIRMED,
        confirmed_at=None,
    )
    journey.goto(f"/listserv/confirm/{CONFIRM_LINK.token(pending)}/")
    assert_spanish_page(journey)
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    assert_spanish_page(journey)
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.CONFIRMED
    journey.goto(f"/listserv/unsubscribe/{MANAGE_LINK.token(pending.pk)}/")
    assert_spanish_page(journey)
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    assert_spanish_page(journey)
    journey.goto("/listserv/confirm/not-a-valid-link/")
    assert_spanish_page(journey)

    # Mentor: still mentoring, then removal (a missing tick is explained first).
    still = urlsplit(STILL_MENTORING_LINK.url(world.mentor)).path
    journey.goto(still)
    assert_spanish_page(journey)
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    assert_spanish_page(journey)
    journey.goto(world.manage_path + "remove/")
    assert_spanish_page(journey)
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    summary = page.locator(".error-summary").inner_text()
    assert spanish("Tick the box to confirm.") in summary
    assert_spanish_page(journey)
    page.locator("#id_confirm").check()
    journey.click_and_check(page.locator("main form button[type=submit]").first)
    assert_spanish_page(journey)
    world.mentor.refresh_from_db()
    assert world.mentor.status == Mentor.Status.REMOVED
    journey.goto(world.manage_path)
    assert_spanish_page(journey)
