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

from listserv.choices import US_STATES, Frequency, InterestCode, Role
from lmsa_portal.validators import validate_one_line


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
            | Q(confirmation_sent_at__isnull=True, created__lt=cutoff)
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
        _("state"), max_length=2, choices=US_STATES, blank=True, db_index=True
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
    created = models.DateTimeField(_("signed up"), default=timezone.now, db_index=True)
    confirmation_sent_at = models.DateTimeField(
        _("confirmation requested"), null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated"])
    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created"]
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
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

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
    interests = models.ManyToManyField(
        Interest,
        blank=True,
        related_name="mailings",
        verbose_name=_("interests"),
        help_text=_(
            "Only subscribers with at least one of these interests. Empty: any."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listserv_mailings",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    # Why the last run of the sending task stopped, for staff; empty once it ran.
    last_error = models.TextField(_("last error"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated"])
    objects = MailingQuerySet.as_manager()

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


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
    created = models.DateTimeField(_("created"), default=timezone.now)

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
