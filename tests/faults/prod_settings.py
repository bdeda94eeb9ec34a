"""Settings of the gunicorn instances the fault tests start: production settings,
with collected static files in the test's own directory and the test's own key
prefix in the shared Redis (no other run sees or clears its counters)."""

import os

from lmsa_portal.settings.prod import *  # noqa: F403

STATIC_ROOT = os.environ["FAULTS_STATIC_ROOT"]
CACHES["default"]["KEY_PREFIX"] = os.environ["FAULTS_CACHE_PREFIX"]  # noqa: F405
