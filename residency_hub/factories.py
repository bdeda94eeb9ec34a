"""factory_boy factories of the residency hub: the one description of a valid row,
used by the tests, the demo (`load_demo_data`) and the scale seed."""

import datetime

import factory
from django.utils import timezone

from residency_hub.models import (
    AdvisorContact,
    Event,
    Program,
    ProgramCoordinator,
    ProgramSubmission,
    Specialty,
    SubmittedContact,
    SubmittedEvent,
)


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Test Specialty {n}")
    slug = factory.Sequence(lambda n: f"test-specialty-{n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Residency Program {n}")
    slug = factory.Sequence(lambda n: f"residency-program-{n}")
    institution = factory.Sequence(lambda n: f"University Hospital {n}")
    specialty = factory.SubFactory(SpecialtyFactory)
    city = "Albuquerque"
    state = "NM"
    website = "https://example.org/residency"
    program_size = 12
    diversity_mission = "We train physicians who reflect the communities we serve."
    dei_initiatives = "- URM mentoring\n- Holistic review"
    last_verified_on = factory.LazyFunction(timezone.localdate)


class AdvisorContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisorContact

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Dr. Advisor {n}")
    role = "Program director"
    email = factory.Sequence(lambda n: f"advisor{n}@hospital.example")
    phone = "+1 505 555 0100"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    specialty = factory.SubFactory(SpecialtyFactory)
    title = factory.Sequence(lambda n: f"Virtual open house {n}")
    description = "Meet our residents and ask about **DEI** initiatives."
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(
            minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    time_zone = "America/New_York"
    link = "https://meet.example.org/open-house"
    host = "Program director"


class ProgramSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramSubmission

    submitter_name = "Rosa Coordinator"
    submitter_email = factory.Sequence(lambda n: f"coordinator{n}@hospital.example")
    name = factory.Sequence(lambda n: f"Submitted Program {n}")
    institution = "County Medical Center"
    specialty = factory.SubFactory(SpecialtyFactory)
    city = "El Paso"
    state = "TX"
    diversity_mission = "Serving the border region."


class SubmittedContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmittedContact

    submission = factory.SubFactory(ProgramSubmissionFactory)
    name = factory.Sequence(lambda n: f"Dr. Advisor {n}")
    role = "Program director"
    email = factory.Sequence(lambda n: f"advisor{n}@hospital.example")


class SubmittedEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmittedEvent

    submission = factory.SubFactory(ProgramSubmissionFactory)
    title = factory.Sequence(lambda n: f"Open house {n}")
    starts_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=10)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    time_zone = "America/New_York"
    link = "https://meet.example.org/open-house"


class ProgramCoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramCoordinator

    program = factory.SubFactory(ProgramFactory)
    email = factory.Sequence(lambda n: f"program.coordinator{n}@hospital.example")
    name = factory.Sequence(lambda n: f"Coordinator {n}")
