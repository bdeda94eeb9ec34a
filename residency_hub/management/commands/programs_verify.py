"""Daily cron: ask coordinators of programs not verified in 12 months whether the
entry is still accurate."""

from django.core.management.base import BaseCommand

from residency_hub.services import programs_send_verification_requests


class Command(BaseCommand):
    help = (
        "Email the coordinators of programs not verified for 12 months a "
        '"still accurate?" link (one-click confirm) and their edit link. A program '
        'unanswered 60 days later shows "not verified recently". Idempotent: run '
        "it daily; each program is asked once a year."
    )

    def handle(self, *args, **options):
        result = programs_send_verification_requests()
        self.stdout.write(
            f"Programs asked: {result.programs}; emails sent: {result.emails}."
        )
