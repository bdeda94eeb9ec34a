"""Directory, program and specialty pages, calendars, .ics files and submissions."""

import calendar
import datetime
import re
from collections import defaultdict
from hashlib import md5
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_POST
from django.views.generic import DetailView, FormView, ListView, TemplateView

from lmsa_portal.abuse import public_form_ratelimit_class
from lmsa_portal.http import redirect_to_next
from lmsa_portal.pagination import PortalPaginator
from lmsa_portal.signing import signed_link_view
from members.access import (
    ActiveMemberRequiredMixin,
    active_member_required,
    is_active_member,
    with_member_state,
)
from residency_hub import crosslinks, ics, services
from residency_hub.filters import ProgramFilter
from residency_hub.forms import (
    CoordinatorContactFormSet,
    CoordinatorEventFormSet,
    CoordinatorProgramForm,
    CoordinatorRequestLinkForm,
    ProgramSubmissionForm,
    SubmittedContactFormSet,
    SubmittedEventFormSet,
    contact_initial,
    event_initial,
)
from residency_hub.models import (
    Event,
    Program,
    ProgramCoordinator,
    ProgramSubmission,
    Specialty,
    SubmittedContact,
    SubmittedEvent,
)

PROGRAMS_PER_PAGE = 20
EVENTS_PER_PAGE = 20
SPECIALTY_PROGRAMS_SHOWN = 50
SPECIALTY_EVENTS_SHOWN = 10
PROGRAM_EVENTS_SHOWN = 10
# Subscribed calendars keep recently ended events; older ones drop off the feed.
FEED_PAST_DAYS = 90
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # secrets.token_urlsafe() text
FEED_CACHE_SECONDS = 24 * 60 * 60


class ProgramListView(ActiveMemberRequiredMixin, ListView):
    """The directory: programs filtered by specialty and state, searchable, sortable."""

    template_name = "residency_hub/program_list.html"
    paginate_by = PROGRAMS_PER_PAGE
    paginator_class = PortalPaginator
    context_object_name = "programs"

    def get_queryset(self):
        self.filterset = ProgramFilter(
            self.request.GET or None,
            queryset=Program.objects.visible_to(self.request.user),
        )
        # Filters not understood are left out; the form shows their errors.
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["is_filtered"] = any(
            self.request.GET.get(key) for key in ProgramFilter.Meta.fields
        )
        return context


class ProgramDetailView(ActiveMemberRequiredMixin, DetailView):
    """Everything about one program, with its advisor contacts and upcoming events."""

    template_name = "residency_hub/program_detail.html"
    context_object_name = "program"

    def get_queryset(self):
        return Program.objects.visible_to(self.request.user).prefetch_related(
            "contacts"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upcoming_events"] = (
            Event.objects.visible_to(self.request.user)
            .filter(program=self.object)
            .upcoming()[:PROGRAM_EVENTS_SHOWN]
        )
        return context


class SpecialtyDetailView(ActiveMemberRequiredMixin, DetailView):
    """One specialty: its programs, upcoming events, mentors and AMA videos."""

    template_name = "residency_hub/specialty_detail.html"
    context_object_name = "specialty"
    queryset = Specialty.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        programs = Program.objects.visible_to(user).filter(specialty=self.object)
        context["program_count"] = programs.count()
        context["programs"] = programs[:SPECIALTY_PROGRAMS_SHOWN]
        context["upcoming_events"] = (
            Event.objects.visible_to(user)
            .filter(specialty=self.object)
            .upcoming()[:SPECIALTY_EVENTS_SHOWN]
        )
        context["mentors"] = crosslinks.mentors_for(specialty=self.object, user=user)
        context["videos"] = crosslinks.videos_for(specialty=self.object)
        context["feed_token"] = services.current_feed_token(user=user)
        return context


def _parse_month(value: str | None, today: datetime.date) -> datetime.date:
    """The first day of the ``YYYY-MM`` month asked for; this month when absent or
    malformed."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 + months
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def month_grid(
    *, weeks: list[list[datetime.date]], month: int, events, zone, today
) -> list[list[dict]]:
    """``weeks`` of dates as day cells, each with the events starting that day in
    the viewer's time zone."""
    by_day = defaultdict(list)
    for event in events:
        by_day[timezone.localtime(event.starts_at, zone).date()].append(event)
    return [
        [
            {
                "date": day,
                "in_month": day.month == month,
                "is_today": day == today,
                "events": by_day.get(day, []),
            }
            for day in week
        ]
        for week in weeks
    ]


class CalendarView(ActiveMemberRequiredMixin, TemplateView):
    """A specialty's events: a month view, the upcoming list, or the past list."""

    template_name = "residency_hub/calendar.html"
    VIEWS = ("month", "upcoming", "past")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        specialty = get_object_or_404(Specialty, slug=kwargs["slug"])
        view = request.GET.get("view", "month")
        if view not in self.VIEWS:
            view = "month"
        zone = timezone.get_current_timezone()
        today = timezone.localdate()
        events = Event.objects.visible_to(request.user).filter(specialty=specialty)
        context.update(
            specialty=specialty,
            view=view,
            feed_token=services.current_feed_token(user=request.user),
        )
        if view == "month":
            first = _parse_month(request.GET.get("month"), today)
            weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(
                first.year, first.month
            )
            range_start = timezone.make_aware(
                datetime.datetime.combine(weeks[0][0], datetime.time.min), zone
            )
            range_end = timezone.make_aware(
                datetime.datetime.combine(
                    weeks[-1][-1] + datetime.timedelta(days=1), datetime.time.min
                ),
                zone,
            )
            month_events = list(
                events.filter(
                    starts_at__gte=range_start, starts_at__lt=range_end
                ).order_by("starts_at", "pk")
            )
            context.update(
                month=first,
                previous_month=_add_months(first, -1),
                next_month=_add_months(first, 1),
                weeks=month_grid(
                    weeks=weeks,
                    month=first.month,
                    events=month_events,
                    zone=zone,
                    today=today,
                ),
                weekdays=weeks[0],
                month_has_events=bool(month_events),
            )
        else:
            queryset = events.upcoming() if view == "upcoming" else events.past()
            page = PortalPaginator(queryset, EVENTS_PER_PAGE).get_page(
                request.GET.get("page")
            )
            context.update(page_obj=page, events=page.object_list)
        return context


class EventDetailView(ActiveMemberRequiredMixin, DetailView):
    """One event, in the viewer's time zone and the organiser's."""

    template_name = "residency_hub/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user)


def _ics_response(calendar_component, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(
        calendar_component.to_ical(), content_type="text/calendar; charset=utf-8"
    )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@active_member_required
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """Download one event as an .ics file ("add to calendar")."""
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    filename = f"{slugify(event.title)[:60] or 'event'}.ics"
    with translation.override("en"):
        component = ics.build_calendar([event], name=event.title)
    return _ics_response(component, filename=filename)


def _feed_events(request: HttpRequest, slug: str):
    """The feed's events and their (count, last change), once per request: the
    token's member must be active (else 404, no data); the events are the
    specialty's upcoming ones plus those ended in the last FEED_PAST_DAYS."""
    if not hasattr(request, "feed_events"):
        token_value = (request.GET.get("token") or "").strip()
        member = None
        # Only what new_feed_token() makes reaches the database (a NUL byte there
        # was a 500 on PostgreSQL).
        if FEED_TOKEN.fullmatch(token_value):
            member = with_member_state(
                get_user_model().objects.filter(
                    calendar_feed_tokens__token=token_value,
                    calendar_feed_tokens__revoked_at__isnull=True,
                )
            ).first()
        if member is None or not is_active_member(member):
            raise Http404
        specialty = get_object_or_404(Specialty, slug=slug)
        since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
        events = Event.objects.visible_to(member).filter(
            specialty=specialty, ends_at__gte=since
        )
        summary = events.aggregate(count=Count("pk"), changed=Max("updated_at"))
        request.feed_events = (specialty, events.order_by("starts_at", "pk"), summary)
    return request.feed_events


def _feed_etag(request: HttpRequest, slug: str) -> str:
    specialty, _events, summary = _feed_events(request, slug)
    changed = summary["changed"].timestamp() if summary["changed"] else 0
    # The name is in the feed (its title); hashed, as it may be any text.
    state = f"{summary['count']}-{changed}-{specialty.name}"
    return md5(state.encode(), usedforsecurity=False).hexdigest()


def _feed_last_modified(request: HttpRequest, slug: str):
    return _feed_events(request, slug)[2]["changed"]


@condition(etag_func=_feed_etag, last_modified_func=_feed_last_modified)
def calendar_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """A specialty's subscription feed for calendar apps: no session, the member's
    personal token instead. Revoked token or inactive membership: 404, no data.
    A calendar app that has the current copy gets a 304 from two queries."""
    specialty, events, _summary = _feed_events(request, slug)

    def build() -> bytes:
        with translation.override("en"):
            calendar = ics.build_calendar(
                events, name=f"LMSA · {specialty.name}", is_feed=True
            )
            return calendar.to_ical()

    # The same file for every active member; its key (the ETag) moves on with any
    # change, so a kept copy is never stale, and each feed is built once per
    # change, when first asked for (a build of a large specialty takes ~0.4 s).
    body = cache.get_or_set(
        f"residency_hub:feed:{_feed_etag(request, slug)}", build, FEED_CACHE_SECONDS
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # A personal URL: never kept by shared caches; the app asks again each time.
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@public_form_ratelimit_class(
    ip_rate="10/h", email_field="submitter_email", email_rate="5/h"
)
class ProgramSubmitView(FormView):
    """Public form: a program sends in its entry; staff review it before it shows."""

    template_name = "residency_hub/programsubmission_form.html"
    form_class = ProgramSubmissionForm
    success_url = reverse_lazy("residency_hub:submit-done")

    def get_formsets(self) -> dict:
        """The event and advisor-contact rows, bound on POST."""
        data = self.request.POST if self.request.method == "POST" else None
        return {
            "event_formset": SubmittedEventFormSet(
                data, instance=ProgramSubmission(), prefix="events"
            ),
            "contact_formset": SubmittedContactFormSet(
                data, instance=ProgramSubmission(), prefix="contacts"
            ),
        }

    def get_context_data(self, **kwargs):
        if "event_formset" not in kwargs:  # a rejected POST passes its own
            kwargs.update(self.get_formsets())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formsets = self.get_formsets()
        # Every part is validated, so each row shows its own errors at once.
        valid = [form.is_valid()] + [f.is_valid() for f in formsets.values()]
        if all(valid):
            return self.form_valid(form, formsets)
        return self.render_to_response(self.get_context_data(form=form, **formsets))

    def form_valid(self, form, formsets):
        if form.is_bot():
            return HttpResponseRedirect(self.get_success_url())
        submission = form.save(commit=False)
        submission.language = translation.get_language() or "en"
        with transaction.atomic():
            services.program_submission_create(
                submission=submission, rows=formsets.values()
            )
        return HttpResponseRedirect(self.get_success_url())


class ProgramSubmitDoneView(TemplateView):
    """Thanks for submitting; what happens next."""

    template_name = "residency_hub/programsubmission_done.html"


@require_POST
@active_member_required
def feed_token_rotate(request: HttpRequest) -> HttpResponse:
    """Make a new personal calendar link; the old one stops working."""
    had_token = services.current_feed_token(user=request.user) is not None
    services.feed_token_rotate(user=request.user)
    messages.success(
        request,
        _("Your new calendar link is ready. The old link no longer works.")
        if had_token
        else _("Your personal calendar link is ready."),
    )
    return redirect_to_next(request)


@require_POST
@login_required
def feed_token_revoke(request: HttpRequest) -> HttpResponse:
    """Turn off the member's calendar links."""
    services.feed_token_revoke(user=request.user)
    messages.success(
        request,
        _("Your calendar link was turned off. Subscribed calendars stop updating."),
    )
    return redirect_to_next(request)


# ------------------------------------------------------------------------------
# Coordinators: their program through their own signed link (no account)
# ------------------------------------------------------------------------------
def _changed_contacts(formset, live: dict) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data:
            continue
        current = live.get(data.get("live_id"))
        values = {field: data.get(field) or "" for field in services.CONTACT_FIELDS}
        if current is None:
            if not data.get("remove") and values["name"]:
                rows.append({"action": SubmittedContact.Action.ADD, **values})
        elif data.get("remove"):
            rows.append(
                {
                    "action": SubmittedContact.Action.REMOVE,
                    "replaces": current,
                    **{f: getattr(current, f) for f in services.CONTACT_FIELDS},
                }
            )
        elif any(values[f] != getattr(current, f) for f in services.CONTACT_FIELDS):
            rows.append(
                {
                    "action": SubmittedContact.Action.CHANGE,
                    "replaces": current,
                    **values,
                }
            )
    return rows


def _changed_events(formset, live: dict) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data:
            continue
        current = live.get(data.get("live_id"))
        if current is None:
            if not data.get("cancel") and data.get("title"):
                values = {f: data.get(f) for f in services.EVENT_FIELDS}
                values["description"] = values["description"] or ""
                values["link"] = values["link"] or ""
                rows.append({"action": SubmittedEvent.Action.ADD, **values})
            continue
        if data.get("cancel"):
            rows.append(
                {
                    "action": SubmittedEvent.Action.CANCEL,
                    "replaces": current,
                    **{f: getattr(current, f) for f in services.EVENT_FIELDS},
                }
            )
            continue
        values = {f: data.get(f) for f in services.EVENT_FIELDS}
        values["description"] = values["description"] or ""
        values["link"] = values["link"] or ""
        if any(values[f] != getattr(current, f) for f in services.EVENT_FIELDS):
            rows.append(
                {"action": SubmittedEvent.Action.CHANGE, "replaces": current, **values}
            )
    return rows


@signed_link_view(services.COORDINATOR_LINK)
def coordinator_edit(
    request: HttpRequest, coordinator: ProgramCoordinator, *, token: str
) -> HttpResponse:
    """The coordinator's program, prefilled with the live entry; a change goes to
    staff review as a diff against it."""
    program = coordinator.program
    contacts = {c.pk: c for c in program.contacts.all()}
    # Upcoming and not cancelled: what a coordinator may still change.
    events = {
        e.pk: e
        for e in program.events.upcoming().exclude(status=Event.Status.CANCELLED)
    }
    data = request.POST if request.method == "POST" else None
    form = CoordinatorProgramForm(
        data, initial=CoordinatorProgramForm.initial_for(program)
    )
    contact_formset = CoordinatorContactFormSet(
        data,
        initial=None if data else contact_initial(contacts.values()),
        prefix="contacts",
        live_rows=contacts,
    )
    event_formset = CoordinatorEventFormSet(
        data,
        initial=None if data else event_initial(events.values()),
        prefix="events",
        live_rows=events,
    )
    status = HTTPStatus.OK
    if data is not None:
        valid = [form.is_valid(), contact_formset.is_valid(), event_formset.is_valid()]
        if all(valid):
            submission = services.coordinator_change_create(
                coordinator=coordinator,
                fields={
                    name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS
                },
                contacts=_changed_contacts(contact_formset, contacts),
                events=_changed_events(event_formset, events),
                language=translation.get_language() or "en",
            )
            if submission is None:
                messages.info(request, _("You did not change anything."))
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: your changes were sent to our staff. We email "
                        "you when they are published."
                    ),
                )
            return redirect("residency_hub:coordinator-edit", token=token)
        status = HTTPStatus.BAD_REQUEST
    pending = program.submissions.filter(
        status=ProgramSubmission.Status.PENDING, coordinator__isnull=False
    ).exists()
    return render(
        request,
        "residency_hub/coordinator_edit.html",
        {
            "coordinator": coordinator,
            "program": program,
            "form": form,
            "contact_formset": contact_formset,
            "event_formset": event_formset,
            "pending": pending,
            "token": token,
        },
        status=status,
    )


@signed_link_view(services.STILL_ACCURATE_LINK)
def coordinator_confirm(
    request: HttpRequest, coordinator: ProgramCoordinator, *, token: str
) -> HttpResponse:
    """The yearly "still accurate?" link: one button marks the program verified
    today. Opening the link changes nothing (mail scanners open links too)."""
    confirmed = False
    if request.method == "POST":
        services.program_confirm_still_accurate(program=coordinator.program)
        confirmed = True
    return render(
        request,
        "residency_hub/coordinator_confirm.html",
        {
            "program": coordinator.program,
            "confirmed": confirmed,
            "edit_url": services.coordinator_edit_url(
                coordinator=coordinator, request=request
            ),
        },
    )


@method_decorator(never_cache, name="dispatch")
@public_form_ratelimit_class(ip_rate="10/h", email_field="email", email_rate="3/h")
class CoordinatorRequestLinkView(FormView):
    """Request a fresh edit link; the answer never says if an email is known."""

    form_class = CoordinatorRequestLinkForm
    template_name = "residency_hub/coordinator_request_link.html"

    def form_valid(self, form):
        if not form.is_bot():
            services.coordinator_send_links(
                email=form.cleaned_data["email"], request=self.request
            )
        return render(self.request, "residency_hub/coordinator_request_link_sent.html")
