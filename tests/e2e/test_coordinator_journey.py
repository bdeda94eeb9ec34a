"""A coordinator edits an event and removes a contact through their signed link;
staff read the diff and approve; a member's calendar feed shows the change and
the cancellation."""

import datetime
import zoneinfo
from urllib.parse import urlsplit

import icalendar
from django.utils import timezone

from members.factories import make_member
from residency_hub import services
from residency_hub.factories import (
    AdvisorContactFactory,
    EventFactory,
    ProgramCoordinatorFactory,
    ProgramFactory,
    SpecialtyFactory,
)
from residency_hub.models import ProgramSubmission
from residency_hub.services import feed_token_rotate
from tests.factories import make_totp

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_coordinator_edit_is_reviewed_and_reaches_the_feed(journey, transactional_db):
    page = journey.page
    specialty = SpecialtyFactory(name="Coordinator Medicine", slug="coord-medicine")
    program = ProgramFactory(
        specialty=specialty, name="Mesa Coordinator Residency", slug="mesa-coord"
    )
    AdvisorContactFactory(program=program, name="Dr. Ana Stays", position=0)
    AdvisorContactFactory(program=program, name="Dr. Leo Leaves", position=1)
    day = (timezone.now() + datetime.timedelta(days=10)).astimezone(NEW_YORK).date()
    start = datetime.datetime.combine(day, datetime.time(12), NEW_YORK)
    moved = EventFactory(
        specialty=specialty,
        program=program,
        title="Mesa open house",
        time_zone="America/New_York",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    cancelled = EventFactory(
        specialty=specialty,
        program=program,
        title="Mesa Q&A night",
        time_zone="America/New_York",
        starts_at=start + datetime.timedelta(days=2),
        ends_at=start + datetime.timedelta(days=2, hours=1),
    )
    coordinator = ProgramCoordinatorFactory(program=program, name="Rosa Mesa")
    member = make_member(state="active", email="feed.member@example.org")
    feed_token = feed_token_rotate(user=member)
    staff = make_member(state="staff", email="hub.staff@example.org", is_superuser=True)
    secret = make_totp(staff)

    # The coordinator's own link: no account, the live entry prefilled.
    edit = urlsplit(services.coordinator_edit_url(coordinator=coordinator)).path
    journey.goto(edit)
    assert page.locator("#id_name").input_value() == program.name
    assert page.locator("#id_events-0-title").input_value() == "Mesa open house"
    assert page.locator("#id_events-1-title").input_value() == "Mesa Q&A night"
    assert page.locator("#id_contacts-1-name").input_value() == "Dr. Leo Leaves"
    # Move the open house an hour later, cancel the Q&A, remove Dr. Leo.
    page.locator("#id_events-0-starts_at").fill(f"{day:%Y-%m-%d}T13:00")
    page.locator("#id_events-0-ends_at").fill(f"{day:%Y-%m-%d}T14:30")
    page.get_by_label("Cancel this event").nth(1).check()
    page.get_by_label("Remove this contact").nth(1).check()
    journey.click_and_check(page.get_by_role("button", name="Send changes for review"))
    assert "your changes were sent to our staff" in page.content()
    assert "Changes you sent earlier are still waiting for review" in page.content()
    submission = ProgramSubmission.objects.get(coordinator=coordinator)

    # Staff read "what changed" and approve from the queue.
    journey.goto("/admin/")
    journey.sign_in_with_totp(staff.email, secret)
    journey.goto(f"/admin/residency_hub/programsubmission/{submission.pk}/change/")
    diff = page.locator(".what-changed").inner_text()
    assert "Event: Mesa open house" in diff and "13:00" in diff
    assert "Event: Mesa Q&A night" in diff and "cancelled" in diff
    assert "Advisor contact: Dr. Leo Leaves" in diff and "removed" in diff
    assert "Dr. Ana Stays" not in diff  # unchanged rows are not part of it
    journey.goto("/admin/residency_hub/programsubmission/?status__exact=pending")
    page.locator(f'input[name="_selected_action"][value="{submission.pk}"]').check()
    page.locator('select[name="action"]').select_option("approve_selected")
    journey.click_and_check(page.locator('button[name="index"]'))
    assert "Approved 1 submission." in page.content()

    # The member's subscribed calendar: the new time, and the cancellation.
    response = page.request.get(
        f"{journey.base_url}/residency-hub/specialties/{specialty.slug}/calendar.ics"
        f"?token={feed_token.token}"
    )
    assert response.status == 200
    events = {
        str(component["SUMMARY"]): component
        for component in icalendar.Calendar.from_ical(response.body()).walk("VEVENT")
    }
    assert set(events) == {"Mesa open house", "Mesa Q&A night"}
    open_house = events["Mesa open house"]
    assert str(open_house["UID"]).startswith(str(moved.uid))
    assert open_house.decoded("DTSTART").astimezone(NEW_YORK).hour == 13
    assert int(open_house["SEQUENCE"]) == 1
    assert str(events["Mesa Q&A night"]["STATUS"]) == "CANCELLED"
    assert str(events["Mesa Q&A night"]["UID"]).startswith(str(cancelled.uid))
    program.refresh_from_db()
    assert list(program.contacts.values_list("name", flat=True)) == ["Dr. Ana Stays"]
    assert program.last_verified_on == timezone.localdate()
