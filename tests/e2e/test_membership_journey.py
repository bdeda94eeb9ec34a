"""A new person joins, confirms their email, waits; staff approve; they get in."""

import re

from django.core import mail

from members.factories import make_member
from members.models import Membership, User
from tests.e2e.conftest import Journey
from tests.factories import make_totp


def test_signup_verify_wait_approve_and_reach_members_only_page(
    journey, transactional_db
):
    page = journey.page
    journey.goto("/")
    journey.click_and_check(page.get_by_role("link", name="Join the portal"))

    page.locator("#id_first_name").fill("Camila")
    page.locator("#id_last_name").fill("Reyes")
    page.locator("#id_email").fill("camila@example.org")
    page.locator("#id_password1").fill("Residency-Bound-2026")
    page.locator("#id_password2").fill("Residency-Bound-2026")
    page.locator("#id_member_type").select_option("premed")
    page.locator("#id_institution").fill("University of Houston")
    page.locator("#id_graduation_year").fill("2027")
    page.locator("#id_region").select_option("southwest")
    journey.click_and_check(page.get_by_role("button", name="Sign Up"))
    assert "confirm" in page.content().lower() or "verify" in page.content().lower()

    link = re.search(
        r"http://[^\s]+/accounts/confirm-email/[^\s]+", mail.outbox[-1].body
    )
    assert link, mail.outbox[-1].body
    journey.goto("/accounts/" + link.group(0).split("/accounts/", 1)[1])
    journey.click_and_check(page.get_by_role("button", name="Confirm"))

    journey.goto("/mentors/")
    assert "waiting for approval" in page.content()

    # Staff approve in admin (staff have set up TOTP).
    staff = make_member(state="staff", is_superuser=True, email="staff@example.org")
    secret = make_totp(staff)
    staff_context = page.context.browser.new_context()
    staff_page = staff_context.new_page()
    admin = Journey(staff_page, journey.base_url)
    admin.goto("/admin/members/membership/?status__exact=pending")
    admin.sign_in_with_totp("staff@example.org", secret)
    camila = User.objects.get(email="camila@example.org")
    staff_page.locator(
        f'input[name="_selected_action"][value="{camila.membership.pk}"]'
    ).check()
    staff_page.locator('select[name="action"]').select_option("approve_selected")
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Go").click()
    assert "Approved 1 membership" in staff_page.content()
    staff_context.close()
    camila.membership.refresh_from_db()
    assert camila.membership.status == Membership.Status.APPROVED
    assert any(
        "approved" in m.subject for m in mail.outbox if m.to == ["camila@example.org"]
    )

    # The member now reaches the members-only page.
    journey.goto("/mentors/")
    assert "waiting for approval" not in page.content()
    assert (
        page.get_by_role("heading", level=1).first.inner_text()
        != "This page is for active LMSA members"
    )


def test_signup_form_marks_what_is_required_and_keeps_what_was_typed(
    journey, transactional_db
):
    page = journey.page
    page.set_viewport_size({"width": 375, "height": 800})
    journey.goto("/accounts/signup/")
    year = page.locator("#id_graduation_year")
    year_label = page.locator("label[for='id_graduation_year']")
    assert year.get_attribute("aria-required") == "false"
    page.locator("#id_member_type").select_option("medical_student")
    assert year.get_attribute("aria-required") == "true"
    assert year_label.locator(".asteriskField").count() == 1
    page.locator("#id_member_type").select_option("physician")
    assert year_label.locator(".asteriskField").count() == 0
    page.locator("#id_member_type").select_option("premed")

    page.locator("#id_first_name").fill("Camila")
    page.locator("#id_last_name").fill("Reyes")
    page.locator("#id_email").fill("camila@example.org")
    page.locator("#id_password1").fill("Residency-Bound-2026")
    page.locator("#id_password2").fill("Residency-Bound-2026")
    page.locator("#id_graduation_year").fill("2027")
    # The region is left out: the form comes back with a summary at the top.
    journey.click_and_check(page.get_by_role("button", name="Sign Up"))
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.evaluate("element => element === document.activeElement")
    assert page.locator("#id_password1").input_value() == "Residency-Bound-2026"
    assert page.locator("#id_password2").input_value() == "Residency-Bound-2026"
    assert page.locator("#id_graduation_year").input_value() == "2027"
    summary.get_by_role("link", name=re.compile("LMSA region")).click()
    assert page.evaluate("document.activeElement.id") == "id_region"
    page.locator("#id_region").select_option("southwest")
    journey.click_and_check(page.get_by_role("button", name="Sign Up"))
    assert User.objects.filter(email="camila@example.org").exists()
