"""Membership workflows that change status and tell the member."""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from lmsa_portal.mail import portal_url, send_templated_email, user_language
from members.access import forget_member_state
from members.models import Membership, MembershipReminder, RosterEntry, User


def _notify(*, membership: Membership, template: str) -> None:
    send_templated_email(
        template_prefix=f"members/email/{template}",
        to=[membership.user.email],
        context={
            "membership": membership,
            "user": membership.user,
            "login_url": portal_url(reverse("account_login")),
        },
        language=user_language(membership.user),
    )


def membership_notify_staff(*, user: User, request=None) -> None:
    """Tell staff that a member confirmed their address and waits for approval
    (one email per sign-up, once it is verified, so bots never reach staff)."""
    membership = Membership.objects.filter(user=user).select_related("user").first()
    if membership is None or membership.status != Membership.Status.PENDING:
        return
    if not settings.STAFF_NOTIFICATION_EMAILS:
        return
    send_templated_email(
        template_prefix="members/email/staff_new_member",
        to=list(settings.STAFF_NOTIFICATION_EMAILS),
        context={
            "membership": membership,
            "user": membership.user,
            "review_url": portal_url(
                reverse("admin:members_membership_change", args=[membership.pk]),
                request=request,
            ),
            "queue_url": portal_url(
                reverse("admin:members_membership_changelist")
                + "?status__exact=pending",
                request=request,
            ),
        },
    )


@transaction.atomic
def membership_approve(
    *,
    membership: Membership,
    by: User | None = None,
    expires_on=None,
    notify: bool = True,
) -> Membership:
    """Approve a membership (optionally setting its expiry) and tell the member."""
    membership.status = Membership.Status.APPROVED
    membership.decided_at = timezone.now()
    membership.decision_note = ""
    if expires_on is not None:
        membership.expires_on = expires_on
    membership._change_reason = f"Approved by {by}" if by else "Approved"
    membership.save()
    forget_member_state(membership.user)
    if notify:
        _notify(membership=membership, template="membership_approved")
    return membership


@transaction.atomic
def membership_decline(
    *, membership: Membership, by: User | None = None, reason: str = ""
) -> Membership:
    """Decline a membership with an optional reason and tell the member."""
    membership.status = Membership.Status.DECLINED
    membership.decided_at = timezone.now()
    membership.decision_note = reason
    membership._change_reason = f"Declined by {by}" if by else "Declined"
    membership.save()
    forget_member_state(membership.user)
    _notify(membership=membership, template="membership_declined")
    return membership


def _verified_user_for_email(email: str) -> User | None:
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    if address is None or address.user.email.lower() != email.lower():
        return None
    return address.user


@transaction.atomic
def roster_activate(*, user: User, entry: RosterEntry) -> Membership:
    """Approve ``user``'s membership from a current roster row, no staff step."""
    membership = Membership.objects.select_for_update().get(user=user)
    for field in ("member_type", "institution", "region"):
        if not getattr(membership, field) and getattr(entry, field):
            setattr(membership, field, getattr(entry, field))
    already_active = membership.is_approved_and_current and (
        membership.expires_on == entry.expires_on
    )
    if already_active:
        return membership
    was_approved = membership.status == Membership.Status.APPROVED
    membership.expires_on = entry.expires_on
    if not user.first_name and entry.first_name:
        user.first_name, user.last_name = entry.first_name, entry.last_name
        user.save(update_fields=["first_name", "last_name"])
    return membership_approve(
        membership=membership, expires_on=entry.expires_on, notify=not was_approved
    )


def roster_match_user(*, user: User) -> Membership | None:
    """After a user verifies their email: activate them if the roster lists them."""
    entry = RosterEntry.objects.active().filter(email__iexact=user.email).first()
    if entry is None or _verified_user_for_email(user.email) is None:
        return None
    return roster_activate(user=user, entry=entry)


def roster_match_entry(*, entry: RosterEntry) -> Membership | None:
    """After a roster row is saved: activate the verified account with that email."""
    if entry.expires_on is not None and entry.expires_on <= timezone.localdate():
        return None
    user = _verified_user_for_email(entry.email)
    if user is None:
        return None
    return roster_activate(user=user, entry=entry)


def membership_send_expiry_reminders(*, today=None) -> int:
    """Email members whose membership expires within 30 and within 7 days, once each.

    Meant for a daily cron; the unique reminder row makes a second run (or a run
    after a missed day) send nothing twice. Returns how many emails were queued.
    """
    today = today or timezone.localdate()
    sent = 0
    for kind, days in (
        (MembershipReminder.Kind.DAYS_7, 7),
        (MembershipReminder.Kind.DAYS_30, 30),
    ):
        due = (
            Membership.objects.active(today)
            .filter(
                expires_on__lte=today + datetime.timedelta(days=days),
                user__is_active=True,
            )
            .exclude(reminders__kind=kind, reminders__expires_on=F("expires_on"))
            .select_related("user")
        )
        for membership in due:
            if (
                kind == MembershipReminder.Kind.DAYS_30
                and membership.reminders.filter(
                    kind=MembershipReminder.Kind.DAYS_7,
                    expires_on=membership.expires_on,
                ).exists()
            ):
                continue  # the 7-day reminder already went out; the 30-day one is moot
            with transaction.atomic():
                _reminder, created = MembershipReminder.objects.get_or_create(
                    membership=membership, kind=kind, expires_on=membership.expires_on
                )
                if not created:
                    continue
                send_templated_email(
                    template_prefix="members/email/membership_expiring",
                    to=[membership.user.email],
                    context={
                        "membership": membership,
                        "user": membership.user,
                        "days_left": (membership.expires_on - today).days,
                        "contact_email": settings.MEMBERSHIP_CONTACT_EMAIL,
                        "account_url": portal_url(reverse("members:me")),
                    },
                    language=user_language(membership.user),
                )
                sent += 1
    return sent
