"""Shared fixtures: users in every access-rule state, mail, specialties."""

import os
import time
import types

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from members.factories import make_member

# ------------------------------------------------------------------------------
# Hypothesis: `make test` tries a bounded number of examples per property (the
# fuzzers post each one through the whole stack); .ci/run sets
# HYPOTHESIS_PROFILE=ci in its PostgreSQL pass for a longer search. No deadline:
# a loaded machine is slow, not wrong. No example database: a failure prints the
# blob that reproduces it (@reproduce_failure), and a fresh clone stays clean.
# ------------------------------------------------------------------------------
hypothesis_settings.register_profile(
    "default", max_examples=10, deadline=None, database=None, print_blob=True
)
hypothesis_settings.register_profile(
    "ci", hypothesis_settings.get_profile("default"), max_examples=25
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

MEMBER_STATES = ["unverified", "pending", "declined", "expired", "active", "staff"]


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached fragments never leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fixed_ratelimit_clock(monkeypatch):
    """django-ratelimit counts in fixed windows: a test that straddled the end of
    one would see its counter reset halfway (tests/listserv's "10 per minute"
    sign-up test failed so on a loaded machine). Its clock stands still."""
    now = time.time()
    monkeypatch.setattr(
        "django_ratelimit.core.time", types.SimpleNamespace(time=lambda: now)
    )


@pytest.fixture(autouse=True)
def _site_row(request):
    """The Site row (members migration 0004) back after a transactional test
    flushed the tables: allauth's pages read it, and only the first lookup in a
    process hits the database (whether it does depended on the tests' order)."""
    if "transactional_db" not in request.fixturenames:
        return
    from urllib.parse import urlparse

    from django.conf import settings
    from django.contrib.sites.models import Site

    request.getfixturevalue("transactional_db")
    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={
            "domain": urlparse(settings.PORTAL_BASE_URL).netloc or "localhost",
            "name": "LMSA Member Portal",
        },
    )
    Site.objects.clear_cache()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test request in Spanish (Accept-Language: es) leaves Spanish active in the
    thread: LocaleMiddleware never switches back. The next test starts in English."""
    yield
    translation.deactivate()


@pytest.fixture
def active_member(db):
    return make_member(state="active")


@pytest.fixture
def pending_member(db):
    return make_member(state="pending")


@pytest.fixture
def declined_member(db):
    return make_member(state="declined")


@pytest.fixture
def expired_member(db):
    return make_member(state="expired")


@pytest.fixture
def unverified_user(db):
    return make_member(state="unverified")


@pytest.fixture
def staff_user(db):
    return make_member(state="staff")


@pytest.fixture(params=MEMBER_STATES)
def user_in_each_state(request, db):
    """(state, user) for every state of the access rule."""
    return request.param, make_member(state=request.param)


@pytest.fixture
def admin_client_mfa(client, db):
    """A client logged in as a superuser who has set up TOTP."""
    from members.factories import make_member
    from tests.factories import make_totp

    admin = make_member(state="staff", is_superuser=True)
    make_totp(admin)
    client.force_login(admin)
    return client


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return [
        f"database: {database['ENGINE']} ({database.get('HOST') or database['NAME']})",
        f"cache: {settings.CACHES['default']['BACKEND']}",
    ]
