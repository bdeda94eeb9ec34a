"""The residency hub's data; ``Specialty`` is the one specialty list of the portal."""

import datetime
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lmsa_portal.localized import (
    ContentLanguage,
    LocalizedNameMixin,
    localized_choices,
    spanish_name_field,
)
from lmsa_portal.locations import us_state_choices, us_state_name
from lmsa_portal.phones import PhoneNumberField
from members.access import is_active_member
from members.models import TIME_ZONE_CHOICES

# A program whose entry nobody has checked for this long is flagged for staff.
VERIFICATION_MAX_AGE = datetime.timedelta(days=365)
# A "still accurate?" email unanswered this long: members see "not verified
# recently" and staff get the program in their needs-attention list.
VERIFICATION_ANSWER_DAYS = 60


class Specialty(LocalizedNameMixin, models.Model):
    """An ACGME specialty; mentors, programs, events and AMA topics point here.

    ``str()`` is the name in the reader's language (``name_es`` for Spanish)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = spanish_name_field(120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.localized_name

    def get_absolute_url(self) -> str:
        return reverse("residency_hub:specialty-detail", args=[self.slug])

    def get_calendar_url(self) -> str:
        return reverse("residency_hub:calendar", args=[self.slug])


def specialty_choices() -> list[tuple[str, str]]:
    """(slug, name in the reader's language) of every specialty, for filter forms."""
    return localized_choices(Specialty.objects.all())


class ProgramQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Programs an active member may browse; nothing for anyone else."""
        if not is_active_member(user):
            return self.none()
        return self.select_related("specialty")

    def verification_overdue(self, today: datetime.date | None = None):
        """Programs never verified or last verified more than 12 months ago."""
        today = today or timezone.localdate()
        return self.filter(
            models.Q(last_verified_on__isnull=True)
            | models.Q(last_verified_on__lt=today - VERIFICATION_MAX_AGE)
        )

    def not_verified_recently(self, now: datetime.datetime | None = None):
        """Programs whose coordinators left the yearly "still accurate?" email
        unanswered for VERIFICATION_ANSWER_DAYS."""
        now = now or timezone.now()
        return self.filter(
            verification_requested_at__lte=now
            - datetime.timedelta(days=VERIFICATION_ANSWER_DAYS)
        )


class Program(models.Model):
    """A residency program that promotes diversity, equity and inclusion."""

    name = models.CharField(_("program name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    institution = models.CharField(_("institution"), max_length=200)
    specialty = models.ForeignKey(
        Specialty,
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name=_("specialty"),
    )
    city = models.CharField(_("city"), max_length=120)
    state = models.CharField(_("state"), max_length=2, choices=us_state_choices)
    website = models.URLField(_("website"), blank=True)
    program_size = models.PositiveSmallIntegerField(
        _("positions per year"),
        null=True,
        blank=True,
        help_text=_("Residents accepted each year."),
    )
    diversity_mission = models.TextField(
        _("diversity mission"), blank=True, help_text=_("Markdown.")
    )
    dei_initiatives = models.TextField(
        _("DEI initiatives"), blank=True, help_text=_("Markdown.")
    )
    applicant_tips = models.TextField(
        _("tips for applicants"), blank=True, help_text=_("Markdown.")
    )
    pipeline_opportunities = models.TextField(
        _("pipeline and visiting-student opportunities"),
        blank=True,
        help_text=_(
            "Markdown. For example URM away-rotation scholarships or summer programs."
        ),
    )
    special_tracks = models.TextField(
        _("special tracks"),
        blank=True,
        help_text=_("Markdown. Medical Spanish, community-health or global-health."),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=ContentLanguage.choices,
        default=ContentLanguage.ENGLISH,
        help_text=_(
            "The language the program's DEI activities and events are offered in."
        ),
    )
    last_verified_on = models.DateField(
        _("last verified on"),
        null=True,
        blank=True,
        help_text=_("The day staff last confirmed this entry with the program."),
    )
    verification_requested_at = models.DateTimeField(
        _("verification asked for at"),
        null=True,
        blank=True,
        help_text=_(
            "When the coordinators were last asked whether the entry is still "
            "accurate; cleared when it is verified."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name", "institution"]
        indexes = [
            models.Index(fields=["name", "institution"]),
            models.Index(fields=["institution"]),
            models.Index(fields=["state", "name"]),
            models.Index(fields=["specialty", "name"]),
            models.Index(fields=["last_verified_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution})"

    def get_absolute_url(self) -> str:
        return reverse("residency_hub:program-detail", args=[self.slug])

    @property
    def state_name(self) -> str:
        # get_state_display() translates and sorts all 56 names on every call.
        return us_state_name(self.state)

    @property
    def verification_overdue(self) -> bool:
        if self.last_verified_on is None:
            return True
        return self.last_verified_on < timezone.localdate() - VERIFICATION_MAX_AGE

    @property
    def not_verified_recently(self) -> bool:
        """The yearly "still accurate?" email went unanswered for 60 days."""
        return (
            self.verification_requested_at is not None
            and self.verification_requested_at
            <= timezone.now() - datetime.timedelta(days=VERIFICATION_ANSWER_DAYS)
        )


class ProgramCoordinatorQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class ProgramCoordinator(models.Model):
    """A person who keeps a program's entry current through their own signed link
    (no account). Revoking the row stops every link it was sent."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="coordinators",
        verbose_name=_("program"),
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(
        _("links revoked at"),
        null=True,
        blank=True,
        help_text=_("Set: the coordinator's links stop working."),
    )

    objects = ProgramCoordinatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("program coordinator")
        verbose_name_plural = _("program coordinators")
        ordering = ["program", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "email"],
                name="residency_hub_coordinator_once_per_program",
            )
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        # Before the unique check runs (admin forms validate, then save).
        self.email = (self.email or "").strip().lower()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AdvisorContact(models.Model):
    """A person applicants may write to about a program (members see this only)."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("program"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(
        _("role"),
        max_length=200,
        blank=True,
        help_text=_("For example Program director, DEI lead, Chief resident."),
    )
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("advisor contact")
        verbose_name_plural = _("advisor contacts")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Events an active member may see; nothing for anyone else."""
        if not is_active_member(user):
            return self.none()
        return self.select_related("specialty", "program")

    def upcoming(self, now: datetime.datetime | None = None):
        """Events that have not ended yet, soonest first."""
        return self.filter(ends_at__gte=now or timezone.now()).order_by(
            "starts_at", "pk"
        )

    def past(self, now: datetime.datetime | None = None):
        """Events that have ended, most recent first."""
        return self.filter(ends_at__lt=now or timezone.now()).order_by(
            "-starts_at", "-pk"
        )


class Event(models.Model):
    """A virtual event for one specialty (info session, open house, Q&A)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        TENTATIVE = "tentative", _("Tentative")
        CANCELLED = "cancelled", _("Cancelled")

    # Changing one of these changes what a subscribed calendar shows: SEQUENCE bumps.
    CALENDAR_FIELDS = (
        "title",
        "description",
        "starts_at",
        "ends_at",
        "time_zone",
        "link",
        "host",
        "status",
    )

    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True)
    specialty = models.ForeignKey(
        Specialty,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("specialty"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("program"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown.")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("organiser's time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default="America/New_York",
        help_text=_("The time zone the organiser gave the times in."),
    )
    link = models.URLField(
        _("meeting or registration link"), max_length=500, blank=True
    )
    host = models.CharField(_("host"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    sequence = models.PositiveIntegerField(
        _("revision"),
        default=0,
        editable=False,
        help_text=_("Goes up with each change so subscribed calendars update."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["specialty", "starts_at"]),
            models.Index(fields=["specialty", "ends_at"]),
            models.Index(fields=["program", "starts_at"]),
            models.Index(fields=["starts_at"]),
            models.Index(fields=["ends_at"]),
            models.Index(fields=["status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="residency_hub_event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Calendar apps only take an update when SEQUENCE grows.
        if self.pk is not None:
            previous = (
                type(self)
                .objects.filter(pk=self.pk)
                .values(*self.CALENDAR_FIELDS, "sequence")
                .first()
            )
            if previous is not None:
                changed = any(
                    previous[field] != getattr(self, field)
                    for field in self.CALENDAR_FIELDS
                )
                self.sequence = previous["sequence"] + (1 if changed else 0)
                update_fields = kwargs.get("update_fields")
                if changed and update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "sequence"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("residency_hub:event-detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class ProgramSubmission(models.Model):
    """A program's entry sent in through the public form, waiting for staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("existing program to update"),
        help_text=_("Empty: approving creates a new program."),
    )
    submitter_name = models.CharField(_("your name"), max_length=200)
    submitter_email = models.EmailField(_("your email"))
    submitter_role = models.CharField(_("your role"), max_length=200, blank=True)

    name = models.CharField(_("program name"), max_length=200)
    institution = models.CharField(_("institution"), max_length=200)
    specialty = models.ForeignKey(
        Specialty,
        on_delete=models.PROTECT,
        related_name="program_submissions",
        verbose_name=_("specialty"),
    )
    city = models.CharField(_("city"), max_length=120)
    state = models.CharField(_("state"), max_length=2, choices=us_state_choices)
    # Not "website": that name is the public forms' honeypot field.
    program_website = models.URLField(_("program website"), blank=True)
    program_size = models.PositiveSmallIntegerField(
        _("positions per year"), null=True, blank=True
    )
    diversity_mission = models.TextField(_("diversity mission"))
    dei_initiatives = models.TextField(_("DEI initiatives"), blank=True)
    applicant_tips = models.TextField(_("tips for applicants"), blank=True)
    pipeline_opportunities = models.TextField(
        _("pipeline and visiting-student opportunities"), blank=True
    )
    special_tracks = models.TextField(_("special tracks"), blank=True)

    decision_note = models.TextField(
        _("decision note"), blank=True, help_text=_("Sent to the submitter.")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    coordinator = models.ForeignKey(
        ProgramCoordinator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("sent by coordinator"),
        help_text=_("Set: a change sent through a coordinator's link."),
    )
    changed_fields = models.JSONField(
        _("changed fields"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "A coordinator's change: the program fields they changed; approving "
            "applies only these. Empty: a full entry."
        ),
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program submission")
        verbose_name_plural = _("program submissions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution})"


class SubmittedContact(models.Model):
    """An advisor contact sent in with a submission; approval copies it to the
    program's advisor contacts."""

    MAX_PER_SUBMISSION = 3

    class Action(models.TextChoices):
        ADD = "add", _("Add")
        CHANGE = "change", _("Change")
        REMOVE = "remove", _("Remove")

    submission = models.ForeignKey(
        ProgramSubmission,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("program submission"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, default=Action.ADD
    )
    replaces = models.ForeignKey(
        AdvisorContact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("listed contact"),
        help_text=_("The listed contact this row changes or removes."),
    )

    class Meta:
        verbose_name = _("submitted advisor contact")
        verbose_name_plural = _("submitted advisor contacts")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class SubmittedEvent(models.Model):
    """A virtual event sent in with a submission; approval publishes it as an
    event of the program."""

    MAX_PER_SUBMISSION = 5

    class Action(models.TextChoices):
        ADD = "add", _("Add")
        CHANGE = "change", _("Change")
        CANCEL = "cancel", _("Cancel")

    submission = models.ForeignKey(
        ProgramSubmission,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("program submission"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default="America/New_York",
    )
    link = models.URLField(
        _("meeting or registration link"), max_length=500, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, default=Action.ADD
    )
    replaces = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("listed event"),
        help_text=_("The listed event this row changes or cancels."),
    )

    class Meta:
        verbose_name = _("submitted event")
        verbose_name_plural = _("submitted events")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeedToken(models.Model):
    """A member's personal secret for calendar subscription feeds (revocable)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
        verbose_name=_("member"),
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_feed_token, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CalendarFeedTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
