"""The directory shows an edit at once, whoever made it and however."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from mentors.factories import MentorFactory
from mentors.models import Mentor, PendingMentor


@pytest.mark.django_db
def test_directory_shows_an_edit_at_once(client, active_member):
    mentor = MentorFactory(last_name="Before")
    client.force_login(active_member)
    assertContains(client.get(reverse("mentors:directory")), "Before")
    mentor.last_name = "After"
    mentor.save()
    response = client.get(reverse("mentors:directory"))
    assertContains(response, "After")
    assertNotContains(response, "Before")


@pytest.mark.django_db
def test_directory_shows_a_listing_approved_through_the_review_queue(
    client, active_member
):
    mentor = MentorFactory(last_name="Waiting", status=Mentor.Status.PENDING)
    client.force_login(active_member)
    assertNotContains(client.get(reverse("mentors:directory")), "Waiting")
    pending = PendingMentor.objects.get(pk=mentor.pk)
    pending.status = Mentor.Status.APPROVED
    pending.save()  # a proxy model
    assertContains(client.get(reverse("mentors:directory")), "Waiting")


@pytest.mark.django_db
def test_language_change_of_a_listing_shows_in_the_filtered_directory(
    client, active_member
):
    mentor = MentorFactory(last_name="Polyglot", languages=["en"])
    client.force_login(active_member)
    url = reverse("mentors:directory") + "?language=es"
    assertNotContains(client.get(url), "Polyglot")
    mentor.languages.add(*mentor.languages.model.objects.filter(code="es"))
    assertContains(client.get(url), "Polyglot")
