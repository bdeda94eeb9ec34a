"""Benchmark: send one mailing to N subscribers (10,000 by default) through a local
SMTP sink (aiosmtpd) and compare with plain smtplib sending the same messages over
one connection, in the same run.

    .venv/bin/python -m listserv.bench                 # SQLite in memory
    DATABASE_URL=postgres://... .venv/bin/python -m listserv.bench --subscribers 10000

It works on a throwaway database (``bench_<name>``; in memory on SQLite) and
never touches the development or production data. The listserv figure includes
everything the real sending loop does per message: claiming batches, checking the
subscriber is still subscribed, signing the personal unsubscribe link, building the
message and marking the delivery sent. The baseline only writes prebuilt bytes to
the socket, so the ratio says how much of raw SMTP throughput the bookkeeping that
makes "nothing lost, nothing twice" costs.
"""

import argparse
import logging
import os
import smtplib
import socket
import sys
import threading
import time


class CountingSink:
    """aiosmtpd handler that counts accepted messages and keeps nothing."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument(
        "--rate-per-second",
        type=float,
        default=0,
        help="LISTSERV_RATE_PER_SECOND for the sending loop (default 0: unlimited)",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmsa_portal.settings.test")
    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    logging.getLogger("listserv").setLevel(logging.WARNING)

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        # Never the test suite's database: a run in parallel must not clobber it.
        connection.settings_dict["TEST"]["NAME"] = f"{old_name}_mailing"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            LISTSERV_RATE_PER_SECOND=args.rate_per_second,
        ):
            return run(args, sink, port, settings, connection)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        controller.stop()


def run(args, sink, port, settings, connection) -> int:
    from listserv.models import Delivery, Mailing, Subscriber
    from listserv.sending import (
        RenderedMailing,
        batch_size_setting,
        mailing_deliver,
    )
    from listserv.services import mailing_queue

    count = args.subscribers
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                name=f"Bench Subscriber {number}",
                email=f"bench{number}@example.org",
                role="physician",
                state="TX",
                status=Subscriber.Status.CONFIRMED,
            )
            for number in range(count)
        ),
        batch_size=2000,
    )
    mailing = Mailing.objects.create(
        subject="Mentors needed: spring health fair",
        body_markdown=(
            "Dear mentors,\n\nLMSA is pairing **physicians and residents** with "
            "students at the spring health fair.\n\n- One hour\n- In person or by "
            "video\n\n[Volunteer here](https://lmsa.net/fair)."
        ),
    )

    # Baseline: the same messages, prebuilt, over one plain smtplib connection.
    rendered = RenderedMailing(mailing)
    recipients = list(Subscriber.objects.order_by("pk").values_list("pk", "email"))
    prebuilt = [
        (
            email,
            rendered.message_for(subscriber_id=pk, email=email)
            .message()
            .as_bytes(linesep="\r\n"),
        )
        for pk, email in recipients
    ]
    from_address = settings.DEFAULT_FROM_EMAIL
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for email, raw in prebuilt:
            smtp.sendmail(from_address, [email], raw)
    baseline_seconds = time.perf_counter() - started
    assert sink.count == count, (sink.count, count)
    sink.count = 0

    # Second reference: smtplib again, but building each personal message with
    # Django as it goes (what any per-recipient sender has to do).
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for pk, email in recipients:
            raw = (
                rendered.message_for(subscriber_id=pk, email=email)
                .message()
                .as_bytes(linesep="\r\n")
            )
            smtp.sendmail(from_address, [email], raw)
    built_seconds = time.perf_counter() - started
    assert sink.count == count, (sink.count, count)
    sink.count = 0

    started = time.perf_counter()
    queued = mailing_queue(mailing=mailing)
    queue_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = mailing_deliver(mailing_id=mailing.pk, batch_size=args.batch_size)
    send_seconds = time.perf_counter() - started
    sent_rows = Delivery.objects.filter(mailing=mailing, status="sent").count()
    if not (queued == report.sent == sent_rows == sink.count == count):
        print(
            f"MISMATCH: queued {queued}, reported {report.sent}, rows {sent_rows}, "
            f"received {sink.count}, expected {count}",
            file=sys.stderr,
        )
        return 1

    baseline_rate = count / baseline_seconds
    built_rate = count / built_seconds
    listserv_rate = count / send_seconds
    total_rate = count / (send_seconds + queue_seconds)
    print(f"listserv benchmark: {count} messages, database {connection.vendor}")
    print(f"  plain smtplib, one connection : {baseline_rate:8.0f} msg/s")
    batch_size = args.batch_size or batch_size_setting()
    print(
        f"  listserv sending loop         : {listserv_rate:8.0f} msg/s "
        f"(batches of {batch_size}, rate limit "
        f"{args.rate_per_second or 'off'})"
    )
    print(f"  smtplib + building each one   : {built_rate:8.0f} msg/s")
    print(f"  queueing the deliveries       : {queue_seconds:8.2f} s")
    print(f"  ratio listserv / smtplib      : {listserv_rate / baseline_rate:8.2f}")
    print(f"  ratio incl. queueing          : {total_rate / baseline_rate:8.2f}")
    print(f"  ratio listserv / build+send   : {listserv_rate / built_rate:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
