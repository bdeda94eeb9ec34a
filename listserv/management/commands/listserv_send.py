"""Run the sending loop of one mailing in the foreground (resume after a crash,
second worker, benchmark)."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from listserv.models import Mailing
from listserv.sending import mailing_deliver


class Command(BaseCommand):
    help = (
        "Send the queued deliveries of a mailing in the foreground. Safe to run "
        "while other workers send the same mailing and after a crash: nobody gets "
        "it twice. SIGTERM/SIGINT stop after the message in hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("mailing_id", type=int)
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument(
            "--rate", type=float, default=None, help="Messages per second; 0: no limit."
        )
        parser.add_argument(
            "--claim-timeout",
            type=float,
            default=None,
            help="Seconds after which another worker's claim counts as dead.",
        )
        parser.add_argument("--worker-id", default=None)

    def handle(
        self, *args, mailing_id, batch_size, rate, claim_timeout, worker_id, **options
    ):
        if not Mailing.objects.filter(pk=mailing_id).exists():
            raise CommandError(f"Mailing {mailing_id} does not exist.")
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {
                sig: signal.signal(sig, request_stop)
                for sig in (signal.SIGTERM, signal.SIGINT)
            }
        try:
            report = mailing_deliver(
                mailing_id=mailing_id,
                worker_id=worker_id,
                batch_size=batch_size,
                rate_per_second=rate,
                claim_timeout_seconds=claim_timeout,
                should_stop=stop.is_set,
            )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(
            f"worker {report.worker_id}: sent {report.sent}, failed {report.failed}, "
            f"retried {report.retried}, skipped {report.skipped}"
            + (" (stopped on request)" if report.stopped else "")
        )
