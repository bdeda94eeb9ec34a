"""Data versions (members.cached_choices) move on when rows change: at once, and
again when the change is committed, so no reader between the two keeps the old
rows under the new version."""

from django.core.cache import cache

from members.cached_choices import _version_key, data_version
from mentors.models import Language


def version_of(model) -> int:
    return int(data_version(model))


def test_a_save_in_a_transaction_bumps_now_and_after_commit(
    db, django_capture_on_commit_callbacks
):
    before = version_of(Language)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Language.objects.create(name="Test language", code="test-lang")
        assert version_of(Language) == before + 1  # this request sees it at once
    assert len(callbacks) == 1
    assert version_of(Language) == before + 2


def test_a_lost_version_never_restarts_at_an_old_number(db):
    before = version_of(Language)
    cache.delete(_version_key(Language))  # evicted
    assert version_of(Language) > before
