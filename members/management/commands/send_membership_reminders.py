"""Daily cron: remind members 30 and 7 days before their membership expires."""

from django.core.management.base import BaseCommand

from members.services import membership_send_expiry_reminders


class Command(BaseCommand):
    help = "Email expiry reminders (30 and 7 days ahead); idempotent, run daily."

    def handle(self, *args, **options):
        sent = membership_send_expiry_reminders()
        self.stdout.write(f"Sent {sent} membership expiry reminder(s).")
