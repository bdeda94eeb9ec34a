"""``members.pagecache.cached_or_built``: a slow value (a specialty's calendar
feed) is built by one process at a time; the others serve the copy it replaces."""

from unittest import mock

import pytest
from django.core.cache import cache

from members.pagecache import cached_or_built
from residency_hub.models import Event
from tests.residency_hub.factories import EventFactory

KEY = "test:slow-value"


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()


def change_the_data():
    EventFactory()  # a saved Event moves its data version on


def get(build, seconds=300):
    return cached_or_built(KEY, (Event,), build, seconds=seconds)


def test_built_once_then_served_until_the_data_changes():
    build = mock.Mock(side_effect=["first", "second"])
    assert get(build) == "first"
    assert get(build) == "first"
    assert build.call_count == 1
    change_the_data()
    assert get(build) == "second"
    assert build.call_count == 2


def test_rebuilt_after_its_time_even_without_a_change():
    build = mock.Mock(side_effect=["first", "second"])
    with mock.patch("members.pagecache.time.time", return_value=1_000.0):
        assert get(build, seconds=60) == "first"
    with mock.patch("members.pagecache.time.time", return_value=1_061.0):
        assert get(build, seconds=60) == "second"


def test_others_serve_the_old_copy_while_one_process_builds():
    assert get(mock.Mock(return_value="old")) == "old"
    change_the_data()
    cache.add(f"{KEY}:building", 1)  # another worker is building right now
    build = mock.Mock(return_value="new")
    assert get(build) == "old"
    build.assert_not_called()
    cache.delete(f"{KEY}:building")  # it finished, or died: the next one builds
    assert get(build) == "new"
    assert not cache.get(f"{KEY}:building")


def test_with_nothing_to_serve_everyone_builds():
    cache.add(f"{KEY}:building", 1)
    assert get(mock.Mock(return_value="value")) == "value"


def test_an_entry_of_another_shape_is_rebuilt():
    """An entry stored by an older release (``(version, value)``) under the key."""
    cache.set(KEY, ("1.1", b"old body"))
    assert get(mock.Mock(return_value="new")) == "new"


def test_a_failed_build_lets_the_next_request_try():
    assert get(mock.Mock(return_value="old")) == "old"
    change_the_data()
    with pytest.raises(RuntimeError):
        get(mock.Mock(side_effect=RuntimeError("database went away")))
    assert get(mock.Mock(return_value="new")) == "new"
