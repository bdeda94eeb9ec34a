"""The directory and detail pages: access, statuses, filters, search, sort, paging."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django.asserts import assertContains, assertNotContains

from mentors.factories import MentorFactory
from mentors.models import Mentor
from residency_hub.factories import SpecialtyFactory

pytestmark = pytest.mark.django_db


def listed_names(response) -> set[str]:
    return {mentor.last_name for mentor in response.context["mentors"]}


def test_anonymous_visitor_is_sent_to_login(client, mentor):
    response = client.get(reverse("mentors:directory"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response.url


@pytest.mark.parametrize("url_name", ["mentors:directory", "mentors:detail"])
def test_pending_member_sees_why_not_the_directory(
    client, pending_member, mentor, url_name
):
    client.force_login(pending_member)
    args = [mentor.pk] if url_name == "mentors:detail" else []
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assertContains(response, "waiting for approval", status_code=HTTPStatus.FORBIDDEN)
    assertNotContains(response, mentor.email, status_code=HTTPStatus.FORBIDDEN)


def test_active_member_sees_listing_with_contact(client, active_member, mentor):
    client.force_login(active_member)
    response = client.get(reverse("mentors:directory"))
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Lucía Santiago")
    assertContains(response, 'href="mailto:lucia.santiago@hospital.example"')
    assertContains(response, "(787) 555-0142")
    assertContains(response, "Confirmed on")
    assert (
        "no-cache" in response["Cache-Control"]
        or "no-store" in response["Cache-Control"]
    )


def test_staff_see_the_directory(client, staff_user, mentor):
    client.force_login(staff_user)
    response = client.get(reverse("mentors:directory"))
    assert listed_names(response) == {"Santiago"}


def test_visible_to_follows_the_access_rule(user_in_each_state, mentor):
    state, user = user_in_each_state
    visible = Mentor.objects.visible_to(user)
    if state in ("active", "staff"):
        assert list(visible) == [mentor]
    else:
        assert not visible.exists()


def test_visible_to_anonymous_is_empty(mentor):
    from django.contrib.auth.models import AnonymousUser

    assert not Mentor.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.parametrize(
    "fields, listed",
    [
        ({"status": "approved"}, True),
        ({"status": "pending", "confirmed_at": None}, False),
        ({"status": "declined"}, False),
        ({"status": "removed"}, False),
        ({"paused_until": datetime.date(2000, 1, 1)}, True),  # pause over
        ({"paused_until": "tomorrow"}, False),
        ({"paused_until": "today"}, True),  # back on the day it ends
        ({"stale_since": "now"}, False),
    ],
)
def test_each_status_in_and_out_of_the_directory(client, active_member, fields, listed):
    today = timezone.localdate()
    values = {
        "tomorrow": today + datetime.timedelta(days=1),
        "today": today,
        "now": timezone.now(),
    }
    fields = {key: values.get(value, value) for key, value in fields.items()}
    mentor = MentorFactory(last_name="Ortiz", **fields)
    client.force_login(active_member)
    response = client.get(reverse("mentors:directory"))
    assert ("Ortiz" in listed_names(response)) is listed
    detail = client.get(reverse("mentors:detail", args=[mentor.pk]))
    assert detail.status_code == (HTTPStatus.OK if listed else HTTPStatus.NOT_FOUND)


@pytest.fixture
def directory(db):
    """Four live mentors that differ in every filtered attribute."""
    family = SpecialtyFactory(name="Family Medicine", slug="family-medicine")
    pediatrics = SpecialtyFactory(name="Pediatrics", slug="pediatrics")
    return {
        "Alvarez": MentorFactory(
            first_name="Ana",
            last_name="Alvarez",
            specialty=family,
            state="PR",
            city="San Juan",
            languages=["es", "en"],
            mentors_premed=True,
            mentors_medical_students=False,
            offers_virtual=True,
            offers_in_person=False,
            institution="University of Puerto Rico",
            special_requests="First-generation premeds welcome",
            confirmed_at=timezone.now() - datetime.timedelta(days=3),
        ),
        "Baez": MentorFactory(
            first_name="Bruno",
            last_name="Baez",
            specialty=pediatrics,
            state="TX",
            languages=["en"],
            mentors_residents=True,
            mentors_medical_students=False,
            offers_virtual=False,
            offers_in_person=True,
            accepting_mentees=False,
            bio="Neonatology research and global health.",
            confirmed_at=timezone.now() - datetime.timedelta(days=30),
        ),
        "Cortez": MentorFactory(
            first_name="Carla",
            last_name="Cortez",
            specialty=family,
            state="CA",
            languages=["es", "pt"],
            mentors_medical_students=True,
            offers_virtual=True,
            offers_in_person=True,
            institution="UCSF",
            confirmed_at=timezone.now() - datetime.timedelta(days=1),
        ),
        "Duran": MentorFactory(
            first_name="Diego",
            last_name="Duran",
            specialty=pediatrics,
            state="PR",
            city="Ponce",
            languages=["es"],
            mentors_medical_students=True,
            confirmed_at=timezone.now() - datetime.timedelta(days=10),
        ),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, {"Alvarez", "Baez", "Cortez", "Duran"}),
        ({"specialty": "family-medicine"}, {"Alvarez", "Cortez"}),
        ({"state": "PR"}, {"Alvarez", "Duran"}),
        ({"language": "es"}, {"Alvarez", "Cortez", "Duran"}),
        ({"language": "pt"}, {"Cortez"}),
        ({"level": "premed"}, {"Alvarez"}),
        ({"level": "medical_student"}, {"Cortez", "Duran"}),
        ({"level": "resident"}, {"Baez"}),
        ({"mode": "virtual"}, {"Alvarez", "Cortez", "Duran"}),
        ({"mode": "in_person"}, {"Baez", "Cortez"}),
        ({"accepting": "on"}, {"Alvarez", "Cortez", "Duran"}),
        ({"specialty": "pediatrics", "language": "es"}, {"Duran"}),
        ({"q": "carla"}, {"Cortez"}),
        ({"q": "UCSF"}, {"Cortez"}),
        ({"q": "pediatrics"}, {"Baez", "Duran"}),
        ({"q": "neonatology"}, {"Baez"}),
        ({"q": "first-generation"}, {"Alvarez"}),
        ({"q": "premeds"}, {"Alvarez"}),
        ({"q": "Puerto Rico"}, {"Alvarez"}),
        ({"q": "nobody-matches-this"}, set()),
    ],
)
def test_every_filter_and_search(client, active_member, directory, query, expected):
    client.force_login(active_member)
    response = client.get(reverse("mentors:directory"), query)
    assert response.status_code == HTTPStatus.OK
    assert listed_names(response) == expected


# Baez is not taking new mentees: after everyone who is, in any order.
@pytest.mark.parametrize(
    "sort, order",
    [
        ("", ["Alvarez", "Cortez", "Duran", "Baez"]),
        ("name", ["Alvarez", "Cortez", "Duran", "Baez"]),
        ("specialty", ["Alvarez", "Cortez", "Duran", "Baez"]),
        ("state", ["Cortez", "Duran", "Alvarez", "Baez"]),
        ("recent", ["Cortez", "Alvarez", "Duran", "Baez"]),
    ],
)
def test_sorting(client, active_member, directory, sort, order):
    client.force_login(active_member)
    response = client.get(reverse("mentors:directory"), {"sort": sort} if sort else {})
    assert [mentor.last_name for mentor in response.context["mentors"]] == order


def test_bad_filter_values_are_not_errors(client, active_member, directory):
    client.force_login(active_member)
    response = client.get(
        reverse("mentors:directory"),
        {"specialty": "no-such", "state": "ZZ", "sort": "evil", "language": "xx"},
    )
    assert response.status_code == HTTPStatus.OK
    # Each bad value is named next to its field; the rest of the page still works.
    assert set(response.context["filter"].form.errors) == {
        "specialty",
        "state",
        "sort",
        "language",
    }
    assertContains(response, "Select a valid choice")
    assert len(response.context["mentors"]) == 4
    assert (
        client.get(reverse("mentors:directory"), {"page": "x"}).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_a_filter_not_understood_is_said_and_the_others_still_apply(
    client, active_member, directory
):
    client.force_login(active_member)
    response = client.get(
        reverse("mentors:directory"), {"specialty": "nope", "state": "PR"}
    )
    assertContains(response, "Some filters were not understood")
    assertContains(response, '<a href="#id_specialty">Specialty</a>: Select a valid')
    assert listed_names(response) == {"Alvarez", "Duran"}
    response = client.get(reverse("mentors:directory"), {"state": "PR"})
    assertNotContains(response, "Some filters were not understood")


def test_a_page_past_the_end_shows_the_last_page(client, active_member):
    MentorFactory.create_batch(25)
    client.force_login(active_member)
    response = client.get(reverse("mentors:directory"), {"page": 99})
    assert response.status_code == HTTPStatus.OK
    assert response.context["page_obj"].number == 2
    assert len(response.context["mentors"]) == 5
    assertContains(response, "Page 2 of 2")


def test_deep_pages_are_capped(client, active_member, monkeypatch):
    monkeypatch.setattr("lmsa_portal.pagination.MAX_PAGES", 2)
    MentorFactory.create_batch(45)
    client.force_login(active_member)
    response = client.get(reverse("mentors:directory"), {"page": 3})
    assert response.context["page_obj"].number == 2
    assert response.context["paginator"].count == 45  # the heading stays true
    assertContains(response, "45 mentors")
    assertContains(response, "Only the first 2 pages are shown here.")
    first = client.get(reverse("mentors:directory"))
    assertNotContains(first, "Only the first 2 pages are shown here.")


def test_filter_state_is_a_shareable_url_kept_by_pagination(client, active_member):
    spec = SpecialtyFactory(name="Family Medicine", slug="family-medicine")
    MentorFactory.create_batch(25, specialty=spec, languages=["es"])
    MentorFactory.create_batch(3, languages=["en"])
    client.force_login(active_member)
    response = client.get(reverse("mentors:directory"), {"language": "es"})
    assert response.context["paginator"].count == 25
    assert len(response.context["mentors"]) == 20
    assertContains(response, "?language=es&amp;page=2")
    page_two = client.get(reverse("mentors:directory"), {"language": "es", "page": 2})
    assert len(page_two.context["mentors"]) == 5
    # The form shows the active filter, so the page can be shared as it is.
    assertContains(page_two, '<option value="es" selected>')


def test_query_count_does_not_grow_with_rows(client, active_member):
    client.force_login(active_member)
    MentorFactory.create_batch(2, languages=["es", "en"])
    client.get(reverse("mentors:directory"))  # warm the cached filter choices
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mentors:directory"), {"language": "es"})
    MentorFactory.create_batch(15, languages=["es", "en"])
    client.get(reverse("mentors:directory"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("mentors:directory"), {"language": "es"})
    assert len(many) == len(few)


def test_detail_page_shows_everything(client, active_member, mentor):
    client.force_login(active_member)
    response = client.get(mentor.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "lucia.santiago@hospital.example")
    assertContains(response, "Spanish")
    assertContains(response, "Medical students")
    assertContains(response, "Virtually")
    assertContains(response, "Confirmed on")


# The directory's own heading, filter heading and button.
DIRECTORY_TEXTS = ["National Mentor Registry", "Find a mentor", "Show mentors"]


def test_directory_in_spanish(client, active_member, mentor):
    active_member.preferred_language = "es"
    active_member.save()
    client.force_login(active_member)
    response = client.get(reverse("mentors:directory"), HTTP_ACCEPT_LANGUAGE="es")
    assertContains(response, '<html lang="es">')
    with translation.override("es"):
        spanish = [gettext(text) for text in DIRECTORY_TEXTS]
    for english, text in zip(DIRECTORY_TEXTS, spanish, strict=True):
        assert text != english, f"no Spanish for {english!r}"
        assertContains(response, text)
        assertNotContains(response, english)
    assert mentor.last_name in listed_names(response)


def test_mentee_levels_read_as_whom_the_physician_mentors(
    client, active_member, mentor
):
    # Seen: a card read "Mentors: Premedical students", as if the students were
    # the mentors; and the Spanish hub heading "Mentors" read "Es mentor/a de".
    client.force_login(active_member)
    for url in (reverse("mentors:directory"), mentor.get_absolute_url()):
        html = client.get(url).content.decode()
        assert re.search(r"<dt[^>]*>Open to</dt>", html), url
        assert not re.search(r"<dt[^>]*>Mentors</dt>", html), url
    form = client.get(reverse("mentors:directory")).content.decode()
    assert re.search(r'<label\s+for="id_level"[^>]*>\s*Open to', form)


def test_a_mentors_languages_are_listed_in_the_readers_order(
    client, active_member, mentor
):
    # Seen in Spanish: "Lengua de señas americana, Criollo haitiano, Español"
    # (the English order of the names).
    from mentors.factories import language

    mentor.languages.set([language(code) for code in ("asl", "ht", "es")])
    active_member.preferred_language = "es"
    active_member.save()
    client.force_login(active_member)
    for url in (reverse("mentors:directory"), mentor.get_absolute_url()):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert "Criollo haitiano, Español, Lengua de señas americana" in html, url
