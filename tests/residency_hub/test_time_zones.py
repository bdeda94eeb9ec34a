"""Wall-clock times read in a zone: property checks around every clock change."""

import datetime
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from residency_hub.forms import in_zone
from residency_hub.views import _add_months, _parse_month

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Puerto_Rico",
    "Pacific/Honolulu",
    "Europe/Madrid",
    "UTC",
]

# Pure functions: a hundred examples cost a fraction of a second, so these keep
# Hypothesis's usual count whatever the profile (tests/conftest.py).
PURE = settings(max_examples=100)

wall_clocks = st.datetimes(
    min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2030, 12, 31)
)


@PURE
@given(naive=wall_clocks, zone_name=st.sampled_from(ZONES))
def test_in_zone_keeps_the_wall_clock_or_refuses(naive, zone_name):
    aware = in_zone(naive, zone_name)
    zone = zoneinfo.ZoneInfo(zone_name)
    if aware is None:
        # Only a time skipped by a spring-forward change is refused.
        assert (
            naive.replace(tzinfo=zone).utcoffset()
            != (
                naive.replace(tzinfo=zone).astimezone(datetime.UTC).astimezone(zone)
            ).utcoffset()
        )
    else:
        assert aware.astimezone(zone).replace(tzinfo=None) == naive


def test_in_zone_refuses_the_skipped_hour_and_takes_the_repeated_one():
    assert in_zone(datetime.datetime(2026, 3, 8, 2, 30), "America/New_York") is None
    repeated = in_zone(datetime.datetime(2026, 11, 1, 1, 30), "America/New_York")
    assert repeated.astimezone(datetime.UTC).hour == 5  # first 1:30, still EDT


@PURE
@given(
    year=st.integers(min_value=1900, max_value=2200),
    month=st.integers(min_value=1, max_value=12),
    step=st.integers(min_value=-36, max_value=36),
)
def test_months_parse_and_step(year, month, step):
    first = _parse_month(f"{year}-{month:02}", datetime.date(2026, 1, 15))
    assert first == datetime.date(year, month, 1)
    moved = _add_months(first, step)
    assert moved.day == 1
    assert (moved.year * 12 + moved.month) - (year * 12 + month) == step


@PURE
@given(text=st.text(max_size=20))
def test_any_month_parameter_is_safe(text):
    today = datetime.date(2026, 1, 15)
    result = _parse_month(text, today)
    assert result.day == 1
