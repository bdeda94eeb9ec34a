"""Hourly cron: the day-before reminder of announced AMA sessions."""

from django.core.management.base import BaseCommand

from ama.announcements import sessions_send_reminders


class Command(BaseCommand):
    help = "Remind the people told about an AMA session, the day before; idempotent."

    def handle(self, *args, **options):
        sent = sessions_send_reminders()
        self.stdout.write(f"Sent {sent} AMA session reminder(s).")
