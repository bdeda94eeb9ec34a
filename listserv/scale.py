"""Scale data for benchmarks: 50,000 listserv subscribers (built by SubscriberFactory)
and one sent mailing with a delivery to each (bulk inserts, reproducible)."""

import random

from django.utils import timezone

from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery, Interest, Mailing, Role, Subscriber

SCALE_EMAIL_DOMAIN = "list.scale.lmsa.example"


def seed(*, rng: random.Random, counts: dict[str, int]) -> str:
    if Subscriber.objects.filter(email__endswith=SCALE_EMAIL_DOMAIN).exists():
        return "listserv: already seeded"
    states = [code for code, _label in Subscriber._meta.get_field("state").choices]
    roles = Role.values
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            SubscriberFactory.build(
                name=f"Subscriber {n}",
                email=f"subscriber{n:06d}@{SCALE_EMAIL_DOMAIN}",
                role=rng.choice(roles),
                state=rng.choice(states),
                status=Subscriber.Status.CONFIRMED,
                source=Subscriber.Source.SIGNUP,
                consent_text="I agree to receive occasional emails from LMSA.",
                confirmed_at=now,
            )
            for n in range(counts["subscribers"])
        ],
        batch_size=5000,
    )
    interests = list(Interest.objects.values_list("pk", flat=True))
    through = Subscriber.interests.through
    if interests:
        through.objects.bulk_create(
            [
                through(subscriber_id=pk, interest_id=rng.choice(interests))
                for pk in Subscriber.objects.filter(
                    email__endswith=SCALE_EMAIL_DOMAIN
                ).values_list("pk", flat=True)
            ],
            batch_size=5000,
        )
    # One sent mailing, so the admin's delivery list has a row per subscriber.
    mailing = MailingFactory(
        subject="Scale mailing", body_markdown="Hello.", status=Mailing.Status.SENT
    )
    Delivery.objects.bulk_create(
        (
            Delivery(
                mailing=mailing,
                subscriber_id=pk,
                status=Delivery.Status.SENT,
                sent_at=now,
            )
            for pk in Subscriber.objects.filter(
                email__endswith=SCALE_EMAIL_DOMAIN
            ).values_list("pk", flat=True)
        ),
        batch_size=5000,
    )
    return f"listserv: {counts['subscribers']} subscribers, as many deliveries"
