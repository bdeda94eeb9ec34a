"""Delete listserv sign-ups that were never confirmed (run daily from cron)."""

from django.core.management.base import BaseCommand

from listserv.services import purge_unconfirmed


class Command(BaseCommand):
    help = "Delete unconfirmed listserv sign-ups older than --days (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        deleted = purge_unconfirmed(days=days)
        self.stdout.write(
            f"Deleted {deleted} unconfirmed sign-up(s) older than {days} days."
        )
