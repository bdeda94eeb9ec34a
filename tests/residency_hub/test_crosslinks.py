"""The specialty page shows that specialty's mentors and AMA videos."""

import datetime

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from ama.factories import VideoFactory
from ama.models import Video
from mentors.factories import MentorFactory
from mentors.models import Mentor


def test_specialty_page_lists_up_to_six_live_mentors(client, active_member, specialty):
    mentors = [
        MentorFactory(specialty=specialty, last_name=f"Mentor{number}")
        for number in range(8)
    ]
    MentorFactory(specialty=specialty, last_name="Pendingperson", status="pending")
    MentorFactory(last_name="Otherspecialty")
    client.force_login(active_member)
    response = client.get(specialty.get_absolute_url())
    shown = response.context["mentors"]
    assert len(shown) == 6
    assert all(mentor.specialty == specialty for mentor in shown)
    assertContains(response, mentors[0].get_absolute_url())
    assertNotContains(response, "Pendingperson")
    assertNotContains(response, "Otherspecialty")
    # Contact details stay on the mentor's own page.
    assertNotContains(response, mentors[0].email)
    assertContains(
        response, f"{reverse('mentors:directory')}?specialty={specialty.slug}"
    )


def test_mentors_are_never_read_for_non_members(specialty, expired_member):
    from residency_hub.crosslinks import mentors_for

    MentorFactory(specialty=specialty)
    assert Mentor.objects.filter(specialty=specialty).exists()
    assert mentors_for(specialty=specialty, user=expired_member) == []


def test_specialty_page_lists_up_to_six_published_videos(
    client, active_member, specialty
):
    for number in range(7):
        VideoFactory(
            specialty=specialty,
            title=f"Specialty AMA {number}",
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=number),
        )
    VideoFactory(specialty=specialty, title="Draft AMA", status=Video.Status.DRAFT)
    VideoFactory(title="Unrelated AMA")
    client.force_login(active_member)
    response = client.get(specialty.get_absolute_url())
    titles = [video.title for video in response.context["videos"]]
    assert titles == [f"Specialty AMA {number}" for number in range(6, 0, -1)]
    assertNotContains(response, "Draft AMA")
    assertNotContains(response, "Unrelated AMA")
    assertContains(response, reverse("ama:archive"))


def test_specialty_page_without_mentors_or_videos_hides_those_sections(
    client, active_member, specialty
):
    client.force_login(active_member)
    response = client.get(specialty.get_absolute_url())
    assertNotContains(response, 'id="mentors-heading"')
    assertNotContains(response, 'id="videos-heading"')


def test_specialty_page_queries_stay_flat_with_cross_links(
    client, active_member, specialty, django_assert_max_num_queries
):
    client.force_login(active_member)
    MentorFactory(specialty=specialty)
    VideoFactory(specialty=specialty)
    with django_assert_max_num_queries(25) as few:
        client.get(specialty.get_absolute_url())
    for _ in range(5):
        MentorFactory(specialty=specialty)
        VideoFactory(specialty=specialty)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(specialty.get_absolute_url())
