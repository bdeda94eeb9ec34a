"""Mentorship requests: a member asks through the portal, the mentor answers from
the email; the mentor's load; what contact details each choice shows."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from members.factories import make_member
from members.privacy import collect_user_data, delete_account
from mentors.factories import MentorFactory
from mentors.models import ContactChoice, Mentor, MentorshipRequest

pytestmark = pytest.mark.django_db

ASK = {"about_me": "MS2, UCSF, class of 2028", "hopes": "Help choosing pediatrics."}


def ask(client, mentor, **data):
    return client.post(reverse("mentors:ask", args=[mentor.pk]), {**ASK, **data})


def links_in(message) -> dict:
    found = re.findall(r"https?://\S+(/mentors/answer/\S+/)", message.body)
    assert len(found) == 2, message.body
    return {"accept": found[0], "decline": found[1]}


def test_a_member_asks_and_the_mentor_gets_it_with_reply_to_them(
    client, active_member, mentor
):
    client.force_login(active_member)
    form = client.get(reverse("mentors:ask", args=[mentor.pk]))
    assertContains(form, "Ask Lucía Santiago to mentor you")
    assertContains(form, "Medical student")  # prefilled from the membership
    response = ask(client, mentor, message="I read your special requests.")
    assert response.status_code == HTTPStatus.FOUND
    request = MentorshipRequest.objects.get()
    assert (request.mentor, request.member, request.status) == (
        mentor,
        active_member,
        MentorshipRequest.Status.OPEN,
    )
    (to_mentor,) = mail.outbox
    assert to_mentor.to == [mentor.email]
    assert to_mentor.reply_to == [active_member.email]
    assert "Dear Dr. Santiago" in to_mentor.body
    assert "Help choosing pediatrics." in to_mentor.body
    links_in(to_mentor)
    page = client.get(reverse("members:me"))
    assertContains(page, "Your mentorship requests")
    assertContains(page, "Waiting for the mentor")


def test_accept_from_the_email_tells_the_member_once(client, active_member, mentor):
    client.force_login(active_member)
    ask(client, mentor)
    accept = links_in(mail.outbox[0])["accept"]
    mail.outbox.clear()
    anonymous = client.__class__()
    opened = anonymous.get(accept)  # a mail scanner: nothing changes
    assertContains(opened, "Yes, I'll reply to this student")
    assert MentorshipRequest.objects.get().status == "open"
    assertContains(anonymous.post(accept), "We told the student you will reply")
    assert MentorshipRequest.objects.get().status == "accepted"
    (to_member,) = mail.outbox
    assert to_member.to == [active_member.email]
    assert "will write to you" in to_member.body
    anonymous.post(accept)  # replay
    assert len(mail.outbox) == 1
    # The decline link of an answered request changes nothing either.
    anonymous.post(links_in_request(MentorshipRequest.objects.get(), "decline"))
    assert MentorshipRequest.objects.get().status == "accepted"


def links_in_request(request, answer: str) -> str:
    from mentors.services import request_answer_url

    return re.search(
        r"/mentors/answer/\S+/",
        request_answer_url(mentorship_request=request, answer=answer),
    ).group(0)


def test_a_kind_decline_reaches_the_member_with_similar_mentors(
    client, active_member, mentor
):
    similar = MentorFactory(specialty=mentor.specialty, last_name="Similar")
    MentorFactory(specialty=mentor.specialty, last_name="Full", accepting_mentees=False)
    client.force_login(active_member)
    ask(client, mentor)
    decline = links_in(mail.outbox[0])["decline"]
    mail.outbox.clear()
    client.post(decline, {"note": "My year is full; try again in June!"})
    request = MentorshipRequest.objects.get()
    assert request.status == "declined"
    (to_member,) = mail.outbox
    assert "My year is full; try again in June!" in to_member.body
    assert similar.get_absolute_url() in to_member.body
    assert "Full" not in to_member.body and mentor.get_absolute_url() not in (
        to_member.body
    )
    page = client.get(reverse("members:me"))
    assertContains(page, "The mentor cannot take this on")
    assertContains(page, "My year is full")


def test_one_open_request_per_mentor_and_a_few_in_all(
    client, active_member, mentor, settings
):
    settings.MENTOR_MAX_OPEN_REQUESTS = 2
    client.force_login(active_member)
    ask(client, mentor)
    again = ask(client, mentor)
    assertContains(again, "You already asked this mentor", status_code=400)
    ask(client, MentorFactory(capacity=5))
    third = ask(client, MentorFactory(capacity=5))
    assertContains(third, "You have 2 requests waiting", status_code=400)
    assert MentorshipRequest.objects.count() == 2


def test_the_load_rule_at_its_edges(client, active_member, settings):
    # Capacity 2: one open request leaves room; two (open or accepted, in the
    # last 90 days) fill it; declined and old ones do not count.
    settings.MENTOR_LOAD_WINDOW_DAYS = 90
    mentor = MentorFactory(capacity=2, last_name="Loaded")

    def taking() -> bool:
        return Mentor.objects.for_directory().get(pk=mentor.pk).is_taking_mentees

    def request(status, days_ago=0):
        made = MentorshipRequest.objects.create(
            mentor=mentor,
            member=make_member(state="active"),
            about_me="x",
            hopes="y",
            status=status,
        )
        MentorshipRequest.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )

    request("declined")
    request("withdrawn")
    request("accepted", days_ago=91)
    assert taking()
    request("open")
    assert taking()
    request("accepted", days_ago=89)
    assert not taking()
    client.force_login(active_member)
    assertContains(ask(client, mentor), "not taking new mentees", status_code=400)
    listed = client.get(reverse("mentors:directory")).content.decode()
    assert "Not taking new mentees right now." in listed
    # Sorted after mentors who take new mentees, even by name.
    MentorFactory(last_name="Zeta")
    names = [
        m.last_name for m in client.get(reverse("mentors:directory")).context["mentors"]
    ]
    assert names.index("Zeta") < names.index("Loaded")
    # It comes back by itself when a request leaves the window.
    MentorshipRequest.objects.filter(status="accepted").update(
        created_at=timezone.now() - datetime.timedelta(days=95)
    )
    assert taking()


@pytest.mark.parametrize(
    ("choice", "email_shown", "phone_shown"),
    [
        (ContactChoice.EMAIL_AND_PHONE, True, True),
        (ContactChoice.EMAIL, True, False),
        (ContactChoice.PORTAL, False, False),
    ],
)
def test_each_contact_choice_on_every_members_page(
    client, active_member, choice, email_shown, phone_shown
):
    mentor = MentorFactory(
        contact_by=choice,
        email="hidden.or.not@hospital.example",
        phone="(787) 555-0199",
    )
    client.force_login(active_member)
    for url in (reverse("mentors:directory"), mentor.get_absolute_url()):
        html = client.get(url).content.decode()
        assert ("hidden.or.not@hospital.example" in html) is email_shown, url
        assert ("555-0199" in html) is phone_shown, url
        assert reverse("mentors:ask", args=[mentor.pk]) in html  # always a way in


def test_a_listing_without_recorded_consent_shows_no_contact(client, active_member):
    mentor = MentorFactory(consent_to_share=False, email="imported@hospital.example")
    client.force_login(active_member)
    html = client.get(mentor.get_absolute_url()).content.decode()
    assert "imported@hospital.example" not in html
    assert reverse("mentors:ask", args=[mentor.pk]) in html


def test_only_active_members_may_ask(client, mentor):
    client.force_login(make_member(state="pending"))
    response = ask(client, mentor)
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)
    assert not MentorshipRequest.objects.exists()
    assert mail.outbox == []


def test_withdraw_export_and_account_deletion(client, active_member, mentor):
    client.force_login(active_member)
    ask(client, mentor)
    request = MentorshipRequest.objects.get()
    exported = collect_user_data(active_member)["mentors"]["mentorship_requests"]
    assert exported[0]["hopes"] == "Help choosing pediatrics."
    client.post(reverse("mentors:request-withdraw", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == "withdrawn"
    ask(client, mentor)  # may ask again after withdrawing
    decline = links_in(mail.outbox[-1])["decline"]
    delete_account(user=active_member)
    assert not MentorshipRequest.objects.exists()
    page = client.__class__().get(decline)
    assertContains(page, "The student withdrew this request")


def test_curators_without_the_permission_never_see_what_members_wrote(
    active_member, mentor, admin_client_mfa
):
    from django.contrib.auth.models import Permission
    from django.test import Client

    from mentors.services import mentorship_request_create
    from tests.factories import make_totp

    request = mentorship_request_create(
        mentor=mentor,
        member=active_member,
        fields={**ASK, "message": "A private message."},
    )
    url = reverse("admin:mentors_mentorshiprequest_change", args=[request.pk])
    assertContains(admin_client_mfa.get(url), "A private message.")  # superuser
    curator = make_member(state="staff", email="curator@example.org")
    curator.user_permissions.add(
        Permission.objects.get(codename="view_mentorshiprequest"),
        Permission.objects.get(codename="view_mentor"),
    )
    make_totp(curator)
    curator_client = Client()
    curator_client.force_login(curator)
    page = curator_client.get(url)
    assert page.status_code == HTTPStatus.OK
    assertNotContains(page, "A private message.")
    assertNotContains(page, "Help choosing pediatrics.")
    assertContains(page, "Lucía Santiago")


CONTACT_CHOICES = [
    (ContactChoice.EMAIL_AND_PHONE, True, True),
    (ContactChoice.EMAIL, True, False),
    (ContactChoice.PHONE, False, True),
    (ContactChoice.PORTAL, False, False),
]


@pytest.mark.parametrize(("choice", "email_shown", "phone_shown"), CONTACT_CHOICES)
def test_each_contact_choice_for_every_kind_of_viewer(
    client, choice, email_shown, phone_shown
):
    from django.contrib.auth.models import Group

    mentor = MentorFactory(
        contact_by=choice, email="chosen@hospital.example", phone="(787) 555-0199"
    )
    curator = make_member(state="staff")
    curator.groups.add(Group.objects.get(name="Content curators"))
    viewers = {
        "anonymous": None,
        "pending": make_member(state="pending"),
        "expired": make_member(state="expired"),
        "active": make_member(),
        "curator": curator,
    }
    for who, user in viewers.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        sees = who in ("active", "curator")
        for url in (reverse("mentors:directory"), mentor.get_absolute_url()):
            html = client.get(url).content.decode()
            assert ("chosen@hospital.example" in html) is (email_shown and sees), (
                who,
                url,
            )
            assert ("555-0199" in html) is (phone_shown and sees), (who, url)


def test_phone_only_needs_a_phone_number():
    from mentors.forms import MentorForm

    form = MentorForm(data={"contact_by": ContactChoice.PHONE, "phone": ""})
    assert not form.is_valid()
    assert "Add your phone number" in str(form.errors["phone"])


def test_similar_mentors_share_the_specialty_first_then_a_language(mentor):
    from mentors.models import Language
    from mentors.services import similar_mentors

    spanish = Language.objects.get(code="es")
    mentor.languages.set([spanish])
    same_specialty = MentorFactory(specialty=mentor.specialty)
    speaker = MentorFactory()
    speaker.languages.set([spanish])
    stranger = MentorFactory()
    stranger.languages.clear()
    found = similar_mentors(mentor=mentor, limit=3)
    assert found[0] == same_specialty
    assert speaker in found
    assert stranger not in found
    assert mentor not in found


def test_the_decline_email_names_no_mentor_to_a_lapsed_member(
    client, active_member, mentor
):
    from members.models import Membership
    from mentors.services import mentorship_request_answer

    MentorFactory(specialty=mentor.specialty, first_name="Similar", last_name="One")
    client.force_login(active_member)
    ask(client, mentor)
    Membership.objects.filter(user=active_member).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    mail.outbox.clear()
    mentorship_request_answer(
        mentorship_request=MentorshipRequest.objects.get(), answer="decline"
    )
    assert len(mail.outbox) == 1
    assert "Similar One" not in mail.outbox[0].body


def test_a_bounced_member_is_not_emailed_the_answer(client, active_member, mentor):
    from listserv.suppression import suppress
    from mentors.services import mentorship_request_answer

    client.force_login(active_member)
    ask(client, mentor)
    suppress(email=active_member.email, reason="hard_bounce")
    mail.outbox.clear()
    request = MentorshipRequest.objects.get()
    assert mentorship_request_answer(mentorship_request=request, answer="accept")
    request.refresh_from_db()
    assert request.status == MentorshipRequest.Status.ACCEPTED
    assert mail.outbox == []


def test_curators_may_not_read_request_messages_unless_given_it():
    from django.contrib.auth.models import Group

    from members.models import User

    curator = make_member(state="staff")
    curator.groups.add(Group.objects.get(name="Content curators"))
    curator = User.objects.get(pk=curator.pk)
    assert curator.has_perm("mentors.view_mentorshiprequest")
    assert not curator.has_perm("mentors.view_request_message")
