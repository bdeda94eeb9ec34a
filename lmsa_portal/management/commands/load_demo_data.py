"""Load demo accounts and sample content for every app (idempotent)."""

from importlib import import_module, util

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create demo logins and sample content; safe to run repeatedly. DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (tests)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is for development (DEBUG=True) only.")
        lines: list[str] = []
        with transaction.atomic():
            # Each app may ship `<app>/demo.py` with `load_demo()`; members first.
            for app in settings.LOCAL_APPS:
                if util.find_spec(f"{app}.demo") is None:
                    continue
                lines += import_module(f"{app}.demo").load_demo() or []
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Log in with:"))
        for line in lines:
            self.stdout.write(f"  {line}")
