"""Staff tools: subscribers (filters, search, CSV import with dry run, export,
history), mailings (compose, preview, test, send, progress) and the delivery log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from listserv.forms import MailingAdminForm, SendForm, SuppressionAdminForm
from listserv.models import (
    Delivery,
    MailEvent,
    Mailing,
    Subscriber,
    Suppression,
)
from listserv.resources import SubscriberResource
from listserv.sending import RenderedMailing
from listserv.services import (
    mailing_audience,
    mailing_requeue_failed,
    mailing_resume,
    mailing_schedule,
    mailing_send,
    mailing_unschedule,
    subscriber_send_confirmation,
    subscriber_unsubscribe,
)
from listserv.suppression import lift
from lmsa_portal.admin_tools import ReadOnlyAdminMixin
from lmsa_portal.mail import deliver_email
from members.models import Membership


@admin.register(Subscriber)
class SubscriberAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [SubscriberResource]
    list_display = [
        "email",
        "name",
        "role",
        "state",
        "region",
        "specialty",
        "status",
        "source",
        "created_at",
        "confirmed_at",
    ]
    list_filter = [
        "status",
        "source",
        "role",
        "frequency",
        "state",
        "region",
        "specialty",
        "interests",
        # A filter, not a date_hierarchy: that scanned every row for its days.
        "created_at",
    ]
    search_fields = ["email", "name", "institution"]  # trigram-indexed
    list_select_related = ["specialty"]
    show_full_result_count = False
    # Status changes only through the opt-in flow and the actions below, so the
    # list never holds a "confirmed" address nobody confirmed.
    readonly_fields = [
        "status",
        "source",
        "consent_text",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "updated_at",
        "user",
    ]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "email",
                    "role",
                    "institution",
                    "specialty",
                    "state",
                    "region",
                )
            },
        ),
        (_("Preferences"), {"fields": ("interests", "frequency")}),
        (
            _("Subscription"),
            {
                "fields": (
                    "status",
                    "source",
                    "consent_text",
                    "user",
                    "created_at",
                    "confirmation_sent_at",
                    "confirmed_at",
                    "unsubscribed_at",
                    "updated_at",
                )
            },
        ),
    )
    actions = ["send_confirmation_request", "unsubscribe_selected"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "interests":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(
        description=_("Send a confirmation request to selected unconfirmed subscribers")
    )
    def send_confirmation_request(self, request, queryset):
        count = 0
        for subscriber in queryset.filter(status=Subscriber.Status.UNCONFIRMED):
            subscriber_send_confirmation(subscriber=subscriber)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Sent %(count)d confirmation request.",
                "Sent %(count)d confirmation requests.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unsubscribe selected subscribers"))
    def unsubscribe_selected(self, request, queryset):
        count = 0
        for subscriber in queryset.exclude(status=Subscriber.Status.UNSUBSCRIBED):
            subscriber_unsubscribe(subscriber=subscriber)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Unsubscribed %(count)d subscriber.",
                "Unsubscribed %(count)d subscribers.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


def _progress_counts(mailing: Mailing) -> dict:
    Status = Delivery.Status
    return Delivery.objects.filter(mailing=mailing).aggregate(
        queued=Count("pk", filter=Q(status=Status.QUEUED)),
        sent=Count("pk", filter=Q(status=Status.SENT)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        skipped=Count("pk", filter=Q(status=Status.SKIPPED)),
    )


class FailedDeliveriesFilter(admin.SimpleListFilter):
    title = _("deliveries")
    parameter_name = "failures"

    def lookups(self, request, model_admin):
        return [("yes", _("Some could not be delivered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_failed_deliveries()
        return queryset


@admin.register(Mailing)
class MailingAdmin(SimpleHistoryAdmin):
    form = MailingAdminForm
    list_display = [
        "subject",
        "status",
        "send_at",
        "queued_count",
        "sent_count",
        "failed_count",
        "skipped_count",
        "created_at",
        "finished_at",
        "sending_problem",
    ]
    list_filter = ["status", FailedDeliveriesFilter]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    actions = ["resume_sending", "retry_failed", "cancel_schedule"]
    change_form_template = "admin/listserv/mailing/change_form.html"
    progress_fields = [
        "status",
        "send_at",
        "progress",
        "sending_problem",
        "created_by",
        "created_at",
        "queued_at",
        "started_at",
        "finished_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    def get_fields(self, request, obj=None):
        fields = [
            "subject",
            "body_markdown",
            "reply_to",
            "roles",
            "specialties",
            "states",
            "regions",
            "interests",
            "archive",
        ]
        if obj is not None:
            fields = fields + self.progress_fields
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.is_draft:
            return self.progress_fields
        return [
            "subject",
            "body_markdown",
            "reply_to_display",
            "roles_display",
            "specialties",
            "states_display",
            "regions_display",
            "interests",
            *self.progress_fields,
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and not obj.is_draft:
            # Only where it shows in the archive stays editable once it is out.
            kwargs["fields"] = ["archive"]
            kwargs["form"] = admin.ModelAdmin.form
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            fields = ["archive", *self.get_readonly_fields(request, obj)]
            return [(None, {"fields": fields})]
        return super().get_fieldsets(request, obj)

    @admin.display(description=_("reply-to address"))
    def reply_to_display(self, obj):
        return obj.reply_to_address

    @admin.display(description=_("roles"))
    def roles_display(self, obj):
        return ", ".join(obj.roles) or _("every role")

    @admin.display(description=_("LMSA regions"))
    def regions_display(self, obj):
        labels = dict(Membership.Region.choices)
        return ", ".join(str(labels.get(r, r)) for r in obj.regions) or _(
            "every region"
        )

    @admin.display(description=_("states"))
    def states_display(self, obj):
        return ", ".join(obj.states) or _("every state")

    @admin.display(description=_("queued"), ordering="queued_count")
    def queued_count(self, obj):
        return obj.queued_count

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent_count(self, obj):
        return obj.sent_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed_count(self, obj):
        return obj.failed_count

    @admin.display(description=_("skipped"), ordering="skipped_count")
    def skipped_count(self, obj):
        return obj.skipped_count

    @admin.display(description=_("sending problem"))
    def sending_problem(self, obj):
        if not obj.last_error:
            return "—"
        return _(
            "Sending stopped: %(error)s. Fix the cause, then use the "
            "“Resume sending” action to try again."
        ) % {"error": obj.last_error[:300]}

    @admin.display(description=_("progress"))
    def progress(self, obj):
        # The delivery log is linked from the buttons above the form.
        counts = _progress_counts(obj)
        return (
            _(
                "%(queued)d queued · %(sent)d sent · %(failed)d failed · "
                "%(skipped)d skipped"
            )
            % counts
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # A mailing that went out stays, with its delivery log.
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    # -- actions ---------------------------------------------------------------
    @admin.action(description=_("Resume sending (after a worker stopped)"))
    def resume_sending(self, request, queryset):
        for mailing in queryset:
            mailing_resume(mailing=mailing)
        self.message_user(request, _("Sending resumed."), messages.SUCCESS)

    @admin.action(description=_("Cancel scheduled sending (back to draft)"))
    def cancel_schedule(self, request, queryset):
        count = sum(mailing_unschedule(mailing=m) for m in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d mailing is a draft again.",
                "%(count)d mailings are drafts again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Retry failed deliveries"))
    def retry_failed(self, request, queryset):
        total = sum(mailing_requeue_failed(mailing=m) for m in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.",
                "%(count)d deliveries queued again.",
                total,
            )
            % {"count": total},
            messages.SUCCESS,
        )

    # -- preview, test, send ---------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/",
                view(self.preview_view),
                name="listserv_mailing_preview",
            ),
            path(
                "<int:pk>/send-test/",
                view(self.send_test_view),
                name="listserv_mailing_send_test",
            ),
            path("<int:pk>/send/", view(self.send_view), name="listserv_mailing_send"),
        ] + super().get_urls()

    def _mailing_or_403(self, request, pk, *, change=True) -> Mailing:
        mailing = get_object_or_404(Mailing, pk=pk)
        allowed = (
            self.has_change_permission(request, mailing)
            if change
            else self.has_view_permission(request, mailing)
        )
        if not allowed:
            raise PermissionDenied
        return mailing

    def _context(self, request, mailing, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": mailing,
            "mailing": mailing,
            **extra,
        }

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The email as subscribers will see it, with the audience size."""
        mailing = self._mailing_or_403(request, pk, change=False)
        rendered = RenderedMailing(mailing)
        return TemplateResponse(
            request,
            "admin/listserv/mailing/preview.html",
            self._context(
                request,
                mailing,
                title=_("Preview: %(subject)s") % {"subject": mailing.subject},
                body_html=rendered.body_html,
                body_text=rendered.text,
                audience_count=mailing_audience(mailing).count(),
            ),
        )

    def send_test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Send the mailing to the signed-in staff member only."""
        mailing = self._mailing_or_403(request, pk, change=False)
        if request.method == "POST":
            rendered = RenderedMailing(mailing)
            test_subscriber = Subscriber.objects.with_email(request.user.email).first()
            message = rendered.message_for(
                subscriber_id=test_subscriber.pk if test_subscriber else 0,
                email=request.user.email,
                subject_prefix="[TEST] ",
            )
            deliver_email.enqueue(
                subject=message.subject,
                body=message.body,
                html=message.alternatives[0][0],
                to=[request.user.email],
                headers=message.extra_headers,
                reply_to=message.reply_to,
                from_email=message.from_email,  # the list's sender
            )
            self.message_user(
                request,
                _("A test was sent to %(email)s.") % {"email": request.user.email},
                messages.SUCCESS,
            )
            return redirect("admin:listserv_mailing_change", mailing.pk)
        return TemplateResponse(
            request,
            "admin/listserv/mailing/confirm_test.html",
            self._context(request, mailing, title=_("Send a test to yourself")),
        )

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Confirm, then queue every delivery and start the background send."""
        mailing = self._mailing_or_403(request, pk)
        change_page = redirect("admin:listserv_mailing_change", mailing.pk)
        if not mailing.is_draft:
            self.message_user(
                request, _("This mailing was already sent."), messages.WARNING
            )
            return change_page
        form = SendForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            send_at = form.cleaned_data["send_at"]
            if send_at is not None and send_at > timezone.now():
                try:
                    mailing_schedule(mailing=mailing, send_at=send_at)
                except ValueError:
                    self.message_user(
                        request, _("This mailing was already sent."), messages.WARNING
                    )
                    return change_page
                self.message_user(
                    request,
                    _(
                        "Scheduled: sending starts at %(when)s, to the subscribers "
                        "who match its audience then."
                    )
                    % {
                        "when": date_format(
                            timezone.localtime(send_at), "DATETIME_FORMAT"
                        )
                    },
                    messages.SUCCESS,
                )
                return change_page
            try:
                count = mailing_send(mailing=mailing)
            except ValueError:
                # A double click or a second tab queued it since the check above
                # (mailing_queue re-reads the status under a row lock).
                self.message_user(
                    request, _("This mailing was already sent."), messages.WARNING
                )
                return change_page
            self.message_user(
                request,
                ngettext(
                    "Sending to %(count)d subscriber.",
                    "Sending to %(count)d subscribers.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return change_page
        return TemplateResponse(
            request,
            "admin/listserv/mailing/confirm_send.html",
            self._context(
                request,
                mailing,
                title=_("Send this mailing"),
                audience_count=mailing_audience(mailing).count(),
                form=form,
            ),
        )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The delivery log, read-only; filter by mailing and status."""

    list_display = [
        "mailing",
        "subscriber_email",
        "status",
        "attempts",
        "sent_at",
        "last_error_short",
        "claimed_by",
    ]
    list_filter = ["status", "mailing"]
    search_fields = ["subscriber__email", "subscriber__name"]  # trigram-indexed
    list_select_related = ["mailing", "subscriber"]
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("subscriber"), ordering="subscriber__email")
    def subscriber_email(self, obj):
        return obj.subscriber.email

    @admin.display(description=_("last error"))
    def last_error_short(self, obj):
        return (obj.last_error or "")[:80]


class SuppressionActiveFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("In force")), ("no", _("Lifted"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    form = SuppressionAdminForm
    """Addresses no mailing reaches, and why; staff can lift one (the row stays,
    marked lifted) or add one by hand."""

    list_display = [
        "email",
        "reason",
        "detail_short",
        "source",
        "created_at",
        "in_force",
        "lifted_at",
        "lifted_by",
    ]
    list_filter = [SuppressionActiveFilter, "reason", "source", "created_at"]
    search_fields = ["email"]
    list_select_related = ["lifted_by"]
    show_full_result_count = False
    actions = ["lift_selected"]
    fields = [
        "email",
        "reason",
        "detail",
        "source",
        "event_display",
        "created_at",
        "lifted_at",
        "lifted_by",
    ]

    def get_readonly_fields(self, request, obj=None):
        always = ["event_display", "created_at", "lifted_at", "lifted_by"]
        if obj is None:
            return [*always, "source"]
        return ["email", "reason", "detail", "source", *always]

    def get_changeform_initial_data(self, request):
        return {"reason": Suppression.Reason.MANUAL}

    def save_model(self, request, obj, form, change):
        if not change and not obj.source:
            # Stored text, not translated; fits the column whatever the address.
            obj.source = f"staff: {request.user.email}"[:50]
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # lift instead: the record of why stays

    @admin.display(description=_("detail"))
    def detail_short(self, obj):
        return (obj.detail or "")[:100]

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.is_active

    @admin.display(description=_("event"))
    def event_display(self, obj):
        event = obj.event
        if event is None:
            return "—"
        return _("%(kind)s reported by %(source)s at %(when)s: %(description)s") % {
            "kind": event.get_kind_display(),
            "source": event.source or "—",
            "when": event.occurred_at.strftime("%Y-%m-%d %H:%M %Z"),
            "description": event.description or "—",
        }

    @admin.action(description=_("Lift selected suppressions"))
    def lift_selected(self, request, queryset):
        count = sum(
            lift(suppression=suppression, user=request.user)
            for suppression in queryset.filter(lifted_at__isnull=True)
        )
        self.message_user(
            request,
            ngettext(
                "Lifted %(count)d suppression; the address can receive mailings "
                "again if it is subscribed.",
                "Lifted %(count)d suppressions; the addresses can receive mailings "
                "again if they are subscribed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(MailEvent)
class MailEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every bounce and complaint reported, read-only: the evidence behind the
    suppressions."""

    list_display = ["email", "kind", "source", "description_short", "occurred_at"]
    list_filter = ["kind", "source", "occurred_at"]
    search_fields = ["email"]
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("description"))
    def description_short(self, obj):
        return (obj.description or "")[:100]
