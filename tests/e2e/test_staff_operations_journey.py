"""A curator opens the admin, sees what waits, follows a tile, reads the reports."""

from django.contrib.auth.models import Group

from members.factories import make_member
from mentors.factories import MentorFactory
from mentors.models import Mentor
from tests.factories import make_totp


def test_curator_follows_a_tile_and_reads_the_reports(journey, transactional_db):
    page = journey.page
    # Migrations made the group; a transactional test flushes it with the data.
    curators, _created = Group.objects.get_or_create(name="Content curators")
    from members.signals import sync_content_curator_permissions

    sync_content_curator_permissions(sender=None)
    curator = make_member(state="staff", email="curator@example.org")
    curator.groups.add(curators)
    secret = make_totp(curator)
    MentorFactory(status=Mentor.Status.PENDING, last_name="Esperanza")
    MentorFactory()

    journey.goto("/admin/")
    journey.sign_in_with_totp(curator.email, secret)
    tiles = page.locator(".attention-tiles")
    assert "1 mentor sign-up waiting for review" in tiles.inner_text()

    journey.click_and_check(tiles.get_by_role("link", name="1 mentor sign-up"))
    assert "Esperanza" in page.locator("#result_list").inner_text()
    assert page.locator("#result_list tbody tr").count() == 1

    journey.goto("/admin/")
    journey.click_and_check(page.get_by_role("link", name="Reports: members"))
    charts = page.locator("section.report-chart svg.report-bars")
    assert charts.count() >= 8
    box = charts.first.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 10  # drawn, not empty
    table = page.locator("#mentors-by-specialty table")
    assert "1" in table.inner_text()

    page.set_viewport_size({"width": 375, "height": 800})
    journey.check_accessibility()
    page.screenshot(path="/tmp/reports-375.png", full_page=False)
