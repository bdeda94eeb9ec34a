"""The member's calendar link on the calendar pages comes from the cache
(``services.calendar_link_token``): every way a link is made or stopped shows at
once, and one member's link is never shown to another."""

from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from residency_hub.models import CalendarFeedToken
from residency_hub.services import (
    calendar_link_key,
    calendar_link_token,
    feed_token_rotate,
    feed_tokens_revoke,
)
from tests.factories import make_member


def calendar_page(client, specialty) -> str:
    url = reverse("residency_hub:calendar", args=[specialty.slug])
    return client.get(url).content.decode()


def test_link_is_read_from_the_cache_after_the_first_page(
    client, active_member, specialty, django_assert_num_queries
):
    token = feed_token_rotate(user=active_member)
    assert calendar_link_token(user=active_member) == token.token
    with django_assert_num_queries(0):
        assert calendar_link_token(user=active_member) == token.token


def test_rotating_and_revoking_on_the_site_show_at_once(
    client, active_member, specialty, django_capture_on_commit_callbacks
):
    client.force_login(active_member)
    assert "Create my calendar link" in calendar_page(client, specialty)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residency_hub:feed-token-rotate"))
    first = CalendarFeedToken.objects.live().get(user=active_member)
    assert first.token in calendar_page(client, specialty)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residency_hub:feed-token-rotate"))
    second = CalendarFeedToken.objects.live().get(user=active_member)
    html = calendar_page(client, specialty)
    assert second.token in html
    assert first.token not in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residency_hub:feed-token-revoke"))
    html = calendar_page(client, specialty)
    assert second.token not in html
    assert "Create my calendar link" in html


def test_staff_revoking_in_the_admin_shows_at_once(
    admin_client_mfa, active_member, specialty, django_capture_on_commit_callbacks
):
    token = feed_token_rotate(user=active_member)
    client = Client()
    client.force_login(active_member)
    assert token.token in calendar_page(client, specialty)  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_mfa.post(
            reverse("admin:residency_hub_calendarfeedtoken_changelist"),
            {"action": "revoke_selected", "_selected_action": [token.pk]},
        )
    assert token.token not in calendar_page(client, specialty)


def test_deleting_a_token_in_the_database_shows_at_once(
    client, active_member, specialty
):
    token = feed_token_rotate(user=active_member)
    client.force_login(active_member)
    assert token.token in calendar_page(client, specialty)
    token.delete()
    assert token.token not in calendar_page(client, specialty)


def test_each_member_sees_only_their_own_link(client, active_member, specialty):
    other = make_member(state="active")
    mine = feed_token_rotate(user=active_member)
    client.force_login(active_member)
    assert mine.token in calendar_page(client, specialty)
    client.force_login(other)
    html = calendar_page(client, specialty)
    assert mine.token not in html
    assert "Create my calendar link" in html
    theirs = feed_token_rotate(user=other)
    assert theirs.token in calendar_page(client, specialty)
    client.force_login(active_member)
    html = calendar_page(client, specialty)
    assert mine.token in html
    assert theirs.token not in html


def test_a_page_read_before_the_commit_cannot_keep_a_revoked_link(
    active_member, django_capture_on_commit_callbacks
):
    token = feed_token_rotate(user=active_member)
    key = calendar_link_key(active_member.pk)
    with django_capture_on_commit_callbacks(execute=True):
        feed_tokens_revoke(CalendarFeedToken.objects.filter(user=active_member))
        # Another worker's calendar page, reading the not yet committed database:
        cache.set(key, token.token)
    assert calendar_link_token(user=active_member) is None
