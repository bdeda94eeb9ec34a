"""Apply a signed-in member's preferred language and time zone to each request."""

import functools
import zoneinfo

from django.utils import timezone, translation

# Set by static/js/portal.js from the browser's own zone
# (Intl.DateTimeFormat().resolvedOptions().timeZone).
TIME_ZONE_COOKIE = "lmsa_tz"


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``, or None for an empty, unknown or broken name."""
    if not name or name not in _known_zones():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def browser_time_zone(request) -> zoneinfo.ZoneInfo | None:
    """The browser's zone (the cookie portal.js sets), if it names a real one."""
    return _zone(request.COOKIES.get(TIME_ZONE_COOKIE, "")[:64])


def visitor_time_zone(request) -> zoneinfo.ZoneInfo:
    """A visitor's zone: the browser's if valid, else settings.TIME_ZONE."""
    return browser_time_zone(request) or timezone.get_default_timezone()


class UserPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = None
        # Templates read these: where the page's zone came from ("profile",
        # "device" or "default"; portal.js localises times unless "profile") and
        # the device's own zone (a hint when the profile's differs).
        request.device_time_zone = browser_time_zone(request)
        if user is not None and user.is_authenticated:
            # The zone chosen in the profile wins over the browser's.
            zone = _zone(user.time_zone)
            if user.preferred_language and not request.COOKIES.get("django_language"):
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = user.preferred_language
        # No choice in the profile (or a visitor): the browser's zone, if valid;
        # otherwise settings.TIME_ZONE.
        if zone is not None:
            request.time_zone_source = "profile"
        elif request.device_time_zone is not None:
            request.time_zone_source = "device"
        else:
            request.time_zone_source = "default"
        zone = zone or request.device_time_zone
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Cross-Origin-Resource-Policy: the one security header neither Django nor a
    library in use sets (Permissions-Policy comes from django-permissions-policy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
