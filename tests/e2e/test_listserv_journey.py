"""A physician joins the listserv, confirms from the email, receives a mailing that
staff send from admin, and leaves in one click; axe-core checks every page."""

import re

from django.core import mail

from listserv.models import Delivery, Interest, InterestCode, Mailing, Subscriber
from members.factories import DEFAULT_PASSWORD, make_member
from tests.e2e.conftest import Journey
from tests.factories import make_totp


def path_of(url: str) -> str:
    return "/listserv/" + url.split("/listserv/", 1)[1]


def test_join_confirm_receive_and_unsubscribe_in_one_click(journey, transactional_db):
    # Transactional tests flush the data migrations' rows; put the interests back.
    for code in InterestCode.values:
        Interest.objects.get_or_create(code=code)
    page = journey.page

    # 1. Sign up on the public page.
    journey.goto("/")
    journey.click_and_check(page.get_by_role("link", name="Listserv").first)
    # Sent empty, the form explains what is missing (and stays accessible).
    journey.click_and_check(page.get_by_role("button", name="Join the listserv"))
    assert "This field is required" in page.content()
    page.get_by_label("Name").fill("Dr. Camila Reyes")
    page.get_by_label("Email address").fill("camila.reyes@example.org")
    page.get_by_label("Role").select_option("physician")
    page.get_by_label("Institution").fill("Baylor College of Medicine")
    page.get_by_label("State").select_option("TX")
    page.get_by_label("Mentoring medical students").check()
    page.get_by_label(re.compile("I agree to receive occasional emails")).check()
    journey.click_and_check(page.get_by_role("button", name="Join the listserv"))
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"

    # 2. Confirm from the email (the link shows a button; the click confirms).
    [confirmation] = mail.outbox
    link = re.search(r"http://\S+/listserv/confirm/\S+/", confirmation.body)
    assert link, confirmation.body
    journey.goto(path_of(link.group(0)))
    journey.click_and_check(page.get_by_role("button", name="Confirm my subscription"))
    assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    # 3. Staff compose and send a mailing in admin (with TOTP).
    staff = make_member(state="staff", is_superuser=True, email="staff@example.org")
    secret = make_totp(staff)
    staff_context = page.context.browser.new_context()
    staff_page = staff_context.new_page()
    admin = Journey(staff_page, journey.base_url)
    admin.goto("/admin/listserv/mailing/add/")
    admin.sign_in_with_totp("staff@example.org", secret)
    staff_page.locator("#id_subject").fill("Mentors needed at the spring health fair")
    staff_page.locator("#id_body_markdown").fill(
        "Dear mentors,\n\nJoin us on **April 12** at the "
        "[health fair](https://lmsa.net/fair)."
    )
    staff_page.get_by_label("Physician").check()
    admin.click_and_check(
        staff_page.get_by_role("button", name="Save and continue editing")
    )
    admin.click_and_check(staff_page.get_by_role("link", name="Preview"))
    assert "April 12" in staff_page.content()
    staff_page.go_back()
    admin.click_and_check(staff_page.get_by_role("link", name="Send…"))
    assert "1 confirmed subscriber" in staff_page.content()
    admin.click_and_check(staff_page.get_by_role("button", name="Yes, send it"))
    assert "0 queued · 1 sent · 0 failed · 0 skipped" in staff_page.content()
    admin.assert_no_console_errors()
    staff_context.close()

    # 4. The mailing arrived, with one-click unsubscribe headers.
    [newsletter] = [m for m in mail.outbox if "spring health fair" in m.subject]
    assert newsletter.to == ["camila.reyes@example.org"]
    headers = newsletter.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.match(r"<([^>]+)>", headers["List-Unsubscribe"]).group(1)
    assert unsubscribe_url in newsletter.body
    assert Mailing.objects.get().status == Mailing.Status.SENT
    assert Delivery.objects.get().status == Delivery.Status.SENT

    # 5. Leave in one click from the link in the email.
    journey.goto(path_of(unsubscribe_url))
    journey.click_and_check(page.get_by_role("button", name="Unsubscribe"))
    assert page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED

    # A mangled link explains itself.
    journey.goto("/listserv/unsubscribe/not-a-real-token/")
    assert "This link is not valid" in page.content()
    journey.goto(path_of(unsubscribe_url))

    # The preferences page from the same link lets them come back.
    journey.click_and_check(
        page.get_by_role("link", name=re.compile("Subscribe again"))
    )
    journey.click_and_check(page.get_by_role("button", name="Subscribe again"))
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_member_joins_with_one_click(journey, transactional_db):
    member = make_member(state="active", email="member.mentor@example.org")
    page = journey.page
    journey.goto("/accounts/login/?next=/listserv/")
    page.locator("#id_login").fill(member.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.get_by_role("button", name="Sign In"))
    journey.click_and_check(
        page.get_by_role("button", name="Subscribe with my account")
    )
    assert "You are subscribed to the National Mentorship Listserv" in page.content()
    assert "already subscribed with your account" in page.content()
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.user_id) == (
        member.email,
        Subscriber.Status.CONFIRMED,
        member.pk,
    )
    assert mail.outbox == []
