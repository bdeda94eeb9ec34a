"""factory_boy factories of accounts and memberships: the one description of a
valid row, used by the tests, the demo (`load_demo_data`) and the scale seed."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from members.models import Membership, User

DEFAULT_PASSWORD = "a-Strong-test-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose primary email is verified unless ``verified=False``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    # Hashed once per row; the scale seed passes a ready hash with
    # ``factory.Transformer.Force`` instead of hashing 20,000 times.
    password = factory.django.Password(DEFAULT_PASSWORD)

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


class EmailAddressFactory(factory.django.DjangoModelFactory):
    """A verified primary address of ``user`` (allauth's table)."""

    class Meta:
        model = EmailAddress

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email)
    primary = True
    verified = True


class MembershipFactory(factory.django.DjangoModelFactory):
    """An approved medical-student membership. A saved user already has one (a
    post_save signal makes it), so this builds rows for ``bulk_create``."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    member_type = Membership.MemberType.MEDICAL_STUDENT
    institution = "Example School of Medicine"
    graduation_year = factory.LazyFunction(lambda: timezone.localdate().year + 2)
    region = Membership.Region.NORTHEAST
    status = Membership.Status.APPROVED
    expires_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=200)
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
