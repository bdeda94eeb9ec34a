"""Data export and account deletion reach every app's data about the person."""

import datetime
import json

from django.urls import reverse

from ama.factories import QuestionFactory, QuestionVoteFactory
from ama.models import QuestionVote
from listserv.factories import SubscriberFactory
from listserv.models import Subscriber
from members.factories import make_member
from members.models import MembershipReminder, RosterEntry, User
from members.privacy import collect_user_data, delete_account
from mentors.factories import MentorFactory
from mentors.models import Mentor
from residency_hub.factories import ProgramSubmissionFactory
from residency_hub.models import CalendarFeedToken, ProgramSubmission


def member_with_data_everywhere():
    user = make_member(state="active", email="everywhere@example.org")
    MentorFactory(email="physician-listing@example.org", user=user)
    question = QuestionFactory(author=user, text="How do I find a research mentor?")
    QuestionVoteFactory(user=user, question=question)
    CalendarFeedToken.objects.create(user=user)
    ProgramSubmissionFactory(submitter_email=user.email, submitter_name="Ever Where")
    SubscriberFactory(email=user.email, user=user, name="Ever Where")
    return user, question


def test_export_reaches_every_app(client, db):
    user, _question = member_with_data_everywhere()
    other = make_member(state="active", email="not-me@example.org")
    SubscriberFactory(email=other.email, user=other)
    # The roster row staff imported for the person (matched by email, any case),
    # and the expiry reminders sent to them; the other member's stay out.
    RosterEntry.objects.create(
        email="EveryWhere@Example.org",
        first_name="Ever",
        last_name="Roster",
        expires_on=datetime.date(2027, 6, 30),
    )
    RosterEntry.objects.create(email=other.email, last_name="Not-Me-Roster")
    MembershipReminder.objects.create(
        membership=user.membership,
        kind=MembershipReminder.Kind.DAYS_30,
        expires_on=datetime.date(2027, 6, 30),
    )
    MembershipReminder.objects.create(
        membership=other.membership,
        kind=MembershipReminder.Kind.DAYS_7,
        expires_on=datetime.date(2027, 1, 1),
    )
    client.force_login(user)
    data = json.loads(client.get(reverse("members:export")).content)
    assert (
        data["mentors"]["mentor_listings"][0]["email"]
        == "physician-listing@example.org"
    )
    assert data["ama"]["questions"][0]["text"] == "How do I find a research mentor?"
    assert len(data["ama"]["votes"]) == 1
    assert len(data["residency_hub"]["calendar_feed_tokens"]) == 1
    assert len(data["residency_hub"]["program_submissions"]) == 1
    assert data["listserv"]["subscription"]["email"] == user.email
    (roster,) = data["members"]["roster_entries"]
    assert roster["email"] == "everywhere@example.org"
    assert roster["last_name"] == "Roster"
    assert roster["expires_on"] == "2027-06-30"
    (reminder,) = data["members"]["membership_reminders"]
    assert reminder["kind"] == "30"
    assert reminder["expires_on"] == "2027-06-30"
    assert "not-me@example.org" not in json.dumps(data)
    assert "Not-Me-Roster" not in json.dumps(data)


def test_delete_account_anonymises_and_removes(db):
    user, question = member_with_data_everywhere()
    mentor = Mentor.objects.get(user=user)
    delete_account(user=user)
    assert not User.objects.filter(email="everywhere@example.org").exists()
    question.refresh_from_db()
    assert question.author is None  # the question stays, without its author
    assert not QuestionVote.objects.filter(question=question).exists()
    assert not CalendarFeedToken.objects.exists()
    assert not Subscriber.objects.filter(email="everywhere@example.org").exists()
    mentor.refresh_from_db()
    assert mentor.user is None  # the physician's listing is theirs, not the account's
    submission = ProgramSubmission.objects.get()
    assert submission.submitter_email != "everywhere@example.org"
    assert submission.submitter_name == ""


def test_collect_user_data_names_each_app(db):
    user = make_member(state="active")
    assert set(collect_user_data(user)) >= {
        "exported_at",
        "members",
        "mentors",
        "residency_hub",
        "ama",
        "listserv",
    }
