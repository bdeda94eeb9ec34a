"""The one access rule, for every state a user can be in."""

import datetime
from http import HTTPStatus

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from members.access import (
    MemberState,
    active_member_required,
    is_active_member,
    member_state,
)
from members.factories import make_member, set_membership
from members.models import Membership, User

EXPECTED_STATE = {
    "unverified": MemberState.UNVERIFIED,
    "pending": MemberState.PENDING,
    "declined": MemberState.DECLINED,
    "expired": MemberState.EXPIRED,
    "active": MemberState.ACTIVE,
    "staff": MemberState.STAFF,
}


@active_member_required
def members_only_view(request):
    from django.http import HttpResponse

    return HttpResponse("secret members-only content")


def call_members_only(user):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/members-only/")
    request.user = user or AnonymousUser()
    request.session = {}
    request._messages = []
    return members_only_view(request)


def test_anonymous_is_sent_to_login(db):
    response = call_members_only(None)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


def test_each_state_is_classified(user_in_each_state):
    state, user = user_in_each_state
    assert member_state(user) == EXPECTED_STATE[state]
    assert is_active_member(user) is (state in ("active", "staff"))


def test_only_active_members_and_staff_get_through(user_in_each_state):
    state, user = user_in_each_state
    response = call_members_only(user)
    if state in ("active", "staff"):
        assert response.status_code == HTTPStatus.OK
        assert b"secret members-only content" in response.content
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert b"secret members-only content" not in response.content


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("unverified", "confirm your email address"),
        ("pending", "waiting for approval"),
        ("declined", "was declined"),
        ("expired", "expired on"),
    ],
)
def test_not_active_page_says_why(client, db, state, message):
    user = make_member(state=state)
    client.force_login(user)
    response = client.get(reverse("members:me"))  # any page renders the header
    assert response.status_code == HTTPStatus.OK
    response = call_members_only(user)
    assertContains(response, message, status_code=HTTPStatus.FORBIDDEN)
    assertContains(response, "membership@lmsa.net", status_code=HTTPStatus.FORBIDDEN)


def test_declined_page_shows_reason(db):
    user = make_member(state="declined")
    set_membership(user, decision_note="We could not find you on the chapter roster.")
    response = call_members_only(user)
    assertContains(
        response,
        "could not find you on the chapter roster",
        status_code=HTTPStatus.FORBIDDEN,
    )


@pytest.mark.parametrize(
    ("days_from_today", "active"),
    [(1, True), (0, False), (-1, False)],
    ids=["expires-tomorrow", "expires-today", "expired-yesterday"],
)
def test_expiry_boundaries(db, days_from_today, active):
    user = make_member(state="active")
    set_membership(
        user, expires_on=timezone.localdate() + datetime.timedelta(days=days_from_today)
    )
    assert is_active_member(user) is active


def test_no_expiry_means_active(db):
    user = make_member(state="active")
    set_membership(user, expires_on=None)
    assert is_active_member(user)


def test_inactive_account_is_not_a_member(db):
    user = make_member(state="active", is_active=False)
    assert not is_active_member(user)


def test_expired_page_names_the_date(db):
    user = make_member(state="expired")
    response = call_members_only(user)
    from django.utils.formats import date_format

    expected = date_format(user.membership.expires_on, "DATE_FORMAT")
    assertContains(response, expected, status_code=HTTPStatus.FORBIDDEN)


@pytest.mark.django_db
def test_the_active_membership_rule_reads_the_same_everywhere():
    """The queryset, the model and the access check agree on every status and
    expiry: approved and not expired (the expiry day itself is expired)."""
    today = timezone.localdate()
    expiries = [None, today - datetime.timedelta(days=1), today]
    expiries += [today + datetime.timedelta(days=1)]
    memberships = []
    for status in Membership.Status.values:
        for expires_on in expiries:
            user = make_member(state="active")
            memberships.append(
                set_membership(user, status=status, expires_on=expires_on)
            )
    active = set(Membership.objects.active().values_list("pk", flat=True))
    current = {m.pk for m in memberships if m.is_approved_and_current}
    members = {
        m.pk for m in memberships if is_active_member(User.objects.get(pk=m.user_id))
    }
    assert active == current == members
    assert len(active) == 2  # approved with no expiry, or expiring tomorrow
    expired_today = next(
        m for m in memberships if m.status == "approved" and m.expires_on == today
    )
    assert member_state(User.objects.get(pk=expired_today.user_id)) == "expired"
