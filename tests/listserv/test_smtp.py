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

from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery, Mailing, Subscriber
from listserv.services import (
    MANAGE_LINK,
    mailing_queue,
    mailing_send,
    subscriber_signup,
)

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


def test_worker_killed_mid_batch_resumes_without_gaps_and_with_the_same_ids(
    external_db, smtp_sink
):
    # The window SMTP cannot close: the server has accepted messages 11 to 16 of
    # the second batch, the worker dies (SIGKILL: no clean-up at all, its claim
    # stays) before recording the batch, and the resumed run sends those six
    # again. The copies carry the same Message-ID, so receivers that de-duplicate
    # show each once; nobody is missed and no other batch is repeated.
    handler, port = smtp_sink
    subscribers, mailing, env = queue_mailing_for_workers(external_db, port, 30)
    kill_worker_when(
        start_worker(mailing.pk, env, "--batch-size", "10"),
        handler,
        hook="on_data",
        count=16,
    )
    assert len(handler.messages) == 16

    # Resume: the dead worker's claims count as stale at once.
    output = run_worker(mailing.pk, env, "--batch-size", "10", "--claim-timeout", "0")
    assert "sent 20" in output
    external_db.import_back()

    got = recipients(handler)
    assert set(got) == {s.email for s in subscribers}  # no gaps
    assert sorted(got.values()) == [1] * 24 + [2] * 6  # only the unrecorded batch
    assert_message_ids(handler, mailing, subscribers)
    ids = [parse(raw)["Message-ID"] for _s, rcpts, raw in handler.messages]
    assert len(set(ids)) == 30  # one message per subscriber after de-duplication
    assert Delivery.objects.filter(status="sent").count() == 30
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


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


@pytest.mark.django_db
def test_long_lines_accents_and_quoted_addresses_arrive_intact(smtp_settings):
    handler = smtp_settings
    plain = SubscriberFactory(email="plain@example.org")
    quoted = SubscriberFactory(email='"odd person"@example.org')
    mailing = MailingFactory(
        subject="Mentors wanted: ¿nos ayudas? (spring fair)",
        body_markdown="Dear mentors — **volunteer** " + "word " * 400,  # 2 KB line
    )
    assert mailing_send(mailing=mailing) == 2
    assert recipients(handler) == Counter([plain.email, quoted.email])
    tokens = set()
    for _sender, _rcpts, raw in handler.messages:
        message = parse(raw)
        assert message["Subject"] == "Mentors wanted: ¿nos ayudas? (spring fair)"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert text.count("word") == 400
        assert "Dear mentors — volunteer" in text
        assert "<strong>volunteer</strong>" in html
        link = str(message["List-Unsubscribe"]).strip().split(">", 1)[0].lstrip("<")
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert MANAGE_LINK.open(token).email in (plain.email, quoted.email)
        assert link in text and link in html
        tokens.add(token)
    assert len(tokens) == 2  # everyone has their own links
