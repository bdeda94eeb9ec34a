"""Staff import the roster; a listed person signs up and is a member at once."""

import datetime
import re

from django.core import mail
from django.utils import timezone

from members.factories import make_member
from members.models import Membership, RosterEntry, User
from tests.factories import make_totp


def test_roster_import_then_listed_person_signs_up_and_gets_in(
    journey, transactional_db, tmp_path
):
    page = journey.page
    staff = make_member(state="staff", is_superuser=True, email="staff@example.org")
    secret = make_totp(staff)
    expires = (timezone.localdate() + datetime.timedelta(days=300)).isoformat()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "email,first_name,last_name,member_type,institution,region,expires_on\n"
        f"rosa@example.org,Rosa,Vega,Medical student,UNM,southwest,{expires}\n"
    )

    journey.goto("/admin/members/rosterentry/import/")
    journey.sign_in_with_totp(staff.email, secret)
    page.locator('input[name="import_file"]').set_input_files(str(roster))
    page.locator('select[name="format"]').select_option(label="csv")
    journey.click_and_check(page.get_by_role("button", name="Submit"))
    assert "rosa@example.org" in page.content()
    assert not RosterEntry.objects.exists()  # the preview is a dry run
    journey.click_and_check(page.get_by_role("button", name="Confirm import"))
    assert RosterEntry.objects.filter(email="rosa@example.org").exists()
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    journey.goto("/accounts/signup/")
    page.locator("#id_first_name").fill("Rosa")
    page.locator("#id_last_name").fill("Vega")
    page.locator("#id_email").fill("rosa@example.org")
    page.locator("#id_password1").fill("Roster-Listed-2026")
    page.locator("#id_password2").fill("Roster-Listed-2026")
    page.locator("#id_member_type").select_option("medical_student")
    page.locator("#id_graduation_year").fill("2028")
    page.locator("#id_region").select_option("southwest")
    journey.click_and_check(page.get_by_role("button", name="Sign Up"))
    body = next(m.body for m in reversed(mail.outbox) if m.to == ["rosa@example.org"])
    link = re.search(r"http://[^\s]+(/accounts/confirm-email/[^\s]+)", body).group(1)
    journey.goto(link)
    journey.click_and_check(page.get_by_role("button", name="Confirm"))

    rosa = User.objects.get(email="rosa@example.org")
    assert rosa.membership.status == Membership.Status.APPROVED
    assert rosa.membership.expires_on.isoformat() == expires
    journey.goto("/mentors/")
    assert "This page is for active LMSA members" not in page.content()
