"""Demo residency programs and virtual events for `make run`.

The programs and people are fictional. Deterministic and idempotent: programs are
matched on slug, contacts on name, events on a UID derived from their key; event
dates are relative to today, so a later run moves them forward (and, as for any
edit, their SEQUENCE goes up).
"""

import datetime
import uuid
import zoneinfo

from django.utils import timezone

from lmsa_portal.factories import create_or_refresh
from residency_hub.factories import (
    AdvisorContactFactory,
    EventFactory,
    ProgramFactory,
)
from residency_hub.models import Event, Specialty

UID_NAMESPACE = uuid.UUID("5d1b7d4e-3f7c-4c55-9a3e-1c3f0f6d2a10")

PROGRAMS = [
    {
        "slug": "sonoran-community-family-medicine",
        "name": "Sonoran Community Family Medicine Residency",
        "institution": "Sonoran Community Health System",
        "specialty": "family-medicine",
        "city": "Tucson",
        "state": "AZ",
        "program_size": 10,
        "diversity_mission": (
            "We train family physicians **from and for** the borderlands: half of "
            "our patients prefer Spanish, and our residents reflect that."
        ),
        "dei_initiatives": (
            "- Holistic review of every application; no Step 2 score cut-off\n"
            "- Paid Spanish-language continuity clinic\n"
            "- Monthly *Círculo* dinners for URM residents and faculty"
        ),
        "applicant_tips": (
            "Tell us about your ties to underserved communities. Letters from "
            "community preceptors count as much as academic ones."
        ),
        "pipeline_opportunities": (
            "URM visiting-student scholarship: $1,500 toward a four-week away "
            "rotation, housing included."
        ),
        "special_tracks": "Medical Spanish and rural health tracks.",
        "verified_days_ago": 20,
        "contacts": [
            ("Dr. Marisol Peña", "Program director", "mpena@sonoran.example"),
            ("Daniel Ortiz", "Program coordinator", "dortiz@sonoran.example"),
        ],
    },
    {
        "slug": "gulf-coast-internal-medicine",
        "name": "Gulf Coast Internal Medicine Residency",
        "institution": "Gulf Coast University Hospital",
        "specialty": "internal-medicine",
        "city": "Houston",
        "state": "TX",
        "program_size": 36,
        "diversity_mission": (
            "Health equity is part of the core curriculum, not an elective."
        ),
        "dei_initiatives": (
            "- Health-equity research track with protected time\n"
            "- Second-look weekend for URM applicants\n"
            "- Implicit-bias training for every interviewer"
        ),
        "applicant_tips": "Ask to meet our LMSA alumni during your interview day.",
        "pipeline_opportunities": "Summer research program for first-year students.",
        "special_tracks": "Community-health and global-health tracks.",
        "verified_days_ago": 100,
        "contacts": [
            ("Dr. Alejandro Ruiz", "Associate program director for DEI", ""),
            ("Lucía Hernández", "Chief resident", "lhernandez@gulfcoast.example"),
        ],
    },
    {
        "slug": "bay-pediatrics-residency",
        "name": "Bay Area Pediatrics Residency",
        "institution": "Bayview Children's Hospital",
        "specialty": "pediatrics",
        "city": "Oakland",
        "state": "CA",
        "program_size": 24,
        "diversity_mission": "Caring for every child starts with who we train.",
        "dei_initiatives": (
            "- Community advocacy rotation with local schools\n"
            "- Mentoring program pairing URM residents with faculty"
        ),
        "applicant_tips": "Share your advocacy work; we read every personal statement.",
        "pipeline_opportunities": "Away-rotation scholarship for URM students.",
        "special_tracks": "Medical Spanish track with certification.",
        "verified_days_ago": 45,
        "contacts": [
            ("Dr. Gabriela Torres", "Program director", "gtorres@bayview.example")
        ],
    },
    {
        "slug": "island-emergency-medicine",
        "name": "Island Emergency Medicine Residency",
        "institution": "Hospital Universitario del Caribe",
        "specialty": "emergency-medicine",
        "city": "San Juan",
        "state": "PR",
        "program_size": 12,
        "diversity_mission": "Bilingual emergency care for Puerto Rico and beyond.",
        "dei_initiatives": "- Disaster-medicine training grounded in our community",
        "applicant_tips": "Fluency in Spanish is a plus, not a requirement.",
        "pipeline_opportunities": "Visiting-student rotation with housing support.",
        "special_tracks": "",
        "verified_days_ago": 420,
        "contacts": [("Dr. Ricardo Colón", "Program director", "rcolon@huc.example")],
    },
    {
        "slug": "lakeshore-obgyn",
        "name": "Lakeshore Obstetrics and Gynecology Residency",
        "institution": "Lakeshore Medical Center",
        "specialty": "obstetrics-and-gynecology",
        "city": "Chicago",
        "state": "IL",
        "program_size": 8,
        "diversity_mission": "Reducing maternal health disparities on the South Side.",
        "dei_initiatives": (
            "- Doula partnership program\n- Paid research year in health equity"
        ),
        "applicant_tips": "Show us your commitment to the communities you serve.",
        "pipeline_opportunities": "URM away-rotation scholarship.",
        "special_tracks": "Community-health track.",
        "verified_days_ago": 200,
        "contacts": [("Dr. Paola Méndez", "DEI lead", "pmendez@lakeshore.example")],
    },
    {
        "slug": "high-desert-psychiatry",
        "name": "High Desert Psychiatry Residency",
        "institution": "High Desert University",
        "specialty": "psychiatry",
        "city": "Albuquerque",
        "state": "NM",
        "program_size": 8,
        "diversity_mission": "Culturally grounded mental health care.",
        "dei_initiatives": "- Partnership with tribal and Hispanic community clinics",
        "applicant_tips": "Tell us what brought you to psychiatry.",
        "pipeline_opportunities": "",
        "special_tracks": "Medical Spanish track.",
        "verified_days_ago": None,
        "contacts": [("Dr. Andrés Vigil", "Program director", "avigil@hdu.example")],
    },
    {
        "slug": "empire-general-surgery",
        "name": "Empire General Surgery Residency",
        "institution": "Empire City Hospital",
        "specialty": "surgery",
        "city": "New York",
        "state": "NY",
        "program_size": 7,
        "diversity_mission": "A surgical workforce that looks like New York.",
        "dei_initiatives": (
            "- Latino Surgical Society chapter\n- Sponsored ACS attendance"
        ),
        "applicant_tips": "Away rotations matter: apply early through VSLO.",
        "pipeline_opportunities": "Summer surgical skills program for URM students.",
        "special_tracks": "",
        "verified_days_ago": 10,
        "contacts": [
            ("Dr. Jorge Castillo", "Program director", "jcastillo@empire.example")
        ],
    },
]

# (key, program slug, specialty slug, title, days ahead, local hour, zone, host)
EVENTS = [
    (
        "sonoran-open-house",
        "sonoran-community-family-medicine",
        "family-medicine",
        "Virtual open house: Sonoran Family Medicine",
        6,
        18,
        "America/Phoenix",
        "Dr. Marisol Peña",
    ),
    (
        "sonoran-spanish-track",
        "sonoran-community-family-medicine",
        "family-medicine",
        "Info session: Medical Spanish track",
        27,
        17,
        "America/Phoenix",
        "Daniel Ortiz",
    ),
    (
        "fm-lmsa-panel",
        "",
        "family-medicine",
        "LMSA panel: Matching into family medicine as a URM applicant",
        41,
        19,
        "America/New_York",
        "LMSA Residency Hub",
    ),
    (
        "gulf-second-look",
        "gulf-coast-internal-medicine",
        "internal-medicine",
        "Second look for URM applicants",
        13,
        12,
        "America/Chicago",
        "Dr. Alejandro Ruiz",
    ),
    (
        "gulf-equity-grand-rounds",
        "gulf-coast-internal-medicine",
        "internal-medicine",
        "Health-equity grand rounds (open to students)",
        34,
        8,
        "America/Chicago",
        "Gulf Coast Internal Medicine",
    ),
    (
        "bay-peds-meet",
        "bay-pediatrics-residency",
        "pediatrics",
        "Meet the residents: Bay Area Pediatrics",
        9,
        17,
        "America/Los_Angeles",
        "Dr. Gabriela Torres",
    ),
    (
        "island-em-qa",
        "island-emergency-medicine",
        "emergency-medicine",
        "Q&A: Emergency medicine in Puerto Rico",
        16,
        18,
        "America/Puerto_Rico",
        "Dr. Ricardo Colón",
    ),
    (
        "lakeshore-doula",
        "lakeshore-obgyn",
        "obstetrics-and-gynecology",
        "Webinar: Doula partnerships and maternal equity",
        20,
        18,
        "America/Chicago",
        "Dr. Paola Méndez",
    ),
    (
        "high-desert-open-house",
        "high-desert-psychiatry",
        "psychiatry",
        "Virtual open house: High Desert Psychiatry",
        48,
        16,
        "America/Denver",
        "Dr. Andrés Vigil",
    ),
    (
        "empire-skills",
        "empire-general-surgery",
        "surgery",
        "Suturing skills night for URM students",
        23,
        18,
        "America/New_York",
        "Dr. Jorge Castillo",
    ),
    (
        "fm-past-webinar",
        "",
        "family-medicine",
        "Past webinar: Writing your personal statement",
        -12,
        19,
        "America/New_York",
        "LMSA Residency Hub",
    ),
]


def _specialty(slug: str) -> Specialty:
    return Specialty.objects.get(slug=slug)


def load_demo() -> list[str]:
    """Create or refresh the demo programs, contacts and events."""
    today = timezone.localdate()
    programs = {}
    for data in PROGRAMS:
        data = dict(data)
        contacts = data.pop("contacts")
        days_ago = data.pop("verified_days_ago")
        data["specialty"] = _specialty(data["specialty"])
        data["website"] = f"https://{data['slug']}.example/"
        data["last_verified_on"] = (
            today - datetime.timedelta(days=days_ago) if days_ago is not None else None
        )
        slug = data.pop("slug")
        program = create_or_refresh(ProgramFactory, lookup={"slug": slug}, **data)
        programs[slug] = program
        for position, (name, role, email) in enumerate(contacts):
            create_or_refresh(
                AdvisorContactFactory,
                lookup={"program": program, "name": name},
                role=role,
                email=email,
                phone=f"+1 505 555 {position + 100:04d}",
                position=position,
            )
    for key, program_slug, specialty_slug, title, days, hour, zone, host in EVENTS:
        local_day = today + datetime.timedelta(days=days)
        starts_at = datetime.datetime.combine(
            local_day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(zone)
        )
        create_or_refresh(
            EventFactory,
            lookup={"uid": uuid.uuid5(UID_NAMESPACE, key)},
            specialty=_specialty(specialty_slug),
            program=programs.get(program_slug),
            title=title,
            description=(
                "Join us online to ask about **diversity, equity and inclusion** "
                "in training, away rotations and what we look for in applicants."
            ),
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1, minutes=30),
            time_zone=zone,
            link=f"https://meet.example.org/{key}",
            host=host,
            status=Event.Status.CONFIRMED,
        )
    return [
        f"Residency Hub: {len(PROGRAMS)} programs and {len(EVENTS)} events "
        "(e.g. /residency-hub/specialties/family-medicine/calendar/)"
    ]
