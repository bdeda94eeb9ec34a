"""Every user has a Membership from the moment the account exists."""

from allauth.account.signals import email_confirmed
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from members.models import Membership, RosterEntry


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_membership(
    sender, instance, created: bool, raw: bool = False, **kwargs
) -> None:
    if created and not raw:
        Membership.objects.get_or_create(user=instance)


CONTENT_CURATORS_GROUP = "Content curators"
# Curators manage the initiatives' content; users and memberships stay with admins.
CONTENT_APP_LABELS = ["residency_hub", "mentors", "ama", "listserv"]


def sync_content_curator_permissions(sender, using: str = "default", **kwargs) -> None:
    """Give the curators group every permission of the content apps (after migrate)."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.using(using).filter(name=CONTENT_CURATORS_GROUP).first()
    if group is None:
        return
    permissions = (
        Permission.objects.using(using)
        .filter(
            Q(content_type__app_label__in=CONTENT_APP_LABELS)
            | Q(content_type__app_label="lmsa_portal", codename="view_reports")
        )
        # What a member wrote to a mentor is read only by staff given it by name.
        .exclude(content_type__app_label="mentors", codename="view_request_message")
    )
    group.permissions.set(permissions)


@receiver(email_confirmed)
def activate_from_roster_on_verification(
    sender, request, email_address, **kwargs
) -> None:
    """A verified email that is on the current roster makes an active member;
    any other new member waits, and staff hear about it."""
    from members.services import membership_notify_staff, roster_match_user

    if email_address.email.lower() == email_address.user.email.lower():
        if roster_match_user(user=email_address.user) is None:
            membership_notify_staff(user=email_address.user, request=request)


@receiver(post_save, sender=RosterEntry)
def activate_from_roster_on_import(
    sender, instance, raw: bool = False, **kwargs
) -> None:
    """A roster row added later activates an existing verified account.

    Runs on commit: an import-export dry run rolls back and so activates no one.
    """
    if raw:
        return
    from members.services import roster_match_entry

    transaction.on_commit(lambda: roster_match_entry(entry=instance))
