"""factory_boy factories shared by every app's tests."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from members.models import Membership, User
from residency_hub.models import Specialty

DEFAULT_PASSWORD = "a-Strong-test-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose primary email is verified unless ``verified=False``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        EmailAddress.objects.create(
            user=self,
            email=self.email,
            primary=True,
            verified=True if extracted is None else extracted,
        )


def set_membership(user: User, **fields) -> Membership:
    """Update the membership every user gets at creation."""
    Membership.objects.filter(user=user).update(**fields)
    user.membership.refresh_from_db()
    return user.membership


def make_member(*, state: str = "active", **user_fields) -> User:
    """A user in one of the access-rule states: unverified, pending, declined,
    expired, active or staff."""
    today = timezone.localdate()
    user = UserFactory(
        verified=state != "unverified", is_staff=state == "staff", **user_fields
    )
    status = {
        "pending": Membership.Status.PENDING,
        "unverified": Membership.Status.APPROVED,
        "declined": Membership.Status.DECLINED,
    }.get(state, Membership.Status.APPROVED)
    expires_on = (
        today - datetime.timedelta(days=1)
        if state == "expired"
        else (today + datetime.timedelta(days=200))
    )
    set_membership(
        user,
        status=status,
        expires_on=expires_on,
        member_type=Membership.MemberType.MEDICAL_STUDENT,
        region=Membership.Region.NORTHEAST,
        institution="Example School of Medicine",
        graduation_year=today.year + 2,
    )
    return user


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Test Specialty {n}")
    slug = factory.Sequence(lambda n: f"test-specialty-{n}")


def make_totp(user: User) -> str:
    """Give ``user`` an activated TOTP authenticator; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
