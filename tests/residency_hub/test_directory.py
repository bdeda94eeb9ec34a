"""The program directory: filters, search, sorting, pagination, program pages."""

import datetime
from http import HTTPStatus

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from residency_hub.factories import (
    AdvisorContactFactory,
    EventFactory,
    ProgramFactory,
    SpecialtyFactory,
)

LIST_URL = "residency_hub:program-list"


def names(response) -> list[str]:
    return [program.name for program in response.context["programs"]]


def test_filter_by_specialty_and_state(client, active_member):
    surgery = SpecialtyFactory(name="Hub Surgery", slug="hub-surgery")
    pediatrics = SpecialtyFactory(name="Hub Pediatrics", slug="hub-pediatrics")
    ProgramFactory(name="Texas Surgery", specialty=surgery, state="TX")
    ProgramFactory(name="California Surgery", specialty=surgery, state="CA")
    ProgramFactory(name="Texas Pediatrics", specialty=pediatrics, state="TX")
    client.force_login(active_member)

    response = client.get(reverse(LIST_URL), {"specialty": "hub-surgery"})
    assert names(response) == ["California Surgery", "Texas Surgery"]

    response = client.get(
        reverse(LIST_URL), {"specialty": "hub-surgery", "state": "TX"}
    )
    assert names(response) == ["Texas Surgery"]

    response = client.get(reverse(LIST_URL), {"state": "TX"})
    assert names(response) == ["Texas Pediatrics", "Texas Surgery"]


def test_search_finds_name_institution_and_dei_text(client, active_member):
    ProgramFactory(
        name="Valley Internal Medicine",
        institution="Valley Health",
        dei_initiatives="A medical Spanish curriculum and promotora partnerships.",
    )
    ProgramFactory(
        name="Harbor Surgery",
        institution="Harbor University",
        dei_initiatives="Holistic review of applications.",
    )
    client.force_login(active_member)
    assert names(client.get(reverse(LIST_URL), {"q": "promotora"})) == [
        "Valley Internal Medicine"
    ]
    assert names(client.get(reverse(LIST_URL), {"q": "Harbor"})) == ["Harbor Surgery"]
    assert names(client.get(reverse(LIST_URL), {"q": "holistic review"})) == [
        "Harbor Surgery"
    ]
    assert names(client.get(reverse(LIST_URL), {"q": "nothing-like-this"})) == []


def test_search_combines_with_filters(client, active_member):
    ProgramFactory(name="Alpha Program", state="TX", dei_initiatives="mentoring")
    ProgramFactory(name="Beta Program", state="NM", dei_initiatives="mentoring")
    client.force_login(active_member)
    response = client.get(reverse(LIST_URL), {"q": "mentoring", "state": "NM"})
    assert names(response) == ["Beta Program"]


def test_sorting(client, active_member):
    today = timezone.localdate()
    ProgramFactory(
        name="Bravo",
        institution="Zeta U",
        state="AK",
        last_verified_on=today - datetime.timedelta(days=40),
    )
    ProgramFactory(
        name="Alpha", institution="Yotta U", state="WY", last_verified_on=today
    )
    client.force_login(active_member)
    assert names(client.get(reverse(LIST_URL))) == ["Alpha", "Bravo"]
    assert names(client.get(reverse(LIST_URL), {"sort": "institution"})) == [
        "Alpha",
        "Bravo",
    ]
    assert names(client.get(reverse(LIST_URL), {"sort": "state"})) == ["Bravo", "Alpha"]
    assert names(client.get(reverse(LIST_URL), {"sort": "-last_verified_on"})) == [
        "Alpha",
        "Bravo",
    ]


def test_bad_filter_values_are_said_and_left_out(client, active_member):
    ProgramFactory(name="Texas Program", state="TX")
    ProgramFactory(name="Ohio Program", state="OH")
    client.force_login(active_member)
    response = client.get(reverse(LIST_URL), {"state": "XX", "sort": "password"})
    assert response.status_code == HTTPStatus.OK
    assert names(response) == ["Ohio Program", "Texas Program"]
    assertContains(response, "2 programs")
    assertContains(response, "Some filters were not understood")
    assertContains(response, '<a href="#id_sort">Sort by</a>: Select a valid')
    response = client.get(reverse(LIST_URL), {"state": "TX", "sort": "nope"})
    assert names(response) == ["Texas Program"]


def test_a_page_past_the_end_shows_the_last_page(client, active_member):
    for number in range(25):
        ProgramFactory(name=f"Program {number:02}")
    client.force_login(active_member)
    response = client.get(reverse(LIST_URL), {"page": 99})
    assert response.status_code == HTTPStatus.OK
    assert names(response) == [f"Program {number:02}" for number in range(20, 25)]


def test_pagination_keeps_filters_in_links(client, active_member):
    for number in range(25):
        ProgramFactory(name=f"Program {number:02}", state="TX")
    client.force_login(active_member)
    response = client.get(reverse(LIST_URL), {"state": "TX"})
    assert len(names(response)) == 20
    assertContains(response, "state=TX&amp;page=2")
    response = client.get(reverse(LIST_URL), {"state": "TX", "page": 2})
    assert len(names(response)) == 5


def test_directory_query_count_does_not_grow(
    client, active_member, django_assert_max_num_queries
):
    client.force_login(active_member)
    for _ in range(3):
        ProgramFactory()
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(LIST_URL))
    for _ in range(15):
        ProgramFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(LIST_URL))


def test_program_page_shows_everything(client, active_member, program):
    program.applicant_tips = "Ask about the **Latino health** track."
    program.pipeline_opportunities = "URM away-rotation scholarship: $2,000."
    program.special_tracks = "Medical Spanish track."
    program.last_verified_on = datetime.date(2026, 5, 4)
    program.save()
    AdvisorContactFactory(program=program, name="Dr. Second Contact", role="DEI lead")
    upcoming = EventFactory(specialty=program.specialty, program=program)
    past = EventFactory(
        specialty=program.specialty,
        program=program,
        title="Old event",
        starts_at=timezone.now() - datetime.timedelta(days=10),
        ends_at=timezone.now() - datetime.timedelta(days=10, hours=-1),
    )
    client.force_login(active_member)
    response = client.get(program.get_absolute_url())
    content = response.content.decode()
    for text in [
        program.name,
        program.institution,
        "Last verified on May 4, 2026",
        "<strong>Latino health</strong>",
        "URM away-rotation scholarship",
        "Medical Spanish track.",
        "Dr. Elena Ruiz",
        "Dr. Second Contact",
        "DEI lead",
        upcoming.title,
    ]:
        assert text in content, text
    assert past.title not in content


def test_program_page_query_count_does_not_grow(
    client, active_member, program, django_assert_max_num_queries
):
    client.force_login(active_member)
    EventFactory(specialty=program.specialty, program=program)
    with django_assert_max_num_queries(15) as few:
        client.get(program.get_absolute_url())
    for _ in range(5):
        AdvisorContactFactory(program=program)
        EventFactory(specialty=program.specialty, program=program)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(program.get_absolute_url())


def test_specialty_page_lists_its_programs_and_upcoming_events(
    client, active_member, program, specialty
):
    other = ProgramFactory(name="Elsewhere Program")
    event = EventFactory(specialty=specialty, title="Specialty webinar")
    other_event = EventFactory(specialty=other.specialty, title="Other webinar")
    client.force_login(active_member)
    response = client.get(specialty.get_absolute_url())
    assertContains(response, program.name)
    assertContains(response, event.title)
    assertNotContains(response, other.name)
    assertNotContains(response, other_event.title)
    assertContains(response, reverse("residency_hub:calendar", args=[specialty.slug]))


def test_specialty_page_query_count_does_not_grow(
    client, active_member, specialty, django_assert_max_num_queries
):
    client.force_login(active_member)
    ProgramFactory(specialty=specialty)
    EventFactory(specialty=specialty)
    with django_assert_max_num_queries(20) as few:
        client.get(specialty.get_absolute_url())
    for _ in range(6):
        ProgramFactory(specialty=specialty)
        EventFactory(specialty=specialty)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(specialty.get_absolute_url())
