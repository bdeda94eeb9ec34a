"""Staff curation of the mentor registry: review queue, decisions, import/export."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from lmsa_portal.admin_tools import (
    ReadOnlyAdminMixin,
    action_confirmation,
    decline_action,
)
from mentors.forms import StaffPauseForm
from mentors.models import (
    Language,
    Mentor,
    MentorshipRequest,
    PendingMentor,
    SavedSearch,
)
from mentors.resources import MentorResource
from mentors.services import (
    mentor_approve,
    mentor_decline,
    mentor_pause,
    mentor_resume,
)


class DirectoryVisibilityFilter(admin.SimpleListFilter):
    """Where an approved listing stands: live, paused, or stale (unconfirmed)."""

    title = _("directory visibility")
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [
            ("live", _("In the directory")),
            ("paused", _("Paused")),
            ("stale", _("Stale (unconfirmed)")),
            ("reminded", _("Reconfirmation emailed, no answer yet")),
            ("attention", _("Stale or awaiting reconfirmation")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        approved = queryset.filter(status=Mentor.Status.APPROVED)
        if self.value() == "live":
            return approved.live(today)
        if self.value() == "paused":
            return approved.filter(paused_until__gt=today)
        if self.value() == "stale":
            return approved.filter(stale_since__isnull=False)
        if self.value() == "attention":
            return queryset.needing_reconfirmation()
        if self.value() == "reminded":
            return approved.filter(
                reconfirmation_sent_at__isnull=False, stale_since__isnull=True
            )
        return queryset


def _as_mentors(queryset):
    """Actions work on real Mentor rows (the pending queue is a proxy model), so
    edit history and signals always see the concrete model."""
    return Mentor.objects.filter(
        pk__in=list(queryset.values_list("pk", flat=True))
    ).select_related("specialty")


def _describe(mentor: Mentor) -> str:
    """A selected listing on an action's page."""
    return (
        f"{mentor.full_name}, {mentor.credentials} · {mentor.specialty} · "
        f"{mentor.email}"
    )


class MentorReviewActionsMixin:
    """Bulk approve, decline (with a reason), pause, resume; each emails the mentor."""

    actions = [
        "approve_selected",
        "decline_selected",
        "pause_selected",
        "resume_selected",
    ]

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("mentors.change_mentor")

    @admin.action(
        permissions=["review"],
        description=_("Approve selected listings (emails each physician)"),
    )
    def approve_selected(self, request, queryset):
        count = 0
        for mentor in _as_mentors(queryset):
            mentor_approve(mentor=mentor, by=request.user, request=request)
            count += 1
        self.message_user(
            request,
            ngettext("Approved %d listing.", "Approved %d listings.", count) % count,
            messages.SUCCESS,
        )

    decline_selected = decline_action(
        decline=lambda mentor, request, reason: mentor_decline(
            mentor=mentor, by=request.user, reason=reason, request=request
        ),
        selected=_as_mentors,
        describe=_describe,
        permissions=["review"],
        description=_("Decline selected listings (asks for a reason)"),
        title=_("Decline mentor listings"),
        intro=_("These physicians will be emailed that their listing was declined:"),
        reason_label=_("Reason (sent to the physician)"),
        done=ngettext_lazy("Declined %d listing.", "Declined %d listings."),
    )

    @admin.action(
        permissions=["review"], description=_("Pause selected listings until a date")
    )
    def pause_selected(self, request, queryset):
        mentors = _as_mentors(queryset)
        if "apply" in request.POST:
            form = StaffPauseForm(request.POST)
            if form.is_valid():
                count = 0
                for mentor in mentors:
                    mentor_pause(
                        mentor=mentor,
                        until=form.cleaned_data["paused_until"],
                        by=request.user,
                        request=request,
                    )
                    count += 1
                self.message_user(
                    request,
                    ngettext("Paused %d listing.", "Paused %d listings.", count)
                    % count,
                    messages.SUCCESS,
                )
                return None
        else:
            form = StaffPauseForm()
        return action_confirmation(
            self,
            request,
            mentors,
            form=form,
            describe=_describe,
            action="pause_selected",
            title=_("Pause mentor listings"),
            intro=_(
                "These listings will leave the directory until the date you choose; "
                "each physician is emailed:"
            ),
            button=_("Pause and email"),
        )

    @admin.action(
        permissions=["review"], description=_("Resume selected paused listings")
    )
    def resume_selected(self, request, queryset):
        count = 0
        for mentor in _as_mentors(queryset).filter(paused_until__isnull=False):
            mentor_resume(mentor=mentor, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("Resumed %d listing.", "Resumed %d listings.", count) % count,
            messages.SUCCESS,
        )


class MentorshipRequestInline(admin.TabularInline):
    """A listing's requests (who, when, state); what members wrote stays in the
    request's own page, for staff allowed to read it."""

    model = MentorshipRequest
    fields = ["member", "status", "created_at", "answered_at", "outcome"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "mentor")


@admin.register(Mentor)
class MentorAdmin(MentorReviewActionsMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [MentorResource]
    list_display = [
        "full_name",
        "credentials",
        "specialty",
        "institution",
        "state",
        "status",
        "visibility",
        "accepting_mentees",
        "confirmed_at",
        "created_at",
    ]
    # Every specialty (a small table), not only those in use: that was a scan of
    # all listings on every changelist page. Dates as a filter, not a
    # date_hierarchy, which scanned every row for its distinct days.
    list_filter = [
        "status",
        DirectoryVisibilityFilter,
        "specialty",
        "state",
        "created_at",
        "languages",
        "accepting_mentees",
        "mentors_premed",
        "mentors_medical_students",
        "mentors_residents",
        "offers_virtual",
        "offers_in_person",
    ]
    # Each has a trigram index (PostgreSQL): the search reads indexes, never
    # scans the table. The specialty has its own filter.
    search_fields = [
        "first_name",
        "last_name",
        "email",
        "institution",
        "city",
        "subspecialty",
    ]
    list_select_related = ["specialty"]
    inlines = [MentorshipRequestInline]
    # No COUNT(*) of the whole table next to every filtered count.
    show_full_result_count = False
    readonly_fields = [
        "user",
        "pending_email",
        "consented_at",
        "decided_at",
        "reconfirmation_sent_at",
        "stale_since",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            _("Physician"),
            {
                "fields": [
                    ("first_name", "last_name"),
                    "credentials",
                    ("email", "phone"),
                    "pending_email",
                    ("specialty", "subspecialty"),
                    "institution",
                    ("city", "state"),
                    "languages",
                    "language",
                    "user",
                ]
            },
        ),
        (
            _("Mentoring"),
            {
                "fields": [
                    ("mentors_premed", "mentors_medical_students", "mentors_residents"),
                    ("offers_virtual", "offers_in_person"),
                    ("capacity", "accepting_mentees"),
                    "bio",
                    "special_requests",
                    ("consent_to_share", "consented_at"),
                    "contact_by",
                ]
            },
        ),
        (
            _("Review and upkeep"),
            {
                "fields": [
                    "status",
                    "decision_note",
                    "decided_at",
                    "paused_until",
                    "confirmed_at",
                    "reconfirmation_sent_at",
                    "stale_since",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]

    # Widgets are chosen to pass axe-core: a plain select for the specialty (the
    # admin's Select2 autocomplete has no accessible name while empty, and the
    # ACGME list is short), checkboxes for languages, labelled date/time inputs.

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "confirmed_at" and field is not None:
            # The split date/time inputs have no <label> of their own.
            date_widget, time_widget = field.widget.widgets
            date_widget.attrs["aria-label"] = _("Confirmed on (date)")
            time_widget.attrs["aria-label"] = _("Confirmed at (time)")
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Checkboxes pass axe-core; the admin's two-box widget does not.
        if db_field.name == "languages":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, mentor: Mentor) -> str:
        return mentor.full_name

    @admin.display(description=_("directory"))
    def visibility(self, mentor: Mentor) -> str:
        if mentor.status != Mentor.Status.APPROVED:
            return "—"
        if mentor.is_stale:
            return _("Stale")
        if mentor.is_paused():
            return _("Paused until %(date)s") % {"date": mentor.paused_until}
        return _("Live")


@admin.register(PendingMentor)
class PendingMentorAdmin(
    MentorReviewActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    """The review queue: sign-ups waiting for a decision, oldest first; acted on
    here, edited on the full mentor page."""

    list_display = [
        "review_link",
        "credentials",
        "specialty",
        "institution",
        "city",
        "state",
        "special_requests",
        "created_at",
    ]
    list_display_links = None
    list_filter = ["specialty", "state"]
    search_fields = MentorAdmin.search_fields
    list_select_related = ["specialty"]
    show_full_result_count = False
    ordering = ["created_at"]
    actions = ["approve_selected", "decline_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Mentor.Status.PENDING)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("mentors.view_mentor") or request.user.has_perm(
            "mentors.change_mentor"
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description=_("name"), ordering="last_name")
    def review_link(self, mentor: Mentor) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:mentors_mentor_change", args=[mentor.pk]),
            mentor.full_name,
        )


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "code"]
    search_fields = ["name", "name_es", "code"]


class RequestAgeFilter(admin.SimpleListFilter):
    """How old a request is, in the periods that matter: the days a mentor has to
    answer, and the window in which it counts toward the mentor's load."""

    title = _("age")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        answer = settings.MENTOR_REQUEST_UNANSWERED_AFTER_DAYS
        window = settings.MENTOR_LOAD_WINDOW_DAYS
        return [
            ("new", _("Under %(days)s days") % {"days": answer}),
            (
                "recent",
                _("%(days)s to %(window)s days") % {"days": answer, "window": window},
            ),
            (
                "old",
                _("Over %(window)s days (no longer counts toward the load)")
                % {"window": window},
            ),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        answer = now - datetime.timedelta(
            days=settings.MENTOR_REQUEST_UNANSWERED_AFTER_DAYS
        )
        window = now - datetime.timedelta(days=settings.MENTOR_LOAD_WINDOW_DAYS)
        if self.value() == "new":
            return queryset.filter(created_at__gt=answer)
        if self.value() == "recent":
            return queryset.filter(created_at__lte=answer, created_at__gt=window)
        if self.value() == "old":
            return queryset.filter(created_at__lte=window)
        return queryset


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(admin.ModelAdmin):
    list_display = [
        "mentor",
        "member",
        "status",
        "outcome",
        "created_at",
        "answered_at",
    ]
    list_filter = ["status", RequestAgeFilter, "outcome", "created_at", "answered_at"]
    list_select_related = ["mentor", "member"]
    search_fields = ["mentor__last_name", "member__email"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    MESSAGE_FIELDS = ["about_me", "hopes", "message", "decline_note"]

    def has_add_permission(self, request) -> bool:
        return False

    def _reads_messages(self, request) -> bool:
        return request.user.has_perm("mentors.view_request_message")

    def get_fields(self, request, obj=None):
        fields = [
            "mentor",
            "member",
            "status",
            "created_at",
            "answered_at",
            "followed_up_at",
            "outcome",
            "outcome_at",
        ]
        return fields + (self.MESSAGE_FIELDS if self._reads_messages(request) else [])

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    """Read-only: members save and delete their searches themselves."""

    list_display = [
        "name",
        "member",
        "query",
        "alerts",
        "created_at",
        "last_checked_at",
    ]
    list_filter = ["alerts", "created_at"]
    list_select_related = ["member"]
    search_fields = ["name", "member__email"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
