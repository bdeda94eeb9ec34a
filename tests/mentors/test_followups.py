"""Follow-ups of mentorship requests (``manage.py mentors_followups``): "did you
connect?" after an acceptance, and requests left unanswered; what the mentor's
page shows of their requests; the figures staff read."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from listserv.models import Suppression
from lmsa_portal.reports import build_figures
from members.factories import make_member
from mentors.factories import MentorFactory
from mentors.models import Mentor, MentorshipRequest
from mentors.resources import MentorResource
from mentors.services import (
    MANAGE_LINK,
    mentorship_request_answer,
    mentorship_request_create,
    mentorship_requests_follow_up,
    request_answer_url,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
ASK = {"about_me": "MS2, UCSF", "hopes": "Help choosing pediatrics."}
Status, Outcome = MentorshipRequest.Status, MentorshipRequest.Outcome


def make_request(mentor, member=None, *, days_ago=0, status=Status.OPEN, **fields):
    """A request sent ``days_ago`` days ago (answered then too, unless open)."""
    made = MentorshipRequest.objects.create(
        mentor=mentor,
        member=member or make_member(state="active"),
        about_me="x",
        hopes="y",
        status=status,
        **fields,
    )
    when = timezone.now() - days_ago * DAY
    MentorshipRequest.objects.filter(pk=made.pk).update(
        created_at=when, answered_at=None if status == Status.OPEN else when
    )
    made.refresh_from_db()
    return made


def followup_links(message) -> dict:
    found = re.findall(
        r"^(.+): https?://\S+?(/mentors/connected/\S+/)$", message.body, re.M
    )
    assert len(found) == 3, message.body
    return dict(found)


# ------------------------------------------------------------------------------
# "Did you connect?"
# ------------------------------------------------------------------------------
def test_did_you_connect_goes_once_fourteen_days_after_acceptance(mentor, settings):
    settings.MENTOR_FOLLOWUP_AFTER_DAYS = 14
    member = make_member(state="active", email="ana@example.org")
    too_soon = make_request(mentor, days_ago=13, status=Status.ACCEPTED)
    due = make_request(mentor, member, days_ago=14, status=Status.ACCEPTED)
    make_request(mentor, days_ago=30, status=Status.DECLINED)
    make_request(mentor, days_ago=30, status=Status.WITHDRAWN)

    result = mentorship_requests_follow_up()
    assert (result.asked, result.closed) == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject.endswith("Did you connect with Lucía Santiago?")
    assert list(followup_links(message)) == [
        "We connected",
        "Not yet",
        "We did not connect",
    ]
    due.refresh_from_db()
    too_soon.refresh_from_db()
    assert due.followed_up_at is not None and too_soon.followed_up_at is None
    assert due.outcome == ""

    # Idempotent: the next day sends only the one that became due.
    result = mentorship_requests_follow_up(now=timezone.now() + DAY)
    assert (result.asked, result.closed) == (1, 0)
    assert len(mail.outbox) == 2
    assert mentorship_requests_follow_up(now=timezone.now() + 2 * DAY).asked == 0
    assert len(mail.outbox) == 2


def test_the_links_record_the_outcome_and_a_later_one_replaces_it(client, mentor):
    request = make_request(mentor, days_ago=15, status=Status.ACCEPTED)
    mentorship_requests_follow_up()
    links = followup_links(mail.outbox[0])

    # Opening a link (a mail scanner opens all three) records nothing.
    for path in links.values():
        page = client.get(path)
        assert page.status_code == HTTPStatus.OK
    request.refresh_from_db()
    assert request.outcome == ""
    assertContains(client.get(links["Not yet"]), "<button")

    answered = client.post(links["Not yet"])
    assertContains(answered, "We noted your answer: “Not yet”")
    assertContains(answered, "a short, friendly reminder")
    request.refresh_from_db()
    assert request.outcome == Outcome.NOT_YET
    first_told = request.outcome_at

    client.post(links["We connected"])
    request.refresh_from_db()
    assert request.outcome == Outcome.CONNECTED
    assert request.outcome_at >= first_told
    client.post(links["We connected"])  # replay: the same answer stays
    request.refresh_from_db()
    assert request.outcome == Outcome.CONNECTED
    assert len(mail.outbox) == 1  # the mentor is told nothing


def test_a_tampered_or_deleted_followup_link_is_refused_kindly(client, mentor):
    request = make_request(mentor, days_ago=15, status=Status.ACCEPTED)
    mentorship_requests_follow_up()
    path = followup_links(mail.outbox[0])["We connected"]
    bad = client.post(path[:-5] + "xxxx/")
    assertContains(bad, "This link is not valid", status_code=400)
    assertNotContains(bad, mentor.full_name, status_code=400)
    request.refresh_from_db()
    assert request.outcome == ""
    request.member.delete()  # account deleted: its requests went with it
    assertContains(client.get(path), "This link is not valid", status_code=400)


def test_an_expired_followup_link_is_refused(client, mentor, settings):
    settings.MENTOR_FOLLOWUP_LINK_MAX_AGE_DAYS = 60
    request = make_request(mentor, days_ago=15, status=Status.ACCEPTED)
    mentorship_requests_follow_up()
    path = followup_links(mail.outbox[0])["We connected"]
    settings.MENTOR_FOLLOWUP_LINK_MAX_AGE_DAYS = 0
    response = client.post(path)
    assertContains(response, "This link has expired", status_code=400)
    assertContains(response, "Your account and your requests", status_code=400)
    request.refresh_from_db()
    assert request.outcome == ""


def test_did_you_connect_in_the_members_language(client, mentor):
    member = make_member(state="active", preferred_language="es")
    make_request(mentor, member, days_ago=15, status=Status.ACCEPTED)
    mentorship_requests_follow_up()
    (message,) = mail.outbox
    assert "¿Conectaste con Lucía Santiago?" in message.subject
    links = followup_links(message)
    assert list(links) == ["Conectamos", "Todavía no", "No conectamos"]
    page = client.get(links["Conectamos"], HTTP_ACCEPT_LANGUAGE="es")
    assertContains(page, "¿Conectaste con tu mentor?")


# ------------------------------------------------------------------------------
# Unanswered requests
# ------------------------------------------------------------------------------
def test_an_unanswered_request_closes_kindly_with_similar_mentors(
    client, mentor, settings
):
    settings.MENTOR_REQUEST_UNANSWERED_AFTER_DAYS = 14
    mentor.capacity = 1
    mentor.save()
    similar = MentorFactory(specialty=mentor.specialty, last_name="Similar")
    MentorFactory(specialty=mentor.specialty, last_name="Full", accepting_mentees=False)
    member = make_member(state="active", email="ana@example.org")
    client.force_login(member)
    mentorship_request_create(mentor=mentor, member=member, fields=ASK)
    decline_path = re.search(
        r"/mentors/answer/\S+/",
        request_answer_url(
            mentorship_request=MentorshipRequest.objects.get(), answer="decline"
        ),
    ).group(0)
    mail.outbox.clear()
    assert not Mentor.objects.for_directory().get(pk=mentor.pk).is_taking_mentees

    assert mentorship_requests_follow_up(now=timezone.now() + 13 * DAY).closed == 0
    assert mail.outbox == []
    result = mentorship_requests_follow_up(
        now=timezone.now() + 14 * DAY + datetime.timedelta(minutes=1)
    )
    assert (result.closed, result.asked) == (1, 0)
    request = MentorshipRequest.objects.get()
    assert request.status == Status.UNANSWERED
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "has not answered your mentorship request in 14 days" in message.body
    assert "This says nothing about you" in message.body
    assert similar.get_absolute_url() in message.body
    assert "Full" not in message.body
    assert mentor.get_absolute_url() not in message.body

    # No longer open: the mentor's load frees, the member may ask again.
    assert Mentor.objects.for_directory().get(pk=mentor.pk).is_taking_mentees
    assert not MentorshipRequest.objects.open().exists()
    assertContains(client.get(reverse("members:me")), "No answer in time")
    mentorship_request_create(mentor=mentor, member=member, fields=ASK)
    assert MentorshipRequest.objects.open().count() == 1

    # Idempotent: the closed one is never emailed again.
    mail.outbox.clear()
    mentorship_requests_follow_up(now=timezone.now() + 15 * DAY)
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]  # the new one
    assert MentorshipRequest.objects.filter(status=Status.UNANSWERED).count() == 2

    # The mentor's late answer changes nothing and says why.
    assert not mentorship_request_answer(mentorship_request=request, answer="accept")
    page = client.__class__().post(decline_path)
    assertContains(page, "closed after 14 days without an answer")
    request.refresh_from_db()
    assert request.status == Status.UNANSWERED


def test_a_lapsed_member_hears_it_closed_but_sees_no_mentor_names(mentor):
    MentorFactory(specialty=mentor.specialty, last_name="Similar")
    lapsed = make_member(state="expired")
    make_request(mentor, lapsed, days_ago=20)
    mentorship_requests_follow_up()
    (message,) = mail.outbox
    assert "has not answered" in message.body
    assert "Similar" not in message.body
    assert "/mentors/" in message.body  # the directory link, for after renewing


def test_a_suppressed_address_gets_no_email_but_the_request_still_closes(mentor):
    member = make_member(state="active", email="bounced@example.org")
    Suppression.objects.create(email="bounced@example.org", reason="hard_bounce")
    open_one = make_request(mentor, member, days_ago=20)
    accepted = make_request(
        MentorFactory(), member, days_ago=20, status=Status.ACCEPTED
    )
    result = mentorship_requests_follow_up()
    assert (result.asked, result.closed, result.not_emailed) == (0, 1, 2)
    assert mail.outbox == []
    open_one.refresh_from_db()
    accepted.refresh_from_db()
    assert open_one.status == Status.UNANSWERED
    assert accepted.followed_up_at is not None  # never asked later either
    assert mentorship_requests_follow_up().not_emailed == 0


def test_an_answer_just_before_the_cron_wins(mentor):
    request = make_request(mentor, days_ago=20)
    mentorship_request_answer(mentorship_request=request, answer="accept")
    mail.outbox.clear()
    assert mentorship_requests_follow_up().closed == 0
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED
    assert mail.outbox == []  # and "did you connect?" waits its 14 days


def test_the_command_is_idempotent_and_reports(capsys, mentor):
    make_request(mentor, days_ago=15, status=Status.ACCEPTED)
    make_request(MentorFactory(), days_ago=15)
    call_command("mentors_followups")
    call_command("mentors_followups")
    out = capsys.readouterr().out
    assert '"Did you connect?" emails sent: 1; unanswered requests closed: 1' in out
    assert '"Did you connect?" emails sent: 0; unanswered requests closed: 0' in out
    assert len(mail.outbox) == 2


# ------------------------------------------------------------------------------
# The mentor's page
# ------------------------------------------------------------------------------
def test_the_manage_page_lists_the_mentors_requests_and_nothing_else(client, mentor):
    ana = make_member(
        state="active", first_name="Ana", last_name="Ruiz", email="ana@example.org"
    )
    open_one = make_request(mentor, ana, days_ago=2)
    make_request(mentor, days_ago=40, status=Status.ACCEPTED, outcome="connected")
    make_request(mentor, days_ago=30, status=Status.UNANSWERED)
    other = make_member(state="active", first_name="Otra", last_name="Persona")
    make_request(MentorFactory(), other)

    page = client.get(reverse("mentors:manage", args=[MANAGE_LINK.token(mentor)]))
    assertContains(page, "Mentorship requests")
    assertContains(
        page, "<strong>Ana Ruiz</strong> · Medical student · Example School of Medicine"
    )
    assertContains(page, "Waiting for the mentor&#x27;s answer")
    assertContains(page, "The mentor will reply by email")
    assertContains(page, "No answer in time")
    assertContains(page, "You said you can take 2 mentees at a time")
    assertNotContains(page, "ana@example.org")  # the email they got has it
    assertNotContains(page, "Otra Persona")  # another mentor's request
    assertNotContains(page, "We connected")  # what members tell us stays ours
    # Open requests can be answered from here too (the emailed links).
    answers = re.findall(r'href="https?://[^"]+(/mentors/answer/[^"]+)"', page.text)
    assert len(answers) == 2
    client.post(answers[0])
    open_one.refresh_from_db()
    assert open_one.status == Status.ACCEPTED
    # The pause form sits on the same page.
    assertContains(page, "Pause my listing")


def test_the_manage_page_in_spanish(client, mentor):
    make_request(mentor, days_ago=1)
    page = client.get(
        reverse("mentors:manage", args=[MANAGE_LINK.token(mentor)]),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assertContains(page, "Solicitudes de mentoría")
    assertContains(page, "Le responderé")


# ------------------------------------------------------------------------------
# Staff: reports, export, admin
# ------------------------------------------------------------------------------
def test_reports_count_requests_by_state_and_connections(mentor):
    make_request(mentor, days_ago=1)
    make_request(mentor, days_ago=2, status=Status.DECLINED)
    make_request(mentor, days_ago=3, status=Status.UNANSWERED)
    connected = make_request(mentor, days_ago=4, status=Status.ACCEPTED)
    make_request(mentor, days_ago=4, status=Status.ACCEPTED, outcome="no")
    make_request(mentor, days_ago=800, status=Status.ACCEPTED)  # out of the window
    MentorshipRequest.objects.filter(pk=connected.pk).update(
        outcome=Outcome.CONNECTED, outcome_at=timezone.now()
    )
    figures = {f.name: f for f in build_figures(months=12)}
    by_state = dict(figures["mentorship-requests"].rows)
    assert by_state == {
        "Waiting for the mentor's answer": 1,
        "The mentor will reply by email": 2,
        "The mentor cannot take this on": 1,
        "Withdrawn": 0,
        "No answer in time": 1,
    }
    monthly = figures["mentorship-connections"]
    assert monthly.columns[1:] == ["Requests sent", "Accepted", "Connected"]
    totals = [sum(row[i] for row in monthly.rows) for i in (1, 2, 3)]
    assert totals == [5, 2, 1]


def test_the_export_counts_each_mentors_requests(mentor):
    quiet = MentorFactory(last_name="Quiet")
    make_request(mentor, days_ago=1)
    make_request(mentor, days_ago=2, status=Status.ACCEPTED, outcome="connected")
    make_request(mentor, days_ago=3, status=Status.ACCEPTED, outcome="not_yet")
    make_request(mentor, days_ago=3, status=Status.DECLINED)
    dataset = MentorResource().export()
    rows = {row["Email"]: row for row in dataset.dict}
    counts = ("Requests", "Requests Accepted", "Connections Made")
    assert [rows[mentor.email][c] for c in counts] == [4, 2, 1]
    assert [rows[quiet.email][c] for c in counts] == [0, 0, 0]


def test_admin_filters_requests_by_state_age_and_outcome(admin_client_mfa, mentor):
    fresh = make_request(mentor, days_ago=2)
    middle = make_request(mentor, days_ago=30, status=Status.UNANSWERED)
    old = make_request(
        mentor, days_ago=120, status=Status.ACCEPTED, outcome="connected"
    )
    url = reverse("admin:mentors_mentorshiprequest_changelist")

    def listed(query):
        response = admin_client_mfa.get(url, query)
        assert response.status_code == HTTPStatus.OK
        return {r.pk for r in response.context["cl"].result_list}

    assert listed({"age": "new"}) == {fresh.pk}
    assert listed({"age": "recent"}) == {middle.pk}
    assert listed({"age": "old"}) == {old.pk}
    assert listed({"status__exact": "unanswered"}) == {middle.pk}
    assert listed({"outcome__exact": "connected"}) == {old.pk}


def test_the_mentor_admin_page_shows_their_requests_with_the_outcome(
    admin_client_mfa, mentor
):
    make_request(
        mentor,
        make_member(state="active", first_name="Asker", last_name="Ortiz"),
        days_ago=20,
        status=Status.ACCEPTED,
        outcome="connected",
    )
    page = admin_client_mfa.get(
        reverse("admin:mentors_mentor_change", args=[mentor.pk])
    )
    assertContains(page, "Asker Ortiz")
    assertContains(page, "We connected")
