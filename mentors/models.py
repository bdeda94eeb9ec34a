"""The National Mentor Registry: physicians who mentor, and the languages they speak."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lmsa_portal.localized import LocalizedNameMixin, spanish_active, spanish_name_field
from lmsa_portal.locations import us_state_choices, us_state_name
from lmsa_portal.phones import PhoneNumberField
from members.access import is_active_member


class MenteeLevel(models.TextChoices):
    """Whom a mentor wants to mentor; each maps to a boolean field on Mentor."""

    PREMED = "premed", _("Premedical students")
    MEDICAL_STUDENT = "medical_student", _("Medical students")
    RESIDENT = "resident", _("Residents")


class MentoringMode(models.TextChoices):
    """How a mentor meets mentees; each maps to a boolean field on Mentor."""

    VIRTUAL = "virtual", _("Virtually")
    IN_PERSON = "in_person", _("In person")


# Choice value -> boolean field, shared by the form, the filters and the import.
MENTEE_LEVEL_FIELDS = {
    MenteeLevel.PREMED: "mentors_premed",
    MenteeLevel.MEDICAL_STUDENT: "mentors_medical_students",
    MenteeLevel.RESIDENT: "mentors_residents",
}
MODE_FIELDS = {
    MentoringMode.VIRTUAL: "offers_virtual",
    MentoringMode.IN_PERSON: "offers_in_person",
}


class Language(LocalizedNameMixin, models.Model):
    """A language a mentor speaks; staff may add more in admin.

    ``str()`` is the name in the reader's language: ``name_es`` for Spanish, else
    Django's own name for the code when it knows it (es: "Español"), else ``name``.
    """

    code = models.SlugField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    name_es = spanish_name_field(60)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return language_name(self.code, self.name, self.name_es)


def language_name(code: str, name: str, name_es: str) -> str:
    """A language's name in the reader's language (see ``Language``)."""
    if name_es and spanish_active():
        return name_es
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return name


class ContactChoice(models.TextChoices):
    EMAIL_AND_PHONE = "email_phone", _("Show my email and phone to active members")
    EMAIL = "email", _("Show my email, not my phone")
    PHONE = "phone", _("Show my phone, not my email")
    PORTAL = "portal", _("Contact me only through the portal")


def counts_toward_load(prefix: str = "") -> Q:
    """The load rule, in one place: open or accepted requests of the last
    MENTOR_LOAD_WINDOW_DAYS (``prefix`` reaches them through a relation)."""
    since = timezone.now() - datetime.timedelta(days=settings.MENTOR_LOAD_WINDOW_DAYS)
    return Q(
        **{
            f"{prefix}status__in": [
                MentorshipRequest.Status.OPEN,
                MentorshipRequest.Status.ACCEPTED,
            ],
            f"{prefix}created_at__gte": since,
        }
    )


class MentorQuerySet(models.QuerySet):
    def live(self, today: datetime.date | None = None):
        """Approved listings that are neither paused nor stale."""
        today = today or timezone.localdate()
        return self.filter(
            Q(paused_until__isnull=True) | Q(paused_until__lte=today),
            status=Mentor.Status.APPROVED,
            stale_since__isnull=True,
        )

    def visible_to(self, user):
        """What ``user`` may see in the directory: live listings for active members
        and staff, nothing for anyone else."""
        if not is_active_member(user):
            return self.none()
        return self.live()

    def for_directory(self):
        """Everything a directory card shows, in a fixed number of queries: with
        each listing's current load (``recent_requests``) and whether it takes new
        mentees now (``taking``: 1 or 0, for sorting)."""
        recent = Count("requests", filter=counts_toward_load("requests__"))
        return (
            self.select_related("specialty")
            .prefetch_related("languages")
            .annotate(recent_requests=recent)
            .annotate(
                taking=Case(
                    When(
                        accepting_mentees=True,
                        recent_requests__lt=F("capacity"),
                        then=Value(1),
                    ),
                    default=Value(0),
                )
            )
        )

    def with_email(self, email: str):
        return self.filter(email__iexact=(email or "").strip())

    def awaiting_review(self):
        """New sign-ups waiting for a staff decision."""
        return self.filter(status=Mentor.Status.PENDING)

    def needing_reconfirmation(self):
        """Approved listings gone stale, or emailed "still mentoring?" and not
        answered yet."""
        return self.filter(status=Mentor.Status.APPROVED).filter(
            Q(stale_since__isnull=False) | Q(reconfirmation_sent_at__isnull=False)
        )

    def open(self):
        """Listings a physician can still act on (not declined, not removed)."""
        return self.filter(status__in=[Mentor.Status.PENDING, Mentor.Status.APPROVED])


class Mentor(models.Model):
    """A physician who offers to mentor LMSA members."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        REMOVED = "removed", _("Removed")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    credentials = models.CharField(
        _("credentials"),
        max_length=60,
        help_text=_("For example MD, DO, MD MPH, MD PhD."),
    )
    email = models.EmailField(_("email address"), db_index=True)
    pending_email = models.EmailField(
        _("new email address, not confirmed yet"),
        blank=True,
        default="",
        db_default="",  # rows written by older code (and migrations) get one too
        help_text=_(
            "The physician asked to use this address; it replaces the one above "
            "when they open the link sent to it."
        ),
    )
    phone = PhoneNumberField(_("phone"), max_length=30, blank=True)
    specialty = models.ForeignKey(
        "residency_hub.Specialty",
        on_delete=models.PROTECT,
        related_name="mentors",
        verbose_name=_("specialty"),
    )
    subspecialty = models.CharField(_("subspecialty"), max_length=120, blank=True)
    institution = models.CharField(_("institution"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(
        _("state or territory"), max_length=2, choices=us_state_choices
    )
    languages = models.ManyToManyField(
        Language, related_name="mentors", verbose_name=_("languages spoken")
    )
    mentors_premed = models.BooleanField(
        _("mentors premedical students"), default=False
    )
    mentors_medical_students = models.BooleanField(
        _("mentors medical students"), default=False
    )
    mentors_residents = models.BooleanField(_("mentors residents"), default=False)
    offers_virtual = models.BooleanField(_("mentors virtually"), default=False)
    offers_in_person = models.BooleanField(_("mentors in person"), default=False)
    capacity = models.PositiveSmallIntegerField(
        _("mentees at a time"),
        default=2,
        help_text=_("How many mentees you can take at a time."),
    )
    accepting_mentees = models.BooleanField(
        _("accepting new mentees"),
        default=True,
        help_text=_("Untick to stay listed while your mentee slots are full."),
    )
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)
    special_requests = models.TextField(
        _("any special requests?"),
        max_length=1000,
        blank=True,
        help_text=_(
            "For example: premedical students only, or first-generation students."
        ),
    )
    consent_to_share = models.BooleanField(
        _("consent to share contact details with active members"), default=False
    )
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    contact_by = models.CharField(
        _("how members may reach you"),
        max_length=12,
        choices=ContactChoice.choices,
        default=ContactChoice.EMAIL_AND_PHONE,
        db_default=ContactChoice.EMAIL_AND_PHONE,
        help_text=_(
            "Any choice lets active members ask you through the portal's form; "
            "you answer from the email it sends you."
        ),
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decision_note = models.TextField(
        _("decision note"),
        blank=True,
        help_text=_("Sent to the physician when a listing is declined."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paused_until = models.DateField(
        _("paused until"),
        null=True,
        blank=True,
        help_text=_("Hidden from the directory until this day."),
    )
    confirmed_at = models.DateTimeField(
        _("confirmed at"),
        null=True,
        blank=True,
        help_text=_("Last time the physician confirmed the listing is current."),
    )
    reconfirmation_sent_at = models.DateTimeField(
        _("reconfirmation email sent at"), null=True, blank=True
    )
    stale_since = models.DateTimeField(
        _("stale since"),
        null=True,
        blank=True,
        help_text=_("Unconfirmed after the reminder: hidden from the directory."),
    )
    language = models.CharField(
        _("email language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the emails the physician receives."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentor_listings",
        verbose_name=_("portal account"),
        help_text=_("Set when the physician signed up while logged in."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[languages])
    objects = MentorQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            # One open listing per address: a second sign-up updates the first.
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(status__in=["pending", "approved"]),
                name="mentors_one_open_listing_per_email",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "stale_since", "paused_until"],
                name="mentors_live_idx",
            ),
            models.Index(fields=["last_name", "first_name"], name="mentors_name_idx"),
            models.Index(fields=["state"], name="mentors_state_idx"),
            models.Index(fields=["institution"], name="mentors_institution_idx"),
            models.Index(fields=["confirmed_at"], name="mentors_confirmed_idx"),
            models.Index(fields=["created_at"], name="mentors_created_idx"),
            models.Index(
                fields=["reconfirmation_sent_at"], name="mentors_reconfirm_idx"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.full_name}, {self.credentials}"
            if self.credentials
            else self.full_name
        )

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("mentors:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def state_name(self) -> str:
        # get_state_display() translates and sorts all 56 names on every call.
        return us_state_name(self.state)

    @property
    def mentee_levels(self) -> list[str]:
        """Values of ``MenteeLevel`` this mentor takes."""
        return [
            level
            for level, field in MENTEE_LEVEL_FIELDS.items()
            if getattr(self, field)
        ]

    @property
    def mentee_level_labels(self) -> list[str]:
        return [MenteeLevel(level).label for level in self.mentee_levels]

    @property
    def modes(self) -> list[str]:
        return [mode for mode, field in MODE_FIELDS.items() if getattr(self, field)]

    @property
    def mode_labels(self) -> list[str]:
        return [MentoringMode(mode).label for mode in self.modes]

    def is_paused(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.paused_until is not None and self.paused_until > today

    @property
    def is_stale(self) -> bool:
        return self.stale_since is not None

    @property
    def shows_email(self) -> bool:
        """Members see the address: the physician consented and did not choose
        "only through the portal" or "my phone, not my email" (an import with no
        consent shows nothing)."""
        return self.consent_to_share and self.contact_by in (
            ContactChoice.EMAIL_AND_PHONE,
            ContactChoice.EMAIL,
        )

    @property
    def shows_phone(self) -> bool:
        return (
            self.consent_to_share
            and bool(self.phone)
            and self.contact_by in (ContactChoice.EMAIL_AND_PHONE, ContactChoice.PHONE)
        )

    @property
    def is_taking_mentees(self) -> bool:
        """Accepting, and fewer open or accepted requests in the load window than
        the mentees they said they can take (comes back by itself)."""
        if not self.accepting_mentees:
            return False
        recent = getattr(self, "recent_requests", None)
        if recent is None:
            recent = self.requests.counting_toward_load().count()
        return recent < self.capacity

    def is_live(self, today: datetime.date | None = None) -> bool:
        """The row-level form of ``MentorQuerySet.live()``: approved, neither
        paused nor stale (what the directory shows)."""
        return (
            self.status == self.Status.APPROVED
            and not self.is_paused(today)
            and not self.is_stale
        )


class PendingMentor(Mentor):
    """The staff review queue in admin: sign-ups waiting for a decision."""

    class Meta:
        proxy = True
        verbose_name = _("sign-up waiting for review")
        verbose_name_plural = _("sign-ups waiting for review")


class MentorshipRequestQuerySet(models.QuerySet):
    def counting_toward_load(self):
        return self.filter(counts_toward_load())

    def open(self):
        return self.filter(status=MentorshipRequest.Status.OPEN)


class MentorshipRequest(models.Model):
    """An active member asks a mentor, through the portal, to mentor them."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the mentor's answer")
        ACCEPTED = "accepted", _("The mentor will reply by email")
        DECLINED = "declined", _("The mentor cannot take this on")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # Closed by ``mentors_followups`` after MENTOR_REQUEST_UNANSWERED_AFTER_DAYS
        # without an answer: not the member's act (withdrawn) nor the mentor's
        # (declined), and no longer open, so it frees the member's slot and the
        # mentor's load.
        UNANSWERED = "unanswered", _("No answer in time")

    class Outcome(models.TextChoices):
        """What the member told us after an accepted request ("did you connect?")."""

        CONNECTED = "connected", _("We connected")
        NOT_YET = "not_yet", _("Not yet")
        NOT_CONNECTED = "no", _("We did not connect")

    mentor = models.ForeignKey(
        Mentor,
        on_delete=models.CASCADE,
        related_name="requests",
        verbose_name=_("mentor"),
    )
    # Deleting an account deletes its requests (the mentor is told nothing more).
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorship_requests",
        verbose_name=_("member"),
    )
    about_me = models.CharField(_("who I am"), max_length=300)
    hopes = models.TextField(_("what I hope for"), max_length=1000)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decline_note = models.TextField(
        _("note from the mentor"), max_length=500, blank=True
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(
        _("member followed up at"),
        null=True,
        blank=True,
        help_text=_(
            'When the daily follow-up dealt with it: asked the member "did you '
            'connect?" (accepted) or told them there was no answer (unanswered).'
        ),
    )
    outcome = models.CharField(
        _("did they connect?"),
        max_length=10,
        choices=Outcome.choices,
        blank=True,
        default="",
        db_default="",
    )
    outcome_at = models.DateTimeField(_("outcome told at"), null=True, blank=True)

    objects = MentorshipRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentorship request")
        verbose_name_plural = _("mentorship requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "member"],
                condition=Q(status="open"),
                name="mentors_one_open_request_per_mentor",
            )
        ]
        indexes = [
            models.Index(
                fields=["mentor", "status", "created_at"], name="mentors_request_load"
            ),
        ]
        permissions = [
            ("view_request_message", "Can read what members wrote in their requests"),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.mentor}"


class SavedSearch(models.Model):
    """Directory filters a member saved with a name; a weekly email tells them
    about new live mentors matching (``manage.py mentors_search_alerts``)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=80)
    # The directory's query string, as the filter form understood it (checked
    # when saved, and again before each alert).
    query = models.CharField(_("filters"), max_length=500, blank=True)
    alerts = models.BooleanField(_("weekly email about new mentors"), default=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    last_checked_at = models.DateTimeField(
        _("new mentors checked up to"),
        null=True,
        blank=True,
        help_text=_("Mentors approved before this were already in an alert."),
    )

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "query"], name="mentors_saved_search_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def directory_url(self) -> str:
        """The directory with these filters (re-runs the search)."""
        path = reverse("mentors:directory")
        return f"{path}?{self.query}" if self.query else path
