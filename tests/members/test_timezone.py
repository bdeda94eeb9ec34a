"""The browser's time zone (lmsa_tz cookie, set by static/js/portal.js) is used
when the member's profile names none; the profile's choice wins."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from lmsa_portal.middleware import TIME_ZONE_COOKIE, UserPreferencesMiddleware
from lmsa_portal.time_zones import zone_name
from residency_hub.factories import EventFactory, SpecialtyFactory

DEFAULT_ZONE = "America/New_York"  # settings.TIME_ZONE


@pytest.fixture(autouse=True)
def _default_zone_after_each_test():
    yield
    timezone.deactivate()


def zone_seen_by_view(user, cookie: str | None = None) -> str:
    """The zone active while the view runs, for ``user`` sending ``cookie``."""
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[TIME_ZONE_COOKIE] = cookie
    request.user = user
    UserPreferencesMiddleware(view)(request)
    return seen["zone"]


def test_cookie_zone_is_used_when_the_profile_has_none(active_member):
    active_member.time_zone = ""
    active_member.save(update_fields=["time_zone"])
    assert zone_seen_by_view(active_member, "Asia/Tokyo") == "Asia/Tokyo"
    assert zone_seen_by_view(AnonymousUser(), "Europe/Madrid") == "Europe/Madrid"
    assert zone_seen_by_view(active_member) == DEFAULT_ZONE


def test_profile_zone_wins_over_the_cookie(active_member):
    active_member.time_zone = "America/Chicago"
    active_member.save(update_fields=["time_zone"])
    assert zone_seen_by_view(active_member, "Asia/Tokyo") == "America/Chicago"


@pytest.mark.parametrize(
    "cookie",
    ["Not/AZone", "", "../../etc/passwd", "Asia/Tokyo\x00", "x" * 5000, "UTC;drop"],
)
def test_invalid_cookie_falls_back_to_the_default(active_member, cookie):
    active_member.time_zone = ""
    active_member.save(update_fields=["time_zone"])
    assert zone_seen_by_view(active_member, cookie) == DEFAULT_ZONE
    assert zone_seen_by_view(AnonymousUser(), cookie) == DEFAULT_ZONE


def test_invalid_cookie_on_a_page_is_no_error(client, active_member):
    client.force_login(active_member)
    client.cookies[TIME_ZONE_COOKIE] = "Mars/Olympus_Mons"
    specialty = SpecialtyFactory(slug="tz-medicine")
    response = client.get(reverse("residency_hub:calendar", args=[specialty.slug]))
    assert response.status_code == 200
    assertContains(response, 'data-time-zone="America/New_York"')


def test_calendar_shows_event_times_in_the_cookie_zone(client, active_member):
    active_member.time_zone = ""
    active_member.save(update_fields=["time_zone"])
    specialty = SpecialtyFactory(slug="tz-medicine")
    EventFactory(
        specialty=specialty,
        title="Tokyo open house",
        starts_at=datetime.datetime(2026, 4, 15, 18, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 4, 15, 19, tzinfo=datetime.UTC),
    )
    client.force_login(active_member)
    client.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    url = reverse("residency_hub:calendar", args=[specialty.slug]) + "?month=2026-04"
    response = client.get(url)
    assert response.status_code == 200
    # 18:00 UTC on 15 April is 3:00 AM on 16 April in Tokyo (UTC+9).
    assertContains(
        response,
        '<time datetime="2026-04-16T03:00:00+09:00" data-format="time">3:00 AM</time>',
        html=True,
    )
    assertContains(response, 'data-time-zone="Asia/Tokyo"')
    assertNotContains(response, "2:00 PM")  # the Eastern time

    # The same page without the cookie: US Eastern, not Tokyo's cached content.
    del client.cookies[TIME_ZONE_COOKIE]
    response = client.get(url)
    assertContains(
        response,
        '<time datetime="2026-04-15T14:00:00-04:00" data-format="time">2:00 PM</time>',
        html=True,
    )
    assertNotContains(response, "3:00 AM")


@pytest.mark.parametrize(
    ("zone", "english", "spanish"),
    [
        ("America/Los_Angeles", "Pacific Time", "hora del Pacífico"),
        ("America/New_York", "Eastern Time", "hora del Este"),
        ("UTC", "Coordinated Universal Time", "tiempo universal coordinado"),
        ("Europe/Madrid", "Madrid time", "hora de Madrid"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires time", "hora de Buenos Aires"),
    ],
)
def test_zones_are_named_in_words(zone, english, spanish):
    with translation.override("en"):
        assert zone_name(zone) == english
    with translation.override("es"):
        assert zone_name(zone) == spanish


def test_profile_zone_option_says_it_follows_the_device(client, active_member):
    client.force_login(active_member)
    response = client.get(reverse("members:me"))
    assertContains(response, '<option value="" selected>Follow my device</option>')
    assertContains(response, "Pacific Time (Los Angeles)")
    assertNotContains(response, "Portal default")
    assertNotContains(response, ">America/")


def test_hint_is_rendered_by_the_server_when_the_profile_zone_is_not_the_devices(
    client, active_member
):
    """No script reveals it after the page is shown (that moved the page down)."""
    specialty = SpecialtyFactory()
    url = reverse("residency_hub:calendar", args=[specialty.slug])
    client.force_login(active_member)
    client.cookies[TIME_ZONE_COOKIE] = "America/Los_Angeles"
    response = client.get(url)
    assertContains(response, "Times are shown in <strong data-zone-name>Pacific Time")
    assertContains(response, 'data-time-zone-source="device"')
    assertNotContains(response, "Your device is set to")
    active_member.time_zone = "Europe/Madrid"
    active_member.save()
    response = client.get(url)
    assertContains(response, "Times are shown in <strong data-zone-name>Madrid time")
    assertContains(response, 'data-time-zone-source="profile"')
    assertContains(response, "Your device is set to Pacific Time.")
    assertNotContains(response, "timezone-hint d-none")
