"""Accounts (email is the login) and LMSA membership."""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

TIME_ZONE_CHOICES = [
    (name, name.replace("_", " "))
    for name in sorted(zoneinfo.available_timezones())
    if name.startswith(("America/", "Pacific/", "Europe/", "Atlantic/"))
    or name == "UTC"
]


class UserManager(BaseUserManager):
    """Create users identified by email address alone."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_staff") is not True:
            raise ValueError("Superuser must have is_staff=True.")
        if extra_fields.get("is_superuser") is not True:
            raise ValueError("Superuser must have is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with a portal login; the email address is the username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages and emails use this language. Empty: follow the browser."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        blank=True,
        help_text=_("Event times are shown in this zone. Empty: the portal's default."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


def not_expired(today: datetime.date) -> models.Q:
    """Rows whose ``expires_on`` has not come: a membership (or roster row) stops
    on its expiry day; no date means no expiry. ``is_expired`` in SQL."""
    return models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=today)


class MembershipQuerySet(models.QuerySet):
    def pending(self):
        """Memberships waiting for a staff decision."""
        return self.filter(status=Membership.Status.PENDING)

    def active(self, today: datetime.date | None = None):
        """``Membership.is_approved_and_current`` in SQL (the verified-email
        part of the access rule lives in members.access)."""
        today = today or timezone.localdate()
        return self.filter(not_expired(today), status=Membership.Status.APPROVED)


class Membership(models.Model):
    """A person's LMSA membership: who they are in the association and its status."""

    class MemberType(models.TextChoices):
        PREMED = "premed", _("Premedical student")
        MEDICAL_STUDENT = "medical_student", _("Medical student")
        RESIDENT = "resident", _("Resident")
        PHYSICIAN = "physician", _("Physician")
        OTHER = "other", _("Other")

    class Region(models.TextChoices):
        NORTHEAST = "northeast", _("Northeast")
        MIDWEST = "midwest", _("Midwest")
        SOUTHEAST = "southeast", _("Southeast")
        SOUTHWEST = "southwest", _("Southwest")
        WEST = "west", _("West")
        PUERTO_RICO = "puerto_rico", _("Puerto Rico")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    member_type = models.CharField(
        _("member type"), max_length=20, choices=MemberType.choices, blank=True
    )
    institution = models.CharField(
        _("school or institution"), max_length=200, blank=True
    )
    graduation_year = models.PositiveSmallIntegerField(
        _("graduation year"), null=True, blank=True
    )
    region = models.CharField(
        _("LMSA region"), max_length=20, choices=Region.choices, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("The membership stops being active on this day. Empty: no expiry."),
    )
    decision_note = models.TextField(
        _("decision note"),
        blank=True,
        help_text=_("Shown to the member when a membership is declined."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-created_at"]
        # The admin list's order: without it every page sorted the whole table.
        indexes = [models.Index(fields=["created_at"], name="members_ms_created_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"

    def is_expired(self, today: datetime.date | None = None) -> bool:
        """A membership stops being active on its expiry day (derived, no cron)."""
        today = today or timezone.localdate()
        return self.expires_on is not None and self.expires_on <= today

    @property
    def is_approved_and_current(self) -> bool:
        """The membership half of the access rule: approved and not expired
        (``Membership.objects.active()`` is the same in SQL)."""
        return self.status == self.Status.APPROVED and not self.is_expired()


class RosterEntryQuerySet(models.QuerySet):
    def active(self, today: datetime.date | None = None):
        """Rows whose membership has not expired (no expiry counts as current)."""
        return self.filter(not_expired(today or timezone.localdate()))

    def expiring_within(self, days: int, today: datetime.date | None = None):
        """Current rows whose membership ends within ``days`` days."""
        today = today or timezone.localdate()
        return self.filter(
            expires_on__gt=today, expires_on__lte=today + datetime.timedelta(days=days)
        )


class RosterEntry(models.Model):
    """A row of the association's dues-paying member roster, imported by staff.

    A verified account with the same email becomes an approved member with the
    roster's expiry, whichever of the two exists first.
    """

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    member_type = models.CharField(
        _("member type"),
        max_length=20,
        choices=Membership.MemberType.choices,
        blank=True,
    )
    institution = models.CharField(
        _("school or institution"), max_length=200, blank=True
    )
    region = models.CharField(
        _("LMSA region"), max_length=20, choices=Membership.Region.choices, blank=True
    )
    expires_on = models.DateField(_("membership expires on"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    history = HistoricalRecords()
    objects = RosterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("member roster")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class MembershipReminder(models.Model):
    """One expiry reminder sent; the unique constraint makes the cron idempotent."""

    class Kind(models.TextChoices):
        DAYS_30 = "30", _("30 days before expiry")
        DAYS_7 = "7", _("7 days before expiry")

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    expires_on = models.DateField(_("for the expiry on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership reminder")
        verbose_name_plural = _("membership reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind", "expires_on"],
                name="one_reminder_per_expiry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} – {self.get_kind_display()}"
