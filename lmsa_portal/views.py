"""Site-wide pages: home, PLUS Network, health check, error pages."""

import sys
from http import HTTPStatus

from django.db import connections
from django.db.utils import DatabaseError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from lmsa_portal.outage import RETRY_AFTER_SECONDS, is_database_outage


def home(request: HttpRequest) -> HttpResponse:
    """Present the four mentorship initiatives."""
    return render(request, "home.html")


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages without a ``<link
    rel="icon">`` (feeds, files): the site's icon. Not a permanent redirect: the
    icon's hashed file name changes when the icon does."""
    return HttpResponseRedirect(static("img/favicon.svg"))


def plus_network(request: HttpRequest) -> HttpResponse:
    """The PLUS Network page for pre-health students."""
    return render(request, "plus_network.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database answers on a fresh connection."""
    connection = connections.create_connection("default")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse(
            {"status": "error", "database": "unavailable"},
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    finally:
        connection.close()
    return JsonResponse({"status": "ok", "database": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    """Friendly 404 page."""
    return render(request, "404.html", status=HTTPStatus.NOT_FOUND)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """Friendly 500 page (503 while the database is down); needs no database."""
    if is_database_outage(sys.exc_info()[1]):
        response = HttpResponse(
            loader.render_to_string("503.html"),
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(
        loader.render_to_string("500.html"), status=HTTPStatus.INTERNAL_SERVER_ERROR
    )


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Tell a person who sent too many requests to wait (django-ratelimit's view)."""
    return render(request, "429.html", status=HTTPStatus.TOO_MANY_REQUESTS)


def coming_soon(request: HttpRequest, title: str = "") -> HttpResponse:
    """Placeholder for an initiative whose pages have not landed yet."""
    return render(request, "coming_soon.html", {"title": title})


def baseline_anonymous(request: HttpRequest) -> HttpResponse:
    """Benchmark floor for public pages: the full middleware stack, no work."""
    return HttpResponse("ok", content_type="text/plain")


def baseline_member(request: HttpRequest) -> HttpResponse:
    """Benchmark floor for members-only pages: session and user loaded, no work."""
    if not request.user.is_authenticated:
        return HttpResponse("login required", status=HTTPStatus.UNAUTHORIZED)
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")
