"""iCalendar (RFC 5545) files for events: one event to download, a feed per specialty.

Times carry the organiser's time zone (TZID with its VTIMEZONE), so a calendar app
shows them right even across a daylight-saving change. UIDs never change; SEQUENCE
grows with each edit and cancelled events stay in the feed with STATUS:CANCELLED,
which is how subscribed calendars learn about updates and cancellations.
"""

import zoneinfo
from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from lmsa_portal.mail import portal_url
from lmsa_portal.text import markdown_to_text
from residency_hub.models import Event

PRODID = "-//LMSA//Member Portal Residency Hub//EN"
# How often subscribed calendars are asked to poll the feed.
FEED_REFRESH_INTERVAL = "PT6H"


def uid_domain() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "lmsa.net"


def event_uid(event: Event) -> str:
    return f"{event.uid}@{uid_domain()}"


def _local(value, zone_name: str):
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return value.astimezone(zone)


def _vevent(event: Event) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", (event.updated_at or timezone.now()).astimezone(UTC))
    component.add("dtstart", _local(event.starts_at, event.time_zone))
    component.add("dtend", _local(event.ends_at, event.time_zone))
    component.add("summary", event.title)
    page_url = portal_url(event.get_absolute_url())
    # Calendar apps show DESCRIPTION as typed: plain text, no Markdown asterisks.
    description_parts = (
        [markdown_to_text(event.description)] if event.description else []
    )
    if event.host:
        description_parts.append(f"Host: {event.host}")
    if event.link:
        description_parts.append(f"Join or register: {event.link}")
    description_parts.append(f"Details: {page_url}")
    component.add("description", "\n\n".join(description_parts))
    component.add("url", event.link or page_url)
    component.add("location", event.link or "Online")
    component.add("sequence", event.sequence)
    component.add("status", event.status.upper())
    component.add("categories", [event.specialty.name])
    if event.created_at:
        component.add("created", event.created_at.astimezone(UTC))
    if event.updated_at:
        component.add("last-modified", event.updated_at.astimezone(UTC))
    return component


def build_calendar(
    events: Iterable[Event], *, name: str, is_feed: bool = False
) -> icalendar.Calendar:
    """A VCALENDAR holding ``events`` with the VTIMEZONEs they use."""
    return calendar_of((_vevent(event) for event in events), name=name, is_feed=is_feed)


def calendar_of(
    components: Iterable[icalendar.Event], *, name: str, is_feed: bool = False
) -> icalendar.Calendar:
    """A VCALENDAR holding ready VEVENTs (also AMA sessions') and their VTIMEZONEs."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    if is_feed:
        refresh = icalendar.vDuration.from_ical(FEED_REFRESH_INTERVAL)
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", FEED_REFRESH_INTERVAL)
    for component in components:
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar
