"""The "Ask Me Anything" series: archived sessions and questions for the next one."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ama.embeds import VideoEmbed, parse_video_url, validate_video_url
from lmsa_portal.localized import (
    ContentLanguage,
    LocalizedNameMixin,
    spanish_name_field,
)


class Audience(models.TextChoices):
    PREMED = "premed", _("Premed students")
    MEDICAL_STUDENTS = "medical_students", _("Medical students")
    BOTH = "both", _("Premed and medical students")


def format_seconds(seconds: int) -> str:
    """12:05 or 1:02:05."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


class Topic(LocalizedNameMixin, models.Model):
    """What a session is about: MCAT, personal statements, the Match...

    ``str()`` is the name in the reader's language (``name_es`` for Spanish)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    name_es = spanish_name_field(80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.localized_name


# Paths of the archive that a session slug must not shadow.
RESERVED_SLUGS = {"feed", "upcoming", "questions"}


def validate_not_reserved_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by another page of the archive; pick another."),
            params={"slug": slug},
            code="reserved_slug",
        )


class VideoQuerySet(models.QuerySet):
    def published(self):
        """Sessions anyone may see; drafts stay with staff."""
        return self.filter(status=Video.Status.PUBLISHED)

    def for_listing(self):
        # Cards show neither summary nor transcript: an hour's transcript is long.
        return (
            self.select_related("specialty")
            .prefetch_related("topics", "panelists")
            .defer("summary", "transcript")
        )


class Video(models.Model):
    """An archived AMA session (a recorded Facebook Live or YouTube video)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        validators=[validate_not_reserved_slug],
        help_text=_("Part of the page address: /ama/<slug>/."),
    )
    date = models.DateField(_("session date"))
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.BOTH
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=ContentLanguage.choices,
        default=ContentLanguage.ENGLISH,
        help_text=_("The language the session was held in."),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="videos", blank=True
    )
    specialty = models.ForeignKey(
        "residency_hub.Specialty",
        verbose_name=_("specialty"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ama_videos",
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown.")
    )
    duration = models.DurationField(
        _("duration"), null=True, blank=True, help_text=_("For example 1:05:00.")
    )
    video_url = models.URLField(
        _("video link"),
        max_length=500,
        validators=[validate_video_url],
        help_text=_(
            "Facebook or YouTube link to the recording. For Facebook, the full "
            "facebook.com/<page>/videos/<number>/ link works best in the player."
        ),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Key takeaways; Markdown.")
    )
    transcript = models.TextField(_("transcript"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = VideoQuerySet.as_manager()

    class Meta:
        verbose_name = _("AMA session video")
        verbose_name_plural = _("AMA session videos")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["status", "-date"], name="ama_video_status_date"),
            models.Index(fields=["status", "-published_at"], name="ama_video_feed"),
            models.Index(fields=["audience"], name="ama_video_audience"),
            models.Index(fields=["language"], name="ama_video_language"),
            models.Index(fields=["date"], name="ama_video_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_video_slug(self.title, self.date)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("ama:video-detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def embed(self) -> VideoEmbed | None:
        return parse_video_url(self.video_url)

    @property
    def duration_display(self) -> str:
        """How long the session runs, in words: "1 h 6 min", "45 min"."""
        if not self.duration:
            return ""
        hours, rest = divmod(int(self.duration.total_seconds()), 3600)
        minutes = max(1, round(rest / 60)) if not hours else round(rest / 60)
        if hours and minutes:
            return _("%(hours)d h %(minutes)d min") % {
                "hours": hours,
                "minutes": minutes,
            }
        if hours:
            return _("%(hours)d h") % {"hours": hours}
        return _("%(minutes)d min") % {"minutes": minutes}

    def publish(self, *, when: datetime.datetime | None = None) -> None:
        """Mark published (keeping the first publication time)."""
        self.status = self.Status.PUBLISHED
        if self.published_at is None:
            self.published_at = when or timezone.now()


def unique_video_slug(title: str, date: datetime.date | None) -> str:
    base = slugify(title)[:180] or "session"
    if date:
        base = f"{base}-{date:%Y}"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Video.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


class Panelist(models.Model):
    """Someone on the panel of a session."""

    video = models.ForeignKey(
        Video,
        on_delete=models.CASCADE,
        related_name="panelists",
        verbose_name=_("video"),
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(
        _("role"),
        max_length=200,
        blank=True,
        help_text=_("For example: PGY-2, Emergency Medicine, UCLA."),
    )
    mentor = models.ForeignKey(
        "mentors.Mentor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ama_panels",
        verbose_name=_("mentor registry listing"),
        help_text=_("Their Mentor Registry listing, if they are listed."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("panelist")
        verbose_name_plural = _("panelists")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def live_mentor(self):
        """The registry listing while it is live (approved, neither paused nor
        stale), else None: a paused or removed listing is never linked."""
        mentor = self.mentor
        return mentor if mentor is not None and mentor.is_live() else None


class Chapter(models.Model):
    """A timestamp with a title inside a video."""

    video = models.ForeignKey(
        Video,
        on_delete=models.CASCADE,
        related_name="chapters",
        verbose_name=_("video"),
    )
    start_seconds = models.PositiveIntegerField(
        _("starts at (seconds)"), help_text=_("Seconds from the start of the video.")
    )
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["video", "start_seconds"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "start_seconds"], name="ama_chapter_unique_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.timestamp} {self.title}"

    def get_absolute_url(self) -> str:
        return f"{self.video.get_absolute_url()}#t={self.start_seconds}"

    @property
    def timestamp(self) -> str:
        return format_seconds(self.start_seconds)


class UpcomingSessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=UpcomingSession.Status.PUBLISHED)

    def upcoming(self):
        """Published sessions not yet over (kept a few hours after the start)."""
        since = timezone.now() - datetime.timedelta(hours=3)
        return self.published().filter(
            starts_at__gte=since, archived_video__isnull=True
        )


class UpcomingSession(models.Model):
    """A session staff have announced; members send questions before it.

    A draft is seen by staff only. Publishing it emails the announcement once
    (``announced_at``); a reminder goes the day before (``reminded_at``); when its
    recording is published, the members who asked or upvoted hear whether their
    question was answered (``recording_notice_sent_at``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    announce_to_listserv = models.BooleanField(
        _("also email the listserv's AMA subscribers"),
        default=False,
        help_text=_(
            "Members who asked to hear about new sessions always get the "
            "announcement; tick this to also email listserv subscribers who chose "
            "“Ask Me Anything sessions”."
        ),
    )
    announced_at = models.DateTimeField(
        _("announcement sent at"), null=True, blank=True, editable=False
    )
    reminded_at = models.DateTimeField(
        _("reminder sent at"), null=True, blank=True, editable=False
    )
    recording_notice_sent_at = models.DateTimeField(
        _("recording notice sent at"), null=True, blank=True, editable=False
    )
    starts_at = models.DateTimeField(_("starts at"))
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.BOTH
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown.")
    )
    where_to_watch = models.CharField(
        _("where to watch"),
        max_length=200,
        default="LMSA national Facebook page",
        help_text=_("For example: Facebook Live on the LMSA national page."),
    )
    watch_url = models.URLField(_("link to watch"), max_length=500, blank=True)
    recording_url = models.URLField(
        _("recording link"),
        max_length=500,
        blank=True,
        validators=[validate_video_url],
        help_text=_("After the session: the Facebook/YouTube recording to archive."),
    )
    archived_video = models.OneToOneField(
        Video,
        verbose_name=_("archive entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="upcoming_session",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = UpcomingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("upcoming session")
        verbose_name_plural = _("upcoming sessions")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="ama_upcoming_starts")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ama:upcoming-detail", kwargs={"pk": self.pk})

    @property
    def accepts_questions(self) -> bool:
        """Questions and votes are open until the session starts."""
        return (
            self.status == self.Status.PUBLISHED
            and self.archived_video_id is None
            and self.starts_at > timezone.now()
        )

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + SESSION_LENGTH


# Sessions are not given an end; calendars get this length.
SESSION_LENGTH = datetime.timedelta(hours=1)


class AnnouncementSubscription(models.Model):
    """A member asked to be emailed when a new AMA session is announced."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ama_announcements",
        verbose_name=_("member"),
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("AMA announcement subscription")
        verbose_name_plural = _("AMA announcement subscriptions")

    def __str__(self) -> str:
        return str(self.user)


class QuestionQuerySet(models.QuerySet):
    def public(self):
        """Questions anyone may read: approved or answered, never merged."""
        return self.filter(
            status__in=[Question.Status.APPROVED, Question.Status.ANSWERED],
            merged_into__isnull=True,
        )

    def with_votes(self):
        return self.annotate(vote_total=Count("votes", distinct=True))

    def by_votes(self):
        return self.with_votes().order_by("-vote_total", "created_at", "pk")


class Question(models.Model):
    """A member's question for an upcoming session."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        HIDDEN = "hidden", _("Hidden")
        ANSWERED = "answered", _("Answered")

    session = models.ForeignKey(
        UpcomingSession,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("session"),
    )
    # Deleting an account keeps the question but forgets who asked it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ama_questions",
        verbose_name=_("author"),
    )
    text = models.TextField(_("question"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_questions",
        verbose_name=_("merged into"),
    )
    answered_chapter = models.ForeignKey(
        Chapter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answered_questions",
        verbose_name=_("answered in chapter"),
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    # The author is left out of the history so deleting an account anonymises fully.
    history = HistoricalRecords(excluded_fields=["author"])
    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["session", "created_at"]
        indexes = [
            models.Index(fields=["session", "status"], name="ama_question_status"),
            models.Index(fields=["status", "created_at"], name="ama_question_queue"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self):
        errors = {}
        if self.merged_into_id:
            if self.merged_into_id == self.pk:
                errors["merged_into"] = _("A question cannot be merged into itself.")
            elif self.merged_into.session_id != self.session_id:
                errors["merged_into"] = _(
                    "Merge only into a question of the same session."
                )
        if self.answered_chapter_id:
            video_id = self.session.archived_video_id if self.session_id else None
            if self.answered_chapter.video_id != video_id:
                errors["answered_chapter"] = _(
                    "Pick a chapter of this session's archive entry."
                )
        if errors:
            raise ValidationError(errors)


class QuestionVote(models.Model):
    """One member's upvote of one question."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ama_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question vote")
        verbose_name_plural = _("question votes")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "user"], name="ama_vote_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.question_id}"
