"""A member finds an AMA session by topic, plays it at a chapter, then asks and
upvotes questions for the next session."""

import datetime
import re

from django.utils import timezone

from ama.factories import (
    ChapterFactory,
    PanelistFactory,
    QuestionFactory,
    TopicFactory,
    UpcomingSessionFactory,
    VideoFactory,
)
from ama.models import Question, QuestionVote
from members.factories import DEFAULT_PASSWORD, make_member

STUB_PLAYER = "<!doctype html><html lang='en'><title>Player</title><p>Player</p>"


def test_member_finds_session_plays_chapter_and_asks_a_question(
    journey, transactional_db
):
    page = journey.page
    # No internet in the test browser: answer the provider's player with a stub
    # so the test checks our page, not YouTube.
    player_requests = []

    def stub_player(route):
        player_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=STUB_PLAYER)

    page.route(re.compile(r"https://www\.youtube-nocookie\.com/.*"), stub_player)

    mcat = TopicFactory(name="MCAT", slug="mcat")
    match = TopicFactory(name="The Match", slug="match")
    video = VideoFactory(
        title="MCAT Study Strategies",
        video_url="https://youtu.be/dQw4w9WgXcQ",
        topics=[mcat],
        date=datetime.date(2023, 7, 8),
        description="Three students share **study schedules**.",
    )
    PanelistFactory(video=video, name="Daniela Rivera", role="MS2")
    ChapterFactory(video=video, start_seconds=0, title="Introductions")
    ChapterFactory(video=video, start_seconds=1260, title="Free resources")
    VideoFactory(title="Rank lists explained", topics=[match])
    session = UpcomingSessionFactory(
        title="Your First Year of Medical School",
        starts_at=timezone.now() + datetime.timedelta(days=5),
    )
    other = QuestionFactory(session=session, text="How do you study for anatomy?")
    member = make_member(state="active", email="ana@example.org")

    # Find the session by topic.
    journey.goto("/ama/")
    page.get_by_label("Topic", exact=True).select_option("mcat")
    journey.click_and_check(page.get_by_role("button", name="Show sessions"))
    assert "topic=mcat" in page.url
    results = page.locator("#ama-results")
    assert "MCAT Study Strategies" in results.inner_text()
    assert "Rank lists explained" not in results.inner_text()
    journey.click_and_check(page.get_by_role("link", name="MCAT Study Strategies"))

    # Nothing is loaded from YouTube until the member asks for it.
    assert page.locator(".ama-player iframe").count() == 0
    assert player_requests == []
    page.get_by_role("link", name=re.compile("Free resources")).click()
    iframe = page.locator(".ama-player iframe")
    iframe.wait_for()
    assert iframe.get_attribute("title") == ("MCAT Study Strategies (video on YouTube)")
    src = iframe.get_attribute("src")
    assert src.startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?")
    assert "start=1260" in src
    page.wait_for_url(f"**{video.get_absolute_url()}#t=1260")
    assert any("start=1260" in url for url in player_requests)
    # Another chapter moves the same player.
    page.get_by_role("link", name=re.compile("Introductions")).click()
    page.wait_for_url("**#t=0")
    assert page.locator(".ama-player iframe").count() == 1
    assert "start=" not in page.locator(".ama-player iframe").get_attribute("src")

    # Ask a question for the next session: log in first.
    journey.goto(session.get_absolute_url())
    journey.click_and_check(page.get_by_role("link", name="Log in to ask a question"))
    page.locator("#id_login").fill("ana@example.org")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.get_by_role("button", name="Sign In"))
    assert page.url.endswith(session.get_absolute_url())

    question_box = page.get_by_label("Your question for the panel")
    question_box.fill("Why?")
    journey.click_and_check(page.get_by_role("button", name="Send my question"))
    assert "at least 10 characters" in page.content()
    assert question_box.input_value() == "Why?"
    question_box.fill("How did you find a study group in your first semester?")
    journey.click_and_check(page.get_by_role("button", name="Send my question"))
    assert "once staff have reviewed it" in page.content()
    assert "Your questions waiting for review" in page.content()
    question = Question.objects.get(author=member)
    assert question.status == Question.Status.PENDING

    # Upvote another member's question, then take the vote back.
    journey.click_and_check(page.get_by_role("button", name=re.compile("^Upvote")))
    assert "Your vote was counted." in page.content()
    assert QuestionVote.objects.filter(question=other, user=member).exists()
    item = page.locator(f"#question-{other.pk}")
    assert item.locator(".ama-votes").inner_text().startswith("1")
    journey.click_and_check(
        page.get_by_role("button", name=re.compile("^Withdraw vote"))
    )
    assert not QuestionVote.objects.filter(question=other, user=member).exists()
    journey.click_and_check(page.get_by_role("button", name=re.compile("^Upvote")))
    assert QuestionVote.objects.filter(question=other).count() == 1


def test_ama_pages_are_accessible_in_every_state(journey, transactional_db):
    page = journey.page
    topic = TopicFactory(name="Research", slug="research")
    for index in range(14):
        VideoFactory(topics=[topic], title=f"Research night {index}")
    facebook = VideoFactory(
        title="Being a Latino Physician",
        video_url="https://fb.watch/kLm3Qx7tRb/",
        summary="Representation matters.",
        transcript="Welcome everyone.",
    )
    ChapterFactory(video=facebook, start_seconds=540, title="Why representation")
    PanelistFactory(video=facebook, name="Dr. Paola Guerrero", role="OB/GYN")
    session = UpcomingSessionFactory(title="Next AMA")
    QuestionFactory(session=session, text="What surprised you in residency?")

    journey.goto("/ama/?page=2")  # pagination
    journey.goto("/ama/?topic=unknown&year=abc")  # form errors
    assert "Select a valid choice" in page.content()
    journey.goto("/ama/?q=zzzz-nothing")  # no results
    assert "No session matches these filters" in page.content()
    journey.goto(facebook.get_absolute_url())
    assert "Watch on Facebook" in page.content()
    journey.goto(session.get_absolute_url())  # anonymous visitor
    assert "Log in to ask a question" in page.content()

    # A member whose membership is pending sees why they cannot ask.
    make_member(state="pending", email="pending@example.org")
    journey.goto(f"/accounts/login/?next={session.get_absolute_url()}")
    page.locator("#id_login").fill("pending@example.org")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    journey.click_and_check(page.get_by_role("button", name="Sign In"))
    assert "Only active LMSA members can send and upvote questions." in (page.content())
    assert page.get_by_role("button", name=re.compile("^Upvote")).count() == 0
