"""Demo data for `make run`: a few subscribers in each state and a draft mailing."""

from django.utils import timezone

from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Frequency, Interest, InterestCode, Role, Subscriber
from listserv.services import CONSENT_TEXT
from lmsa_portal.factories import create_or_refresh
from residency_hub.models import Specialty

DEMO_SUBSCRIBERS = [
    {
        "email": "dr.elena.vargas@lmsa.example",
        "name": "Dr. Elena Vargas",
        "role": Role.PHYSICIAN,
        "institution": "UCSF Fresno",
        "state": "CA",
        "specialty": "Family Medicine",
        "interests": [InterestCode.MENTOR_STUDENTS, InterestCode.RESIDENCY_ADVISING],
        "status": Subscriber.Status.CONFIRMED,
    },
    {
        "email": "dr.miguel.santos@lmsa.example",
        "name": "Dr. Miguel Santos",
        "role": Role.PHYSICIAN,
        "institution": "Baylor College of Medicine",
        "state": "TX",
        "specialty": "Emergency Medicine",
        "interests": [InterestCode.SPEAKING, InterestCode.COMMUNITY],
        "status": Subscriber.Status.CONFIRMED,
        "frequency": Frequency.MONTHLY,
    },
    {
        "email": "lucia.hernandez@lmsa.example",
        "name": "Lucía Hernández",
        "role": Role.RESIDENT,
        "institution": "Jackson Memorial Hospital",
        "state": "FL",
        "specialty": "Pediatrics",
        "interests": [InterestCode.MENTOR_PREMEDS],
        "status": Subscriber.Status.CONFIRMED,
    },
    {
        "email": "andres.morales@lmsa.example",
        "name": "Andrés Morales",
        "role": Role.MEDICAL_STUDENT,
        "institution": "University of New Mexico School of Medicine",
        "state": "NM",
        "specialty": None,
        "interests": [InterestCode.RESEARCH],
        "status": Subscriber.Status.UNCONFIRMED,
    },
    {
        "email": "dr.rosa.jimenez@lmsa.example",
        "name": "Dr. Rosa Jiménez",
        "role": Role.PHYSICIAN,
        "institution": "Northwestern Medicine",
        "state": "IL",
        "specialty": "Internal Medicine",
        "interests": [InterestCode.PARTNERS],
        "status": Subscriber.Status.UNSUBSCRIBED,
    },
]

DEMO_MAILING_SUBJECT = "Mentors needed: LMSA National Conference mentorship lunch"
DEMO_MAILING_BODY = """\
Dear mentors,

LMSA is pairing **physicians and residents** with medical students for a
mentorship lunch at the National Conference this spring.

- One hour, in person or by video
- Up to three students per table
- Topics: residency applications, research, balancing training and family

[Volunteer through the conference page](https://lmsa.net/conference/) before
March 1. Thank you for opening doors for the next generation of Latino physicians!
"""


def load_demo() -> list[str]:
    """Create the demo subscribers and draft mailing (idempotent)."""
    now = timezone.now()
    for entry in DEMO_SUBSCRIBERS:
        entry = dict(entry)
        interests = entry.pop("interests")
        specialty_name = entry.pop("specialty")
        status = entry.pop("status")
        if Subscriber.objects.filter(email=entry["email"]).exists():
            continue  # made on an earlier run; the person may have changed it since
        subscriber = SubscriberFactory(
            **entry,
            specialty=Specialty.objects.filter(name=specialty_name).first()
            if specialty_name
            else None,
            status=status,
            consent_text=str(CONSENT_TEXT),
            confirmation_sent_at=now,
            confirmed_at=now if status != Subscriber.Status.UNCONFIRMED else None,
            unsubscribed_at=now if status == Subscriber.Status.UNSUBSCRIBED else None,
        )
        subscriber.interests.set(Interest.objects.filter(code__in=interests))
    create_or_refresh(
        MailingFactory,
        lookup={"subject": DEMO_MAILING_SUBJECT},
        defaults={
            "body_markdown": DEMO_MAILING_BODY,
            "roles": [Role.PHYSICIAN, Role.RESIDENT],
        },
    )
    return [
        f"Listserv: {Subscriber.objects.confirmed().count()} confirmed subscribers, "
        "a draft mailing (admin > Mailings)"
    ]
