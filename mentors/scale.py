"""Scale data for benchmarks: 10,000 mentors, built by MentorFactory and saved with
bulk inserts (reproducible)."""

import random

from django.utils import timezone

from lmsa_portal.locations import US_STATE_NAMES
from members.scale import FIRST, LAST
from mentors.factories import MentorFactory
from mentors.models import Language, Mentor
from residency_hub.models import Specialty

SCALE_EMAIL_DOMAIN = "mentors.scale.lmsa.example"
CITIES = [
    "Albuquerque",
    "Houston",
    "San Juan",
    "Los Angeles",
    "Chicago",
    "Miami",
    "New York",
    "Phoenix",
    "San Antonio",
    "Denver",
    "Boston",
    "Atlanta",
]
INSTITUTION_KINDS = ["Medical Center", "University Hospital", "Health"]
REQUESTS = [
    "Premeds only, please.",
    "Medical students interested in cardiology.",
    "Happy to review personal statements.",
    "",
    "Spanish speakers welcome.",
    "First-generation students especially.",
]


def seed(*, rng: random.Random, counts: dict[str, int]) -> str:
    if Mentor.objects.filter(email__endswith=SCALE_EMAIL_DOMAIN).exists():
        return "mentors: already seeded"
    specialties = list(Specialty.objects.all())
    languages = list(Language.objects.all())
    now = timezone.now()
    mentors = []
    for n in range(counts["mentors"]):
        specialty = rng.choice(specialties)
        mentor = MentorFactory.build(
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            credentials=rng.choice(["MD", "DO", "MD, MPH", "MD, PhD"]),
            email=f"mentor{n:06d}@{SCALE_EMAIL_DOMAIN}",
            phone=f"505-555-{n % 10000:04d}",
            specialty=specialty,
            institution=f"{rng.choice(CITIES)} {rng.choice(INSTITUTION_KINDS)}",
            city=rng.choice(CITIES),
            state=rng.choice(list(US_STATE_NAMES)),
            mentors_premed=rng.random() < 0.6,
            mentors_medical_students=rng.random() < 0.8,
            mentors_residents=rng.random() < 0.4,
            offers_virtual=rng.random() < 0.8,
            offers_in_person=rng.random() < 0.4,
            capacity=rng.randint(1, 5),
            accepting_mentees=rng.random() < 0.85,
            bio=f"{specialty.name} physician who mentors Latino trainees.",
            special_requests=rng.choice(REQUESTS),
            consent_to_share=True,
            consented_at=now,
            status=Mentor.Status.APPROVED
            if rng.random() < 0.9
            else Mentor.Status.PENDING,
            confirmed_at=now,
        )
        if mentor.status == Mentor.Status.PENDING:
            mentor.decided_at = None  # the factory dates the decision; none yet
        mentors.append(mentor)
    Mentor.objects.bulk_create(mentors, batch_size=2000)
    through = Mentor.languages.through
    links = []
    for mentor_id in Mentor.objects.filter(
        email__endswith=SCALE_EMAIL_DOMAIN
    ).values_list("pk", flat=True):
        for language in rng.sample(languages, k=min(len(languages), rng.randint(1, 3))):
            links.append(through(mentor_id=mentor_id, language_id=language.pk))
    through.objects.bulk_create(links, batch_size=5000)
    return f"mentors: {len(mentors)}"
