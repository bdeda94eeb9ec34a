"""Daily cron: ask mentors confirmed over a year ago whether they still mentor."""

from django.core.management.base import BaseCommand

from mentors.services import mentor_send_reconfirmations


class Command(BaseCommand):
    help = (
        "Email mentors whose listing was confirmed over 12 months ago an \"I'm still "
        'mentoring" link, and hide listings unanswered 30 days after that email. '
        "Idempotent: run it daily."
    )

    def handle(self, *args, **options):
        result = mentor_send_reconfirmations()
        self.stdout.write(
            f"Reconfirmation emails sent: {result.reminded}; "
            f"listings marked stale: {result.marked_stale}."
        )
