"""Staff curation of users and memberships."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from import_export.admin import ExportMixin, ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from lmsa_portal.admin_tools import decline_action
from members.models import Membership, MembershipReminder, RosterEntry, User
from members.resources import MembershipResource, RosterEntryResource
from members.services import membership_approve, membership_decline


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 0
    fields = [
        "member_type",
        "institution",
        "graduation_year",
        "region",
        "status",
        "expires_on",
        "decision_note",
    ]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "membership__status"]
    search_fields = ["email", "first_name", "last_name"]  # trigram-indexed
    show_full_result_count = False
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "preferred_language", "time_zone")},
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )


@admin.register(Membership)
class MembershipAdmin(ExportMixin, SimpleHistoryAdmin):
    resource_classes = [MembershipResource]
    list_display = [
        "member_email",
        "member_name",
        "member_type",
        "institution",
        "region",
        "status",
        "expires_on",
        "created_at",
    ]
    list_filter = ["status", "member_type", "region", "expires_on", "created_at"]
    # The user's trigram-indexed fields only: an OR reaching two tables could
    # read no index.
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    show_full_result_count = False
    # A raw id, not the autocomplete widget: Django's AutocompleteSelect filters
    # the re-shown form's queryset with whatever was posted, so a non-numeric id
    # was a 500 (found by tests/security/test_admin_fuzz.py).
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at", "decided_at"]
    actions = ["approve_selected", "decline_selected"]

    def get_readonly_fields(self, request, obj=None):
        # A membership belongs to its user for good: never re-pointed.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "user"] if obj is not None else fields

    @admin.display(description=_("email"), ordering="user__email")
    def member_email(self, membership: Membership) -> str:
        return membership.user.email

    @admin.display(description=_("name"), ordering="user__last_name")
    def member_name(self, membership: Membership) -> str:
        return membership.user.get_full_name()

    @admin.action(description=_("Approve selected memberships (emails each member)"))
    def approve_selected(self, request, queryset):
        count = 0
        for membership in queryset.select_related("user"):
            membership_approve(membership=membership, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("Approved %d membership.", "Approved %d memberships.", count)
            % count,
            messages.SUCCESS,
        )

    decline_selected = decline_action(
        decline=lambda membership, request, reason: membership_decline(
            membership=membership, by=request.user, reason=reason
        ),
        selected=lambda queryset: queryset.select_related("user"),
        describe=lambda membership: membership.user.email,
        description=_("Decline selected memberships (asks for a reason)"),
        title=_("Decline memberships"),
        intro=_("These members will be told their membership was declined:"),
        reason_label=_("Reason (sent to the member)"),
        done=ngettext_lazy("Declined %d membership.", "Declined %d memberships."),
    )


class RosterStatusFilter(admin.SimpleListFilter):
    title = _("roster status")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Current")),
            ("no", _("Expired")),
            ("expiring", _("Expiring within 30 days")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "expiring":
            return queryset.expiring_within(30)
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.active().values("pk"))
        return queryset


@admin.register(RosterEntry)
class RosterEntryAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """The dues roster: import CSV/XLSX with a dry-run preview; matching verified
    accounts become active members automatically."""

    resource_classes = [RosterEntryResource]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "member_type",
        "institution",
        "region",
        "expires_on",
        "imported_at",
    ]
    list_filter = [RosterStatusFilter, "member_type", "region"]
    search_fields = ["email", "first_name", "last_name", "institution"]
    date_hierarchy = "expires_on"


@admin.register(MembershipReminder)
class MembershipReminderAdmin(admin.ModelAdmin):
    list_display = ["membership", "kind", "expires_on", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["membership__user__email"]
    list_select_related = ["membership__user"]
    readonly_fields = ["membership", "kind", "expires_on", "sent_at"]

    def has_add_permission(self, request):
        return False
