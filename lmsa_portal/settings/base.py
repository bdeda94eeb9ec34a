"""Settings shared by every environment, with safe development defaults.

Everything that differs between machines comes from the environment (django-environ);
``dev``, ``test`` and ``prod`` change only what differs.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Development-only default; prod.py requires DJANGO_SECRET_KEY and has no default.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="django-insecure-development-only-key-not-for-production-use",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
ROOT_URLCONF = "lmsa_portal.urls"
WSGI_APPLICATION = "lmsa_portal.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
SITE_NAME = "LMSA Member Portal"
# Absolute links in emails sent outside a request (cron commands, the mail worker).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Where members write when they need help with their membership.
MEMBERSHIP_CONTACT_EMAIL = env(
    "MEMBERSHIP_CONTACT_EMAIL", default="membership@lmsa.net"
)

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "django.contrib.admin",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    # US state and territory names and their translations (lmsa_portal.locations).
    "localflavor",
    # PhoneNumberField: phone numbers parsed, validated and stored as E.164.
    "phonenumber_field",
]
# The portal's own apps (demo data, the scale seed and the data export walk them).
LOCAL_APPS = [
    # The project itself: staff operations across the initiatives (needs-attention
    # tiles, daily staff digest, reports) and its management command.
    "lmsa_portal",
    "members",
    "residency_hub",
    "mentors",
    "ama",
    "listserv",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# ------------------------------------------------------------------------------
# Middleware
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Permissions-Policy from PERMISSIONS_POLICY (django-permissions-policy).
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Cross-Origin-Resource-Policy, which Django has no setting for.
    "lmsa_portal.middleware.SecurityHeadersMiddleware",
    # 413 for bodies over MAX_REQUEST_BODY_BYTES, before anything reads them.
    "lmsa_portal.limits.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every response to a signed-in user.
    "lmsa_portal.limits.NeverCacheForUsersMiddleware",
    "lmsa_portal.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.mfa.StaffSecurityMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns a django-ratelimit refusal into the friendly 429 page (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
]

# ------------------------------------------------------------------------------
# Templates
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.membership",
            ],
        },
    },
]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# ------------------------------------------------------------------------------
# Database and cache
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# Persistent connections with a health check before reuse: a PostgreSQL restart
# costs a reconnect, not a 500.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://lmsa-portal")}

# ------------------------------------------------------------------------------
# Authentication (django-allauth)
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.MembershipSignupForm"
# Bots fill every field; people never see this one.
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "website"
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "members.signup_forms.PortalSignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[LMSA] "
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# allauth's defaults, kept explicit so a reader sees the limits in force.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
MFA_ADAPTER = "members.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Staff must set up TOTP before using the admin; only dev.py may switch this off.
MFA_REQUIRED_FOR_STAFF = True
# Staff sessions end after this much inactivity (members keep the default).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
# Optional separate key for encrypting TOTP secrets (defaults to one derived from
# SECRET_KEY); set it before rotating DJANGO_SECRET_KEY.
MFA_ENCRYPTION_KEY = env("MFA_ENCRYPTION_KEY", default="")
MFA_TOTP_ISSUER = "LMSA Portal"

# ------------------------------------------------------------------------------
# Email
# ------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="LMSA Portal <no-reply@lmsa.net>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Staff addresses notified of new sign-ups and submissions.
STAFF_NOTIFICATION_EMAILS = env.list(
    "STAFF_NOTIFICATION_EMAILS", default=["staff@lmsa.net"]
)

# Bounce and complaint webhooks of the email provider (django-anymail; see
# listserv/README.md). WEBHOOK_SECRET is the "user:password" the provider sends as
# basic auth; while it is empty the webhook URLs refuse every post. Mailgun also
# needs its webhook signing key.
ANYMAIL = {
    "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": env(
        "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY", default=""
    ),
}

# ------------------------------------------------------------------------------
# Background tasks (django-tasks)
# ------------------------------------------------------------------------------
# Immediate in development; prod.py runs them through the database and `db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# ------------------------------------------------------------------------------
# The initiatives
# ------------------------------------------------------------------------------
# Mentor registry: yearly "still mentoring?" email; unanswered listings leave the
# directory (not deleted) this many days later (`manage.py mentors_reconfirm`).
MENTOR_RECONFIRM_AFTER_DAYS = env.int("MENTOR_RECONFIRM_AFTER_DAYS", default=365)
MENTOR_STALE_AFTER_DAYS = env.int("MENTOR_STALE_AFTER_DAYS", default=30)
# Days the emailed links work (lmsa_portal/signing.py): the physician's
# self-service link (a fresh one is a form away) and "I'm still mentoring" (past
# the stale date, so a late click still brings the listing back).
MENTOR_MANAGE_LINK_MAX_AGE_DAYS = env.int("MENTOR_MANAGE_LINK_MAX_AGE_DAYS", default=60)
MENTOR_STILL_MENTORING_LINK_MAX_AGE_DAYS = env.int(
    "MENTOR_STILL_MENTORING_LINK_MAX_AGE_DAYS", default=90
)
# Rate limits (django-ratelimit syntax) of the public mentor sign-up and of the
# fresh-link request, per IP and per email typed.
MENTOR_SIGNUP_IP_RATE = "10/h"
MENTOR_SIGNUP_EMAIL_RATE = "5/h"
MENTOR_LINK_IP_RATE = "10/h"
MENTOR_LINK_EMAIL_RATE = "3/h"
# Mentorship requests one member may send per hour (django-ratelimit syntax).
MENTOR_REQUEST_RATE = "10/h"
# Mentorship requests: open requests one member may have at once, and how long a
# request counts toward a mentor's load (the mentees they said they can take).
MENTOR_MAX_OPEN_REQUESTS = env.int("MENTOR_MAX_OPEN_REQUESTS", default=3)
MENTOR_LOAD_WINDOW_DAYS = env.int("MENTOR_LOAD_WINDOW_DAYS", default=90)
MENTOR_REQUEST_LINK_MAX_AGE_DAYS = env.int(
    "MENTOR_REQUEST_LINK_MAX_AGE_DAYS", default=30
)
# Days a program coordinator's edit link works, and the yearly "still accurate?"
# link (past the 60 days after which a program shows "not verified recently").
PROGRAM_COORDINATOR_LINK_MAX_AGE_DAYS = env.int(
    "PROGRAM_COORDINATOR_LINK_MAX_AGE_DAYS", default=60
)
PROGRAM_STILL_ACCURATE_LINK_MAX_AGE_DAYS = env.int(
    "PROGRAM_STILL_ACCURATE_LINK_MAX_AGE_DAYS", default=120
)
# Follow-ups (`manage.py mentors_followups`, daily): days after an acceptance
# that the member is asked "did you connect?", and days without an answer after
# which a request closes and the member hears of similar mentors. The member's
# "did you connect?" links work MENTOR_FOLLOWUP_LINK_MAX_AGE_DAYS.
MENTOR_FOLLOWUP_AFTER_DAYS = env.int("MENTOR_FOLLOWUP_AFTER_DAYS", default=14)
MENTOR_REQUEST_UNANSWERED_AFTER_DAYS = env.int(
    "MENTOR_REQUEST_UNANSWERED_AFTER_DAYS", default=14
)
MENTOR_FOLLOWUP_LINK_MAX_AGE_DAYS = env.int(
    "MENTOR_FOLLOWUP_LINK_MAX_AGE_DAYS", default=60
)
# Saved directory searches one member may keep (each gets a weekly email about new
# mentors, `manage.py mentors_search_alerts`), and how long its unsubscribe link works.
MENTOR_MAX_SAVED_SEARCHES = env.int("MENTOR_MAX_SAVED_SEARCHES", default=5)
MENTOR_SAVED_SEARCH_LINK_MAX_AGE_DAYS = env.int(
    "MENTOR_SAVED_SEARCH_LINK_MAX_AGE_DAYS", default=365
)
# AMA: questions one member may send for one upcoming session.
AMA_MAX_QUESTIONS_PER_MEMBER = env.int("AMA_MAX_QUESTIONS_PER_MEMBER", default=5)
# Days the listserv's confirmation link works, and its preferences/unsubscribe
# links (they sit in old emails: they must keep working for a long time).
LISTSERV_CONFIRM_LINK_DAYS = env.int("LISTSERV_CONFIRM_LINK_DAYS", default=30)
LISTSERV_MANAGE_LINK_DAYS = env.int("LISTSERV_MANAGE_LINK_DAYS", default=730)
# Listserv sending: messages per batch (one SMTP connection each), rate limit
# (0 = unlimited), attempts per delivery before it is marked failed.
LISTSERV_BATCH_SIZE = env.int("LISTSERV_BATCH_SIZE", default=100)
LISTSERV_RATE_PER_SECOND = env.float("LISTSERV_RATE_PER_SECOND", default=10)
LISTSERV_MAX_ATTEMPTS = env.int("LISTSERV_MAX_ATTEMPTS", default=3)
# Seconds before a failed message is retried, and after which a claimed batch
# belongs to a dead worker (keep it well above batch size / rate).
LISTSERV_RETRY_DELAY_SECONDS = env.int("LISTSERV_RETRY_DELAY_SECONDS", default=60)
LISTSERV_CLAIM_TIMEOUT_SECONDS = env.int("LISTSERV_CLAIM_TIMEOUT_SECONDS", default=900)
# A queue of its own for mailings (empty: the task's default queue); prod.py adds
# it to the worker's queues. Run `db_worker --queue-name <it>` beside the default.
LISTSERV_TASK_QUEUE = env("LISTSERV_TASK_QUEUE", default="")
# Days the confirmation link works, and the unsubscribe / preferences links (they
# sit in old emails, so they must keep working for a long time).
LISTSERV_CONFIRM_LINK_DAYS = env.int("LISTSERV_CONFIRM_LINK_DAYS", default=30)
LISTSERV_MANAGE_LINK_DAYS = env.int("LISTSERV_MANAGE_LINK_DAYS", default=730)
# Soft bounces (mailbox full, server busy) within this many days that suppress an
# address; a hard bounce or a spam complaint suppresses it at once.
LISTSERV_SOFT_BOUNCE_LIMIT = env.int("LISTSERV_SOFT_BOUNCE_LIMIT", default=3)
LISTSERV_SOFT_BOUNCE_DAYS = env.int("LISTSERV_SOFT_BOUNCE_DAYS", default=30)
# Where replies to a mailing go unless the mailing names another address (the
# sender is a no-reply address).
LISTSERV_REPLY_TO = env("LISTSERV_REPLY_TO", default="mentorship@lmsa.net")
# The mailbox behind the mailto: of List-Unsubscribe (staff process it).
LISTSERV_UNSUBSCRIBE_MAILTO = env(
    "LISTSERV_UNSUBSCRIBE_MAILTO", default="listserv-unsubscribe@lmsa.net"
)
# Sender of mailings (a no-reply address).
LISTSERV_FROM_EMAIL = env("LISTSERV_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
# The List-Id header of mailings (RFC 2919).
LISTSERV_LIST_ID = env(
    "LISTSERV_LIST_ID",
    default="LMSA National Mentorship Listserv <mentorship-listserv.lmsa.net>",
)
# Right-hand side of mailing Message-IDs (empty: the host of PORTAL_BASE_URL).
LISTSERV_MESSAGE_ID_DOMAIN = env("LISTSERV_MESSAGE_ID_DOMAIN", default="")

# ------------------------------------------------------------------------------
# Internationalisation
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "America/New_York"
# Phone numbers without a country code are US ones; valid numbers are stored as
# E.164 (django-phonenumber-field; lmsa_portal.phones).
PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DB_FORMAT = "E164"
USE_TZ = True

# ------------------------------------------------------------------------------
# Static files
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# ------------------------------------------------------------------------------
# Security headers (prod.py adds HTTPS-only settings)
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The only frames the portal shows: AMA session videos from their official players.
VIDEO_EMBED_ORIGINS = [
    "https://www.youtube-nocookie.com",
    "https://www.youtube.com",
    "https://www.facebook.com",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        # Django admin and allauth templates carry a few style attributes.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-src": VIDEO_EMBED_ORIGINS,
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
# Browser features the portal never uses, refused for every page and frame
# (django-permissions-policy writes the header; an empty list is "()", none allowed).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    ]
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Whole request bodies, files included (lmsa_portal.limits.RequestBodyLimitMiddleware):
# larger ones get a 413. The admin allows more, for CSV imports.
MAX_REQUEST_BODY_BYTES = env.int("DJANGO_MAX_REQUEST_BODY_BYTES", default=2_500_000)
MAX_ADMIN_REQUEST_BODY_BYTES = env.int(
    "DJANGO_MAX_ADMIN_REQUEST_BODY_BYTES", default=20_000_000
)
# `make bench` turns on two trivial baseline views to measure pages against.
BENCHMARK_BASELINE_VIEWS = env.bool("BENCHMARK_BASELINE_VIEWS", default=False)
# Rate limits of the public forms (django-ratelimit), counted in the shared cache.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "lmsa_portal.views.rate_limited"

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
# A database outage is logged once per this many seconds per process, not once
# per request (lmsa_portal/outage.py).
OUTAGE_LOG_INTERVAL_SECONDS = env.int("OUTAGE_LOG_INTERVAL_SECONDS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"once_per_outage": {"()": "lmsa_portal.outage.OncePerOutageFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["once_per_outage"]}
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
