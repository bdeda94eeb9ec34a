"""Directory, program and specialty pages, calendars, .ics files and submissions."""

import calendar
import datetime
import re
from collections import defaultdict
from hashlib import md5

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_POST
from django.views.generic import DetailView, FormView, ListView, TemplateView

from lmsa_portal.http import redirect_to_next
from members.abuse import public_form_ratelimit_class
from members.access import (
    ActiveMemberRequiredMixin,
    active_member_required,
    is_active_member,
    with_member_state,
)
from members.pagination import PortalPaginator
from residency_hub import crosslinks, ics, services
from residency_hub.forms import (
    ProgramFilter,
    ProgramSubmissionForm,
    SubmittedContactFormSet,
    SubmittedEventFormSet,
)
from residency_hub.models import (
    Event,
    Program,
    ProgramSubmission,
    Specialty,
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
