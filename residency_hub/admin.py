"""Staff curation of specialties, programs, events, submissions and feed tokens."""

from django.contrib import admin, messages
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from lmsa_portal.admin_tools import decline_action
from residency_hub import services
from residency_hub.forms import (
    EventAdminForm,
    EventInlineForm,
    ProgramSubmissionAdminForm,
    SubmittedEventAdminForm,
)
from residency_hub.models import (
    VERIFICATION_MAX_AGE,
    AdvisorContact,
    CalendarFeedToken,
    Event,
    Program,
    ProgramCoordinator,
    ProgramSubmission,
    Specialty,
    SubmittedContact,
    SubmittedEvent,
)
from residency_hub.resources import EventResource, ProgramResource


class HttpsLinksMixin:
    """A link typed without a scheme is taken as https (Django 6's default)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "slug"]
    search_fields = ["name", "name_es", "description"]
    prepopulated_fields = {"slug": ["name"]}


# --- Programs -----------------------------------------------------------------


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Not verified for 12 months (or never)")),
            ("current", _("Verified within 12 months")),
            ("unanswered", _("Not verified recently (yearly email unanswered)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.verification_overdue()
        if self.value() == "unanswered":
            return queryset.not_verified_recently()
        if self.value() == "current":
            return queryset.filter(
                last_verified_on__gte=timezone.localdate() - VERIFICATION_MAX_AGE
            )
        return queryset


class AdvisorContactInline(admin.TabularInline):
    model = AdvisorContact
    extra = 0
    fields = ["name", "role", "email", "phone", "position"]


class ProgramCoordinatorInline(admin.TabularInline):
    """Each coordinator gets their own signed link; revoking one stops only
    theirs."""

    model = ProgramCoordinator
    extra = 0
    fields = ["email", "name", "language", "created_at", "revoked_at"]
    readonly_fields = ["created_at"]


class EventInline(HttpsLinksMixin, admin.StackedInline):
    model = Event
    form = EventInlineForm
    extra = 0
    fields = [
        ("title", "status"),
        "specialty",
        ("starts_at", "ends_at", "time_zone"),
        ("link", "host"),
        "description",
    ]
    autocomplete_fields = ["specialty"]
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(HttpsLinksMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ProgramResource]
    list_display = [
        "name",
        "institution",
        "specialty",
        "city",
        "state",
        "last_verified_on",
        "needs_verification",
    ]
    list_filter = [VerificationFilter, "specialty", "state", "language"]
    search_fields = ["name", "institution", "city", "dei_initiatives"]
    list_select_related = ["specialty"]
    autocomplete_fields = ["specialty"]
    prepopulated_fields = {"slug": ["name", "institution"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ProgramCoordinatorInline, AdvisorContactInline, EventInline]
    actions = ["mark_verified"]
    date_hierarchy = "last_verified_on"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "institution",
                    "specialty",
                    ("city", "state"),
                    "website",
                    "program_size",
                    "language",
                    "last_verified_on",
                    "verification_requested_at",
                ]
            },
        ),
        (
            _("Diversity, equity and inclusion (Markdown)"),
            {
                "fields": [
                    "diversity_mission",
                    "dei_initiatives",
                    "pipeline_opportunities",
                    "special_tracks",
                    "applicant_tips",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Event:
            return super().save_formset(request, form, formset, change)
        events = formset.save(commit=False)
        for event in events:
            if event.specialty_id is None:
                event.specialty = form.instance.specialty
            event.save()
        for event in formset.deleted_objects:
            event.delete()
        formset.save_m2m()
        return None

    @admin.display(boolean=True, description=_("needs verification"))
    def needs_verification(self, program: Program) -> bool:
        return program.verification_overdue

    @admin.action(description=_("Mark selected programs verified today"))
    def mark_verified(self, request, queryset):
        count = services.programs_mark_verified(programs=queryset)
        self.message_user(
            request,
            ngettext(
                "Marked %d program verified.", "Marked %d programs verified.", count
            )
            % count,
            messages.SUCCESS,
        )


# --- Events -------------------------------------------------------------------


@admin.register(Event)
class EventAdmin(HttpsLinksMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [EventResource]
    form = EventAdminForm
    list_display = [
        "title",
        "specialty",
        "program",
        "starts_at",
        "time_zone",
        "status",
        "sequence",
    ]
    list_filter = ["status", "specialty", "starts_at"]
    search_fields = ["title", "host", "program__name", "program__institution"]
    list_select_related = ["specialty", "program"]
    autocomplete_fields = ["specialty", "program"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    date_hierarchy = "starts_at"
    actions = ["cancel_selected"]
    fields = [
        "title",
        "status",
        "specialty",
        "program",
        ("starts_at", "ends_at"),
        "time_zone",
        "link",
        "host",
        "description",
        ("uid", "sequence"),
        ("created_at", "updated_at"),
    ]

    @admin.action(description=_("Cancel selected events (subscribed calendars update)"))
    def cancel_selected(self, request, queryset):
        count = 0
        for event in queryset.exclude(status=Event.Status.CANCELLED):
            event.status = Event.Status.CANCELLED
            event.save()
            count += 1
        self.message_user(
            request,
            ngettext("Cancelled %d event.", "Cancelled %d events.", count) % count,
            messages.SUCCESS,
        )


# --- Submissions --------------------------------------------------------------


class SubmittedContactInline(admin.StackedInline):
    model = SubmittedContact
    extra = 0
    fields = ["action", "replaces", "name", "role", "email", "phone", "position"]
    readonly_fields = ["action", "replaces"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("replaces")


class SubmittedEventInline(HttpsLinksMixin, admin.StackedInline):
    model = SubmittedEvent
    form = SubmittedEventAdminForm
    extra = 0
    fields = [
        ("action", "replaces"),
        "title",
        ("starts_at", "ends_at", "time_zone"),
        "link",
        "description",
        "position",
    ]
    readonly_fields = ["action", "replaces"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("replaces")


@admin.register(ProgramSubmission)
class ProgramSubmissionAdmin(HttpsLinksMixin, SimpleHistoryAdmin):
    """The review queue: approve publishes, decline explains; both email the
    submitter. Approving creates every submitted event and contact."""

    form = ProgramSubmissionAdminForm
    inlines = [SubmittedContactInline, SubmittedEventInline]
    list_display = [
        "name",
        "institution",
        "specialty",
        "state",
        "submitter_email",
        "program",
        "is_coordinator_change",
        "status",
        "created_at",
    ]
    list_filter = ["status", "specialty", "state"]
    search_fields = ["name", "institution", "submitter_name", "submitter_email"]
    list_select_related = ["specialty", "program"]
    autocomplete_fields = ["specialty", "program"]
    readonly_fields = [
        "what_changed",
        "coordinator",
        "status",
        "decided_at",
        "decided_by",
        "created_at",
        "language",
    ]
    actions = ["approve_selected", "decline_selected"]
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "what_changed"]
        return ["what_changed", *fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("coordinator")

    @admin.display(boolean=True, description=_("coordinator's change"))
    def is_coordinator_change(self, submission: ProgramSubmission) -> bool:
        return submission.coordinator_id is not None

    @admin.display(description=_("what changed"))
    def what_changed(self, submission: ProgramSubmission) -> str:
        """The diff against the live entry: exactly what approving applies."""
        if submission.pk is None:
            return "-"
        # Rendered (and escaped) by the template: already safe HTML.
        return render_to_string(
            "residency_hub/admin/what_changed.html",
            {
                "changes": services.submission_diff(submission),
                "new_program": submission.program_id is None,
            },
        )

    @admin.action(description=_("Approve and publish selected submissions (emails)"))
    def approve_selected(self, request, queryset):
        count = 0
        for submission in queryset.filter(
            status=ProgramSubmission.Status.PENDING
        ).select_related("program", "specialty"):
            services.program_submission_approve(submission=submission, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("Approved %d submission.", "Approved %d submissions.", count)
            % count,
            messages.SUCCESS,
        )

    decline_selected = decline_action(
        decline=lambda submission, request, reason: services.program_submission_decline(
            submission=submission, by=request.user, reason=reason
        ),
        selected=lambda queryset: queryset.filter(
            status=ProgramSubmission.Status.PENDING
        ),
        describe=lambda submission: (
            f"{submission.name} · {submission.institution} "
            f"({submission.submitter_email})"
        ),
        description=_("Decline selected submissions (asks for a reason)"),
        title=_("Decline program submissions"),
        intro=_("These submitters will be told their program was not published:"),
        reason_label=_("Reason (sent to the submitter)"),
        done=ngettext_lazy("Declined %d submission.", "Declined %d submissions."),
    )


@admin.register(ProgramCoordinator)
class ProgramCoordinatorAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "program", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["email", "name", "program__name", "program__institution"]
    list_select_related = ["program"]
    autocomplete_fields = ["program"]
    fields = ["program", "email", "name", "language", "created_at", "revoked_at"]
    readonly_fields = ["created_at"]
    actions = ["send_links", "revoke_selected"]

    @admin.action(description=_("Email selected coordinators their edit link"))
    def send_links(self, request, queryset):
        count = 0
        for coordinator in queryset.live().select_related("program"):
            services.coordinator_send_link(coordinator=coordinator, request=request)
            count += 1
        self.message_user(
            request,
            ngettext("Sent %d link.", "Sent %d links.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Revoke selected coordinators' links"))
    def revoke_selected(self, request, queryset):
        count = services.coordinators_revoke(queryset)
        self.message_user(
            request,
            ngettext("Revoked %d link.", "Revoked %d links.", count) % count,
            messages.SUCCESS,
        )


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at"]
    fields = ["user", "created_at", "revoked_at"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke selected calendar links"))
    def revoke_selected(self, request, queryset):
        count = services.feed_tokens_revoke(queryset)
        self.message_user(
            request,
            ngettext("Revoked %d link.", "Revoked %d links.", count) % count,
            messages.SUCCESS,
        )
