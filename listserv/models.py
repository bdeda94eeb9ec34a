"""The listserv: subscribers (double opt-in), mailings and one delivery row per
(mailing, subscriber) so that a send can resume without losing or repeating mail."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lmsa_portal.locations import us_state_choices
from lmsa_portal.validators import validate_one_line
from members.models import Membership


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


class Interest(models.Model):
    """A kind of volunteer opportunity a subscriber wants to hear about."""

    code = models.CharField(
        _("code"), max_length=40, choices=InterestCode.choices, unique=True
    )

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["pk"]  # the order of InterestCode, set by the data migration

    def __str__(self) -> str:
        return str(self.get_code_display())


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def with_email(self, email: str):
        """Match an address case-insensitively (the unique constraint does too)."""
        return self.filter(email__iexact=(email or "").strip())

    def purgeable(self, *, now: datetime.datetime | None = None, days: int = 30):
        """Unconfirmed sign-ups whose confirmation request is older than ``days``."""
        cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
        return self.filter(status=Subscriber.Status.UNCONFIRMED).filter(
            Q(confirmation_sent_at__lt=cutoff)
            | Q(confirmation_sent_at__isnull=True, created_at__lt=cutoff)
        )


class Subscriber(models.Model):
    """One address on the list; only confirmed addresses receive mailings."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Sign-up form")
        IMPORT = "import", _("Staff import")
        MEMBER = "member", _("Member account")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), max_length=254)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.OTHER
    )
    institution = models.CharField(
        _("institution"), max_length=200, blank=True, help_text=_("Optional.")
    )
    specialty = models.ForeignKey(
        "residency_hub.Specialty",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listserv_subscribers",
        verbose_name=_("specialty"),
        help_text=_("Optional. Your specialty or the one you are interested in."),
    )
    state = models.CharField(
        _("state"),
        max_length=2,
        choices=subscriber_state_choices,
        blank=True,
        db_index=True,
    )
    region = models.CharField(
        _("LMSA region"),
        max_length=20,
        choices=Membership.Region.choices,
        blank=True,
        db_index=True,
        help_text=_("Optional. Members: the region of your membership."),
    )
    interests = models.ManyToManyField(
        Interest, blank=True, related_name="subscribers", verbose_name=_("interests")
    )
    frequency = models.CharField(
        _("how often"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.EVERY,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.UNCONFIRMED,
        db_index=True,
    )
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=Source.choices,
        default=Source.SIGNUP,
        db_index=True,
    )
    consent_text = models.TextField(
        _("consent wording"),
        blank=True,
        help_text=_("The exact wording the subscriber agreed to."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listserv_subscriptions",
        verbose_name=_("portal account"),
    )
    created_at = models.DateTimeField(
        _("signed up"), default=timezone.now, db_index=True
    )
    confirmation_sent_at = models.DateTimeField(
        _("confirmation requested"), null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="listserv_subscriber_email_ci_unique"
            )
        ]
        indexes = [
            models.Index(fields=["role"], name="listserv_sub_role_idx"),
            models.Index(fields=["status", "role"], name="listserv_sub_status_role"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class MailingQuerySet(models.QuerySet):
    def with_failed_deliveries(self):
        """Mailings at least one of whose messages could not be delivered."""
        return self.filter(
            pk__in=Delivery.objects.filter(status=Delivery.Status.FAILED).values(
                "mailing_id"
            )
        )

    def with_progress(self):
        """Annotate delivery counts per status in one query."""
        Status = Delivery.Status
        return self.annotate(
            queued_count=Count(
                "deliveries", filter=Q(deliveries__status=Status.QUEUED)
            ),
            sent_count=Count("deliveries", filter=Q(deliveries__status=Status.SENT)),
            failed_count=Count(
                "deliveries", filter=Q(deliveries__status=Status.FAILED)
            ),
            skipped_count=Count(
                "deliveries", filter=Q(deliveries__status=Status.SKIPPED)
            ),
        )


class Mailing(models.Model):
    """An email staff send to all confirmed subscribers or a filtered audience."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    class Archive(models.TextChoices):
        HIDDEN = "hidden", _("Not in the archive")
        MEMBERS = "members", _("Active members only")
        PUBLIC = "public", _("Everyone")

    subject = models.CharField(
        _("subject"), max_length=200, validators=[validate_one_line]
    )
    body_markdown = models.TextField(
        _("body"),
        help_text=_(
            "Markdown: **bold**, *italic*, [link text](https://...), lists with - . "
            "HTML is not allowed. An unsubscribe footer is added to every message."
        ),
    )
    roles = models.JSONField(
        _("roles"),
        default=list,
        blank=True,
        help_text=_("Only subscribers with one of these roles. Empty: every role."),
    )
    specialties = models.ManyToManyField(
        "residency_hub.Specialty",
        blank=True,
        related_name="listserv_mailings",
        verbose_name=_("specialties"),
        help_text=_("Only subscribers with one of these specialties. Empty: any."),
    )
    states = models.JSONField(
        _("states"),
        default=list,
        blank=True,
        help_text=_("Only subscribers in one of these states. Empty: any state."),
    )
    regions = models.JSONField(
        _("LMSA regions"),
        default=list,
        blank=True,
        help_text=_("Only subscribers in one of these LMSA regions. Empty: any."),
    )
    interests = models.ManyToManyField(
        Interest,
        blank=True,
        related_name="mailings",
        verbose_name=_("interests"),
        help_text=_(
            "Only subscribers with at least one of these interests. Empty: any."
        ),
    )
    reply_to = models.EmailField(
        _("reply-to address"),
        blank=True,
        help_text=_(
            "Where replies to this mailing go. Empty: the list's usual reply-to "
            "address."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
    )
    archive = models.CharField(
        _("in the archive"),
        max_length=10,
        choices=Archive.choices,
        default=Archive.MEMBERS,
        help_text=_(
            "Who can read this mailing on the listserv archive page once it went "
            "out. Can be changed after sending."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listserv_mailings",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When a scheduled mailing starts; its audience is chosen at that moment.
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    # Why the last run of the sending task stopped, for staff; empty once it ran.
    last_error = models.TextField(_("last error"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = MailingQuerySet.as_manager()

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def reply_to_address(self) -> str:
        """The Reply-To of this mailing's messages."""
        return self.reply_to or settings.LISTSERV_REPLY_TO


class Delivery(models.Model):
    """One mailing to one subscriber: created up front, claimed by one worker,
    marked sent right after the SMTP server accepted it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    mailing = models.ForeignKey(
        Mailing,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("mailing"),
    )
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscriber"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    retry_after = models.DateTimeField(_("retry after"), null=True, blank=True)
    # NULL means "not claimed" (the claim UPDATE matches claimed_by IS NULL).
    claimed_by = models.CharField(  # noqa: DJ001
        _("claimed by"), max_length=100, null=True, blank=True
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="listserv_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "status"], name="listserv_dlv_mailing_st"),
            models.Index(fields=["claimed_by"], name="listserv_dlv_claimed_by"),
            models.Index(
                fields=["subscriber", "status", "sent_at"], name="listserv_dlv_sub_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_id} → {self.subscriber_id} ({self.status})"


class SuppressionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)

    def with_email(self, email: str):
        return self.filter(email__iexact=(email or "").strip())


class Suppression(models.Model):
    """An address no mailing may reach: it bounced for good, kept bouncing, or
    its owner marked a mailing as spam. Matched by address (not subscriber), so
    signing up again with the same address stays suppressed until staff lift it."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        SOFT_BOUNCES = "soft_bounces", _("Repeated soft bounces")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by staff")

    email = models.EmailField(_("email address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.TextField(
        _("detail"),
        blank=True,
        help_text=_("What the provider or mail server said."),
    )
    source = models.CharField(
        _("reported by"),
        max_length=50,
        blank=True,
        help_text=_("The email provider whose webhook reported it, or SMTP."),
    )
    event = models.ForeignKey(
        "MailEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    created_at = models.DateTimeField(_("suppressed"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(lifted_at__isnull=True),
                name="listserv_suppression_active_once",
            )
        ]
        indexes = [models.Index(fields=["email"], name="listserv_supp_email")]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class MailEvent(models.Model):
    """A bounce or complaint as a provider's webhook (or the SMTP server)
    reported it: the evidence behind a suppression."""

    class Kind(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        SOFT_BOUNCE = "soft_bounce", _("Soft bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed at the provider")

    email = models.EmailField(_("email address"), max_length=254, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("reported by"), max_length=50, blank=True)
    # The provider's id of the event: a webhook delivered twice counts once.
    event_id = models.CharField(_("provider event id"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    occurred_at = models.DateTimeField(_("happened"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("bounce or complaint")
        verbose_name_plural = _("bounces and complaints")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "event_id", "email"],
                condition=~Q(event_id=""),
                name="listserv_mailevent_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()}"
