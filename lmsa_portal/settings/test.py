"""Test settings: fast hashing, mail kept in memory, tasks run inline."""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-with-enough-length-for-hmac-checks"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://lmsa-portal-tests")}
# On Redis, each pytest-xdist worker gets its own database: tests clear the cache,
# and one worker must not wipe another's rate-limit counters.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    _base = CACHES["default"]["LOCATION"].rsplit("/", 1)[0]
    CACHES["default"]["LOCATION"] = f"{_base}/{10 + _worker}"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MFA_REQUIRED_FOR_STAFF = True

# ------------------------------------------------------------------------------
# N+1 detection: django-zeal raises on any N+1 query inside a request, so a
# missing select_related/prefetch_related fails the test that reaches it.
# ------------------------------------------------------------------------------
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]  # noqa: F405
MIDDLEWARE = [
    "zeal.middleware.zeal_middleware",
    "tests.perf.zeal_scopes.admin_per_row_allowed",
    *MIDDLEWARE,  # noqa: F405
]
ZEAL_RAISE = True
ZEAL_SHOW_ALL_CALLERS = True
# Lookups inside libraries, not in portal code: allauth reads the address once per
# login/verification step; the admin and django-simple-history resolve content types.
ZEAL_ALLOWLIST = [
    {"model": "account.EmailAddress", "field": "get()"},
    {"model": "contenttypes.ContentType", "field": "get()"},
]
