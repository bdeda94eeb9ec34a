"""The life of a mentor listing in a browser: a physician signs up from the shared
link, staff approve it in admin, an active member finds it, the physician pauses it."""

import datetime
import re

from django.core import mail
from django.utils import timezone

from members.factories import DEFAULT_PASSWORD, make_member
from mentors.factories import MentorFactory, language
from mentors.models import Mentor
from mentors.services import mentor_send_reconfirmations
from residency_hub.factories import SpecialtyFactory
from tests.e2e.conftest import Journey
from tests.factories import make_totp


def manage_path(body: str) -> str:
    match = re.search(r"http://[^\s]+(/mentors/manage/[^\s]+)", body)
    assert match, body
    return match.group(1)


def test_signup_approve_find_and_pause(journey, transactional_db):
    page = journey.page
    # Browser journeys run on a flushed database: make sure the lists exist.
    for code in ("es", "en"):
        language(code)
    # Another mentor in the same specialty who does not speak Spanish.
    MentorFactory(
        first_name="Other",
        last_name="Englishonly",
        specialty=SpecialtyFactory(name="Pediatrics", slug="pediatrics"),
        languages=["en"],
    )

    # A colleague forwarded the share page; the physician follows it to the form.
    journey.goto("/mentors/share/")
    page.get_by_role("button", name="Copy link").click()
    journey.click_and_check(page.get_by_role("link", name="Go to the sign-up form"))

    page.locator("#id_first_name").fill("Valeria")
    page.locator("#id_last_name").fill("Quiñones")
    page.locator("#id_credentials").fill("MD, MPH")
    page.locator("#id_email").fill("valeria.quinones@hospital.example")
    page.locator("#id_phone").fill("(787) 555-0123")
    page.locator("#id_specialty").select_option(label="Pediatrics")
    page.locator("#id_subspecialty").fill("Neonatology")
    page.locator("#id_institution").fill("San Jorge Children's Hospital")
    page.locator("#id_city").fill("San Juan")
    page.locator("#id_state").select_option("PR")
    page.get_by_label("Spanish", exact=True).check()
    page.get_by_label("English", exact=True).check()
    page.get_by_label("Medical students", exact=True).check()
    page.get_by_label("Residents", exact=True).check()
    page.get_by_label("Virtually", exact=True).check()
    page.locator("#id_special_requests").fill("Medical students from PR first.")
    # Submitting without consent keeps everything typed and says why.
    journey.click_and_check(page.get_by_role("button", name="Send my sign-up"))
    assert "only with your consent" in page.content()
    assert page.locator("#id_city").input_value() == "San Juan"
    page.get_by_label("I agree that active LMSA members may see").check()
    journey.click_and_check(page.get_by_role("button", name="Send my sign-up"))
    assert "Thank you for volunteering" in page.content()

    valeria = Mentor.objects.get(email="valeria.quinones@hospital.example")
    assert valeria.status == Mentor.Status.PENDING
    receipt = next(m for m in mail.outbox if m.to == [valeria.email])
    manage = manage_path(receipt.body)

    # Staff approve from the review queue (staff log in with TOTP).
    staff = make_member(state="staff", is_superuser=True, email="staff@example.org")
    secret = make_totp(staff)
    staff_context = page.context.browser.new_context()
    staff_page = staff_context.new_page()
    admin = Journey(staff_page, journey.base_url)
    admin.goto("/admin/mentors/pendingmentor/")
    admin.sign_in_with_totp("staff@example.org", secret)
    assert "Quiñones" in staff_page.content()
    staff_page.locator(f'input[name="_selected_action"][value="{valeria.pk}"]').check()
    staff_page.locator('select[name="action"]').select_option("approve_selected")
    admin.click_and_check(staff_page.get_by_role("button", name="Go"))
    assert "Approved 1 listing" in staff_page.content()
    admin.assert_no_console_errors()
    staff_context.close()
    valeria.refresh_from_db()
    assert valeria.status == Mentor.Status.APPROVED
    assert any("live" in m.subject for m in mail.outbox if m.to == [valeria.email])

    # An active member filters by specialty and Spanish and finds the listing.
    member = make_member(state="active", email="student@example.org")
    journey.goto("/accounts/login/?next=/mentors/")
    page.locator("#id_login").fill(member.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.get_by_role("button", name="Sign In"))
    page.locator("#id_specialty").select_option(label="Pediatrics")
    page.locator("#id_language").select_option(label="Spanish")
    journey.click_and_check(page.get_by_role("button", name="Show mentors"))
    assert "specialty=pediatrics" in page.url and "language=es" in page.url
    results = page.get_by_role("region", name=re.compile("mentor"))
    assert "Valeria Quiñones" in page.content()
    assert "Englishonly" not in page.content()
    assert "Medical students from PR first." in page.content()
    assert (
        results.get_by_role("link", name="valeria.quinones@hospital.example").count()
        == 1
    )
    journey.click_and_check(page.get_by_role("link", name="Valeria Quiñones"))
    assert (
        page.get_by_role("heading", level=1).inner_text().startswith("Valeria Quiñones")
    )
    shared_url = "/mentors/?specialty=pediatrics&language=es"

    # The physician pauses the listing through the emailed link.
    physician_context = page.context.browser.new_context()
    physician = Journey(physician_context.new_page(), journey.base_url)
    physician.goto(manage)
    physician.page.get_by_label("Not taking mentees until").fill("2099-01-01")
    physician.click_and_check(
        physician.page.get_by_role("button", name="Pause my listing")
    )
    assert "Choose a day within the next two years" in physician.page.content()
    back_on = timezone.localdate() + datetime.timedelta(days=30)
    physician.page.get_by_label("Not taking mentees until").fill(back_on.isoformat())
    physician.click_and_check(
        physician.page.get_by_role("button", name="Pause my listing")
    )
    assert "Your listing is paused" in physician.page.content()
    valeria.refresh_from_db()
    assert valeria.paused_until == back_on
    physician.assert_no_console_errors()
    physician_context.close()

    journey.goto(shared_url)
    assert "Valeria Quiñones" not in page.content()
    assert "0 mentors" in page.content()


def test_physician_self_service_without_an_account(journey, transactional_db):
    """Lost link -> fresh link by email -> still mentoring -> remove -> spent link."""
    page = journey.page
    mentor = MentorFactory(
        first_name="Héctor",
        last_name="Medina",
        email="hector.medina@hospital.example",
        confirmed_at=timezone.now() - datetime.timedelta(days=400),
    )

    journey.goto("/mentors/manage/")
    page.get_by_label("The email address of your listing").fill("not-an-email")
    journey.click_and_check(page.get_by_role("button", name="Email me a link"))
    assert "Enter a valid email address" in page.content()
    page.get_by_label("The email address of your listing").fill(mentor.email)
    journey.click_and_check(page.get_by_role("button", name="Email me a link"))
    assert "Check your inbox" in page.content()
    manage = manage_path(mail.outbox[-1].body)

    # The yearly reminder: the link opens a page; one button confirms.
    mentor_send_reconfirmations()
    still = re.search(
        r"http://[^\s]+(/mentors/still-mentoring/[^\s]+)", mail.outbox[-1].body
    ).group(1)
    journey.goto(still)
    journey.click_and_check(page.get_by_role("button", name="Yes, I'm still mentoring"))
    assert "Your listing is confirmed" in page.content()
    mentor.refresh_from_db()
    assert mentor.reconfirmation_sent_at is None

    journey.goto(manage)
    journey.click_and_check(page.get_by_role("link", name="Remove my listing"))
    journey.click_and_check(page.get_by_role("button", name="Remove my listing"))
    assert "Tick the box to confirm" in page.content()
    page.get_by_label("Yes, remove my listing from the registry").check()
    journey.click_and_check(page.get_by_role("button", name="Remove my listing"))
    assert "Your listing was removed" in page.content()
    mentor.refresh_from_db()
    assert mentor.status == Mentor.Status.REMOVED

    journey.goto(manage)
    assert "This listing was removed" in page.content()
    journey.goto("/mentors/manage/forged-token/")
    assert "This link is not valid" in page.content()


def test_staff_admin_pages_pass_axe(journey, transactional_db):
    """Every mentors admin page staff use, including the intermediate action pages."""
    page = journey.page
    language("es")
    mentor = MentorFactory(
        specialty=SpecialtyFactory(name="Pediatrics", slug="pediatrics"),
        stale_since=timezone.now(),
    )
    MentorFactory(status="pending", confirmed_at=None)
    staff = make_member(state="staff", is_superuser=True, email="staff@example.org")
    secret = make_totp(staff)
    journey.goto("/admin/mentors/mentor/")
    journey.sign_in_with_totp(staff.email, secret)
    journey.goto("/admin/mentors/mentor/?visibility=stale")
    assert mentor.last_name in page.content()
    for path in (
        f"/admin/mentors/mentor/{mentor.pk}/change/",
        f"/admin/mentors/mentor/{mentor.pk}/history/",
        "/admin/mentors/mentor/add/",
        "/admin/mentors/mentor/import/",
        "/admin/mentors/pendingmentor/",
        "/admin/mentors/language/",
    ):
        journey.goto(path)
    for action, text in (
        ("decline_selected", "Reason (sent to the physician)"),
        ("pause_selected", "Not taking mentees until"),
    ):
        journey.goto("/admin/mentors/mentor/")
        page.locator(f'input[name="_selected_action"][value="{mentor.pk}"]').check()
        page.locator('select[name="action"]').select_option(action)
        journey.click_and_check(page.get_by_role("button", name="Go"))
        assert text in page.content()


def test_share_page_copies_the_join_link(journey):
    """The copy button (static/js/portal.js) puts the link on the clipboard and
    says so in the page's live region."""
    journey.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    journey.goto("/mentors/share/")
    journey.page.get_by_role("button", name="Copy link").click()
    journey.page.get_by_role("status").filter(has_text="Copied").wait_for()
    copied = journey.page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith("/mentors/join/")
