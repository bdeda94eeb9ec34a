"""Only active members (and staff) see programs, contacts and events."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from residency_hub.factories import EventFactory
from residency_hub.models import Event, Program

ALLOWED = {"active", "staff"}


def member_urls(program, event):
    slug = program.specialty.slug
    return [
        reverse("residency_hub:program-list"),
        reverse("residency_hub:program-detail", args=[program.slug]),
        reverse("residency_hub:specialty-detail", args=[slug]),
        reverse("residency_hub:calendar", args=[slug]),
        reverse("residency_hub:calendar", args=[slug]) + "?view=upcoming",
        reverse("residency_hub:calendar", args=[slug]) + "?view=past",
        reverse("residency_hub:event-detail", args=[event.pk]),
        reverse("residency_hub:event-ics", args=[event.pk]),
    ]


def test_each_member_state_gets_in_only_when_active(
    client, user_in_each_state, program
):
    state, user = user_in_each_state
    event = EventFactory(specialty=program.specialty, program=program)
    client.force_login(user)
    for url in member_urls(program, event):
        response = client.get(url)
        if state in ALLOWED:
            assert response.status_code == HTTPStatus.OK, url
            assert (
                "no-store" in response["Cache-Control"]
                or "no-cache" in (response["Cache-Control"])
            )
        else:
            assert response.status_code == HTTPStatus.FORBIDDEN, url
            content = response.content.decode()
            assert "elena.ruiz@sunrise.example" not in content
            assert event.title not in content
            assert "BEGIN:VCALENDAR" not in content


def test_anonymous_visitor_is_sent_to_login(client, program):
    event = EventFactory(specialty=program.specialty)
    for url in member_urls(program, event):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert reverse("account_login") in response["Location"]


def test_contact_details_shown_to_active_member(client, active_member, program):
    client.force_login(active_member)
    response = client.get(program.get_absolute_url())
    assert "elena.ruiz@sunrise.example" in response.content.decode()
    # Stored as +15055550100, shown the way a reader in the US dials it.
    assert (
        '<a href="tel:+1-505-555-0100">(505) 555-0100</a>' in response.content.decode()
    )


@pytest.mark.parametrize(
    "state", ["unverified", "pending", "declined", "expired", "anonymous"]
)
def test_querysets_are_empty_for_non_members(state, program, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    from members.factories import make_member

    EventFactory(specialty=program.specialty)
    user = AnonymousUser() if state == "anonymous" else make_member(state=state)
    assert not Program.objects.visible_to(user).exists()
    assert not Event.objects.visible_to(user).exists()


def test_querysets_list_everything_for_active_member(active_member, program):
    EventFactory(specialty=program.specialty)
    assert list(Program.objects.visible_to(active_member)) == [program]
    assert Event.objects.visible_to(active_member).count() == 1


def test_unknown_program_event_and_specialty_are_404(client, active_member):
    client.force_login(active_member)
    for url in [
        reverse("residency_hub:program-detail", args=["nope"]),
        reverse("residency_hub:specialty-detail", args=["nope"]),
        reverse("residency_hub:calendar", args=["nope"]),
        reverse("residency_hub:event-detail", args=[999999]),
        reverse("residency_hub:event-ics", args=[999999]),
    ]:
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
