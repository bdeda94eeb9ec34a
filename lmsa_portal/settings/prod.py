"""Production: every secret from the environment, refuse to start without one."""

from .base import *  # noqa: F403
from .base import LISTSERV_TASK_QUEUE, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")  # no default: missing means refuse to start
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {"default": env.cache("CACHE_URL")}
vars().update(env.email_url("EMAIL_URL"))
MFA_REQUIRED_FOR_STAFF = True

# Mailings may run on a queue of their own (LISTSERV_TASK_QUEUE).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", *([LISTSERV_TASK_QUEUE] if LISTSERV_TASK_QUEUE else [])],
    }
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# ------------------------------------------------------------------------------
# HTTPS behind a TLS-terminating proxy or load balancer
# ------------------------------------------------------------------------------
# The proxy must set X-Forwarded-Proto and strip it from client requests.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# ------------------------------------------------------------------------------
# Performance
# ------------------------------------------------------------------------------
# Sessions read from the cache (Redis) and written through to the database: no
# session query on most requests, and a cache flush logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Hashed static files are cached for ten years (immutable) by WhiteNoise; the few
# unhashed ones (favicon, robots) for an hour.
WHITENOISE_MAX_AGE = 3600

# ------------------------------------------------------------------------------
# Client address behind the proxy (rate limits)
# ------------------------------------------------------------------------------
# Unset: rate limits key on REMOTE_ADDR, which behind a load balancer is the
# balancer's address for every visitor. Set it to the META key of a header the proxy
# sets and overwrites (e.g. HTTP_X_REAL_IP), or to a dotted path of a callable such
# as lmsa_portal.limits.rightmost_forwarded_for (the right-most X-Forwarded-For entry).
_ratelimit_ip_meta_key = env("DJANGO_RATELIMIT_IP_META_KEY", default="")
if _ratelimit_ip_meta_key:
    RATELIMIT_IP_META_KEY = _ratelimit_ip_meta_key
    # allauth's own limits (login, sign-up, reset) read the same header.
    if _ratelimit_ip_meta_key.startswith("HTTP_"):
        ALLAUTH_TRUSTED_CLIENT_IP_HEADER = (
            _ratelimit_ip_meta_key.removeprefix("HTTP_").replace("_", "-").title()
        )
    elif _ratelimit_ip_meta_key == "lmsa_portal.limits.rightmost_forwarded_for":
        ALLAUTH_TRUSTED_PROXY_COUNT = 1
