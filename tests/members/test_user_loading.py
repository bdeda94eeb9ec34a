"""``members.user_loading.load_user``: the signed-in request's user, loaded by a
query compiled once, is the same as the ORM's ``users_with_member_state()`` row."""

import pytest

from members.access import member_state, users_with_member_state
from members.models import Membership
from members.user_loading import load_user, load_user_by
from tests.factories import UserFactory


def fields(instance) -> dict:
    return {k: v for k, v in vars(instance).items() if not k.startswith("_state")}


def assert_same_as_the_orm(user_id):
    loaded = load_user(user_id)
    expected = users_with_member_state().filter(pk=user_id).first()
    assert fields(loaded) == fields(expected)
    assert loaded._email_verified is expected._email_verified
    has_membership = hasattr(expected, "membership")
    assert hasattr(loaded, "membership") is has_membership
    if has_membership:
        assert fields(loaded.membership) == fields(expected.membership)
    assert member_state(loaded) == member_state(expected)
    return loaded


def test_every_state_loads_as_the_orm_loads_it(user_in_each_state):
    state, user = user_in_each_state
    loaded = assert_same_as_the_orm(user.pk)
    assert member_state(loaded).value == state


def test_a_user_without_membership_or_verified_address(db):
    user = UserFactory(verified=False)
    Membership.objects.filter(user=user).delete()
    loaded = assert_same_as_the_orm(user.pk)
    assert loaded._email_verified is False
    assert not hasattr(loaded, "membership")


def test_one_query_and_nothing_after_it(active_member, django_assert_num_queries):
    with django_assert_num_queries(1):
        loaded = load_user(active_member.pk)
    with django_assert_num_queries(0):
        assert loaded.membership.status == "approved"
        assert loaded.membership.user is loaded
        assert member_state(loaded).value == "active"


@pytest.mark.parametrize("user_id", ["abc", "", None, "1.5", str(2**70)])
def test_ids_that_are_no_user_give_none(db, user_id):
    assert load_user(user_id) is None


def test_the_session_stores_the_id_as_text(active_member):
    assert load_user(str(active_member.pk)).pk == active_member.pk
    assert load_user(active_member.pk + 10_000) is None


def test_lookup_by_a_related_row_holds_every_condition_on_that_row(active_member):
    """The calendar feed's lookup: a live token's member; a revoked one gives None
    even when the same member has another, live token."""
    from residency_hub.services import feed_token_rotate

    def by_token(token):
        return load_user_by(
            "calendar_feed_tokens__token",
            token,
            calendar_feed_tokens__revoked_at__isnull=True,
        )

    old = feed_token_rotate(user=active_member)
    live = feed_token_rotate(user=active_member)  # revokes ``old``
    loaded = by_token(live.token)
    assert loaded.pk == active_member.pk
    assert member_state(loaded).value == "active"
    assert by_token(old.token) is None
    assert by_token("no-such-token") is None
