"""A panelist's link to their Mentor Registry listing (issue 6)."""

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from ama.factories import PanelistFactory, VideoFactory
from ama.models import Panelist
from mentors.factories import MentorFactory
from mentors.models import Mentor

LINK_TEXT = "Mentor Registry listing (members)"


def detail_href(mentor) -> str:
    return f'href="{mentor.get_absolute_url()}"'


@pytest.mark.django_db
def test_live_listing_is_linked_for_an_active_member(client, active_member):
    mentor = MentorFactory()
    panelist = PanelistFactory(name="Dr. Ana Morales", mentor=mentor)
    client.force_login(active_member)
    response = client.get(panelist.video.get_absolute_url())
    assertContains(response, "Dr. Ana Morales")
    assertContains(response, detail_href(mentor), count=1)
    assertContains(response, LINK_TEXT, count=1)
    # The link works for the member who follows it.
    assert client.get(mentor.get_absolute_url()).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"paused_until": datetime.date.today() + datetime.timedelta(days=30)},
        {"status": Mentor.Status.REMOVED},
        {"status": Mentor.Status.PENDING},
        {"status": Mentor.Status.DECLINED},
        {"stale_since": timezone.now()},
    ],
    ids=["paused", "removed", "pending", "declined", "stale"],
)
def test_listing_that_is_not_live_is_not_linked(client, active_member, change):
    mentor = MentorFactory(**change)
    panelist = PanelistFactory(name="Dr. Ana Morales", mentor=mentor)
    client.force_login(active_member)
    response = client.get(panelist.video.get_absolute_url())
    assertContains(response, "Dr. Ana Morales")
    assertNotContains(response, detail_href(mentor))
    assertNotContains(response, LINK_TEXT)


@pytest.mark.django_db
def test_pause_that_ended_links_again(client, active_member):
    mentor = MentorFactory(paused_until=timezone.localdate())
    panelist = PanelistFactory(mentor=mentor)
    client.force_login(active_member)
    assertContains(client.get(panelist.video.get_absolute_url()), detail_href(mentor))


@pytest.mark.django_db
def test_anonymous_and_inactive_viewers_see_the_name_without_the_link(
    client, pending_member
):
    mentor = MentorFactory()
    panelist = PanelistFactory(name="Dr. Ana Morales", mentor=mentor)
    url = panelist.video.get_absolute_url()
    for _ in range(2):  # a second visit too
        response = client.get(url)
        assertContains(response, "Dr. Ana Morales")
        assertNotContains(response, detail_href(mentor))
        assertNotContains(response, LINK_TEXT)
    client.force_login(pending_member)
    response = client.get(url)
    assertContains(response, "Dr. Ana Morales")
    assertNotContains(response, detail_href(mentor))


@pytest.mark.django_db
def test_member_is_never_served_the_anonymous_copy(client, active_member):
    mentor = MentorFactory()
    panelist = PanelistFactory(mentor=mentor)
    url = panelist.video.get_absolute_url()
    assertNotContains(client.get(url), detail_href(mentor))  # cached for anonymous
    client.force_login(active_member)
    assertContains(client.get(url), detail_href(mentor))


@pytest.mark.django_db
def test_deleting_the_mentor_nulls_the_link(client, active_member):
    mentor = MentorFactory()
    panelist = PanelistFactory(name="Dr. Ana Morales", mentor=mentor)
    assert list(mentor.ama_panels.all()) == [panelist]
    mentor.delete()
    panelist.refresh_from_db()
    assert panelist.mentor is None
    client.force_login(active_member)
    response = client.get(panelist.video.get_absolute_url())
    assertContains(response, "Dr. Ana Morales")
    assertNotContains(response, LINK_TEXT)


@pytest.mark.django_db
def test_video_page_loads_panelists_with_their_listing(
    rf, active_member, django_assert_num_queries
):
    from ama.views import VideoDetailView

    video = VideoFactory()
    for _ in range(3):
        PanelistFactory(video=video, mentor=MentorFactory())
    view = VideoDetailView()
    view.setup(rf.get("/"))
    view.request.user = active_member
    loaded = view.get_queryset().get(pk=video.pk)
    with django_assert_num_queries(0):
        assert all(panelist.live_mentor for panelist in loaded.panelists.all())


# --- Data migration: old listing paths become foreign keys --------------------

migration = importlib.import_module("ama.migrations.0005_panelist_mentor_from_path")


@pytest.mark.parametrize(
    ("value", "pk"),
    [
        ("/mentors/42/", 42),
        (" /mentors/7/ ", 7),
        ("https://portal.lmsa.org/mentors/42/?ref=ama", 42),
        ("/mentors/42", None),  # no route without the slash
        ("/mentors/", None),  # the directory, not a listing
        ("/mentors/join/", None),
        ("/ama/", None),
        ("/nowhere/42/", None),
        ("", None),
    ],
)
def test_old_paths_resolve_to_the_detail_route_only(value, pk):
    assert migration.mentor_pk_from_path(value) == pk


# Transactional (migrating needs real transactions); serialized_rollback restores
# the rows other migrations load (specialties, languages) for the tests after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_maps_paths_to_existing_mentors_and_drops_the_rest():
    before = [("ama", "0004_panelist_mentor")]
    after = [("ama", "0006_remove_panelist_mentor_listing_url")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldVideo = old_apps.get_model("ama", "Video")
    OldPanelist = old_apps.get_model("ama", "Panelist")
    OldMentor = old_apps.get_model("mentors", "Mentor")
    specialty, _ = old_apps.get_model(
        "residency_hub", "Specialty"
    ).objects.get_or_create(slug="migration-test", defaults={"name": "Migration test"})
    mentor = OldMentor.objects.create(
        first_name="Ana",
        last_name="Morales",
        email="ana@hospital.example",
        specialty=specialty,
    )
    video = OldVideo.objects.create(
        title="Session",
        slug="session-migration",
        date=datetime.date(2024, 3, 14),
        video_url="https://youtu.be/dQw4w9WgXcQ",
    )
    rows = {
        "listed": f"/mentors/{mentor.pk}/",
        "gone": f"/mentors/{mentor.pk + 1000}/",
        "other page": "/mentors/join/",
        "none": "",
    }
    for name, path in rows.items():
        OldPanelist.objects.create(video=video, name=name, mentor_listing_url=path)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    links = dict(Panelist.objects.values_list("name", "mentor_id"))
    assert links == {
        "listed": mentor.pk,
        "gone": None,
        "other page": None,
        "none": None,
    }
    assert "mentor_listing_url" not in {f.name for f in Panelist._meta.get_fields()}
    # Back to the latest schema for the tests that follow on this database.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
