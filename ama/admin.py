"""Staff curation of the AMA archive, upcoming sessions and members' questions."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from ama.announcements import session_publish
from ama.models import (
    Chapter,
    Panelist,
    Question,
    Topic,
    UpcomingSession,
    Video,
)
from ama.resources import VideoResource
from ama.services import (
    questions_merge,
    upcoming_session_archive,
    video_published,
    videos_publish,
)

# Links typed without a scheme are https (Django 6's default, chosen now).
URL_FIELDS_HTTPS = {models.URLField: {"assume_scheme": "https"}}

# Widgets are chosen to pass axe-core: plain selects and checkboxes instead of the
# admin's autocomplete and two-box filter widgets, and named cells in tabular
# inlines (whose column headers are not <label>s).


class LabelledInlineFormSet(BaseInlineFormSet):
    """Give every field of a tabular inline row an accessible name."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            if field.label:
                field.widget.attrs.setdefault("aria-label", str(field.label))


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "slug", "video_count"]
    search_fields = ["name", "name_es"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_video_count=Count("videos"))

    @admin.display(description=_("videos"), ordering="_video_count")
    def video_count(self, topic) -> int:
        return topic._video_count


class PanelistInline(admin.TabularInline):
    model = Panelist
    formset = LabelledInlineFormSet
    extra = 1
    fields = ["name", "role", "mentor", "order"]
    # A search popup, not a select of every registry listing.
    raw_id_fields = ["mentor"]


class ChapterInline(admin.TabularInline):
    model = Chapter
    formset = LabelledInlineFormSet
    extra = 3
    fields = ["start_seconds", "title"]


@admin.register(Video)
class VideoAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [VideoResource]
    formfield_overrides = URL_FIELDS_HTTPS
    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    list_display = [
        "title",
        "date",
        "audience",
        "language",
        "status",
        "published_at",
    ]
    list_filter = ["status", "audience", "language", "topics", "date", "specialty"]
    search_fields = ["title", "description", "panelists__name", "video_url"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "date"
    readonly_fields = ["published_at", "created_at", "updated_at"]
    inlines = [PanelistInline, ChapterInline]
    actions = ["publish_selected", "unpublish_selected"]
    list_select_related = ["specialty"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "date", "status", "video_url")}),
        (
            _("Who and what"),
            {"fields": ("audience", "language", "topics", "specialty", "duration")},
        ),
        (_("Text"), {"fields": ("description", "summary", "transcript")}),
        (
            _("Dates"),
            {
                "classes": ("collapse",),
                "fields": ("published_at", "created_at", "updated_at"),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_published:
            _tell_about_emails(self, request, video_published(video=obj), "recording")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "topics":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description=_("Publish selected sessions"))
    def publish_selected(self, request, queryset):
        count = videos_publish(videos=queryset)
        self.message_user(
            request,
            ngettext("Published %d session.", "Published %d sessions.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Move selected sessions back to draft"))
    def unpublish_selected(self, request, queryset):
        count = 0
        for video in queryset.filter(status=Video.Status.PUBLISHED):
            video.status = Video.Status.DRAFT
            video.save(update_fields=["status", "updated_at"])  # kept in history
            count += 1
        self.message_user(
            request,
            ngettext("%d session moved to draft.", "%d sessions moved to draft.", count)
            % count,
            messages.SUCCESS,
        )


def _tell_about_emails(model_admin, request, sent: int, kind: str) -> None:
    if not sent:
        return
    text = {
        "announcement": ngettext(
            "The announcement is on its way to %d person.",
            "The announcement is on its way to %d people.",
            sent,
        ),
        "recording": ngettext(
            "%d member who asked or upvoted is told about the recording.",
            "%d members who asked or upvoted are told about the recording.",
            sent,
        ),
    }[kind]
    model_admin.message_user(request, text % sent, messages.SUCCESS)


class QuestionInline(admin.TabularInline):
    """Quick moderation on the session page; merging and chapters are set on the
    question's own page."""

    model = Question
    formset = LabelledInlineFormSet
    extra = 0
    fields = ["text", "status", "votes", "merged_into", "answered_chapter"]
    readonly_fields = ["text", "votes", "merged_into", "answered_chapter"]
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_votes()
            .select_related("answered_chapter__video")
        )

    @admin.display(description=_("votes"))
    def votes(self, question) -> int:
        return question.vote_total

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UpcomingSession)
class UpcomingSessionAdmin(SimpleHistoryAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = [
        "title",
        "starts_at",
        "status",
        "audience",
        "pending_questions",
        "announced_at",
        "archived_video",
    ]
    list_filter = ["status", "audience", "starts_at"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    inlines = [QuestionInline]
    actions = ["publish_selected", "archive_selected"]
    readonly_fields = ["announced_at", "reminded_at", "recording_notice_sent_at"]
    list_select_related = ["archived_video"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _pending=Count(
                    "questions",
                    filter=Q(questions__status=Question.Status.PENDING),
                )
            )
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "starts_at":
            # The split date/time inputs have no <label> of their own.
            date_widget, time_widget = field.widget.widgets
            date_widget.attrs["aria-label"] = _("Start date")
            time_widget.attrs["aria-label"] = _("Start time")
        return field

    @admin.display(description=_("questions to review"), ordering="_pending")
    def pending_questions(self, session) -> int:
        return session._pending

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.status == UpcomingSession.Status.PUBLISHED:
            _tell_about_emails(
                self, request, session_publish(session=obj), "announcement"
            )

    @admin.action(description=_("Publish and email the announcement"))
    def publish_selected(self, request, queryset):
        sent = sum(session_publish(session=session) for session in queryset)
        self.message_user(request, _("Published."), messages.SUCCESS)
        _tell_about_emails(self, request, sent, "announcement")

    @admin.action(description=_("Create draft archive entries from the recordings"))
    def archive_selected(self, request, queryset):
        created = 0
        for session in queryset:
            if not session.recording_url:
                self.message_user(
                    request,
                    _("“%(title)s” has no recording link yet; add it first.")
                    % {"title": session.title},
                    messages.WARNING,
                )
                continue
            upcoming_session_archive(session=session)
            created += 1
        if created:
            self.message_user(
                request,
                ngettext(
                    "%d draft archive entry is ready: add chapters, then publish.",
                    "%d draft archive entries are ready: add chapters, then publish.",
                    created,
                )
                % created,
                messages.SUCCESS,
            )


class QuestionAdminForm(forms.ModelForm):
    """Merge targets from the same session; chapters of that session's recording."""

    class Meta:
        model = Question
        fields = ["session", "text", "status", "merged_into", "answered_chapter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        session = self.instance.session if self.instance.session_id else None
        merge_targets = Question.objects.none()
        chapters = Chapter.objects.none()
        if session is not None:
            merge_targets = session.questions.exclude(pk=self.instance.pk).filter(
                merged_into__isnull=True
            )
            if session.archived_video_id:
                chapters = Chapter.objects.filter(video_id=session.archived_video_id)
        self.fields["merged_into"].queryset = merge_targets
        self.fields["answered_chapter"].queryset = chapters.select_related("video")
        self.fields["answered_chapter"].help_text = _(
            "Chapters of the session's archive entry (create it from the session "
            "first)."
        )


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    form = QuestionAdminForm
    list_display = ["short_text", "session", "status", "votes", "created_at"]
    list_filter = ["status", "session"]
    search_fields = ["text", "session__title"]
    list_select_related = ["session"]
    readonly_fields = ["author_display", "created_at"]
    fields = [
        "session",
        "text",
        "status",
        "merged_into",
        "answered_chapter",
        "author_display",
        "created_at",
    ]
    actions = [
        "approve_selected",
        "hide_selected",
        "mark_answered_selected",
        "merge_selected",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_votes()

    @admin.display(description=_("question"))
    def short_text(self, question) -> str:
        return str(question)

    @admin.display(description=_("votes"), ordering="vote_total")
    def votes(self, question) -> int:
        return question.vote_total

    @admin.display(description=_("asked by"))
    def author_display(self, question) -> str:
        return str(question.author) if question.author else _("(deleted account)")

    def _set_status(self, request, queryset, status, label):
        # One save per question (not update()) so each change lands in the history.
        count = 0
        for question in queryset:
            question.status = status
            question.save(update_fields=["status"])
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d question %(label)s.", "%(count)d questions %(label)s.", count
            )
            % {"count": count, "label": label},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve selected questions"))
    def approve_selected(self, request, queryset):
        self._set_status(request, queryset, Question.Status.APPROVED, _("approved"))

    @admin.action(description=_("Hide selected questions"))
    def hide_selected(self, request, queryset):
        self._set_status(request, queryset, Question.Status.HIDDEN, _("hidden"))

    @admin.action(description=_("Mark selected questions answered"))
    def mark_answered_selected(self, request, queryset):
        self._set_status(request, queryset, Question.Status.ANSWERED, _("answered"))

    @admin.action(description=_("Merge selected duplicates into the most upvoted one"))
    def merge_selected(self, request, queryset):
        questions = list(queryset.order_by("-vote_total", "created_at", "pk"))
        if len(questions) < 2:
            self.message_user(
                request, _("Select at least two questions to merge."), messages.ERROR
            )
            return
        if len({question.session_id for question in questions}) > 1:
            self.message_user(
                request,
                _("Only questions of the same session can be merged."),
                messages.ERROR,
            )
            return
        into, duplicates = questions[0], questions[1:]
        count = questions_merge(into=into, duplicates=duplicates)
        self.message_user(
            request,
            ngettext(
                "Merged %(count)d question into “%(into)s”.",
                "Merged %(count)d questions into “%(into)s”.",
                count,
            )
            % {"count": count, "into": into},
            messages.SUCCESS,
        )
