"""Scale data for benchmarks: 2,000 programs with advisor contacts and 20,000 events,
built by the hub's factories and saved with bulk inserts (reproducible)."""

import datetime
import random
import uuid

from django.utils import timezone

from lmsa_portal.locations import US_STATE_NAMES
from mentors.scale import CITIES
from residency_hub.factories import AdvisorContactFactory, EventFactory, ProgramFactory
from residency_hub.models import AdvisorContact, Event, Program, Specialty

SCALE_SLUG_PREFIX = "scale-"
DESCRIPTION = "Meet residents and faculty; ask about our DEI initiatives."
MISSION = (
    "We train physicians who reflect the communities we serve. Our {specialty} program "
    "recruits and supports residents underrepresented in medicine through holistic "
    "review, mentorship and community partnerships."
)
INITIATIVES = (
    "- URM visiting-student scholarships\n- Medical Spanish curriculum\n"
    "- Community health track with local clinics\n"
    "- Pipeline programs for high schoolers"
)


def seed(*, rng: random.Random, counts: dict[str, int]) -> str:
    if Program.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).exists():
        return "residency_hub: already seeded"
    specialties = list(Specialty.objects.all())
    today = timezone.localdate()
    programs = []
    for n in range(counts["programs"]):
        specialty = rng.choice(specialties)
        city = rng.choice(CITIES)
        programs.append(
            ProgramFactory.build(
                name=f"{city} {specialty.name} Residency {n}",
                slug=f"{SCALE_SLUG_PREFIX}{n:05d}",
                institution=f"{city} University Hospital",
                specialty=specialty,
                city=city,
                state=rng.choice(list(US_STATE_NAMES)),
                program_size=rng.randint(6, 90),
                diversity_mission=MISSION.format(specialty=specialty.name),
                dei_initiatives=INITIATIVES,
                applicant_tips="Tell us about your community work and your languages.",
                last_verified_on=today - datetime.timedelta(days=rng.randint(0, 500)),
            )
        )
    Program.objects.bulk_create(programs, batch_size=1000)
    programs = list(
        Program.objects.filter(slug__startswith=SCALE_SLUG_PREFIX)
        .select_related("specialty")
        .only("pk", "specialty")
    )
    AdvisorContact.objects.bulk_create(
        [
            AdvisorContactFactory.build(
                program=p,
                name="Program Coordinator",
                role="Coordinator",
                email=f"coordinator{p.pk}@programs.scale.lmsa.example",
                phone="505-555-0100",
            )
            for p in programs
        ],
        batch_size=2000,
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    events = []
    for n in range(counts["events"]):
        program = rng.choice(programs)
        starts_at = now + datetime.timedelta(hours=rng.randint(-24 * 120, 24 * 240))
        events.append(
            EventFactory.build(
                uid=uuid.UUID(int=rng.getrandbits(128)),
                specialty=program.specialty,
                program=program,
                title=f"Virtual open house {n}",
                description=DESCRIPTION,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=1),
                time_zone=rng.choice(
                    [
                        "America/New_York",
                        "America/Chicago",
                        "America/Los_Angeles",
                        "America/Puerto_Rico",
                    ]
                ),
                link="https://meet.example.org/open-house",
                host="Program leadership",
            )
        )
    Event.objects.bulk_create(events, batch_size=2000)
    return f"residency_hub: {len(programs)} programs, {len(events)} events"
