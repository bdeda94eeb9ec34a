"""The public archive, video pages and the Atom feed."""

import datetime
import xml.etree.ElementTree as ET
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from ama.factories import (
    ChapterFactory,
    PanelistFactory,
    TopicFactory,
    VideoFactory,
)
from ama.models import Audience, Video
from lmsa_portal.localized import ContentLanguage
from mentors.factories import MentorFactory

ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.django_db


def archive_titles(response) -> list[str]:
    return [video.title for video in response.context["videos"]]


def test_archive_is_public_and_newest_first(client):
    VideoFactory(title="Older session", date=datetime.date(2021, 1, 5))
    VideoFactory(title="Newer session", date=datetime.date(2024, 6, 1))
    response = client.get(reverse("ama:archive"))
    assert response.status_code == HTTPStatus.OK
    assert archive_titles(response) == ["Newer session", "Older session"]
    assertContains(
        response,
        f'<link rel="alternate" type="application/atom+xml" '
        f'title="LMSA Ask Me Anything sessions" href="{reverse("ama:feed")}">',
        html=False,
    )


def test_drafts_never_visible_to_the_public(client, active_member):
    VideoFactory(title="Published session")
    draft = VideoFactory(title="Secret draft", status=Video.Status.DRAFT)
    for viewer in (None, active_member):
        if viewer:
            client.force_login(viewer)
        response = client.get(reverse("ama:archive"))
        assertNotContains(response, "Secret draft")
        assert client.get(draft.get_absolute_url()).status_code == 404
        feed = client.get(reverse("ama:feed"))
        assert b"Secret draft" not in feed.content
        assert b"Published session" in feed.content
        search = client.get(reverse("ama:archive"), {"q": "Secret"})
        assert archive_titles(search) == []


def test_staff_can_preview_a_draft(client, staff_user):
    draft = VideoFactory(title="Draft for staff", status=Video.Status.DRAFT)
    client.force_login(staff_user)
    response = client.get(draft.get_absolute_url())
    assertContains(response, "only staff can see this page")


def test_filters_by_audience_topic_year_and_language(client):
    mcat = TopicFactory(name="MCAT", slug="mcat")
    match = TopicFactory(name="The Match", slug="match")
    VideoFactory(
        title="MCAT night",
        audience=Audience.PREMED,
        topics=[mcat],
        date=datetime.date(2022, 5, 1),
    )
    VideoFactory(
        title="Rank lists",
        audience=Audience.MEDICAL_STUDENTS,
        topics=[match],
        date=datetime.date(2023, 10, 1),
    )
    VideoFactory(
        title="Preguntas",
        audience=Audience.BOTH,
        language=ContentLanguage.SPANISH,
        topics=[mcat, match],
        date=datetime.date(2023, 2, 1),
    )
    url = reverse("ama:archive")
    assert archive_titles(client.get(url, {"topic": "mcat"})) == [
        "Preguntas",
        "MCAT night",
    ]
    # A session for premed and medical students is in both audiences' lists.
    assert archive_titles(client.get(url, {"audience": "medical_students"})) == [
        "Rank lists",
        "Preguntas",
    ]
    assert archive_titles(client.get(url, {"audience": "premed"})) == [
        "Preguntas",
        "MCAT night",
    ]
    assert archive_titles(client.get(url, {"audience": "both"})) == ["Preguntas"]
    assert archive_titles(client.get(url, {"year": "2023"})) == [
        "Rank lists",
        "Preguntas",
    ]
    assert archive_titles(client.get(url, {"language": "es"})) == ["Preguntas"]
    assert archive_titles(client.get(url, {"topic": "match", "year": "2023"})) == [
        "Rank lists",
        "Preguntas",
    ]


def test_bad_filter_values_show_a_message_not_an_error(client):
    VideoFactory(title="Anything")
    response = client.get(reverse("ama:archive"), {"topic": "nope", "year": "abc"})
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Select a valid choice")


def test_a_year_without_sessions_is_said_not_silently_everything(client):
    VideoFactory(title="Recent", date=datetime.date(2025, 5, 1))
    response = client.get(reverse("ama:archive"), {"year": "1999"})
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Some filters were not understood")
    assertContains(response, '<a href="#id_year">Year</a>: Select a valid choice')
    assert archive_titles(response) == ["Recent"]
    response = client.get(reverse("ama:archive"), {"year": "2025"})
    assertNotContains(response, "Some filters were not understood")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("personal statement", ["Writing workshop"]),
        ("Morales", ["Writing workshop"]),  # panelist name
        ("audition", ["Away rotations"]),  # transcript
        ("rotations", ["Away rotations"]),  # title
        ("nothing-matches-this", []),
    ],
)
def test_search_title_description_panelists_transcript(client, query, expected):
    writing = VideoFactory(
        title="Writing workshop",
        description="How to write a personal statement that sounds like you.",
        date=datetime.date(2022, 1, 1),
    )
    PanelistFactory(video=writing, name="Ana Morales")
    PanelistFactory(video=writing, name="Luis Morales")  # two matching rows, one hit
    VideoFactory(
        title="Away rotations",
        transcript="We talked about audition electives and VSLO.",
        date=datetime.date(2023, 1, 1),
    )
    response = client.get(reverse("ama:archive"), {"q": query})
    assert archive_titles(response) == expected


def test_search_and_filters_combine_in_a_shareable_url(client):
    topic = TopicFactory(name="Research", slug="research")
    for index in range(14):
        VideoFactory(
            title=f"Research night {index}",
            topics=[topic],
            date=datetime.date(2020, 1, 1) + datetime.timedelta(days=index),
        )
    response = client.get(
        reverse("ama:archive"), {"q": "research", "topic": "research", "page": 2}
    )
    assert len(response.context["videos"]) == 2
    assertContains(response, "?q=research&amp;topic=research&amp;page=1")


def test_archive_query_count_does_not_grow_with_rows(client):
    topic = TopicFactory()

    def make(count):
        for _ in range(count):
            video = VideoFactory(topics=[topic])
            PanelistFactory(video=video)
            ChapterFactory(video=video)

    make(2)
    client.get(reverse("ama:archive"))  # warm the cached filter choices
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("ama:archive"))
    make(8)
    client.get(reverse("ama:archive"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("ama:archive"))
    assert len(many) == len(few)


def test_video_page_shows_chapters_panelists_and_player(client):
    video = VideoFactory(
        title="MCAT strategies",
        video_url="https://youtu.be/dQw4w9WgXcQ",
        summary="**Start early.**",
        transcript="Full transcript here.",
    )
    ChapterFactory(video=video, start_seconds=125, title="Practice exams")
    PanelistFactory(
        video=video,
        name="Dr. Ana Morales",
        role="Dean",
        mentor=MentorFactory(),
    )
    response = client.get(video.get_absolute_url())
    assertContains(
        response, 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"'
    )
    assertContains(
        response,
        'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=125s" '
        'class="ama-chapter" data-seconds="125"',
    )
    assertContains(response, "2:05")
    assertContains(response, "Practice exams")
    assertContains(response, "Dr. Ana Morales")
    # The listing is members-only: the public (cached) page never links it.
    assertNotContains(response, "Mentor Registry listing")
    assertContains(response, "<strong>Start early.</strong>", html=True)
    assertContains(response, "Watch on YouTube")
    assertNotContains(response, "<iframe")  # loaded on request only


def test_video_page_escapes_everything_staff_typed(client):
    video = VideoFactory(
        title='<script>alert("t")</script>',
        description='<img src=x onerror="alert(1)"> [link](javascript:alert(2))',
        video_url="https://www.facebook.com/LMSA/videos/486201389472615/",
    )
    ChapterFactory(video=video, title="<b>bold</b>")
    PanelistFactory(video=video, name='"><script>x</script>')
    response = client.get(video.get_absolute_url())
    content = response.content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in content
    assert "<img" not in content
    assert "&lt;img src=x" in content
    assert 'href="javascript:' not in content
    assert "<b>bold</b>" not in content
    assert '"><script>x' not in content
    # The Facebook plugin URL stays inside its attribute, HTML-escaped.
    assert (
        'data-embed-src="https://www.facebook.com/plugins/video.php?href='
        "https%3A%2F%2Fwww.facebook.com%2FLMSA%2Fvideos%2F486201389472615%2F"
        '&amp;show_text=false"'
    ) in content


def test_feed_is_valid_atom_with_published_entries(client):
    topic = TopicFactory(name="MCAT")
    VideoFactory(
        title="First & best",
        topics=[topic],
        published_at=timezone.now() - datetime.timedelta(days=2),
    )
    VideoFactory(title="Second", published_at=timezone.now())
    VideoFactory(title="Draft", status=Video.Status.DRAFT)
    response = client.get(reverse("ama:feed"))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "LMSA Ask Me Anything sessions"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [
        "Second",
        "First & best",
    ]
    first = entries[1]
    link = first.find(f"{ATOM}link").get("href")
    assert link.startswith("http://testserver/ama/")
    assert first.find(f"{ATOM}id").text == link
    assert first.find(f"{ATOM}updated") is not None
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["MCAT"]
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_feed_reader_with_the_current_copy_gets_a_304(client):
    video = VideoFactory(title="First")
    first = client.get(reverse("ama:feed"))
    assert first.status_code == HTTPStatus.OK
    again = client.get(reverse("ama:feed"), headers={"if-none-match": first["ETag"]})
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    video.status = Video.Status.DRAFT
    video.save()
    changed = client.get(reverse("ama:feed"), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == HTTPStatus.OK
    assert b"First" not in changed.content


def test_publishing_stamps_published_at_once():
    video = VideoFactory(status=Video.Status.DRAFT)
    assert video.published_at is None
    video.publish()
    video.save()
    first = video.published_at
    assert first is not None
    video.publish()
    assert video.published_at == first


def test_reserved_slugs_are_rejected():
    from django.core.exceptions import ValidationError

    video = VideoFactory.build(slug="feed")
    with pytest.raises(ValidationError) as error:
        video.full_clean()
    assert "slug" in error.value.message_dict


def test_generated_slug_avoids_reserved_paths():
    video = Video.objects.create(
        title="Feed",
        date=datetime.date(2024, 1, 1),
        video_url="https://youtu.be/dQw4w9WgXcQ",
    )
    assert video.slug == "feed-2024"
    assert reverse("ama:feed") != video.get_absolute_url()


def test_video_model_rejects_unknown_hosts():
    from django.core.exceptions import ValidationError

    video = VideoFactory.build(video_url="https://vimeo.com/12345")
    with pytest.raises(ValidationError) as error:
        video.full_clean()
    assert "Facebook or YouTube" in str(error.value.message_dict["video_url"])


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
@pytest.mark.parametrize("page", ["detail", "feed"])
def test_detail_and_feed_query_counts_do_not_grow(client, page, viewer, request):
    if viewer == "member":
        client.force_login(request.getfixturevalue("active_member"))
    topic = TopicFactory()
    video = VideoFactory(topics=[topic])

    def url():
        return video.get_absolute_url() if page == "detail" else reverse("ama:feed")

    def grow():
        other = VideoFactory(topics=[TopicFactory()])
        PanelistFactory(video=video)
        PanelistFactory(video=video, mentor=MentorFactory())
        ChapterFactory(video=video)
        video.topics.add(TopicFactory())
        PanelistFactory(video=other)

    grow()
    client.get(url())  # warm up per-process lookups (content types, sites)
    cache.clear()  # measure the page with the filter-form fragment built
    with CaptureQueriesContext(connection) as few:
        assert client.get(url()).status_code == 200
    for _ in range(5):
        grow()
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get(url())
    assert len(many) == len(few) > 0


def test_video_page_links_its_specialty(client):
    from residency_hub.factories import SpecialtyFactory

    specialty = SpecialtyFactory(name="Emergency Medicine Test", slug="em-test")
    video = VideoFactory(specialty=specialty)
    response = client.get(video.get_absolute_url())
    assertContains(
        response, f'<a href="{specialty.get_absolute_url()}">{specialty.name}</a>'
    )
    assert list(specialty.ama_videos.published()) == [video]


def test_pages_render_in_spanish(client):
    from django.conf import settings

    from ama.factories import QuestionFactory, UpcomingSessionFactory

    video = VideoFactory(language=ContentLanguage.SPANISH)
    ChapterFactory(video=video)
    question = QuestionFactory(session=UpcomingSessionFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    for url in (
        reverse("ama:archive"),
        video.get_absolute_url(),
        question.session.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert response.content.decode().count('<html lang="es">') == 1
    assertContains(client.get(reverse("ama:archive")), "Busca una sesión")
    assertContains(client.get(video.get_absolute_url()), "Reproducir el video")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(3960, "1 h 6 min"), (3600, "1 h"), (2700, "45 min"), (20, "1 min")],
)
def test_duration_reads_in_words(seconds, shown):
    assert (
        VideoFactory.build(
            duration=datetime.timedelta(seconds=seconds)
        ).duration_display
        == shown
    )


def test_player_box_is_served_shown_at_its_size(client, db):
    """Served hidden and revealed by ama.js, the box pushed the chapters down."""
    video = VideoFactory(video_url="https://youtu.be/dQw4w9WgXcQ")
    response = client.get(video.get_absolute_url())
    html = response.content.decode()
    player = html[html.index('class="ama-player') : html.index("data-embed-src")]
    assert "hidden" not in player
    assert "ratio-16x9" in player
    # Without script, "Play the video" still leads to the recording.
    assert 'class="btn btn-light btn-lg ama-load-player" href="https://' in html
