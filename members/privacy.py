"""What the portal holds about a person: export it, and erase it on request.

Each app may provide ``<app>/privacy.py`` with ``export_user_data(user) -> dict``
and ``erase_user_data(user) -> None`` (anonymise what the person created that
others still rely on, delete the rest). ``collect_user_data`` and
``delete_account`` call every app's hooks, so a new app only adds its module.
"""

from importlib import import_module, util

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.models import MembershipReminder, RosterEntry


def _app_privacy_modules():
    for app in settings.LOCAL_APPS:
        if app == "members" or util.find_spec(f"{app}.privacy") is None:
            continue
        yield app, import_module(f"{app}.privacy")


def export_user_data(user) -> dict:
    """This app's part: account, email addresses, membership."""
    membership = user.membership
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "preferred_language": user.preferred_language,
            "time_zone": user.time_zone,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "membership": {
            "member_type": membership.member_type,
            "institution": membership.institution,
            "graduation_year": membership.graduation_year,
            "region": membership.region,
            "status": membership.status,
            "expires_on": membership.expires_on.isoformat()
            if membership.expires_on
            else None,
            "created_at": membership.created_at.isoformat(),
        },
        "membership_reminders": [
            {
                "kind": r.kind,
                "expires_on": r.expires_on.isoformat(),
                "sent_at": r.sent_at.isoformat(),
            }
            for r in MembershipReminder.objects.filter(membership=membership).order_by(
                "sent_at", "pk"
            )
        ],
        # The dues roster row(s) staff imported under this person's address(es).
        "roster_entries": [
            {
                "email": r.email,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "member_type": r.member_type,
                "institution": r.institution,
                "region": r.region,
                "expires_on": r.expires_on.isoformat() if r.expires_on else None,
                "imported_at": r.imported_at.isoformat(),
            }
            for r in _roster_entries(user)
        ],
    }


def _roster_entries(user):
    """Roster rows whose email is the account's or one of its addresses (any case)."""
    emails = {user.email.lower()} | {
        e.lower()
        for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    query = Q()
    for email in emails:
        query |= Q(email__iexact=email)
    return RosterEntry.objects.filter(query).order_by("email")


def collect_user_data(user) -> dict:
    """Everything every app holds about ``user``, as JSON-ready data."""
    data = {
        "exported_at": timezone.now().isoformat(),
        "members": export_user_data(user),
    }
    for app, module in _app_privacy_modules():
        if hasattr(module, "export_user_data"):
            data[app] = module.export_user_data(user)
    return data


@transaction.atomic
def delete_account(*, user) -> None:
    """Erase the account; what the person created elsewhere is anonymised."""
    for _app, module in _app_privacy_modules():
        if hasattr(module, "erase_user_data"):
            module.erase_user_data(user)
    # Edit-history rows keep who changed what, but not a deleted person's link.
    user.membership.history.all().delete()
    user.delete()
