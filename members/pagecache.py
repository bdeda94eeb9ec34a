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

``AnonymousPageCacheMiddleware`` (views marked with ``anonymous_page_cache`` or
an ``anonymous_cache`` class attribute)
    A public page requested by a visitor with no session and no pending messages:
    the whole response is kept per language, time zone, URL and data version, and
    served before sessions, CSRF, authentication and the view run. A request with
    a session cookie (every signed-in member) is never served from it nor stored
    in it, and a response that sets a cookie (a CSRF token, a session) is never
    stored.

Keys hash the full path, so any query string may be cached; entries expire after
``FRAGMENT_SECONDS`` and production Redis evicts least-recently-used keys
(README, "Deploying"), so odd query strings cannot fill it.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import md5

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from members.cached_choices import FRAGMENT_SECONDS, data_version_and
from members.middleware import visitor_time_zone


def _path_hash(request: HttpRequest) -> str:
    return md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()


# How long one process may take to build a slow value before another may try.
BUILD_LOCK_SECONDS = 60


def _version_and_entry(key: str, models, daily_in, also=()):
    version, found = data_version_and(models, [key, *also])
    if daily_in is not None:
        version = f"{version}.{timezone.localdate(timezone=daily_in)}"
    return version, found.pop(key, None), found


def cached_at_current_version(key: str, models, daily_in=None, also=()):
    """That version, the entry under ``key`` if it was stored at the current data
    version of ``models`` (plus the date in zone ``daily_in``, when given), and the
    entries found under the keys ``also``. One cache round trip: the version
    travels inside the entry, not in its key."""
    version, entry, found = _version_and_entry(key, models, daily_in, also)
    if entry is not None and entry[0] == version:
        return version, entry[1], found
    return version, None, found


def cached_or_built(key: str, models, build: Callable, *, seconds: int, daily_in=None):
    """``build()``, kept under ``key`` at the current data version of ``models``
    (and date in ``daily_in``) for at most ``seconds``: for values slow to build,
    like a specialty's whole calendar feed.

    One process builds at a time. While it does, the others keep serving the
    value it replaces, instead of all building the same thing at once (measured
    by ``make bench``: a feed expiring under load took p99 from ~70 to 555 ms).
    The value replaced is never older than twice ``seconds``; with none at all,
    every process builds its own."""
    version, entry, _also = _version_and_entry(key, models, daily_in)
    if not (isinstance(entry, tuple) and len(entry) == 3):
        entry = None  # none, or stored by an older release in another shape
    if entry is not None and entry[0] == version and time.time() - entry[1] < seconds:
        return entry[2]
    building = f"{key}:building"
    if entry is not None and not cache.add(building, 1, BUILD_LOCK_SECONDS):
        return entry[2]
    try:
        value = build()
        cache.set(key, (version, time.time(), value), 2 * seconds)
    finally:
        if entry is not None:
            cache.delete(building)
    return value


class SharedContentMixin:
    """See the module docstring. Put it after ``ActiveMemberRequiredMixin``."""

    page_template_name: str
    content_models: tuple[type[Model], ...] = ()
    content_changes_daily = False

    def page_context(self, content_context: dict) -> dict:
        """Small, picklable values the page around the content needs (a title),
        taken from the content's context and cached with it."""
        return {}

    def reader_cache_keys(self) -> list[str]:
        """Keys of this reader's own small cache entries, read in the same round
        trip as the content and handed to ``reader_context``."""
        return []

    def reader_context(self, cached: dict) -> dict:
        """What the page around the content shows of this reader, computed on every
        request (``cached``: what was found under ``reader_cache_keys``)."""
        return {}

    def content_variant(self) -> str:
        """Anything besides language and URL the content depends on (a time zone)."""
        return ""

    def get(self, request, *args, **kwargs):
        key = ":".join(
            [
                "content",
                type(self).__qualname__,
                self.content_variant(),
                get_language(),
                _path_hash(request),
            ]
        )
        version, cached, reader_entries = cached_at_current_version(
            key,
            self.content_models,
            (timezone.get_current_timezone() if self.content_changes_daily else None),
            also=self.reader_cache_keys(),
        )
        if cached is None:
            response = super().get(request, *args, **kwargs)
            if not isinstance(response, TemplateResponse):
                return response
            cached = {
                "content": response.rendered_content,
                "page": self.page_context(response.context_data),
            }
            cache.set(key, (version, cached), FRAGMENT_SECONDS)
        return render(
            request,
            self.page_template_name,
            {
                "content": mark_safe(cached["content"]),  # noqa: S308
                **cached["page"],
                **self.reader_context(reader_entries),
            },
        )


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
    )


@dataclass(frozen=True)
class AnonymousCache:
    """How a public view's page is cached for visitors (see the module docstring):
    ``name`` keys its entries, ``models`` are the tables it shows (a save or delete
    of one of their rows moves the key on at once), ``daily`` adds the date."""

    name: str
    models: tuple[type[Model], ...] = ()
    daily: bool = False


def anonymous_page_cache(name: str, *models: type[Model], daily: bool = False):
    """Mark a public function view for ``AnonymousPageCacheMiddleware``; for a
    class-based view set ``anonymous_cache = AnonymousCache(...)`` on the class."""

    def decorator(view):
        view.anonymous_cache = AnonymousCache(name, models, daily)
        return view

    return decorator


def _anonymous_cache_of(request: HttpRequest) -> AnonymousCache | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view = match.func
    return getattr(view, "anonymous_cache", None) or getattr(
        getattr(view, "view_class", None), "anonymous_cache", None
    )


class AnonymousPageCacheMiddleware:
    """Serve marked public pages to visitors without a session from the cache.

    Sits right after the security-header middlewares, so a cached page still gets
    every security header, but a hit skips sessions, CSRF, authentication and the
    view: a newsletter link that sends everyone to the same page costs one cache
    read a visitor. The key holds what the page depends on besides its data:
    language (the cookie or Accept-Language, as LocaleMiddleware picks it), time
    zone (the browser's, as members.middleware picks it) and URL. Only responses
    that set no cookie (no CSRF token, no session) are stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        spec = _anonymous_cache_of(request) if _cacheable_request(request) else None
        if spec is None:
            return self.get_response(request)
        zone = visitor_time_zone(request)
        key = ":".join(
            [
                "page",
                spec.name,
                translation.get_language_from_request(request),
                str(zone),
                _path_hash(request),
            ]
        )
        version, response, _found = cached_at_current_version(
            key, spec.models, daily_in=zone if spec.daily else None
        )
        if response is not None:
            return response
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.cookies
            and not response.streaming
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            cache.set(key, (version, response), FRAGMENT_SECONDS)
        return response
