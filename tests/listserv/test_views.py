"""Public pages: double opt-in, enumeration-safe sign-up, one-click unsubscribe,
preferences, and the member's one-click subscription."""

import re
import time
from http import HTTPStatus

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from listserv.factories import SubscriberFactory
from listserv.models import Interest, Subscriber, SubscriberQuerySet
from listserv.services import CONFIRM_LINK, MANAGE_LINK

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "name": "Dr. Camila Reyes",
        "email": "camila.reyes@example.org",
        "role": "physician",
        "institution": "Baylor College of Medicine",
        "specialty": "",
        "state": "TX",
        "interests": [Interest.objects.get(code="mentor_students").pk],
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def link_in(body: str, name: str) -> str:
    match = re.search(rf"https?://\S+/listserv/{name}/\S+/", body)
    assert match, body
    return "/listserv/" + match.group(0).split("/listserv/", 1)[1]


def test_signup_page_renders_form_with_consent_wording(client):
    response = client.get(reverse("listserv:signup"))
    assertContains(response, "occasional emails regarding mentorship volunteer")
    assertContains(response, 'name="website"')


def test_signup_creates_unconfirmed_subscriber_and_sends_confirmation(client):
    response = client.post(reverse("listserv:signup"), signup_data())
    assert response.status_code == HTTPStatus.FOUND
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.UNCONFIRMED
    assert subscriber.source == Subscriber.Source.SIGNUP
    assert "occasional emails regarding mentorship" in subscriber.consent_text
    assert list(subscriber.interests.values_list("code", flat=True)) == [
        "mentor_students"
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["camila.reyes@example.org"]
    assert "/listserv/confirm/" in mail.outbox[0].body


def test_double_opt_in_get_shows_button_post_confirms(client):
    client.post(reverse("listserv:signup"), signup_data())
    path = link_in(mail.outbox[0].body, "confirm")
    response = client.get(path)
    assertContains(response, "Confirm my subscription")
    # A mail scanner that only GETs the link does not confirm it.
    assert Subscriber.objects.get().status == Subscriber.Status.UNCONFIRMED
    response = client.post(path)
    assertContains(response, "You are subscribed")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None
    # Confirming twice is harmless.
    assert client.post(path).status_code == HTTPStatus.OK


def test_unconfirmed_subscriber_gets_nothing_but_the_confirmation(client):
    client.post(reverse("listserv:signup"), signup_data())
    assert not Subscriber.objects.confirmed().exists()


@pytest.mark.parametrize("view", ["confirm", "unsubscribe", "preferences"])
def test_tampered_tokens_are_rejected(client, view):
    subscriber = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    token = (
        CONFIRM_LINK.token(subscriber)
        if view == "confirm"
        else MANAGE_LINK.token(subscriber.pk)
    )
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(reverse(f"listserv:{view}", args=[tampered]))
    assertContains(response, "not valid", status_code=HTTPStatus.BAD_REQUEST)
    response = client.post(reverse(f"listserv:{view}", args=[tampered]))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNCONFIRMED


def test_token_for_one_purpose_does_not_work_for_another(client):
    subscriber = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    response = client.post(
        reverse("listserv:unsubscribe", args=[CONFIRM_LINK.token(subscriber)])
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    response = client.post(
        reverse("listserv:confirm", args=[MANAGE_LINK.token(subscriber.pk)])
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_expired_confirmation_link_is_rejected(client, monkeypatch):
    subscriber = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    real_time = time.time
    monkeypatch.setattr(
        "django.core.signing.time.time", lambda: real_time() - 31 * 86400
    )
    token = CONFIRM_LINK.token(subscriber)
    monkeypatch.setattr("django.core.signing.time.time", real_time)
    response = client.post(reverse("listserv:confirm", args=[token]))
    assertContains(response, "expired", status_code=HTTPStatus.BAD_REQUEST)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNCONFIRMED


def test_confirmation_link_dies_when_the_address_changes(client):
    subscriber = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    token = CONFIRM_LINK.token(subscriber)
    subscriber.email = "someone.else@example.org"
    subscriber.save()
    response = client.post(reverse("listserv:confirm", args=[token]))
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_confirmation_link_does_not_carry_the_address(client):
    # Links land in server and proxy logs: the signed token is only base64.
    from django.core import signing

    subscriber = SubscriberFactory(
        status=Subscriber.Status.UNCONFIRMED, email="ana.lopez@example.org"
    )
    token = CONFIRM_LINK.token(subscriber)
    value = signing.loads(token, salt="lmsa:listserv-confirm")
    assert "ana.lopez" not in repr(value)
    response = client.post(reverse("listserv:confirm", args=[token]))
    assert response.status_code == HTTPStatus.OK
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_confirmation_links_sent_before_the_fingerprint_still_work(client):
    from lmsa_portal.signing import make_token

    subscriber = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    old_style = make_token(
        purpose="listserv-confirm", value={"s": subscriber.pk, "e": subscriber.email}
    )
    assert client.post(reverse("listserv:confirm", args=[old_style])).status_code == (
        HTTPStatus.OK
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def without_csrf(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def test_signup_is_enumeration_safe(client):
    SubscriberFactory(email="already@example.org", name="Dr. Already There")
    new = client.post(reverse("listserv:signup"), signup_data(), follow=True)
    mail.outbox.clear()
    existing = client.post(
        reverse("listserv:signup"),
        signup_data(email="ALREADY@example.org", name="Attacker Changes Name"),
        follow=True,
    )
    assert new.status_code == existing.status_code == HTTPStatus.OK
    assert new.redirect_chain == existing.redirect_chain
    assert without_csrf(new.content) == without_csrf(existing.content)
    # The person on the list gets a "manage your preferences" email instead,
    # and nothing about them changed.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["already@example.org"]
    assert "already subscribed" in mail.outbox[0].body
    assert "/listserv/preferences/" in mail.outbox[0].body
    assert "/listserv/confirm/" not in mail.outbox[0].body
    assert Subscriber.objects.get(email="already@example.org").name == (
        "Dr. Already There"
    )
    assert Subscriber.objects.count() == 2


def test_unsubscribed_address_signing_up_again_must_confirm_again(client):
    SubscriberFactory(email="back@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    client.post(reverse("listserv:signup"), signup_data(email="back@example.org"))
    subscriber = Subscriber.objects.get(email="back@example.org")
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    client.post(link_in(mail.outbox[-1].body, "confirm"))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_honeypot_gets_success_page_and_nothing_saved(client):
    response = client.post(
        reverse("listserv:signup"), signup_data(website="http://spam.example")
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_invalid_signup_keeps_input_and_shows_errors(client):
    response = client.post(
        reverse("listserv:signup"), signup_data(email="not-an-email", consent="")
    )
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Dr. Camila Reyes")
    assertContains(response, "Enter a valid email address")
    assertContains(response, "This field is required")
    assert not Subscriber.objects.exists()


def test_signup_requires_an_explicit_role(client):
    response = client.get(reverse("listserv:signup"))
    assertNotContains(response, '<option value="other" selected>')
    response = client.post(reverse("listserv:signup"), signup_data(role=""))
    assertContains(response, "This field is required")
    assert not Subscriber.objects.exists()


def test_signup_rate_limited_per_email(client):
    for _attempt in range(3):
        client.post(reverse("listserv:signup"), signup_data())
    response = client.post(reverse("listserv:signup"), signup_data())
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_signup_rate_limited_per_ip(client):
    for number in range(10):
        client.post(
            reverse("listserv:signup"), signup_data(email=f"p{number}@example.org")
        )
    response = client.post(
        reverse("listserv:signup"), signup_data(email="p99@example.org")
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_unsubscribe_get_shows_one_button_and_changes_nothing(client):
    subscriber = SubscriberFactory()
    response = client.get(
        reverse("listserv:unsubscribe", args=[MANAGE_LINK.token(subscriber.pk)])
    )
    main = response.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert main.count('type="submit"') == 1
    assertContains(response, "Unsubscribe")
    assertNotContains(response, subscriber.email)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_one_click_unsubscribe_post_needs_no_session_or_csrf(db):
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    url = reverse("listserv:unsubscribe", args=[MANAGE_LINK.token(subscriber.pk)])
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == HTTPStatus.OK
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    first_time = subscriber.unsubscribed_at
    # Idempotent: a second POST (mail client retry) changes nothing and succeeds.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == HTTPStatus.OK
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == first_time


def test_preferences_change_and_resubscribe(client):
    subscriber = SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    url = reverse("listserv:preferences", args=[MANAGE_LINK.token(subscriber.pk)])
    response = client.get(url)
    assertContains(response, "Subscribe again")
    assertNotContains(response, subscriber.email)
    response = client.post(
        url,
        {
            "name": subscriber.name,
            "role": "resident",
            "institution": "",
            "specialty": "",
            "state": "CA",
            "interests": [Interest.objects.get(code="research").pk],
            "frequency": "monthly",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    subscriber.refresh_from_db()
    assert (subscriber.role, subscriber.state, subscriber.frequency) == (
        "resident",
        "CA",
        "monthly",
    )
    assert list(subscriber.interests.values_list("code", flat=True)) == ["research"]
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    client.post(url, {"action": "resubscribe"})
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_preferences_rejects_bad_input_next_to_field(client):
    subscriber = SubscriberFactory()
    url = reverse("listserv:preferences", args=[MANAGE_LINK.token(subscriber.pk)])
    response = client.post(url, {"name": "", "role": "astronaut", "frequency": "x"})
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Select a valid choice")
    subscriber.refresh_from_db()
    assert subscriber.role == "physician"


@pytest.mark.parametrize("bad_id", [str(2**63), str(-(2**63) - 1), "9" * 40])
def test_preferences_reject_interest_ids_beyond_64_bits(client, bad_id):
    # Found by tests/security/test_fuzz.py: SQLite raised OverflowError (a 500).
    subscriber = SubscriberFactory()
    url = reverse("listserv:preferences", args=[MANAGE_LINK.token(subscriber.pk)])
    response = client.post(
        url,
        {
            "name": "Changed Name",
            "role": "physician",
            "state": "TX",
            "frequency": subscriber.frequency,
            "interests": [bad_id],
        },
    )
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Select a valid choice")
    subscriber.refresh_from_db()
    assert subscriber.name != "Changed Name"


def test_member_subscribes_in_one_click(client, active_member):
    client.force_login(active_member)
    response = client.post(reverse("listserv:member-subscribe"))
    assert response.status_code == HTTPStatus.FOUND
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.source == Subscriber.Source.MEMBER
    assert subscriber.user == active_member
    assert subscriber.email == active_member.email
    assert mail.outbox == []  # no second confirmation


def test_member_subscribe_reuses_existing_unsubscribed_row(client, active_member):
    SubscriberFactory(
        email=active_member.email.upper(), status=Subscriber.Status.UNSUBSCRIBED
    )
    client.force_login(active_member)
    client.post(reverse("listserv:member-subscribe"))
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.user == active_member


def test_member_subscribe_double_click_is_not_a_500(client, active_member, monkeypatch):
    # The other click's row exists, but this request looked before it was
    # committed (first two lookups see nothing): its insert hits the unique
    # address and the retry finds the row.
    SubscriberFactory(email=active_member.email, user=active_member)
    lookups = []
    first = SubscriberQuerySet.first

    def first_before_the_commit(self):
        lookups.append(self)
        return None if len(lookups) <= 2 else first(self)

    monkeypatch.setattr(SubscriberQuerySet, "first", first_before_the_commit)
    client.force_login(active_member)
    response = client.post(reverse("listserv:member-subscribe"))
    assert response.status_code == HTTPStatus.FOUND
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.user == active_member


def test_unverified_user_cannot_one_click_subscribe(client, unverified_user):
    client.force_login(unverified_user)
    response = client.post(reverse("listserv:member-subscribe"), follow=True)
    assertContains(response, "confirm your email address")
    assert not Subscriber.objects.exists()


def test_member_subscribe_requires_login_and_post(client, active_member):
    response = client.post(reverse("listserv:member-subscribe"))
    assert response.status_code == HTTPStatus.FOUND
    assert "/accounts/login/" in response["Location"]
    client.force_login(active_member)
    response = client.get(reverse("listserv:member-subscribe"))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_member_subscribe_ignores_offsite_next(client, active_member):
    client.force_login(active_member)
    response = client.post(
        reverse("listserv:member-subscribe"), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("members:me")


def test_account_panel_shows_button_then_preferences(rf, active_member):
    from django.template.loader import render_to_string

    request = rf.get("/members/me/")
    request.user = active_member
    html = render_to_string("listserv/includes/_account_panel.html", request=request)
    assert reverse("listserv:member-subscribe") in html
    assert "Subscribe in one click" in html
    SubscriberFactory(email=active_member.email)
    html = render_to_string("listserv/includes/_account_panel.html", request=request)
    assert "Subscribe in one click" not in html
    assert "/listserv/preferences/" in html


def test_account_panel_for_unverified_user_has_no_button(rf, unverified_user):
    from django.template.loader import render_to_string

    request = rf.get("/members/me/")
    request.user = unverified_user
    html = render_to_string("listserv/includes/_account_panel.html", request=request)
    assert "Subscribe in one click" not in html
    assert "Confirm your email address" in html


def test_unverified_account_never_sees_someone_elses_subscription(rf, unverified_user):
    from django.template.loader import render_to_string

    SubscriberFactory(email=unverified_user.email)
    request = rf.get("/members/me/")
    request.user = unverified_user
    html = render_to_string("listserv/includes/_account_panel.html", request=request)
    assert "/listserv/preferences/" not in html
    assert "You are subscribed" not in html


def test_signup_page_queries_do_not_grow(client, django_assert_max_num_queries):
    SubscriberFactory.create_batch(20)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("listserv:signup"))
    assert response.status_code == HTTPStatus.OK


def test_purge_unconfirmed_after_30_days(db):
    old = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    Subscriber.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=31)
    )
    recent_request = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    Subscriber.objects.filter(pk=recent_request.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=60),
        confirmation_sent_at=timezone.now() - timezone.timedelta(days=2),
    )
    fresh = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    confirmed = SubscriberFactory()
    Subscriber.objects.filter(pk=confirmed.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=400)
    )
    call_command("listserv_purge_unconfirmed")
    remaining = set(Subscriber.objects.values_list("pk", flat=True))
    assert remaining == {recent_request.pk, fresh.pk, confirmed.pk}


def test_email_is_unique_case_insensitively(db):
    from django.db import IntegrityError, transaction

    SubscriberFactory(email="dup@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(name="x", email="DUP@example.org")
    # save() also normalises the address.
    assert Subscriber.objects.with_email("DUP@EXAMPLE.ORG").count() == 1


def test_signing_module_used_with_listserv_salts():
    token = MANAGE_LINK.token(5)
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="lmsa:listserv-confirm")


def test_demo_data_is_idempotent(db):
    from listserv.demo import load_demo
    from listserv.models import Mailing

    load_demo()
    counts = (Subscriber.objects.count(), Mailing.objects.count())
    load_demo()
    assert (Subscriber.objects.count(), Mailing.objects.count()) == counts
    assert Mailing.objects.get().status == "draft"
    assert counts[0] >= 4
