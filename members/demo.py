"""Demo accounts for `make run`: an administrator and an active member."""

import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from members.factories import UserFactory
from members.models import Membership, User

DEMO_ADMIN_EMAIL = "admin@lmsa.example"
DEMO_MEMBER_EMAIL = "member@lmsa.example"
DEMO_PENDING_EMAIL = "pending@lmsa.example"
# Development-only credentials, printed by `make run`; the command refuses to run
# without DEBUG so they never exist on a production database.
DEMO_PASSWORD = "lmsa-demo-2026"


def _ensure_user(
    email: str, *, first_name: str, last_name: str, staff: bool = False
) -> User:
    """The demo account ``email``, made once by the factory (a later run keeps the
    password someone may have changed, and verifies the address again)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        return UserFactory(
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=staff,
            is_superuser=staff,
            password=DEMO_PASSWORD,
        )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def load_demo() -> list[str]:
    """Create the demo accounts (idempotent) and describe them."""
    _ensure_user(DEMO_ADMIN_EMAIL, first_name="Ana", last_name="Admin", staff=True)
    member = _ensure_user(DEMO_MEMBER_EMAIL, first_name="Sofía", last_name="Martínez")
    Membership.objects.filter(user=member).update(
        member_type=Membership.MemberType.MEDICAL_STUDENT,
        institution="University of New Mexico School of Medicine",
        graduation_year=timezone.localdate().year + 2,
        region=Membership.Region.SOUTHWEST,
        status=Membership.Status.APPROVED,
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    pending = _ensure_user(DEMO_PENDING_EMAIL, first_name="Diego", last_name="Ramos")
    Membership.objects.filter(user=pending).update(
        member_type=Membership.MemberType.PREMED,
        institution="University of Texas at El Paso",
        graduation_year=timezone.localdate().year + 1,
        region=Membership.Region.SOUTHWEST,
    )
    return [
        f"Staff (admin):   {DEMO_ADMIN_EMAIL} / {DEMO_PASSWORD}",
        f"Active member:   {DEMO_MEMBER_EMAIL} / {DEMO_PASSWORD}",
        f"Pending member:  {DEMO_PENDING_EMAIL} / {DEMO_PASSWORD}",
    ]
