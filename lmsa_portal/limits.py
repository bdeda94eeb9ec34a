"""Request-wide limits: no stored responses for signed-in users, a cap on request
bodies, and the client address behind a proxy for the rate limits.

``NeverCacheForUsersMiddleware`` marks every response to a signed-in request
``no-store`` (pages for anonymous visitors and static files are left alone).

``RequestBodyLimitMiddleware`` answers 413 before any view reads a body larger than
``MAX_REQUEST_BODY_BYTES`` (``MAX_ADMIN_REQUEST_BODY_BYTES`` under ``/admin/``, for
CSV imports). ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count uploaded files, so
without this a public form accepts a file part of any size.

``rightmost_forwarded_for`` is a ``RATELIMIT_IP_META_KEY`` for deployments whose
proxy appends the client address to ``X-Forwarded-For``.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _


def _is_signed_in(request) -> bool:
    user = getattr(request, "user", None)
    if user is None:
        return False
    # An anonymous visitor without a session cookie: do not load a session just
    # to learn that (it would add ``Vary: Cookie`` to the cached public pages).
    if (
        isinstance(user, SimpleLazyObject)
        and user._wrapped is empty
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    ):
        return False
    return bool(getattr(user, "is_authenticated", False))


class NeverCacheForUsersMiddleware:
    """``Cache-Control: no-store`` (and friends) on every response to a signed-in
    user, unless the response already says ``no-store``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_signed_in(request) and "no-store" not in response.get(
            "Cache-Control", ""
        ):
            add_never_cache_headers(response)
        return response


class RequestBodyLimitMiddleware:
    """413 for a request whose declared body is larger than the cap."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.cap(request):
            # Before LocaleMiddleware: pick the visitor's language the same way.
            with translation.override(translation.get_language_from_request(request)):
                message = _(
                    "Request too large: the upload is bigger than this form accepts."
                )
            return HttpResponse(
                message + "\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def cap(request) -> int:
        if request.path_info.startswith("/admin/"):
            return settings.MAX_ADMIN_REQUEST_BODY_BYTES
        return settings.MAX_REQUEST_BODY_BYTES


def rightmost_forwarded_for(request) -> str:
    """The client address as seen by the one trusted proxy: the right-most entry of
    ``X-Forwarded-For`` (entries to its left are client-supplied and can be forged).
    Use only when every request reaches the app through that proxy."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    return entries[-1] if entries else request.META["REMOTE_ADDR"]
