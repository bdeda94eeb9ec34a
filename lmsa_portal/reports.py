"""Staff reports (/admin/reports/): the board's and sponsors' figures, each one a
table of rows drawn as a server-rendered SVG bar chart, with a CSV download.

Every figure is one function returning a :class:`Figure` from one query (one per
series for the AMA and mentorship series); the window is the last N months (12 by
default).
"""

import csv
import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DateTimeField, F, Q
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ama.models import Question, Video
from listserv.models import Delivery, Mailing, Subscriber
from lmsa_portal.spreadsheets import escape_for_spreadsheet
from members.models import Membership
from mentors.models import Mentor, MentorshipRequest
from residency_hub.models import VERIFICATION_MAX_AGE, Specialty

WINDOWS = [3, 6, 12, 24, 36]  # months a staff member can pick
DEFAULT_WINDOW = 12
UNSUBSCRIBE_WINDOW = datetime.timedelta(days=7)


@dataclass
class Figure:
    title: str
    columns: list[str]  # the first names the rows; the others are counts
    rows: list[list] = field(default_factory=list)
    name: str = ""  # its anchor and CSV name: the function's ("mentors-by-state")

    def chart_rows(self):
        """Rows with each count's bar length as a share of the largest count."""
        largest = max((v for row in self.rows for v in row[1:]), default=0) or 1
        return [
            {
                "label": row[0],
                "bars": [
                    {"value": value, "share": round(100 * value / largest, 1)}
                    for value in row[1:]
                ],
            }
            for row in self.rows
        ]

    @property
    def bar_height(self) -> int:
        return 14 * (len(self.columns) - 1) + 10  # one 14 px bar per series + gap


def _months(start: datetime.date, today: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= today:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_of(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):  # TruncMonth of a date-time
        value = timezone.localdate(value)
    return value.replace(day=1)


def _per_month(months, *series) -> list[list]:
    """One row per month of the window: its label, then each series' count."""
    counts = [{_month_of(row["month"]): row["n"] for row in rows} for rows in series]
    return [
        [
            formats.date_format(month, "YEAR_MONTH_FORMAT"),
            *(by_month.get(month, 0) for by_month in counts),
        ]
        for month in months
    ]


def _since(start: datetime.date) -> datetime.datetime:
    """The window's first midnight, in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def _monthly(queryset, date_field: str, start: datetime.date):
    if isinstance(queryset.model._meta.get_field(date_field), DateTimeField):
        start = _since(start)
    return (
        queryset.filter(**{f"{date_field}__gte": start})
        .annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _by_choice(queryset, field_name: str, choices) -> list[list]:
    counts = dict(queryset.values_list(field_name).annotate(n=Count("pk")).order_by())
    return [[str(label), counts.get(value, 0)] for value, label in choices]


def members_by_status(**_window) -> Figure:
    return Figure(
        _("Members by status"),
        [_("Status"), _("Members")],
        _by_choice(Membership.objects.all(), "status", Membership.Status.choices),
    )


def members_by_type(**_window) -> Figure:
    return Figure(
        _("Members by member type"),
        [_("Member type"), _("Members")],
        _by_choice(
            Membership.objects.exclude(member_type=""),
            "member_type",
            Membership.MemberType.choices,
        ),
    )


def new_members(*, start, months, **_window) -> Figure:
    return Figure(
        _("New members per month"),
        [_("Month"), _("New accounts")],
        _per_month(months, _monthly(Membership.objects.all(), "created_at", start)),
    )


def _mentor_standing(group_by: str, today):
    approved = Q(status=Mentor.Status.APPROVED)
    paused = approved & Q(paused_until__gt=today)
    stale = approved & Q(stale_since__isnull=False)
    return (
        Mentor.objects.values(group_by)
        .annotate(
            live=Count("pk", filter=approved & ~paused & ~stale),
            paused=Count("pk", filter=paused & ~stale),
            stale=Count("pk", filter=stale),
        )
        .filter(Q(live__gt=0) | Q(paused__gt=0) | Q(stale__gt=0))
        .order_by("-live", group_by)
    )


def _mentor_standing_figure(group_by, title, heading, label, today) -> Figure:
    return Figure(
        title,
        [heading, _("Live"), _("Paused"), _("Stale")],
        [
            [label(r[group_by]), r["live"], r["paused"], r["stale"]]
            for r in _mentor_standing(group_by, today)
        ],
    )


def mentors_by_specialty(*, today, **_window) -> Figure:
    return _mentor_standing_figure(
        "specialty__name", _("Mentors by specialty"), _("Specialty"), str, today
    )


def mentors_by_state(*, today, **_window) -> Figure:
    labels = dict(Mentor._meta.get_field("state").choices)
    return _mentor_standing_figure(
        "state",
        _("Mentors by state"),
        _("State"),
        lambda state: str(labels.get(state, state)),
        today,
    )


def mentor_signups(*, start, months, **_window) -> Figure:
    return Figure(
        _("Mentor sign-ups per month"),
        [_("Month"), _("Sign-ups")],
        _per_month(months, _monthly(Mentor.objects.all(), "created_at", start)),
    )


def mentorship_requests(*, start, **_window) -> Figure:
    sent = MentorshipRequest.objects.filter(created_at__gte=_since(start))
    return Figure(
        _("Mentorship requests sent in the period, by state"),
        [_("State"), _("Requests")],
        _by_choice(sent, "status", MentorshipRequest.Status.choices),
    )


def mentorship_connections(*, start, months, **_window) -> Figure:
    requests = MentorshipRequest.objects.all()
    return Figure(
        _("Mentorship requests, acceptances and connections made per month"),
        [_("Month"), _("Requests sent"), _("Accepted"), _("Connected")],
        _per_month(
            months,
            _monthly(requests, "created_at", start),
            _monthly(
                requests.filter(status=MentorshipRequest.Status.ACCEPTED),
                "answered_at",
                start,
            ),
            # Told by the member's answer to "did you connect?", in its month.
            _monthly(
                requests.filter(outcome=MentorshipRequest.Outcome.CONNECTED),
                "outcome_at",
                start,
            ),
        ),
    )


def programs_by_specialty(*, today, **_window) -> Figure:
    recent = Q(programs__last_verified_on__gte=today - VERIFICATION_MAX_AGE)
    rows = (
        Specialty.objects.annotate(
            verified=Count("programs", filter=recent),
            overdue=Count("programs", filter=~recent & Q(programs__isnull=False)),
        )
        .filter(Q(verified__gt=0) | Q(overdue__gt=0))
        .order_by("-verified", "name")
        .values_list("name", "verified", "overdue")
    )
    return Figure(
        _("Programs by specialty and verification"),
        [_("Specialty"), _("Verified within 12 months"), _("Not verified recently")],
        [list(row) for row in rows],
    )


def ama_per_month(*, start, months, **_window) -> Figure:
    return Figure(
        _("AMA sessions and questions per month"),
        [_("Month"), _("Sessions"), _("Questions")],
        _per_month(
            months,
            _monthly(Video.objects.published(), "date", start),
            _monthly(Question.objects.all(), "created_at", start),
        ),
    )


def listserv_over_time(*, start, months, **_window) -> Figure:
    return Figure(
        _("Listserv: confirmed and unsubscribed per month"),
        [_("Month"), _("Confirmed"), _("Unsubscribed")],
        _per_month(
            months,
            _monthly(Subscriber.objects.all(), "confirmed_at", start),
            _monthly(Subscriber.objects.all(), "unsubscribed_at", start),
        ),
    )


def mailings(*, start, **_window) -> Figure:
    sent = Q(deliveries__status=Delivery.Status.SENT)
    unsubscribed_after = sent & Q(
        deliveries__subscriber__unsubscribed_at__gte=F("started_at"),
        deliveries__subscriber__unsubscribed_at__lt=F("started_at")
        + UNSUBSCRIBE_WINDOW,
    )
    rows = (
        Mailing.objects.filter(started_at__gte=_since(start))
        .annotate(
            sent=Count("deliveries", filter=sent),
            failed=Count("deliveries", filter=Q(deliveries__status="failed")),
            unsubscribed=Count("deliveries", filter=unsubscribed_after),
        )
        .order_by("-started_at")
        .values_list("subject", "sent", "failed", "unsubscribed")
    )
    return Figure(
        _("Mailings: sent, failed, and unsubscribes within 7 days"),
        [_("Mailing"), _("Sent"), _("Failed"), _("Unsubscribed after it")],
        [list(row) for row in rows],
    )


FIGURES = [
    members_by_status,
    members_by_type,
    new_members,
    mentors_by_specialty,
    mentors_by_state,
    mentor_signups,
    mentorship_requests,
    mentorship_connections,
    programs_by_specialty,
    ama_per_month,
    listserv_over_time,
    mailings,
]


def figure_name(function) -> str:
    return function.__name__.replace("_", "-")


def build_figures(
    *, months: int, today: datetime.date | None = None, only: str = ""
) -> list[Figure]:
    """Every figure over the last ``months`` months (the month of today
    included); with ``only``, just the figure of that name (a CSV download)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _step in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    window = {"start": first, "months": _months(first, today), "today": today}
    figures = []
    for function in FIGURES:
        if only and figure_name(function) != only:
            continue
        figure = function(**window)
        figure.name = figure_name(function)
        figures.append(figure)
    return figures


def _csv_response(figure: Figure) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{figure.name}.csv"'
    writer = csv.writer(response)
    writer.writerow(figure.columns)
    for row in figure.rows:
        writer.writerow([escape_for_spreadsheet(str(cell)) for cell in row])
    return response


def reports(request: HttpRequest) -> HttpResponse:
    """Staff reports with charts, tables and CSV downloads (view_reports; the
    URL wraps it in admin_view, so only signed-in staff with MFA reach it)."""
    if not request.user.has_perm("lmsa_portal.view_reports"):
        raise PermissionDenied
    try:
        months = int(request.GET.get("months", DEFAULT_WINDOW))
    except ValueError:
        months = DEFAULT_WINDOW
    if months not in WINDOWS:
        months = DEFAULT_WINDOW
    # A CSV download computes only the table asked for; an unknown name shows
    # the page.
    wanted = request.GET.get("csv", "")
    csv_figures = build_figures(months=months, only=wanted) if wanted else []
    if csv_figures:
        return _csv_response(csv_figures[0])
    figures = build_figures(months=months)
    return render(
        request,
        "admin/reports.html",
        {
            **admin.site.each_context(request),
            "title": _("Reports"),
            "figures": figures,
            "months": months,
            "windows": WINDOWS,
        },
    )
