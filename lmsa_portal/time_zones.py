"""Time zones named in words ("Pacific Time", "hora del Pacífico"), not as IDs.

static/js/portal.js names the device's zone the same way in the browser
(Intl.DateTimeFormat's "longGeneric" name); this is the server's text for the
zones US members meet, and "<city> time" for the rest.
"""

import zoneinfo

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_EASTERN = _("Eastern Time")
_CENTRAL = _("Central Time")
_MOUNTAIN = _("Mountain Time")
_PACIFIC = _("Pacific Time")
_ATLANTIC = _("Atlantic Time")

ZONE_NAMES = {
    "America/New_York": _EASTERN,
    "America/Detroit": _EASTERN,
    "America/Indiana/Indianapolis": _EASTERN,
    "America/Kentucky/Louisville": _EASTERN,
    "America/Toronto": _EASTERN,
    "America/Chicago": _CENTRAL,
    "America/Mexico_City": _CENTRAL,
    "America/Winnipeg": _CENTRAL,
    "America/Denver": _MOUNTAIN,
    "America/Boise": _MOUNTAIN,
    "America/Edmonton": _MOUNTAIN,
    "America/Phoenix": _("Mountain Time (Arizona)"),
    "America/Los_Angeles": _PACIFIC,
    "America/Vancouver": _PACIFIC,
    "America/Tijuana": _PACIFIC,
    "America/Anchorage": _("Alaska Time"),
    "Pacific/Honolulu": _("Hawaii Time"),
    "America/Puerto_Rico": _ATLANTIC,
    "America/Halifax": _ATLANTIC,
    "UTC": _("Coordinated Universal Time"),
}


def _place(key: str) -> str:
    return key.rsplit("/", 1)[-1].replace("_", " ")


def zone_name(zone: zoneinfo.ZoneInfo | str) -> str:
    """``zone`` in words, in the active language: "Pacific Time", "Madrid time"."""
    key = getattr(zone, "key", None) or str(zone)
    if key in ZONE_NAMES:
        return str(ZONE_NAMES[key])
    return gettext("%(place)s time") % {"place": _place(key)}


def zone_choices(keys: list[str]) -> list:
    """Form choices for the zone ``keys``: the US-facing named zones first,
    labelled "Pacific Time (Los Angeles)", then every other one by its city."""
    named = [
        (key, f"{zone_name(key)} ({_place(key)})") for key in keys if key in ZONE_NAMES
    ]
    others = [(key, zone_name(key)) for key in keys if key not in ZONE_NAMES]
    return [
        (_("Common zones"), named),
        (_("All zones"), sorted(others, key=lambda choice: choice[1])),
    ]
