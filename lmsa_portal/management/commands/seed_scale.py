"""Seed national-scale data for benchmarks (bulk inserts, reproducible, idempotent)."""

import random
import time
from importlib import import_module, util

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

DEFAULT_COUNTS = {
    "members": 20_000,
    "mentors": 10_000,
    "programs": 2_000,
    "events": 20_000,
    "ama_sessions": 1_000,
    "subscribers": 50_000,
}


class Command(BaseCommand):
    help = (
        "Seed 20,000 members, 10,000 mentors, 2,000 programs with 20,000 events, "
        "1,000 AMA sessions with questions and 50,000 subscribers "
        "(SQLite or PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiply every count (e.g. 0.01)"
        )

    def handle(self, *args, **options):
        counts = {
            k: max(1, int(v * options["scale"])) for k, v in DEFAULT_COUNTS.items()
        }
        # Each app may ship `<app>/scale.py` with `seed(rng=..., counts=...)`.
        for app in settings.LOCAL_APPS:
            if util.find_spec(f"{app}.scale") is None:
                continue
            started = time.perf_counter()
            rng = random.Random(f"{options['seed']}:{app}")
            with transaction.atomic():
                line = import_module(f"{app}.scale").seed(rng=rng, counts=counts)
            self.stdout.write(f"{line} ({time.perf_counter() - started:.1f} s)")
