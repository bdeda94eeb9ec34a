"""A real SMTP server (aiosmtpd) receives whole mailings; worker processes are
killed and resumed, and two run at once: every subscriber gets exactly one copy."""

import email
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from email import policy
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection

from listserv.models import Delivery, Mailing, Subscriber
from listserv.sending import RenderedMailing, mailing_message_id, message_meaning
from listserv.services import mailing_queue, mailing_send, subscriber_signup
from listserv.tokens import subscriber_from_manage_token
from tests.listserv.factories import MailingFactory, SubscriberFactory

ROOT = Path(__file__).resolve().parents[2]


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def recipients(handler) -> Counter:
    return Counter(
        address for _sender, rcpts, _raw in handler.messages for address in rcpts
    )


def assert_message_ids(handler, mailing, subscribers) -> None:
    """Every received message carries its recipient's stable Message-ID."""
    by_address = {s.email: s.pk for s in subscribers}
    for _sender, rcpts, raw in handler.messages:
        expected = f"<listserv.{mailing.pk}.{by_address[rcpts[0]]}@127.0.0.1>"
        assert parse(raw)["Message-ID"] == expected


@pytest.mark.django_db
def test_real_smtp_server_receives_the_whole_mailing_with_headers(smtp_settings):
    handler = smtp_settings
    subscribers = SubscriberFactory.create_batch(30)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED, email="gone@example.org")
    mailing = MailingFactory(subject="Mentors wanted for the spring fair")
    assert mailing_send(mailing=mailing) == 30
    assert recipients(handler) == Counter(s.email for s in subscribers)
    assert mail.outbox == []  # really went over SMTP
    for _sender, rcpts, raw in handler.messages:
        message = parse(raw)
        assert message["Subject"] == "Mentors wanted for the spring fair"
        assert message["To"] == rcpts[0]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(message["List-Unsubscribe"]).strip()
        assert unsubscribe.startswith("<http://127.0.0.1:8000/listserv/unsubscribe/")
        assert "<mailto:" in unsubscribe
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "volunteer" in text
        assert "<strong>volunteer</strong>" in html
        link = unsubscribe.split(">", 1)[0].lstrip("<")
        assert link in text and link in html
    assert_message_ids(handler, mailing, subscribers)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


@pytest.mark.django_db
def test_confirmation_email_goes_through_smtp_too(smtp_settings):
    subscriber_signup(email="new@example.org", interests=[], name="New Person")
    [(_sender, rcpts, raw)] = smtp_settings.messages
    assert rcpts == ["new@example.org"]
    assert "/listserv/confirm/" in parse(raw).get_body(("plain",)).get_content()


# ------------------------------------------------------------------------------
# Worker processes
# ------------------------------------------------------------------------------
class ExternalDatabase:
    """Lets ``manage.py listserv_send`` processes see the test's data: the
    PostgreSQL test database directly, or (SQLite in memory) a file copy that is
    copied back afterwards."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        self.file = tmp_path / "workers.sqlite3"

    def url(self) -> str:
        db = connection.settings_dict
        if self.vendor == "postgresql":
            auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
            host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            return f"postgres://{auth}@{host}/{db['NAME']}"
        return f"sqlite:///{self.file}"

    def export(self) -> None:
        if self.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def import_back(self) -> None:
        if self.vendor == "sqlite":
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()


def worker_command(mailing_id: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "manage.py"),
        "listserv_send",
        str(mailing_id),
        "--rate",
        "0",
        *extra,
    ]


def worker_env(database: ExternalDatabase, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.listserv.worker_settings",
        DATABASE_URL=database.url(),
        LISTSERV_TEST_SMTP_PORT=str(port),
        PYTHONPATH=str(ROOT),
    )
    return env


def start_worker(mailing_id: int, env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        worker_command(mailing_id, *extra),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_worker(mailing_id: int, env: dict, *extra: str):
    worker = start_worker(mailing_id, env, *extra)
    stdout, stderr = worker.communicate(timeout=120)
    assert worker.returncode == 0, stderr
    return stdout


def queue_mailing_for_workers(external_db, port: int, recipients: int):
    """A queued mailing to ``recipients`` new subscribers, exported for workers."""
    subscribers = SubscriberFactory.create_batch(recipients)
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    external_db.export()
    return subscribers, mailing, worker_env(external_db, port)


def kill_worker_when(worker, handler, *, hook: str, count: int) -> None:
    """Let ``worker`` run until the sink's ``hook`` ("on_mail": a message
    accepted so far; "on_data": stored) reaches ``count``, then SIGKILL it."""

    def kill(seen: int) -> None:
        if seen == count and worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
            worker.wait()

    setattr(handler, hook, kill)
    worker.communicate(timeout=120)
    setattr(handler, hook, None)
    assert worker.returncode == -signal.SIGKILL


@pytest.fixture
def external_db(transactional_db, tmp_path):
    if connection.vendor not in ("sqlite", "postgresql"):
        pytest.fail(f"no worker-process support for {connection.vendor}")
    return ExternalDatabase(tmp_path)


def test_worker_killed_mid_send_resumes_without_duplicates_or_gaps(
    external_db, smtp_sink
):
    handler, port = smtp_sink
    subscribers, mailing, env = queue_mailing_for_workers(external_db, port, 40)
    # Killed as the 16th message starts (SIGKILL: no clean-up at all, its
    # claimed batch stays claimed).
    kill_worker_when(
        start_worker(mailing.pk, env, "--batch-size", "10"),
        handler,
        hook="on_mail",
        count=15,
    )
    assert len(handler.messages) == 15

    # Resume: the dead worker's claims count as stale at once.
    output = run_worker(mailing.pk, env, "--batch-size", "10", "--claim-timeout", "0")
    assert "sent 25" in output
    external_db.import_back()

    got = recipients(handler)
    assert got == Counter(s.email for s in subscribers)  # no gaps, no duplicates
    assert max(got.values()) == 1
    assert_message_ids(handler, mailing, subscribers)
    assert Delivery.objects.filter(status="sent").count() == 40
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


def test_worker_killed_after_the_smtp_accept_resends_with_the_same_message_id(
    external_db, smtp_sink
):
    # The window SMTP cannot close: the server has the 16th message, the worker
    # dies before recording it, and the resumed run sends it again. The copy
    # carries the same Message-ID, so receivers that de-duplicate show it once.
    handler, port = smtp_sink
    subscribers, mailing, env = queue_mailing_for_workers(external_db, port, 30)
    kill_worker_when(
        start_worker(mailing.pk, env, "--batch-size", "10"),
        handler,
        hook="on_data",
        count=16,
    )
    assert len(handler.messages) == 16

    output = run_worker(mailing.pk, env, "--batch-size", "10", "--claim-timeout", "0")
    assert "sent 15" in output
    external_db.import_back()

    got = recipients(handler)
    assert set(got) == {s.email for s in subscribers}
    assert sorted(got.values())[-2:] == [1, 2]  # one subscriber got a second copy
    assert_message_ids(handler, mailing, subscribers)
    ids = [parse(raw)["Message-ID"] for _s, rcpts, raw in handler.messages]
    assert len(set(ids)) == 30  # one message per subscriber after de-duplication
    assert Delivery.objects.filter(status="sent").count() == 30


def test_sigterm_stops_after_the_message_in_hand_and_releases_the_batch(
    external_db, smtp_sink
):
    handler, port = smtp_sink
    subscribers, mailing, env = queue_mailing_for_workers(external_db, port, 30)
    worker = start_worker(mailing.pk, env, "--batch-size", "20")

    def stop_at_8(accepted: int) -> None:
        if accepted == 8 and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)

    handler.on_mail = stop_at_8
    stdout, stderr = worker.communicate(timeout=120)
    handler.on_mail = None
    assert worker.returncode == 0, stderr
    assert "stopped on request" in stdout
    stopped_at = len(handler.messages)
    assert 8 <= stopped_at <= 9
    # No --claim-timeout: a clean stop left no claims behind.
    run_worker(mailing.pk, env)
    external_db.import_back()
    assert recipients(handler) == Counter(s.email for s in subscribers)


def test_two_workers_at_once_send_each_message_exactly_once(external_db, smtp_sink):
    handler, port = smtp_sink
    subscribers, mailing, env = queue_mailing_for_workers(external_db, port, 120)

    def slow_server(accepted: int) -> None:
        time.sleep(0.01)  # a real server takes a few ms per message

    handler.on_mail = slow_server
    workers = [
        start_worker(mailing.pk, env, "--batch-size", "5", "--worker-id", name)
        for name in ("worker-a", "worker-b")
    ]
    outputs = [worker.communicate(timeout=180) for worker in workers]
    for worker, (_stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
    external_db.import_back()

    got = recipients(handler)
    assert got == Counter(s.email for s in subscribers)
    assert max(got.values()) == 1
    claims = Delivery.objects.filter(status="sent").values_list("claimed_by", flat=True)
    workers_that_sent = {claim.split(":", 1)[0] for claim in claims}
    assert workers_that_sent == {"worker-a", "worker-b"}
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


# ------------------------------------------------------------------------------
# The fast path: prebuilt bytes on Django's SMTP backend
# ------------------------------------------------------------------------------
def slow_twin(mailing, raw: bytes, subscriber) -> bytes:
    """The ``message_for`` message for the same recipient, token and Date as a
    received message (the token carries a timestamp, the Date a second)."""
    received = parse(raw)
    link = str(received["List-Unsubscribe"]).split(">", 1)[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    rendered = RenderedMailing(mailing)
    message = rendered._email(  # noqa: SLF001 - message_for with a given token
        token=token,
        message_id=mailing_message_id(
            mailing_id=mailing.pk, subscriber_id=subscriber.pk, domain="127.0.0.1"
        ),
        email=subscriber.email,
        date=received["Date"],
    )
    return message.message().as_bytes(linesep="\r\n")


@pytest.mark.django_db
def test_fast_path_sends_the_same_messages_as_message_for(smtp_settings):
    handler = smtp_settings
    subscribers = SubscriberFactory.create_batch(12)
    by_address = {s.email: s for s in subscribers}
    mailing = MailingFactory(
        subject="Mentors wanted: ¿nos ayudas? (spring fair)",
        body_markdown="Dear mentors — **volunteer** [here](https://lmsa.net/fair).",
    )
    rendered = RenderedMailing(mailing)
    first = subscribers[0]
    assert rendered.raw_message_for(subscriber_id=first.pk, email=first.email)
    assert mailing_send(mailing=mailing) == 12
    assert recipients(handler) == Counter(s.email for s in subscribers)
    for sender, rcpts, raw in handler.messages:
        subscriber = by_address[rcpts[0]]
        assert sender == "no-reply@lmsa.net"
        assert message_meaning(raw) == message_meaning(
            slow_twin(mailing, raw, subscriber)
        )
        message = parse(raw)
        assert message["To"] == subscriber.email
        assert message["Subject"] == "Mentors wanted: ¿nos ayudas? (spring fair)"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Id"] == (
            "LMSA National Mentorship Listserv <mentorship-listserv.lmsa.net>"
        )
        assert message["Message-ID"] == (
            f"<listserv.{mailing.pk}.{subscriber.pk}@127.0.0.1>"
        )
        assert message["Date"]
        unsubscribe = str(message["List-Unsubscribe"])
        link = unsubscribe.strip().split(">", 1)[0].lstrip("<")
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert (
            f"<mailto:listserv-unsubscribe@lmsa.net?subject=unsubscribe%20{token}>"
            in (unsubscribe)
        )
        assert subscriber_from_manage_token(token) == subscriber  # a valid token
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "Dear mentors — volunteer" in text
        assert "<strong>volunteer</strong>" in html
        preferences = link.replace("/unsubscribe/", "/preferences/")
        for part in (text, html):
            assert link in part and preferences in part
    tokens = {str(parse(raw)["List-Unsubscribe"]) for _s, _r, raw in handler.messages}
    assert len(tokens) == 12  # everyone has their own links


@pytest.mark.django_db
def test_long_lines_and_unusual_addresses_take_the_django_path(smtp_settings):
    handler = smtp_settings
    plain = SubscriberFactory(email="plain@example.org")
    quoted = SubscriberFactory(email='"odd person"@example.org')
    mailing = MailingFactory(body_markdown="word " * 400)  # a 2,000-byte line
    assert (
        RenderedMailing(mailing).raw_message_for(
            subscriber_id=plain.pk, email=plain.email
        )
        is None
    )  # quoted-printable part: no template
    assert mailing_send(mailing=mailing) == 2
    assert recipients(handler) == Counter([plain.email, quoted.email])
    for _sender, _rcpts, raw in handler.messages:
        text = parse(raw).get_body(("plain",)).get_content()
        assert text.count("word") == 400
        assert "/listserv/unsubscribe/" in text
    short = MailingFactory()
    assert (
        RenderedMailing(short).raw_message_for(
            subscriber_id=quoted.pk, email=quoted.email
        )
        is None
    )
