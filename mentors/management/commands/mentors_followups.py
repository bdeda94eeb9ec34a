"""Daily cron: "did you connect?" after an acceptance; unanswered requests close."""

from django.conf import settings
from django.core.management.base import BaseCommand

from mentors.services import mentorship_requests_follow_up


class Command(BaseCommand):
    help = (
        f'Email members "did you connect?" {settings.MENTOR_FOLLOWUP_AFTER_DAYS} '
        "days after a mentor accepted their request, and close requests left "
        f"unanswered for {settings.MENTOR_REQUEST_UNANSWERED_AFTER_DAYS} days "
        "(the member hears of similar mentors). Idempotent: run it daily."
    )

    def handle(self, *args, **options):
        result = mentorship_requests_follow_up()
        self.stdout.write(
            f'"Did you connect?" emails sent: {result.asked}; '
            f"unanswered requests closed: {result.closed}; "
            f"not emailed (suppressed or inactive address): {result.not_emailed}."
        )
