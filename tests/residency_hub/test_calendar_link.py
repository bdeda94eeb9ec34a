"""The member's calendar link on the calendar pages: every way a link is made or
stopped shows at once, and one member's link is never shown to another."""

from django.test import Client
from django.urls import reverse

from members.factories import make_member
from residency_hub.models import CalendarFeedToken
from residency_hub.services import feed_token_rotate


def calendar_page(client, specialty) -> str:
    url = reverse("residency_hub:calendar", args=[specialty.slug])
    return client.get(url).content.decode()


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
    assert token.token in calendar_page(client, specialty)
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
