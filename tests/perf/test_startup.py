"""What the server does once at start-up so that no request pays for it.

Each check runs in a fresh interpreter: in the test process, earlier tests have
already imported, compiled and watched everything.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fresh_python(code: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lmsa_portal.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_wsgi_application_starts_warm_without_opening_connections():
    found = fresh_python(
        """
import json, sys
import lmsa_portal.wsgi  # what gunicorn's master imports with preload_app
from django.db import connections
from django.template import engines
from django.utils.translation import trans_real
compiled = engines["django"].engine.template_loaders[0].get_template_cache
views = ("mentors.views", "residency_hub.views", "ama.views")
templates = ("base.html", "home.html", "mentors/mentor_list.html")
print(json.dumps({
    "urlconf": "lmsa_portal.urls" in sys.modules,
    "views": [name in sys.modules for name in views],
    "templates": sorted(name for name in compiled if name in templates),
    "catalogs": sorted(trans_real._translations),
    "open_connections": [c.alias for c in connections.all() if c.connection],
}))
"""
    )
    assert found["urlconf"]
    assert found["views"] == [True, True, True]
    assert found["templates"] == ["base.html", "home.html", "mentors/mentor_list.html"]
    assert {"en", "es"} <= set(found["catalogs"])
    assert found["open_connections"] == []  # never shared across gunicorn's fork


def test_every_model_behind_a_cached_page_is_watched_from_start_up():
    """A worker (or command) that saves a row must bump its data version even if it
    never served a page built from that model."""
    found = fresh_python(
        """
import json
import django
django.setup()
from members.cached_choices import _watched
print(json.dumps(sorted(m._meta.label for m in _watched)))
"""
    )
    for label in (
        "mentors.Mentor",
        "mentors.Language",
        "residency_hub.Specialty",
        "residency_hub.Program",
        "residency_hub.Event",
        "residency_hub.CalendarFeedToken",
        "ama.Video",
        "ama.Topic",
        "ama.Panelist",
    ):
        assert label in found
    # Logins and sign-ups save these: they must not depend on a version counter.
    for label in ("members.User", "members.Membership", "listserv.Subscriber"):
        assert label not in found


def test_gunicorn_freezes_the_shared_heap_before_forking():
    found = fresh_python(
        """
import gc, json, runpy
import lmsa_portal.wsgi  # what the master holds when it forks
config = runpy.run_path("gunicorn.conf.py")
before = gc.get_freeze_count()
config["pre_fork"](None, None)
after = gc.get_freeze_count()
print(json.dumps({"before": before, "after": after, "preload": config["preload_app"]}))
"""
    )
    assert found["before"] == 0
    # Django and the project (a bare interpreter has ~10,000): out of the way.
    assert found["after"] > 100_000
    assert found["preload"] is True
