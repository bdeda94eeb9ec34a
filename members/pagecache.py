"""Caching whole pages, or their whole content, without ever mixing up readers.

Two tools, each for one kind of page:

``SharedContentMixin``
    A members-only list whose content is the same for every active member (the
    mentor and program directories). The content (filters, result count, cards,
    pagination) is rendered from the view's ``template_name`` once per language,
    query string and data version, and kept for ``FRAGMENT_SECONDS``. Every
    request still runs the access rule first and renders the page around the
    content (``page_template_name``: the reader's navigation, messages, CSRF
    token) fresh, so nothing of one member is ever shown to another.

``anonymous_page_cache``
    A public page requested by a visitor with no session and no pending messages:
    the whole response is kept per language, time zone, URL and data version. A
    request with a session cookie (every signed-in member) is never served from
    it nor stored in it, and a response that sets a cookie (a CSRF token, a
    session) is never stored.

Keys hash the full path, so any query string may be cached; entries expire after
``FRAGMENT_SECONDS`` and production Redis evicts least-recently-used keys
(README, "Deploying"), so odd query strings cannot fill it.
"""

from functools import wraps
from hashlib import md5

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from members.cached_choices import FRAGMENT_SECONDS, data_version


def _key(prefix: str, name: str, version: str, request: HttpRequest) -> str:
    path = md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}:{name}:{get_language()}:{version}:{path}"


def content_version(models: tuple[type[Model], ...], *, daily: bool) -> str:
    """The data version of ``models`` (and today's date for content that changes
    with the day, such as listings paused until a date)."""
    version = data_version(*models)
    return f"{version}.{timezone.localdate()}" if daily else version


class SharedContentMixin:
    """See the module docstring. Put it after ``ActiveMemberRequiredMixin``."""

    page_template_name: str
    content_models: tuple[type[Model], ...] = ()
    content_changes_daily = False

    def page_context(self, content_context: dict) -> dict:
        """Small, picklable values the page around the content needs (a title),
        taken from the content's context and cached with it."""
        return {}

    def reader_context(self) -> dict:
        """What the page around the content shows of this reader (computed on
        every request, never cached)."""
        return {}

    def content_variant(self) -> str:
        """Anything besides language and URL the content depends on (a time zone)."""
        return ""

    def get(self, request, *args, **kwargs):
        key = _key(
            "content",
            f"{type(self).__qualname__}:{self.content_variant()}",
            content_version(self.content_models, daily=self.content_changes_daily),
            request,
        )
        cached = cache.get(key)
        if cached is None:
            response = super().get(request, *args, **kwargs)
            if not isinstance(response, TemplateResponse):
                return response
            cached = {
                "content": response.rendered_content,
                "page": self.page_context(response.context_data),
            }
            cache.set(key, cached, FRAGMENT_SECONDS)
        return render(
            request,
            self.page_template_name,
            {
                "content": mark_safe(cached["content"]),  # noqa: S308
                **cached["page"],
                **self.reader_context(),
            },
        )


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
    )


def anonymous_page_cache(name: str, *models: type[Model], daily: bool = False):
    """Cache a public view's whole response for visitors without a session.

    ``name`` keys the view's entries; ``models`` are the tables the page shows
    (a save or delete of one of their rows moves the key on at once).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = _key(
                "page",
                # Pages show times in the visitor's zone (members.middleware).
                f"{name}:{timezone.get_current_timezone_name()}",
                content_version(models, daily=daily),
                request,
            )
            cached = cache.get(key)
            if cached is not None:
                return cached
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if (
                response.status_code == 200
                and not response.cookies
                and not getattr(response, "streaming", False)
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                cache.set(key, response, FRAGMENT_SECONDS)
            return response

        return wrapper

    return decorator
