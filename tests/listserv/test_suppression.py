"""Bounces and complaints: the providers' webhooks (through django-anymail) put
addresses on the suppression list, and no mailing reaches a suppressed address."""

import base64
import hashlib
import hmac
import json
import time
from collections import Counter

import pytest
from django.urls import reverse

from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery, MailEvent, Subscriber, Suppression
from listserv.services import mailing_audience, mailing_queue, mailing_send
from listserv.suppression import lift, record_event, suppress

SECRET = "lmsa:webhook-secret-for-tests"
SIGNING_KEY = "mailgun-signing-key-for-tests"


def auth(secret: str = SECRET) -> dict:
    token = base64.b64encode(secret.encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }


def postmark(record_type: str, email: str, event_id: int = 1, **extra) -> dict:
    return {
        "RecordType": record_type,
        "ID": event_id,
        "Email": email,
        "BouncedAt": "2026-12-01T10:00:00Z",
        "Description": extra.pop("Description", "The server was unable to deliver"),
        "Details": extra.pop(
            "Details", "smtp;550 5.1.1 The email account does not exist"
        ),
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        **extra,
    }


def post_postmark(client, payload, **headers):
    return client.post(
        reverse("listserv:webhook-postmark"),
        data=json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def mailgun(event: str, email: str, *, key: str = SIGNING_KEY, **event_data) -> dict:
    timestamp = str(int(time.time()))
    token = hashlib.sha256(f"{email}{event}{timestamp}".encode()).hexdigest()
    signature = hmac.new(
        key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "recipient": email,
            "timestamp": float(timestamp),
            **event_data,
        },
    }


def post_mailgun(client, payload, **headers):
    return client.post(
        reverse("listserv:webhook-mailgun"),
        data=json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def ses_notification(ses_event: dict, message_id: str = "sns-1") -> tuple[str, dict]:
    body = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": "arn:aws:sns:us-east-1:111122223333:ses-events",
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-12-01T10:00:00.000Z",
    }
    headers = {
        "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification",
        "HTTP_X_AMZ_SNS_MESSAGE_ID": message_id,
    }
    return json.dumps(body), headers


def snapshot() -> tuple:
    return (
        list(Suppression.objects.values()),
        list(MailEvent.objects.values()),
        list(Subscriber.objects.values("pk", "status")),
    )


# ------------------------------------------------------------------------------
# Authenticity
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_without_a_configured_secret_every_webhook_post_is_refused(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    SubscriberFactory(email="dead@example.org")
    before = snapshot()
    for slug in ["postmark", "amazon-ses", "mailgun", "sendgrid", "brevo"]:
        response = client.post(
            reverse(f"listserv:webhook-{slug}"),
            data=json.dumps(postmark("Bounce", "dead@example.org", Type="HardBounce")),
            content_type="application/json",
            **auth(),  # even with credentials: nothing is accepted unconfigured
        )
        assert response.status_code == 403, slug
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, auth("lmsa:wrong-secret"), auth("someone:" + SECRET)],
    ids=["unsigned", "wrong-secret", "wrong-user"],
)
def test_a_forged_or_unsigned_webhook_changes_nothing(client, webhook_secret, headers):
    SubscriberFactory(email="alive@example.org")
    before = snapshot()
    response = post_postmark(
        client,
        postmark("SpamComplaint", "alive@example.org", Type="SpamComplaint"),
        **headers,
    )
    assert 400 <= response.status_code < 500
    assert snapshot() == before


@pytest.mark.django_db
def test_mailgun_needs_its_signature_as_well_as_the_secret(client, webhook_secret):
    SubscriberFactory(email="alive@example.org")
    before = snapshot()
    forged = mailgun(
        "failed", "alive@example.org", key="not-the-key", severity="permanent"
    )
    assert post_mailgun(client, forged, **auth()).status_code == 400
    assert snapshot() == before
    genuine = mailgun(
        "failed",
        "alive@example.org",
        severity="permanent",
        reason="bounce",
        **{"delivery-status": {"code": 550, "message": "5.1.1 No such user"}},
    )
    assert post_mailgun(client, genuine, **auth()).status_code == 200
    suppression = Suppression.objects.get()
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    assert suppression.source == "Mailgun"


@pytest.mark.django_db
def test_mailgun_without_its_signing_key_is_refused(client, settings):
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": "",
    }
    response = post_mailgun(client, mailgun("complained", "a@example.org"), **auth())
    assert response.status_code == 403
    assert not MailEvent.objects.exists()


# ------------------------------------------------------------------------------
# Each kind of event
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_hard_bounce_suppresses_the_address_and_says_why(client, webhook_secret):
    subscriber = SubscriberFactory(email="dead@example.org")
    response = post_postmark(
        client,
        postmark("Bounce", "Dead@Example.org", event_id=42, Type="HardBounce"),
        **auth(),
    )
    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert suppression.email == "dead@example.org"
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    assert suppression.source == "Postmark"
    assert "5.1.1" in suppression.detail
    assert suppression.event.event_id == "42"
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED  # suppressed, not removed
    assert list(mailing_audience(MailingFactory())) == []


@pytest.mark.django_db
def test_soft_bounces_suppress_only_when_repeated(client, webhook_secret, settings):
    settings.LISTSERV_SOFT_BOUNCE_LIMIT = 3
    SubscriberFactory(email="full@example.org")
    for event_id in (1, 2):
        payload = postmark(
            "Bounce",
            "full@example.org",
            event_id=event_id,
            Type="SoftBounce",
            Details="smtp;452 4.2.2 Mailbox full",
        )
        assert post_postmark(client, payload, **auth()).status_code == 200
    # The same report delivered again (providers retry) does not count twice.
    assert post_postmark(client, payload, **auth()).status_code == 200
    assert MailEvent.objects.filter(kind=MailEvent.Kind.SOFT_BOUNCE).count() == 2
    assert not Suppression.objects.exists()
    third = postmark(
        "Bounce", "full@example.org", event_id=3, Type="SoftBounce", Details="4.2.2"
    )
    post_postmark(client, third, **auth())
    assert Suppression.objects.get().reason == Suppression.Reason.SOFT_BOUNCES


@pytest.mark.django_db
def test_a_complaint_suppresses_and_unsubscribes(client, webhook_secret):
    subscriber = SubscriberFactory(email="angry@example.org")
    payload = postmark("SpamComplaint", "angry@example.org", Type="SpamComplaint")
    assert post_postmark(client, payload, **auth()).status_code == 200
    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


@pytest.mark.django_db
def test_amazon_ses_bounces_and_complaints(client, webhook_secret):
    hard = SubscriberFactory(email="hard@example.org")
    soft = SubscriberFactory(email="soft@example.org")
    angry = SubscriberFactory(email="angry@example.org")
    events = [
        {
            "notificationType": "Bounce",
            "mail": {"messageId": "m1", "destination": [hard.email]},
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {"emailAddress": hard.email, "diagnosticCode": "smtp; 550 5.1.1"}
                ],
            },
        },
        {
            "notificationType": "Bounce",
            "mail": {"messageId": "m2", "destination": [soft.email]},
            "bounce": {
                "bounceType": "Transient",
                "bounceSubType": "MailboxFull",
                "bouncedRecipients": [{"emailAddress": soft.email}],
            },
        },
        {
            "notificationType": "Complaint",
            "mail": {"messageId": "m3", "destination": [angry.email]},
            "complaint": {
                "complaintFeedbackType": "abuse",
                "complainedRecipients": [{"emailAddress": angry.email}],
            },
        },
    ]
    for number, ses_event in enumerate(events):
        body, headers = ses_notification(ses_event, message_id=f"sns-{number}")
        response = client.post(
            reverse("listserv:webhook-amazon-ses"),
            data=body,
            content_type="text/plain",
            **headers,
            **auth(),
        )
        assert response.status_code == 200
    reasons = dict(Suppression.objects.values_list("email", "reason"))
    assert reasons == {
        hard.email: Suppression.Reason.HARD_BOUNCE,
        angry.email: Suppression.Reason.COMPLAINT,
    }
    assert MailEvent.objects.get(email=soft.email).kind == MailEvent.Kind.SOFT_BOUNCE


@pytest.mark.django_db
def test_deliveries_opens_and_deferrals_change_nothing(client, webhook_secret):
    SubscriberFactory(email="fine@example.org")
    before = snapshot()
    for payload in [
        {"RecordType": "Delivery", "Recipient": "fine@example.org", "ID": 7},
        {"RecordType": "Open", "Recipient": "fine@example.org"},
        postmark("Bounce", "fine@example.org", event_id=8, Type="Transient"),
    ]:
        assert post_postmark(client, payload, **auth()).status_code == 200
    assert snapshot() == before


@pytest.mark.django_db
def test_signing_up_again_does_not_lift_a_suppression():
    suppress(email="dead@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    SubscriberFactory(email="dead@example.org")
    assert list(mailing_audience(MailingFactory())) == []


# ------------------------------------------------------------------------------
# Sending: suppressed addresses never receive a mailing (real SMTP server)
# ------------------------------------------------------------------------------
def recipients(handler) -> Counter:
    return Counter(a for _sender, rcpts, _raw in handler.messages for a in rcpts)


@pytest.mark.django_db
def test_suppressed_addresses_never_receive_a_mailing(smtp_settings):
    handler = smtp_settings
    fine = SubscriberFactory.create_batch(5)
    before_queue = SubscriberFactory(email="bounced@example.org")
    after_queue = SubscriberFactory(email="complained@example.org")
    suppress(email=before_queue.email, reason=Suppression.Reason.HARD_BOUNCE)
    mailing = MailingFactory()
    assert mailing_queue(mailing=mailing) == 6  # left out when queued
    # Reported after the audience was frozen, before the batch went out.
    record_event(
        email=after_queue.email, kind=MailEvent.Kind.COMPLAINT, source="Postmark"
    )
    from listserv.sending import mailing_deliver

    report = mailing_deliver(mailing_id=mailing.pk)
    assert recipients(handler) == Counter(s.email for s in fine)
    assert report.skipped == 1
    skipped = Delivery.objects.get(mailing=mailing, subscriber=after_queue)
    assert skipped.status == Delivery.Status.SKIPPED
    assert "suppressed" in skipped.last_error or "unsubscribed" in skipped.last_error


@pytest.mark.django_db
def test_a_suppressed_but_still_confirmed_address_is_skipped_with_its_reason(
    smtp_settings,
):
    handler = smtp_settings
    subscriber = SubscriberFactory(email="full@example.org")
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    suppress(email=subscriber.email, reason=Suppression.Reason.SOFT_BOUNCES)
    from listserv.sending import mailing_deliver

    mailing_deliver(mailing_id=mailing.pk)
    assert handler.messages == []
    delivery = Delivery.objects.get(mailing=mailing)
    assert delivery.status == Delivery.Status.SKIPPED
    assert delivery.last_error == "Address is suppressed (soft_bounces)."


@pytest.mark.django_db
def test_an_smtp_unknown_user_answer_suppresses_the_address(smtp_settings):
    handler = smtp_settings
    dead = SubscriberFactory(email="nobody@example.org")
    fine = SubscriberFactory(email="fine@example.org")

    original = type(handler).handle_MAIL

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address == dead.email:
            return "550 5.1.1 <nobody@example.org>: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    handler.handle_RCPT = handle_RCPT
    assert original  # the sink still accepts MAIL FROM as before
    mailing_send(mailing=MailingFactory())
    assert recipients(handler) == Counter([fine.email])
    suppression = Suppression.objects.get()
    assert suppression.email == dead.email
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    assert suppression.source == "SMTP"
    assert "5.1.1" in suppression.detail
    # The next mailing does not try the dead address again.
    handler.messages.clear()
    assert mailing_send(mailing=MailingFactory()) == 1
    assert recipients(handler) == Counter([fine.email])


@pytest.mark.django_db
def test_a_lifted_suppression_lets_mail_through_again():
    subscriber = SubscriberFactory(email="back@example.org")
    suppression = suppress(email=subscriber.email, reason=Suppression.Reason.MANUAL)
    assert list(mailing_audience(MailingFactory())) == []
    assert lift(suppression=suppression) is True
    assert list(mailing_audience(MailingFactory())) == [subscriber]
    # Suppressing it again makes a new row; the lifted one stays as history.
    suppress(email=subscriber.email, reason=Suppression.Reason.HARD_BOUNCE)
    assert Suppression.objects.count() == 2


# ------------------------------------------------------------------------------
# Admin
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_staff_see_why_and_lift(admin_client_mfa):
    client = admin_client_mfa
    event = record_event(
        email="dead@example.org",
        kind=MailEvent.Kind.HARD_BOUNCE,
        source="Postmark",
        description="smtp;550 5.1.1 The email account does not exist",
    )
    suppression = Suppression.objects.get()
    changelist = client.get(reverse("admin:listserv_suppression_changelist"))
    assert changelist.status_code == 200
    body = changelist.content.decode()
    assert "dead@example.org" in body
    assert "Hard bounce" in body
    assert "5.1.1" in body
    detail = client.get(
        reverse("admin:listserv_suppression_change", args=[suppression.pk])
    )
    assert "Postmark" in detail.content.decode()
    assert event.description in detail.content.decode()
    response = client.post(
        reverse("admin:listserv_suppression_changelist"),
        {"action": "lift_selected", "_selected_action": [suppression.pk]},
    )
    assert response.status_code == 302
    suppression.refresh_from_db()
    assert suppression.lifted_at is not None
    assert suppression.lifted_by.is_superuser
    assert client.get(reverse("admin:listserv_mailevent_changelist")).status_code == 200


@pytest.mark.django_db
def test_a_report_for_a_non_address_is_logged_and_changes_nothing():
    # Review: a recipient over 254 characters was a DataError (500) on PostgreSQL.
    from listserv.models import MailEvent
    from listserv.suppression import record_event

    assert record_event(email="x" * 300 + "@example.org", kind="bounced") is None
    assert record_event(email="not an address", kind="bounced") is None
    assert not MailEvent.objects.exists()


@pytest.mark.django_db
def test_staff_adding_an_already_suppressed_address_get_a_plain_message(
    admin_client_mfa,
):
    suppress(email="dead@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    response = admin_client_mfa.post(
        reverse("admin:listserv_suppression_add"),
        {"email": "Dead@Example.org", "reason": "manual", "detail": "asked by phone"},
    )
    assert response.status_code == 200  # the form again, with what was typed
    body = response.content.decode()
    assert "This address is already suppressed" in body
    assert "asked by phone" in body
    assert Suppression.objects.count() == 1
