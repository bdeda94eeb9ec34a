"""factory_boy factories of the mentors app: the one description of a valid row,
used by the tests, the demo (`load_demo_data`) and the scale seed."""

import factory
from django.utils import timezone

from mentors.models import Language, Mentor
from residency_hub.factories import SpecialtyFactory

LANGUAGE_NAMES = {"es": "Spanish", "en": "English", "pt": "Portuguese", "fr": "French"}


def language(code: str) -> Language:
    """A language the migration loads (es, en, pt, ...); created again when a
    transactional test (browser journeys) emptied the table."""
    return Language.objects.get_or_create(
        code=code, defaults={"name": LANGUAGE_NAMES.get(code, code)}
    )[0]


class MentorFactory(factory.django.DjangoModelFactory):
    """An approved, live listing unless told otherwise; speaks English by default."""

    class Meta:
        model = Mentor
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    credentials = "MD"
    email = factory.Sequence(lambda n: f"mentor{n}@hospital.example")
    phone = factory.Sequence(lambda n: f"(787) 555-{n % 10000:04d}")
    specialty = factory.SubFactory(SpecialtyFactory)
    institution = "General Hospital"
    city = "Houston"
    state = "TX"
    mentors_medical_students = True
    offers_virtual = True
    capacity = 2
    consent_to_share = True
    consented_at = factory.LazyFunction(timezone.now)
    status = Mentor.Status.APPROVED
    decided_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if not create:
            return
        codes = extracted if extracted is not None else ["en"]
        self.languages.set([language(code) for code in codes])
