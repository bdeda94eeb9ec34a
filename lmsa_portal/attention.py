"""What needs a staff member's attention: the admin index tiles and the daily
staff digest read the same list.

Each tile counts one queryset method of its app (the one the linked admin filter
uses too), in one query, and links to the changelist filtered to exactly those
rows. A tile is shown to staff who hold the permission to act on its rows.
"""

import datetime
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ama.models import Question
from listserv.models import Mailing
from lmsa_portal.mail import portal_url, send_templated_email
from lmsa_portal.models import StaffDigest
from members.models import Membership, RosterEntry
from mentors.models import Mentor
from residency_hub.models import Program, ProgramSubmission

ROSTER_EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class Tile:
    key: str
    count: int
    label: str
    url: str  # the changelist filtered to exactly the counted rows
    detail: str = ""


def _changelist(name: str, query: str) -> str:
    return f"{reverse(f'admin:{name}_changelist')}?{query}"


def _pending_memberships(today: datetime.date) -> Tile:
    figures = Membership.objects.pending().aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    count, detail = figures["count"], ""
    if figures["oldest"]:
        days = (today - timezone.localdate(figures["oldest"])).days
        detail = (
            _("the oldest arrived today")
            if days < 1
            else ngettext(
                "the oldest has waited %(days)d day",
                "the oldest has waited %(days)d days",
                days,
            )
            % {"days": days}
        )
    return Tile(
        "memberships",
        count,
        ngettext(
            "%(count)d membership waiting for approval",
            "%(count)d memberships waiting for approval",
            count,
        )
        % {"count": count},
        _changelist("members_membership", "status__exact=pending"),
        detail,
    )


def _counted(key, queryset, label, url) -> Tile:
    count = queryset.count()
    return Tile(key, count, label(count) % {"count": count}, url)


def needs_attention(
    *, user=None, today: datetime.date | None = None, only_waiting: bool = False
) -> list[Tile]:
    """The tiles ``user`` may act on (every tile without a user), in a fixed
    order; with ``only_waiting``, those with something waiting."""
    today = today or timezone.localdate()
    builders = [
        ("members.change_membership", lambda: _pending_memberships(today)),
        (
            "mentors.change_mentor",
            lambda: _counted(
                "mentors-review",
                Mentor.objects.awaiting_review(),
                lambda n: ngettext(
                    "%(count)d mentor sign-up waiting for review",
                    "%(count)d mentor sign-ups waiting for review",
                    n,
                ),
                _changelist("mentors_mentor", "status__exact=pending"),
            ),
        ),
        (
            "mentors.change_mentor",
            lambda: _counted(
                "mentors-reconfirm",
                Mentor.objects.needing_reconfirmation(),
                lambda n: ngettext(
                    "%(count)d mentor listing stale or awaiting reconfirmation",
                    "%(count)d mentor listings stale or awaiting reconfirmation",
                    n,
                ),
                _changelist("mentors_mentor", "visibility=attention"),
            ),
        ),
        (
            "residency_hub.change_programsubmission",
            lambda: _counted(
                "submissions",
                ProgramSubmission.objects.filter(
                    status=ProgramSubmission.Status.PENDING
                ),
                lambda n: ngettext(
                    "%(count)d program submission to review",
                    "%(count)d program submissions to review",
                    n,
                ),
                _changelist("residency_hub_programsubmission", "status__exact=pending"),
            ),
        ),
        (
            "residency_hub.change_program",
            lambda: _counted(
                "programs",
                Program.objects.verification_overdue(today),
                lambda n: ngettext(
                    "%(count)d program not verified in 12 months",
                    "%(count)d programs not verified in 12 months",
                    n,
                ),
                _changelist("residency_hub_program", "verification=overdue"),
            ),
        ),
        (
            "residency_hub.change_program",
            lambda: _counted(
                "programs-unanswered",
                Program.objects.not_verified_recently(),
                lambda n: ngettext(
                    "%(count)d program not verified recently (yearly email "
                    "unanswered for 60 days)",
                    "%(count)d programs not verified recently (yearly email "
                    "unanswered for 60 days)",
                    n,
                ),
                _changelist("residency_hub_program", "verification=unanswered"),
            ),
        ),
        (
            "ama.change_question",
            lambda: _counted(
                "questions",
                Question.objects.filter(status=Question.Status.PENDING),
                lambda n: ngettext(
                    "%(count)d AMA question waiting for moderation",
                    "%(count)d AMA questions waiting for moderation",
                    n,
                ),
                _changelist("ama_question", "status__exact=pending"),
            ),
        ),
        (
            "listserv.change_mailing",
            lambda: _counted(
                "mailings",
                Mailing.objects.with_failed_deliveries(),
                lambda n: ngettext(
                    "%(count)d mailing with failed deliveries",
                    "%(count)d mailings with failed deliveries",
                    n,
                ),
                _changelist("listserv_mailing", "failures=yes"),
            ),
        ),
        (
            "members.change_rosterentry",
            lambda: _counted(
                "roster",
                RosterEntry.objects.expiring_within(ROSTER_EXPIRY_WARNING_DAYS, today),
                lambda n: ngettext(
                    "%(count)d roster member expiring within 30 days",
                    "%(count)d roster members expiring within 30 days",
                    n,
                ),
                _changelist("members_rosterentry", "current=expiring"),
            ),
        ),
    ]
    tiles = [
        build()
        for permission, build in builders
        if user is None or user.has_perm(permission)
    ]
    if only_waiting:
        tiles = [tile for tile in tiles if tile.count]
    return tiles


def staff_digest_send(*, today: datetime.date | None = None) -> bool:
    """Email staff today's list when anything is waiting; once a day at most.

    Returns whether a digest went out. A second run the same day sends nothing
    (the day is recorded under a unique constraint, in the transaction that
    queues the mail); a day with nothing waiting sends nothing, records nothing.
    """
    today = today or timezone.localdate()
    if StaffDigest.objects.filter(sent_on=today).exists():
        return False
    tiles = needs_attention(today=today, only_waiting=True)
    if not tiles or not settings.STAFF_NOTIFICATION_EMAILS:
        return False
    with transaction.atomic():
        _digest, created = StaffDigest.objects.get_or_create(
            sent_on=today, defaults={"waiting": {t.key: t.count for t in tiles}}
        )
        if not created:
            return False
        # Staff mail goes to shared addresses: the portal's default language.
        send_templated_email(
            template_prefix="lmsa_portal/email/staff_digest",
            to=list(settings.STAFF_NOTIFICATION_EMAILS),
            context={
                "tiles": [
                    {**asdict(tile), "url": portal_url(tile.url)} for tile in tiles
                ],
                "today": today,
                "admin_url": portal_url(reverse("admin:index")),
            },
        )
    return True
