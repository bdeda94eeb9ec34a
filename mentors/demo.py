"""Demo mentors for `make run`: a few dozen physicians across specialties and states.

Deterministic (fixed seed) and idempotent (matched on email address).
"""

import datetime
import random

from django.utils import timezone

from lmsa_portal.factories import create_or_refresh
from mentors.factories import MentorFactory
from mentors.models import Language, Mentor
from residency_hub.models import Specialty

SEED = 20260401

FIRST_NAMES = [
    "María",
    "José",
    "Ana",
    "Luis",
    "Carmen",
    "Carlos",
    "Rosa",
    "Miguel",
    "Lucía",
    "Jorge",
    "Isabel",
    "Alejandro",
    "Gabriela",
    "Ricardo",
    "Valeria",
    "Fernando",
    "Daniela",
    "Andrés",
    "Paola",
    "Eduardo",
    "Mariana",
    "Roberto",
    "Adriana",
    "Héctor",
    "Natalia",
    "Javier",
    "Elena",
    "Raúl",
    "Camila",
    "Óscar",
    "Beatriz",
    "Tomás",
    "Sofía",
    "Rafael",
    "Liliana",
    "Manuel",
]
LAST_NAMES = [
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
    "Morales",
    "Reyes",
    "Gutiérrez",
    "Ortiz",
    "Ramos",
    "Vargas",
    "Castillo",
    "Jiménez",
    "Mendoza",
    "Ruiz",
    "Álvarez",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Vega",
    "Castro",
    "Delgado",
    "Santiago",
    "Colón",
    "Figueroa",
]
# (city, state, institution)
PLACES = [
    ("San Juan", "PR", "University of Puerto Rico School of Medicine"),
    ("Ponce", "PR", "Ponce Health Sciences University"),
    ("Houston", "TX", "Baylor College of Medicine"),
    ("San Antonio", "TX", "UT Health San Antonio"),
    ("El Paso", "TX", "Texas Tech University Health Sciences Center El Paso"),
    ("Los Angeles", "CA", "David Geffen School of Medicine at UCLA"),
    ("San Francisco", "CA", "UCSF School of Medicine"),
    ("Sacramento", "CA", "UC Davis Health"),
    ("Miami", "FL", "University of Miami Miller School of Medicine"),
    ("Tampa", "FL", "USF Health Morsani College of Medicine"),
    ("Chicago", "IL", "Northwestern Medicine"),
    ("New York", "NY", "NYU Langone Health"),
    ("Bronx", "NY", "Montefiore Medical Center"),
    ("Albuquerque", "NM", "University of New Mexico Hospital"),
    ("Phoenix", "AZ", "Banner – University Medical Center Phoenix"),
    ("Denver", "CO", "Denver Health"),
    ("Newark", "NJ", "Rutgers New Jersey Medical School"),
    ("Boston", "MA", "Massachusetts General Hospital"),
    ("Atlanta", "GA", "Grady Health System"),
    ("Seattle", "WA", "Harborview Medical Center"),
]
SPECIALTIES = [
    ("Family Medicine", "Community health"),
    ("Internal Medicine", "Hospital medicine"),
    ("Pediatrics", "Neonatology"),
    ("Emergency Medicine", ""),
    ("Obstetrics and Gynecology", "Maternal-fetal medicine"),
    ("Psychiatry", "Child and adolescent psychiatry"),
    ("Surgery", "Trauma surgery"),
    ("Anesthesiology", "Pain medicine"),
    ("Neurology", "Stroke"),
    ("Dermatology", ""),
    ("Orthopaedic Surgery", "Sports medicine"),
    ("Radiology", "Neuroradiology"),
    ("Ophthalmology", ""),
    ("Internal Medicine", "Cardiology"),
    ("Internal Medicine", "Infectious disease"),
    ("Pediatrics", "Pediatric emergency medicine"),
]
# Real area codes (San Juan, Albuquerque, Miami, Los Angeles, Chicago, Houston,
# New York) so every seeded phone number is a valid one.
AREA_CODES = [787, 505, 305, 213, 312, 713, 212]
CREDENTIALS = ["MD", "MD", "MD", "DO", "MD, MPH", "MD, PhD", "DO, MPH"]
REQUESTS = [
    "",
    "",
    "Premedical students only, please.",
    "Medical students applying in my specialty; please send your CV first.",
    "First-generation college students especially welcome.",
    "Happy to review personal statements in Spanish or English.",
    "Residents interested in academic medicine.",
    "Please email rather than call; I answer on weekends.",
]
BIOS = [
    "First in my family to attend college. I love helping students find their "
    "way through applications and the first years of training.",
    "I trained in {city} and have practiced there since. Ask me about research, "
    "residency applications and balancing family and medicine.",
    "I mentor through LMSA because a mentor changed my path. I can help with "
    "MCAT planning, interviews and choosing a specialty.",
    "Bilingual clinician caring for Spanish-speaking families; interested in "
    "health equity and community outreach.",
]
PENDING_AT = {34, 35}  # the last two wait for staff review
PAUSED_AT = {7}
REMINDED_AT = {5}  # reconfirmation emailed 10 days ago, no answer yet
STALE_AT = {6}  # unanswered for over 30 days: out of the directory


def load_demo() -> list[str]:
    """Create or refresh the demo mentors; returns a line for `load_demo_data`."""
    rng = random.Random(SEED)
    languages = {language.code: language for language in Language.objects.all()}
    specialties = {specialty.name: specialty for specialty in Specialty.objects.all()}
    now = timezone.now()
    count = 0
    for index in range(36):
        first_name = FIRST_NAMES[index]
        last_name = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        city, state, institution = PLACES[index % len(PLACES)]
        specialty_name, subspecialty = SPECIALTIES[index % len(SPECIALTIES)]
        specialty = specialties.get(specialty_name)
        if specialty is None:
            continue
        spoken = ["es", "en"] if rng.random() < 0.8 else ["en"]
        if rng.random() < 0.15:
            spoken.append(rng.choice(["pt", "fr", "ht"]))
        levels = rng.sample(
            ["premed", "medical_student", "resident"], k=rng.choice([1, 2, 2, 3])
        )
        virtual = rng.random() < 0.85
        bio = rng.choice(BIOS).format(city=city)
        special_requests = rng.choice(REQUESTS)
        if "Spanish" in bio + special_requests and "es" not in spoken:
            spoken.insert(0, "es")  # a bio that says bilingual lists Spanish
        status = (
            Mentor.Status.PENDING if index in PENDING_AT else Mentor.Status.APPROVED
        )
        confirmed = now - datetime.timedelta(days=rng.randint(5, 330))
        reminded_at = stale_since = None
        if index in REMINDED_AT:
            confirmed = now - datetime.timedelta(days=380)
            reminded_at = now - datetime.timedelta(days=10)
        if index in STALE_AT:
            confirmed = now - datetime.timedelta(days=420)
            reminded_at = now - datetime.timedelta(days=45)
            stale_since = now - datetime.timedelta(days=15)
        email = (
            f"{first_name}.{last_name}".lower()
            .translate(str.maketrans("áéíóúñÁÉÍÓÚÑ", "aeiounAEIOUN"))
            .replace(" ", "")
            + "@mentors.lmsa.example"
        )
        mentor = create_or_refresh(
            MentorFactory,
            lookup={"email": email},
            first_name=first_name,
            last_name=last_name,
            credentials=rng.choice(CREDENTIALS),
            phone=f"({rng.choice(AREA_CODES)}) 555-{rng.randint(100, 199):04d}"
            if rng.random() < 0.6
            else "",
            specialty=specialty,
            subspecialty=subspecialty,
            institution=institution,
            city=city,
            state=state,
            mentors_premed="premed" in levels,
            mentors_medical_students="medical_student" in levels,
            mentors_residents="resident" in levels,
            offers_virtual=virtual,
            offers_in_person=not virtual or rng.random() < 0.5,
            capacity=rng.choice([1, 2, 2, 3, 4, 5]),
            accepting_mentees=rng.random() < 0.85,
            bio=bio,
            special_requests=special_requests,
            consent_to_share=True,
            consented_at=confirmed,
            status=status,
            decided_at=None if status == Mentor.Status.PENDING else confirmed,
            confirmed_at=None if status == Mentor.Status.PENDING else confirmed,
            paused_until=timezone.localdate() + datetime.timedelta(days=60)
            if index in PAUSED_AT
            else None,
            reconfirmation_sent_at=reminded_at,
            stale_since=stale_since,
            language="es" if "es" in spoken and rng.random() < 0.4 else "en",
        )
        mentor.languages.set([languages[code] for code in spoken if code in languages])
        count += 1
    return [
        f"Mentor Registry: {count} demo mentors at /mentors/ "
        "(2 waiting for review, 1 paused, 1 stale; admin > Mentors)"
    ]
