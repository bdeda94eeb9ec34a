"""In-process figures for `make bench` (no load): SQL queries per page, admin
changelists' database time, and the cold build of a specialty's .ics feed.

    python bench/queries.py mix.json [--admin] [--feed-build]   # prints JSON

Runs with the environment bench/run.py gives gunicorn (production settings, the
bench database and Redis). The cache is cleared before each "cold" request: the
bench owns its Redis database.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmsa_portal.settings.prod")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from members.scale import BENCH_MEMBER_EMAIL, BENCH_PASSWORD  # noqa: E402

SAMPLES = 5  # paths per kind of page
ADMIN_EMAIL = "bench-admin@scale.lmsa.example"
CHANGELISTS = {
    "mentors": "/admin/mentors/mentor/",
    "members": "/admin/members/user/",
    "subscribers": "/admin/listserv/subscriber/",
    "deliveries": "/admin/listserv/delivery/",
}


def measure(client: Client, path: str, expect: int = 200, **headers) -> dict:
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    wall = time.perf_counter() - started
    if response.status_code != expect:
        sys.exit(f"{path}: status {response.status_code}, expected {expect}")
    return {
        "queries": len(queries),
        "db_ms": 1000 * sum(float(q["time"]) for q in queries.captured_queries),
        "wall_ms": 1000 * wall,
        "etag": response.get("ETag", ""),
    }


def signed_in(email: str, password: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    if response.status_code != 302:
        sys.exit(f"login of {email} failed: status {response.status_code}")
    return client


def page_queries(mix: dict, audiences: dict) -> dict:
    member = signed_in(BENCH_MEMBER_EMAIL, BENCH_PASSWORD)
    results = {}
    for kind, paths in mix.items():
        # Visitors without a session send no cookies (like wrk): a new client each.
        client = (lambda: member) if audiences[kind] == "member" else Client

        cold, warm, not_modified = [], [], []
        for path in paths[:SAMPLES]:
            cache.clear()
            cold.append(measure(client(), path)["queries"])
            second = measure(client(), path)
            warm.append(second["queries"])
            if second["etag"]:
                result = measure(client(), path, 304, if_none_match=second["etag"])
                not_modified.append(result["queries"])
        results[kind] = {"cold": max(cold), "warm": max(warm)}
        if not_modified:
            results[kind + ", 304"] = {"cold": max(not_modified), "warm": None}
    return results


def admin_changelists() -> dict:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from members.models import User

    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_superuser(email=ADMIN_EMAIL, password="unused")
        TOTP.activate(admin, generate_totp_secret())
    client = Client()
    client.force_login(admin)  # staff sign-in needs the second factor: skipped
    results = {}
    for name, path in CHANGELISTS.items():
        for label, query in ((name, ""), (f"{name}, search", "?q=garcia")):
            measure(client, path + query)  # warm: content types, permissions
            runs = [measure(client, path + query) for _ in range(3)]
            results[label] = {
                key: statistics.median(run[key] for run in runs)
                for key in ("queries", "db_ms", "wall_ms")
            }
    return results


def feed_build(feed_paths: list[str]) -> dict:
    """The cold (uncached) build of the feed whose specialty has the number of
    feed events nearest to 1,000."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from residency_hub.models import Specialty
    from residency_hub.views import FEED_PAST_DAYS

    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    specialties = Specialty.objects.annotate(
        feed_events=Count("events", filter=Q(events__ends_at__gte=since))
    )
    chosen = min(specialties, key=lambda s: abs(s.feed_events - 1000))
    path = next(p for p in feed_paths if f"/{chosen.slug}/" in p)
    client, runs = Client(), []
    for _ in range(5):
        cache.clear()
        runs.append(measure(client, path)["wall_ms"])
    return {
        "specialty": chosen.slug,
        "events": chosen.feed_events,
        "median_ms": statistics.median(runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mix", type=Path, help="JSON: {kind: [paths], ...}")
    parser.add_argument("--audiences", required=True, help="JSON: {kind: audience}")
    parser.add_argument("--admin", action="store_true")
    parser.add_argument("--feed-build", action="store_true")
    args = parser.parse_args()
    mix = json.loads(args.mix.read_text())
    results = {"pages": page_queries(mix, json.loads(args.audiences))}
    if args.admin:
        results["admin"] = admin_changelists()
    if args.feed_build:
        results["feed_build"] = feed_build(mix["calendar feed"])
    cache.clear()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
