"""factory_boy factories of the listserv app: the one description of a valid row,
used by the tests, the demo (`load_demo_data`) and the scale seed."""

import factory
from django.utils import timezone

from listserv.models import Mailing, Role, Subscriber


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber unless ``status`` says otherwise."""

    class Meta:
        model = Subscriber

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"subscriber{n}@example.org")
    role = Role.PHYSICIAN
    institution = "Example Medical Center"
    state = "TX"
    status = Subscriber.Status.CONFIRMED
    consent_text = "I agree (test)."
    confirmed_at = factory.LazyFunction(timezone.now)


class MailingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailing

    subject = factory.Sequence(lambda n: f"Volunteer opportunity {n}")
    body_markdown = (
        "Hello mentors,\n\nPlease **volunteer** at [the fair](https://lmsa.net/fair)."
    )
