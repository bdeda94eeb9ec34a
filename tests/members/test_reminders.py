"""Expiry reminders 30 and 7 days ahead, sent once each by a daily command."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from members.factories import make_member, set_membership
from members.models import MembershipReminder
from members.services import membership_send_expiry_reminders


def expiring_member(days: int):
    user = make_member(state="active")
    set_membership(
        user, expires_on=timezone.localdate() + datetime.timedelta(days=days)
    )
    return user


@pytest.mark.parametrize(
    ("days", "sent"), [(31, 0), (30, 1), (8, 1), (7, 1), (1, 1), (0, 0)]
)
def test_who_gets_a_reminder(db, days, sent):
    expiring_member(days)
    assert membership_send_expiry_reminders() == sent
    assert len(mail.outbox) == sent


def test_running_twice_sends_nothing_twice(db):
    user = expiring_member(30)
    call_command("send_membership_reminders")
    call_command("send_membership_reminders")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "30 days" in mail.outbox[0].subject


def test_seven_day_reminder_follows_the_thirty_day_one(db):
    user = expiring_member(30)
    today = timezone.localdate()
    assert membership_send_expiry_reminders(today=today) == 1
    assert (
        membership_send_expiry_reminders(today=today + datetime.timedelta(days=10)) == 0
    )
    assert (
        membership_send_expiry_reminders(today=today + datetime.timedelta(days=23)) == 1
    )
    assert (
        membership_send_expiry_reminders(today=today + datetime.timedelta(days=24)) == 0
    )
    kinds = set(
        MembershipReminder.objects.filter(membership__user=user).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"30", "7"}
    assert "7 days" in mail.outbox[-1].subject


def test_a_renewal_gets_fresh_reminders(db):
    user = expiring_member(5)
    assert membership_send_expiry_reminders() == 1
    set_membership(user, expires_on=timezone.localdate() + datetime.timedelta(days=6))
    assert membership_send_expiry_reminders() == 1


def test_pending_or_no_expiry_get_nothing(db):
    make_member(state="pending")
    user = make_member(state="active")
    set_membership(user, expires_on=None)
    assert membership_send_expiry_reminders() == 0


def test_reminder_in_members_language(db):
    user = expiring_member(7)
    user.preferred_language = "es"
    user.save()
    membership_send_expiry_reminders()
    assert mail.outbox[0].to == [user.email]
