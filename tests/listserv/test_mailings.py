"""Mailings: audience, rendering and headers, and the sending loop's guarantees
(nothing lost, nothing twice) with the in-memory mail backend."""

import re
from collections import Counter
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery, Interest, Mailing, Subscriber
from listserv.sending import (
    RenderedMailing,
    claim_batch,
    html_to_text,
    mailing_deliver,
    release_stale_claims,
)
from listserv.services import mailing_audience, mailing_queue, mailing_send
from residency_hub.factories import SpecialtyFactory
from tests.listserv.backends import FlakyBackend, outbox_recipients

pytestmark = pytest.mark.django_db


def test_audience_is_confirmed_subscribers_only():
    confirmed = SubscriberFactory()
    SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    assert list(mailing_audience(MailingFactory())) == [confirmed]


def test_audience_filters_by_role_state_specialty_and_interests():
    cardiology = SpecialtyFactory(name="Cardiology X", slug="cardiology-x")
    research = Interest.objects.get(code="research")
    speaking = Interest.objects.get(code="speaking")
    match = SubscriberFactory(role="physician", state="TX", specialty=cardiology)
    match.interests.set([research])
    wrong_role = SubscriberFactory(role="resident", state="TX", specialty=cardiology)
    wrong_role.interests.set([research])
    wrong_state = SubscriberFactory(role="physician", state="CA", specialty=cardiology)
    wrong_state.interests.set([research])
    no_specialty = SubscriberFactory(role="physician", state="TX", specialty=None)
    no_specialty.interests.set([research])
    other_interest = SubscriberFactory(
        role="physician", state="TX", specialty=cardiology
    )
    other_interest.interests.set([speaking])
    two_interests = SubscriberFactory(
        role="physician", state="NM", specialty=cardiology
    )
    two_interests.interests.set([research, speaking])

    mailing = MailingFactory(roles=["physician"], states=["TX", "NM"])
    mailing.specialties.set([cardiology])
    mailing.interests.set([research])
    assert set(mailing_audience(mailing)) == {match, two_interests}

    # Each filter alone; an empty filter matches everyone.
    only_role = MailingFactory(roles=["resident"])
    assert set(mailing_audience(only_role)) == {wrong_role}
    only_interest = MailingFactory()
    only_interest.interests.set([speaking])
    assert set(mailing_audience(only_interest)) == {other_interest, two_interests}
    assert mailing_audience(MailingFactory()).count() == 6


def test_monthly_subscribers_skip_a_second_mailing_within_30_days():
    monthly = SubscriberFactory(frequency="monthly")
    every = SubscriberFactory(frequency="every")
    first = MailingFactory()
    mailing_send(mailing=first)
    assert sorted(outbox_recipients()) == sorted([monthly.email, every.email])
    second = MailingFactory()
    assert list(mailing_audience(second)) == [every]


def test_send_creates_one_delivery_per_recipient_and_sends_once():
    subscribers = SubscriberFactory.create_batch(25)
    mailing = MailingFactory()
    count = mailing_send(mailing=mailing)
    assert count == 25
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert mailing.finished_at is not None
    assert Counter(outbox_recipients()) == Counter(s.email for s in subscribers)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    # Running the loop again sends nothing.
    mailing_deliver(mailing_id=mailing.pk)
    assert len(mail.outbox) == 25


def test_a_mailing_can_only_be_queued_once():
    SubscriberFactory()
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    with pytest.raises(ValueError):
        mailing_queue(mailing=mailing)
    assert Delivery.objects.count() == 1


def test_every_message_carries_one_click_unsubscribe_headers(client):
    subscribers = SubscriberFactory.create_batch(12)
    mailing_send(mailing=MailingFactory())
    assert len(mail.outbox) == 12
    by_address = {s.email: s for s in subscribers}
    for message in mail.outbox:
        rendered = message.message()
        assert rendered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        header = rendered["List-Unsubscribe"]
        match = re.fullmatch(r"<(http[^>]+)>, <mailto:([^>]+)>", header)
        assert match, header
        url, mailto = match.groups()
        assert url.startswith("http://127.0.0.1:8000/listserv/unsubscribe/")
        assert mailto.startswith("listserv-unsubscribe@lmsa.net?subject=unsubscribe")
        assert rendered["List-Id"]
        # The same personal link is in both bodies.
        assert url in message.body
        assert url in message.alternatives[0][0]
        # The link unsubscribes exactly this recipient with a bare POST.
        path = "/listserv/" + url.split("/listserv/", 1)[1]
        anonymous = Client(enforce_csrf_checks=True)
        response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == HTTPStatus.OK
        assert (
            Subscriber.objects.get(pk=by_address[message.to[0]].pk).status
            == Subscriber.Status.UNSUBSCRIBED
        )
    assert not Subscriber.objects.confirmed().exists()


def test_message_id_depends_only_on_mailing_and_subscriber():
    first, second = SubscriberFactory.create_batch(2)
    mailing, other_mailing = MailingFactory.create_batch(2)

    def message_id(mailing, subscriber) -> str:
        # A fresh render each time, as a resumed worker does.
        rendered = RenderedMailing(mailing)
        message = rendered.message_for(
            subscriber_id=subscriber.pk, email=subscriber.email
        )
        return message.message()["Message-ID"]

    expected = f"<listserv.{mailing.pk}.{first.pk}@127.0.0.1>"
    assert message_id(mailing, first) == message_id(mailing, first) == expected
    ids = {message_id(m, s) for m in (mailing, other_mailing) for s in (first, second)}
    assert len(ids) == 4


def test_message_id_domain_setting(settings):
    subscriber = SubscriberFactory()
    mailing = MailingFactory()
    settings.PORTAL_BASE_URL = "https://members.lmsa.net"
    message = RenderedMailing(mailing).message_for(
        subscriber_id=subscriber.pk, email=subscriber.email
    )
    assert message.message()["Message-ID"] == (
        f"<listserv.{mailing.pk}.{subscriber.pk}@members.lmsa.net>"
    )
    settings.LISTSERV_MESSAGE_ID_DOMAIN = "listserv.lmsa.net"
    message = RenderedMailing(mailing).message_for(
        subscriber_id=subscriber.pk, email=subscriber.email
    )
    assert message.message()["Message-ID"] == (
        f"<listserv.{mailing.pk}.{subscriber.pk}@listserv.lmsa.net>"
    )


def test_markdown_is_sanitised_in_html_and_plain_text():
    mailing = MailingFactory(
        body_markdown=(
            "# Title\n\nHello <script>alert('x')</script> **mentors**\n\n"
            "[click](javascript:alert(1)) and [site](https://lmsa.net/)\n\n"
            '<img src=x onerror="alert(1)">\n'
        )
    )
    rendered = RenderedMailing(mailing)
    html = rendered.body_html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html  # shown as text, never run
    assert "<strong>mentors</strong>" in html
    assert 'href="https://lmsa.net/"' in html
    # The plain-text part is the visible text of the sanitised HTML: what was
    # escaped there is inert text here, and only allowed links keep an address.
    assert "site (https://lmsa.net/)" in rendered.text
    assert "mentors" in rendered.text
    assert "(javascript:" not in rendered.text.replace("[click](javascript:", "")


def test_html_to_text_keeps_lists_and_links():
    text = html_to_text(
        '<p>Hi <a href="https://a.example/">there</a></p><ul><li>one</li><li>two</li></ul>'
    )
    assert "Hi there (https://a.example/)" in text
    assert "- one\n- two" in text


def test_plain_text_mailing_keeps_list_items_together():
    """Markdown lists put line breaks between the tags; the text part keeps the
    items on consecutive lines, not one blank line apart."""
    from lmsa_portal.text import markdown_to_text

    text = markdown_to_text("Dates:\n\n- one\n- two\n- three\n\nThanks")
    assert "- one\n- two\n- three" in text
    assert "Dates:\n\n- one" in text


def test_subscriber_who_unsubscribes_during_a_send_gets_nothing_more(settings):
    # Batches of 4: the leaver unsubscribes while the first batch is going out
    # and is in a later batch, which reads their new status before sending.
    settings.EMAIL_BACKEND = "tests.listserv.test_mailings.UnsubscribeMidSendBackend"
    settings.LISTSERV_BATCH_SIZE = 4
    UnsubscribeMidSendBackend.leaver_email = ""
    SubscriberFactory.create_batch(8)
    mailing = MailingFactory()
    mailing_send(mailing=mailing)
    leaver = UnsubscribeMidSendBackend.leaver_email
    assert leaver
    recipients = outbox_recipients()
    assert leaver not in recipients
    assert len(recipients) == 7
    delivery = Delivery.objects.get(subscriber__email=leaver)
    assert delivery.status == Delivery.Status.SKIPPED
    assert "unsubscribed" in delivery.last_error


class UnsubscribeMidSendBackend(FlakyBackend):
    """After message 3, someone who has not been mailed yet unsubscribes (from
    another tab) while the mailing is being sent."""

    leaver_email = ""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if len(mail.outbox) == 3:
            # The subscriber of the last delivery, in a batch not claimed yet.
            leaver = (
                Delivery.objects.filter(claimed_by__isnull=True, status="queued")
                .order_by("-pk")
                .first()
                .subscriber
            )
            UnsubscribeMidSendBackend.leaver_email = leaver.email
            Subscriber.objects.filter(pk=leaver.pk).update(
                status=Subscriber.Status.UNSUBSCRIBED
            )
        return sent


def test_a_batch_is_read_and_recorded_in_a_constant_number_of_queries(settings):
    """One query reads the batch with its subscribers, one transaction records
    it: the queries do not grow with the batch (was one SELECT and one UPDATE per
    message)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "tests.listserv.backends.FlakyBackend"

    def queries_for(size: int) -> int:
        Subscriber.objects.all().delete()
        SubscriberFactory.create_batch(size)
        mailing = MailingFactory()
        mailing_queue(mailing=mailing)
        with CaptureQueriesContext(connection) as captured:
            mailing_deliver(mailing_id=mailing.pk, batch_size=size)
        assert Delivery.objects.filter(mailing=mailing, status="sent").count() == size
        return len(captured)

    assert queries_for(3) == queries_for(60)


def test_failures_are_recorded_and_retried_a_bounded_number_of_times(settings):
    settings.EMAIL_BACKEND = "tests.listserv.backends.FlakyBackend"
    settings.LISTSERV_MAX_ATTEMPTS = 3
    good = SubscriberFactory.create_batch(4)
    rejected = SubscriberFactory(email="rejected@example.org")
    unreachable = SubscriberFactory(email="unreachable@example.org")
    flaky = SubscriberFactory(email="flaky@example.org")
    FlakyBackend.failing = {
        "rejected@example.org": None,
        "unreachable@example.org": "down",
        "flaky@example.org": 1,
    }
    mailing = MailingFactory()
    mailing_send(mailing=mailing)
    assert Counter(outbox_recipients()) == Counter(
        [s.email for s in good] + [flaky.email]
    )
    # A permanent refusal (5xx) is not retried.
    failed = Delivery.objects.get(subscriber=rejected)
    assert failed.status == Delivery.Status.FAILED
    assert failed.attempts == 1
    assert "550" in failed.last_error
    # A temporary failure is retried up to LISTSERV_MAX_ATTEMPTS times.
    gave_up = Delivery.objects.get(subscriber=unreachable)
    assert gave_up.status == Delivery.Status.FAILED
    assert gave_up.attempts == 3
    assert "SMTPServerDisconnected" in gave_up.last_error
    recovered = Delivery.objects.get(subscriber=flaky)
    assert recovered.status == Delivery.Status.SENT
    assert recovered.attempts == 2
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    progress = Mailing.objects.with_progress().get(pk=mailing.pk)
    assert (progress.sent_count, progress.failed_count, progress.queued_count) == (
        5,
        2,
        0,
    )


def test_one_connection_per_batch(settings):
    settings.EMAIL_BACKEND = "tests.listserv.backends.FlakyBackend"
    settings.LISTSERV_BATCH_SIZE = 10
    SubscriberFactory.create_batch(25)
    mailing_send(mailing=MailingFactory())
    assert len(mail.outbox) == 25
    assert FlakyBackend.connections_opened == 3


class CrashingBackend(FlakyBackend):
    """The worker process dies (KeyboardInterrupt) after ``crash_after`` messages."""

    crash_after = 7

    def send_messages(self, messages):
        if len(mail.outbox) == self.crash_after:
            CrashingBackend.crash_after = -1
            raise KeyboardInterrupt("worker killed")
        return super().send_messages(messages)


def test_crash_mid_batch_then_resume_sends_everyone_exactly_once(settings):
    settings.EMAIL_BACKEND = "tests.listserv.test_mailings.CrashingBackend"
    CrashingBackend.crash_after = 7
    subscribers = SubscriberFactory.create_batch(23)
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    with pytest.raises(KeyboardInterrupt):
        mailing_deliver(mailing_id=mailing.pk)
    assert len(mail.outbox) == 7
    assert Delivery.objects.filter(status="sent").count() == 7
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    mailing_deliver(mailing_id=mailing.pk)
    assert Counter(outbox_recipients()) == Counter(s.email for s in subscribers)
    by_address = {s.email: s.pk for s in subscribers}
    for message in mail.outbox:
        assert message.message()["Message-ID"] == (
            f"<listserv.{mailing.pk}.{by_address[message.to[0]]}@127.0.0.1>"
        )
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_claims_of_a_dead_worker_are_reclaimed_after_the_timeout(settings):
    subscribers = SubscriberFactory.create_batch(6)
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    # A worker claimed a batch and died without releasing it.
    ids, _had = claim_batch(mailing_id=mailing.pk, claim="dead-worker:1", size=4)
    assert len(ids) == 4
    report = mailing_deliver(mailing_id=mailing.pk, claim_timeout_seconds=600)
    assert report.sent == 2  # the dead worker's rows are not touched yet
    assert Delivery.objects.filter(claimed_by="dead-worker:1").count() == 4
    Delivery.objects.filter(claimed_by="dead-worker:1").update(
        claimed_at=timezone.now() - timezone.timedelta(seconds=601)
    )
    assert release_stale_claims(mailing_id=mailing.pk, timeout_seconds=600) == 4
    mailing_deliver(mailing_id=mailing.pk, claim_timeout_seconds=600)
    assert Counter(outbox_recipients()) == Counter(s.email for s in subscribers)


def test_a_row_claimed_by_another_worker_is_never_sent_twice():
    SubscriberFactory.create_batch(3)
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    first, _ = claim_batch(mailing_id=mailing.pk, claim="a:1", size=2)
    second, _ = claim_batch(mailing_id=mailing.pk, claim="b:1", size=2)
    assert len(first) == 2
    assert len(second) == 1
    assert not set(first) & set(second)


def test_listserv_send_command_resumes_a_mailing():
    subscribers = SubscriberFactory.create_batch(5)
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    call_command("listserv_send", str(mailing.pk), "--rate", "0")
    assert Counter(outbox_recipients()) == Counter(s.email for s in subscribers)


def test_draft_mailing_is_not_sent_by_the_loop():
    SubscriberFactory()
    mailing = MailingFactory()
    report = mailing_deliver(mailing_id=mailing.pk)
    assert report.sent == 0
    assert mail.outbox == []


def test_rate_limit_paces_the_sending(settings):
    import time

    SubscriberFactory.create_batch(5)
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    started = time.monotonic()
    mailing_deliver(mailing_id=mailing.pk, rate_per_second=20)
    # Five messages at 20/s: at least four intervals of 50 ms.
    assert time.monotonic() - started >= 0.19
    assert len(mail.outbox) == 5


def test_sending_task_can_use_its_own_queue(settings):
    from django_tasks.signals import task_enqueued

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "listserv"],
        }
    }
    settings.LISTSERV_TASK_QUEUE = "listserv"
    queues = []

    def record(sender, task_result, **kwargs):
        queues.append((task_result.task.name, task_result.task.queue_name))

    task_enqueued.connect(record)
    try:
        SubscriberFactory()
        mailing_send(mailing=MailingFactory())
    finally:
        task_enqueued.disconnect(record)
    assert ("send_mailing", "listserv") in queues
    assert len(mail.outbox) == 1
