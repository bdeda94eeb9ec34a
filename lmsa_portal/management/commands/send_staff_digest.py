"""Daily cron: email staff what needs their attention (nothing on a quiet day)."""

from django.core.management.base import BaseCommand

from lmsa_portal.attention import staff_digest_send


class Command(BaseCommand):
    help = "Email STAFF_NOTIFICATION_EMAILS what is waiting; idempotent, run daily."

    def handle(self, *args, **options):
        if staff_digest_send():
            self.stdout.write("Sent the staff digest.")
        else:
            self.stdout.write("No staff digest today (nothing waiting, or sent).")
