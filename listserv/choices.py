"""Fixed choice lists of the listserv."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lmsa_portal.locations import us_state_choices


class Role(models.TextChoices):
    PHYSICIAN = "physician", _("Physician")
    RESIDENT = "resident", _("Resident")
    MEDICAL_STUDENT = "medical_student", _("Medical student")
    OTHER = "other", _("Other")


class Frequency(models.TextChoices):
    EVERY = "every", _("Every opportunity as it is announced")
    MONTHLY = "monthly", _("At most one email a month")


class InterestCode(models.TextChoices):
    MENTOR_STUDENTS = "mentor_students", _("Mentoring medical students")
    MENTOR_PREMEDS = "mentor_premeds", _("Mentoring premedical students")
    RESIDENCY_ADVISING = "residency_advising", _("Residency application advising")
    RESEARCH = "research", _("Research mentorship")
    SPEAKING = "speaking", _("Speaking at events and Ask Me Anything sessions")
    COMMUNITY = "community", _("Community health volunteering")
    PARTNERS = "partners", _("Opportunities with partner organizations")
    AMA = "ama", _("New Ask Me Anything sessions, when one is announced")


def subscriber_state_choices() -> list[tuple[str, str]]:
    """A subscriber's state: a US state or territory, or outside the country."""
    return [*us_state_choices(), ("XX", _("Outside the United States"))]
