"""Scale data for benchmarks: 20,000 members, built by the members factories and
saved with bulk inserts (reproducible)."""

import datetime
import random

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from members.factories import MembershipFactory, UserFactory
from members.models import Membership, User

SCALE_EMAIL_DOMAIN = "scale.lmsa.example"
BENCH_MEMBER_EMAIL = f"bench-member@{SCALE_EMAIL_DOMAIN}"
BENCH_PASSWORD = "bench-member-password"

FIRST = [
    "Ana",
    "Luis",
    "María",
    "José",
    "Camila",
    "Diego",
    "Sofía",
    "Mateo",
    "Valeria",
    "Carlos",
    "Isabella",
    "Javier",
    "Lucía",
    "Andrés",
    "Gabriela",
    "Miguel",
]
LAST = [
    "García",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
    "Cruz",
]


def seed(*, rng: random.Random, counts: dict[str, int]) -> str:
    """Create ``counts["members"]`` verified members with memberships."""
    if User.objects.filter(email__endswith=SCALE_EMAIL_DOMAIN).exists():
        return "members: already seeded"
    # One hash for every row: hashing 20,000 passwords would take minutes.
    password = factory.Transformer.Force(make_password(BENCH_PASSWORD))
    today = timezone.localdate()
    users = [
        UserFactory.build(
            email=f"member{n:06d}@{SCALE_EMAIL_DOMAIN}",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            password=password,
        )
        for n in range(counts["members"] - 1)
    ]
    users.append(
        UserFactory.build(
            email=BENCH_MEMBER_EMAIL,
            first_name="Bench",
            last_name="Member",
            password=password,
        )
    )
    User.objects.bulk_create(users, batch_size=2000)
    users = list(
        User.objects.filter(email__endswith=SCALE_EMAIL_DOMAIN).only("pk", "email")
    )
    # allauth's own table: one plain row per user, like its signup makes.
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=u.pk, email=u.email, verified=True, primary=True)
            for u in users
        ],
        batch_size=2000,
    )
    statuses = [Membership.Status.APPROVED] * 8 + [Membership.Status.PENDING]
    Membership.objects.bulk_create(
        [
            MembershipFactory.build(
                user=u,
                member_type=rng.choice(Membership.MemberType.values),
                institution=f"School of Medicine {rng.randint(1, 190)}",
                graduation_year=today.year + rng.randint(0, 6),
                region=rng.choice(Membership.Region.values),
                status=(
                    Membership.Status.APPROVED
                    if u.email == BENCH_MEMBER_EMAIL
                    else rng.choice(statuses)
                ),
                expires_on=today + datetime.timedelta(days=rng.randint(30, 700)),
            )
            for u in users
        ],
        batch_size=2000,
        ignore_conflicts=True,  # the post_save signal does not fire on bulk_create
    )
    return f"members: {len(users)}"
