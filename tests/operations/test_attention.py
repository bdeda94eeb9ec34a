"""The admin index's "Needs attention" tiles and the daily staff digest."""

import datetime
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from ama.factories import QuestionFactory
from ama.models import Question
from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery
from lmsa_portal.attention import needs_attention, staff_digest_send
from lmsa_portal.models import StaffDigest
from members.factories import make_member
from members.models import Membership, RosterEntry
from mentors.factories import MentorFactory
from mentors.models import Mentor
from residency_hub.factories import ProgramFactory, ProgramSubmissionFactory
from residency_hub.models import ProgramSubmission
from tests.factories import make_totp

pytestmark = pytest.mark.django_db

# The real date: the cron command under test reads the clock itself.
TODAY = timezone.localdate()


def counts(**kwargs):
    return {tile.key: tile.count for tile in needs_attention(today=TODAY, **kwargs)}


def test_nothing_waiting_counts_zero_everywhere():
    assert set(counts().values()) == {0}
    assert len(counts()) == 9


def test_pending_memberships_count_and_oldest_wait():
    make_member(state="pending")
    oldest = make_member(state="pending")
    Membership.objects.filter(user=oldest).update(
        created_at=timezone.now() - datetime.timedelta(days=9)
    )
    for state in ["active", "declined", "expired", "staff"]:
        make_member(state=state)
    tile = needs_attention(today=timezone.localdate())[0]
    assert (tile.key, tile.count) == ("memberships", 2)
    assert "9 days" in tile.detail


def test_mentor_tiles_count_review_and_reconfirmation_states():
    MentorFactory(status=Mentor.Status.PENDING)
    MentorFactory()  # live: neither
    MentorFactory(stale_since=timezone.now())
    MentorFactory(reconfirmation_sent_at=timezone.now())
    MentorFactory(status=Mentor.Status.DECLINED, stale_since=timezone.now())
    MentorFactory(status=Mentor.Status.REMOVED)
    assert counts()["mentors-review"] == 1
    assert counts()["mentors-reconfirm"] == 2


def test_submissions_programs_questions_mailings_roster():
    ProgramSubmissionFactory()
    ProgramSubmissionFactory(status=ProgramSubmission.Status.APPROVED)
    ProgramFactory(last_verified_on=TODAY - datetime.timedelta(days=400))
    ProgramFactory(last_verified_on=None)
    ProgramFactory(last_verified_on=TODAY - datetime.timedelta(days=30))
    # Asked "still accurate?" 61 days ago, unanswered; asked 59 days ago: not yet.
    now = timezone.now()
    ProgramFactory(verification_requested_at=now - datetime.timedelta(days=61))
    ProgramFactory(verification_requested_at=now - datetime.timedelta(days=59))
    QuestionFactory(author=None, status=Question.Status.PENDING)
    QuestionFactory(author=None, status=Question.Status.APPROVED)
    failed, fine = MailingFactory(), MailingFactory()
    for mailing, status in [(failed, "failed"), (failed, "failed"), (fine, "sent")]:
        Delivery.objects.create(
            mailing=mailing, subscriber=SubscriberFactory(), status=status
        )
    for days in [-1, 0, 1, 30, 31]:
        RosterEntry.objects.create(
            email=f"r{days + 5}@example.org",
            expires_on=TODAY + datetime.timedelta(days=days),
        )
    assert counts() == {
        "memberships": 0,
        "mentors-review": 0,
        "mentors-reconfirm": 0,
        "submissions": 1,
        "programs": 2,
        "programs-unanswered": 1,
        "questions": 1,
        "mailings": 1,
        "roster": 2,  # in 1 and in 30 days; not expired, not in 31
    }


def test_each_tile_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(9):
        needs_attention(today=TODAY)


@pytest.fixture
def admin_page(admin_client_mfa):
    def get():
        return admin_client_mfa.get("/admin/")

    return get


def test_each_link_opens_the_changelist_with_exactly_the_counted_rows(
    admin_client_mfa,
):
    make_member(state="pending")
    MentorFactory(status=Mentor.Status.PENDING)
    MentorFactory(stale_since=timezone.now())
    MentorFactory()
    ProgramSubmissionFactory()
    ProgramFactory(
        last_verified_on=timezone.localdate(),
        verification_requested_at=timezone.now() - datetime.timedelta(days=61),
    )
    ProgramFactory(last_verified_on=None)
    QuestionFactory(author=None, status=Question.Status.PENDING)
    mailing = MailingFactory()
    Delivery.objects.create(
        mailing=mailing, subscriber=SubscriberFactory(), status="failed"
    )
    MailingFactory()
    RosterEntry.objects.create(
        email="soon@example.org",
        expires_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    RosterEntry.objects.create(email="later@example.org")
    for tile in needs_attention():
        page = admin_client_mfa.get(tile.url)
        assert page.status_code == HTTPStatus.OK, tile.url
        shown = page.context["cl"].result_count
        assert shown == tile.count == 1, (tile.key, tile.url, shown)


def test_admin_index_shows_the_tiles_in_english_and_spanish(admin_client_mfa):
    make_member(state="pending")
    page = admin_client_mfa.get("/admin/")
    assertContains(page, "Needs attention")
    assertContains(page, "1 membership waiting for approval")
    assertContains(page, "/admin/members/membership/?status__exact=pending")
    spanish = admin_client_mfa.get("/admin/", HTTP_ACCEPT_LANGUAGE="es")
    assertContains(spanish, "Requiere atención")
    assertContains(spanish, "1 membresía esperando aprobación")


def test_curator_sees_only_the_tiles_they_can_act_on(client):
    curator = make_member(state="staff")
    curator.groups.add(Group.objects.get(name="Content curators"))
    make_totp(curator)
    client.force_login(curator)
    make_member(state="pending")
    MentorFactory(status=Mentor.Status.PENDING)
    page = client.get("/admin/")
    assertContains(page, "1 mentor sign-up waiting for review")
    assertNotContains(page, "waiting for approval")  # memberships stay with admins
    assertNotContains(page, "roster members expiring")


def test_staff_without_permissions_see_no_tiles(client):
    staff = make_member(state="staff")
    make_totp(staff)
    client.force_login(staff)
    assert needs_attention(user=staff) == []
    assertNotContains(client.get("/admin/"), "Needs attention")


def test_digest_sends_once_a_day_with_links(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["staff@lmsa.example"]
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    MentorFactory(status=Mentor.Status.PENDING)
    QuestionFactory(author=None, status=Question.Status.PENDING)

    assert staff_digest_send(today=TODAY) is True
    assert staff_digest_send(today=TODAY) is False
    call_command("send_staff_digest")  # the cron command, same day: still nothing
    sent = [m for m in mail.outbox if "need attention" in m.subject]
    assert len(sent) == 1
    message = sent[0]
    assert message.to == ["staff@lmsa.example"]
    assert "2 things need attention" in message.subject
    assert "1 mentor sign-up waiting for review" in message.body
    assert (
        "https://portal.example.org/admin/mentors/mentor/?status__exact=pending"
        in message.body
    )
    assert "waiting for approval" not in message.body  # nothing waits there
    assert StaffDigest.objects.get().waiting == {"mentors-review": 1, "questions": 1}

    assert staff_digest_send(today=TODAY + datetime.timedelta(days=1)) is True


def test_digest_is_silent_on_a_day_with_nothing_waiting(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["staff@lmsa.example"]
    MentorFactory()  # live listings need nothing
    assert staff_digest_send(today=TODAY) is False
    call_command("send_staff_digest")
    assert mail.outbox == []
    assert not StaffDigest.objects.exists()


def test_view_reports_permission_exists_for_curators():
    permission = Permission.objects.get(codename="view_reports")
    assert permission in Group.objects.get(name="Content curators").permissions.all()
