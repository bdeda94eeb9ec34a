"""Weekly cron: tell members about new mentors matching their saved searches."""

from django.core.management.base import BaseCommand

from mentors.services import saved_search_send_alerts


class Command(BaseCommand):
    help = (
        "Email each active member, per saved directory search, the live mentors "
        "approved since its last check. Idempotent: each search is checked once "
        "a week (Monday to Sunday), so a second run in the same week sends nothing."
    )

    def handle(self, *args, **options):
        result = saved_search_send_alerts()
        self.stdout.write(
            f"Saved searches checked: {result.checked}; emails sent: {result.sent}."
        )
