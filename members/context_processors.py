"""Template context: where the current user stands against the access rule."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from members.access import is_active_member, member_state


def membership(request) -> dict:
    return {
        "is_active_member": SimpleLazyObject(lambda: is_active_member(request.user)),
        # "pending", "expired", ...: the banner and the navigation badge read it.
        "member_state": SimpleLazyObject(lambda: member_state(request.user).value),
        "membership_contact_email": settings.MEMBERSHIP_CONTACT_EMAIL,
        "mfa_required_for_staff": settings.MFA_REQUIRED_FOR_STAFF,
    }
