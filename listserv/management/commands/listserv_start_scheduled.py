"""Start scheduled mailings whose send time has come (idempotent; from cron, e.g.
every minute, where the task backend cannot run a task later by itself)."""

from django.core.management.base import BaseCommand

from listserv.services import mailing_start_due


class Command(BaseCommand):
    help = "Start every scheduled listserv mailing whose send time has come."

    def handle(self, *args, **options):
        started = mailing_start_due()
        self.stdout.write(f"Started {started} scheduled mailing(s).")
