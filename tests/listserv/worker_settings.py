"""Settings of the `listserv_send` worker processes the tests start: the test
settings, with mail going to the test's SMTP sink."""

import os

from lmsa_portal.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["LISTSERV_TEST_SMTP_PORT"])
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""
EMAIL_TIMEOUT = 10
LISTSERV_RATE_PER_SECOND = 0
