"""The staff reports page: figures against factories, access, CSV downloads."""

import csv
import datetime
import io
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from pytest_django.asserts import assertContains

from ama.factories import QuestionFactory, VideoFactory
from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery, Subscriber
from lmsa_portal.reports import build_figures
from members.factories import make_member
from members.models import Membership
from mentors.factories import MentorFactory
from mentors.models import Mentor
from residency_hub.factories import ProgramFactory, SpecialtyFactory
from tests.factories import make_totp

pytestmark = pytest.mark.django_db


def figure(name, months=12):
    return next(f for f in build_figures(months=months) if f.name == name)


def test_members_by_status_and_type():
    make_member(state="pending")
    make_member(state="active")
    make_member(state="expired")  # approved, expired: still "Approved"
    Membership.objects.update(member_type="premed")
    rows = dict(figure("members-by-status").rows)
    assert rows == {"Waiting for approval": 1, "Approved": 2, "Declined": 0}
    assert dict(figure("members-by-type").rows)["Premedical student"] == 3


def test_new_members_per_month_fills_the_window():
    make_member(state="active")
    old = make_member(state="active")
    Membership.objects.filter(user=old).update(
        created_at=timezone.now() - datetime.timedelta(days=800)
    )
    rows = figure("new-members", months=3).rows
    assert len(rows) == 3  # every month of the window, even empty ones
    assert rows[-1][1] == 1 and sum(r[1] for r in rows) == 1


def test_mentors_live_paused_stale_by_specialty_and_state():
    cardiology = SpecialtyFactory(name="Zeta Cardiology")
    MentorFactory(specialty=cardiology, state="TX")
    MentorFactory(specialty=cardiology, state="TX")
    MentorFactory(
        specialty=cardiology,
        state="CA",
        paused_until=timezone.localdate() + datetime.timedelta(days=9),
    )
    MentorFactory(specialty=cardiology, state="CA", stale_since=timezone.now())
    MentorFactory(specialty=cardiology, status=Mentor.Status.PENDING)
    assert figure("mentors-by-specialty").rows == [["Zeta Cardiology", 2, 1, 1]]
    assert figure("mentors-by-state").rows == [
        ["Texas", 2, 0, 0],
        ["California", 0, 1, 1],
    ]
    assert figure("mentor-signups").rows[-1][1] == 5


def test_programs_by_specialty_and_verification():
    surgery = SpecialtyFactory(name="Zeta Surgery")
    ProgramFactory(specialty=surgery, last_verified_on=timezone.localdate())
    ProgramFactory(specialty=surgery, last_verified_on=None)
    ProgramFactory(
        specialty=surgery,
        last_verified_on=timezone.localdate() - datetime.timedelta(days=500),
    )
    assert figure("programs-by-specialty").rows == [["Zeta Surgery", 1, 2]]


def test_ama_listserv_and_mailings():
    VideoFactory(date=timezone.localdate())
    QuestionFactory(author=None)
    QuestionFactory(author=None)
    assert figure("ama-per-month").rows[-1][1:] == [1, 2]

    now = timezone.now()
    SubscriberFactory()
    gone = SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    gone.unsubscribed_at = now + datetime.timedelta(days=1)
    gone.save()
    assert figure("listserv-over-time").rows[-1][1:] == [2, 1]

    mailing = MailingFactory(started_at=now)
    Delivery.objects.create(mailing=mailing, subscriber=gone, status="sent")
    Delivery.objects.create(
        mailing=mailing, subscriber=SubscriberFactory(), status="sent"
    )
    Delivery.objects.create(
        mailing=mailing, subscriber=SubscriberFactory(), status="failed"
    )
    assert figure("mailings").rows == [[mailing.subject, 2, 1, 1]]


@pytest.fixture
def curator_client(client):
    curator = make_member(state="staff")
    curator.groups.add(Group.objects.get(name="Content curators"))
    make_totp(curator)
    client.force_login(curator)
    return client


def test_curator_sees_every_chart_with_its_table(curator_client):
    MentorFactory()
    response = curator_client.get("/admin/reports/")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert body.count('<section class="report-chart"') == 12
    with_rows = [f for f in build_figures(months=12) if f.rows]
    assert len(with_rows) >= 8  # the time series always have their months
    assert body.count('class="report-bars"') == len(with_rows)
    assert body.count('<caption class="visually-hidden">') == len(with_rows)
    assertContains(response, "csv=mentors-by-specialty")


def test_reports_in_spanish(curator_client):
    response = curator_client.get("/admin/reports/", HTTP_ACCEPT_LANGUAGE="es")
    assertContains(response, "Mentores por especialidad")


def test_csv_download_of_a_table_is_formula_safe(curator_client):
    MailingFactory(subject="=HYPERLINK(1)", started_at=timezone.now())
    response = curator_client.get("/admin/reports/", {"csv": "mailings"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Mailing", "Sent", "Failed", "Unsubscribed after it"]
    assert rows[1] == ["'=HYPERLINK(1)", "0", "0", "0"]


def test_bad_window_falls_back_to_twelve_months(curator_client):
    response = curator_client.get("/admin/reports/", {"months": "nope"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["months"] == 12


def test_active_member_who_is_not_staff_is_sent_to_login(client, active_member):
    client.force_login(active_member)
    response = client.get("/admin/reports/")
    assert response.status_code == HTTPStatus.FOUND
    assert "login" in response["Location"]


def test_staff_without_the_permission_are_refused(client):
    staff = make_member(state="staff")
    make_totp(staff)
    client.force_login(staff)
    assert client.get("/admin/reports/").status_code == HTTPStatus.FORBIDDEN
