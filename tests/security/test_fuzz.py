"""Random and hostile input to every form and query string of the project.

The forms are discovered, not listed: every page of the URL map is opened (as a
visitor and as an active member), every ``<form>`` on it is read, and its fields
are fuzzed at the URL it posts to. Every other pattern gets random POST data too.
List pages (those with a GET form or ``?`` links) get random query strings.

Never a 5xx (the test client raises on one), always a 2xx/3xx/4xx, and a rejected
form (4xx, or a page showing form errors) saves nothing.
"""

import html.parser
from http import HTTPStatus
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import all_routes, routes_by_key, url_for

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "שלום",
    "👩🏽‍⚕️🩺💉",
    "\ufeff",
    "e\u0301\u0301\u0301",
    "' OR 1=1 --",
    '"; DROP TABLE members_user; --',
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "{{ 7*7 }}{% debug %}",
    "../../../../etc/passwd",
    "-1",
    "0",
    "9" * 40,
    "1e309",
    "NaN",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31T23:59",
    "2024-13",
    "true",
    "on",
    "null",
    "[]",
    "{}",
    "x" * 5_000,
    "é" * 20_000,
    "a@b",
    "@" * 300 + ".example",
    "user@example.org\r\nBcc: victim@example.org",
    "https://example.org/" + "a" * 3000,
    "http://[::1",
]

scalar = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=80),
    st.text(min_size=300, max_size=3000),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
value = st.one_of(scalar, st.lists(scalar, min_size=0, max_size=4))

# As many examples as the Hypothesis profile says (tests/conftest.py).
FUZZ = settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FEW = settings(FUZZ, max_examples=3)


# ------------------------------------------------------------------------------
# Discovering the forms
# ------------------------------------------------------------------------------
class FormParser(html.parser.HTMLParser):
    """The forms of a page: method, action and field names."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.query_links = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": set(),
                }
            )
        elif tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if self.forms:
                self.forms[-1]["fields"].add(attrs["name"])
        elif tag == "a" and (attrs.get("href") or "").startswith("?"):
            self.query_links = True


def route_key_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.route


_discovered: dict | None = None


def discover(world) -> dict:
    """{route key: {"post": field names, "get": field names, "list": bool}},
    from every page of the URL map opened as a visitor and as a member."""
    global _discovered
    if _discovered is not None:
        return _discovered
    found: dict = {}
    member = Client()
    member.force_login(world.users["active"])
    for route in all_routes():
        if route.is_admin:
            continue
        url = url_for(route, world)
        for client in (Client(), member):
            if client is member:
                # Some pages sign people out (a password-reset link): sign in again.
                member.force_login(world.users["active"])
            response = client.get(url)
            if response.status_code != HTTPStatus.OK or getattr(
                response, "streaming", False
            ):
                continue
            if "html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser()
            parser.feed(response.content.decode("utf-8", errors="replace"))
            page = found.setdefault(
                route.key, {"post": set(), "get": set(), "list": False}
            )
            page["list"] |= parser.query_links
            for form in parser.forms:
                target = urlsplit(form["action"]).path or urlsplit(url).path
                key = route_key_of(target)
                if key is None or key.startswith("admin:"):
                    continue
                entry = found.setdefault(
                    key, {"post": set(), "get": set(), "list": False}
                )
                if form["method"] == "post":
                    entry["form"] = True
                    entry["post"] |= form["fields"] - {"csrfmiddlewaretoken"}
                else:
                    entry["get"] |= form["fields"]
                    entry["list"] = True
    _discovered = found
    return found


def row_counts() -> dict[str, int]:
    models = [
        model
        for config in apps.get_app_configs()
        if config.label
        in ("members", "mentors", "residency_hub", "ama", "listserv", "account")
        for model in config.get_models()
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


def shows_form_errors(response) -> bool:
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            errors = getattr(value, "errors", None)
            if getattr(value, "is_bound", False) and errors:
                return True
    return False


def client_for_route(route, world) -> tuple[Client, str]:
    """Members' pages and signed-in pages are fuzzed as an active member."""
    client = Client()
    probe = client.get(url_for(route, world))
    needs_login = probe.status_code == HTTPStatus.FOUND and "/login/" in probe.get(
        "Location", ""
    )
    if route.members_only or needs_login:
        client.force_login(world.users["active"])
        return client, "active"
    return client, "anonymous"


NON_ADMIN = [route.key for route in all_routes() if not route.is_admin]


@pytest.mark.parametrize("key", NON_ADMIN)
def test_random_posts_never_fail_and_never_half_save(key, world):
    route = routes_by_key()[key]
    target = discover(world).get(key, {})
    fields = sorted(target.get("post", set()))
    url = url_for(route, world)
    client, state = client_for_route(route, world)
    names = st.sampled_from([*fields, "website", "next", "unexpected_field"])

    # Targets of a form get the full run (a button alone is a form); others a few.
    @(FUZZ if target.get("form") else FEW)
    @given(
        data=st.dictionaries(names, value, max_size=len(fields) + 3),
        drop_all=st.booleans(),
    )
    def post(data, drop_all):
        cache.clear()  # rate limits must not hide the form from the fuzzer
        if state == "active":
            client.force_login(world.users["active"])
        before = row_counts()
        response = client.post(url, {} if drop_all else data)
        assert response.status_code < 500
        if response.status_code >= 400 or shows_form_errors(response):
            assert row_counts() == before, f"half-saved on {response.status_code}"

    post()


LIST_KEYS = ["page", "sort", "q", "month", "view", "year", "order", "token"]


@pytest.mark.parametrize("key", NON_ADMIN)
def test_random_query_strings_never_fail(key, world):
    route = routes_by_key()[key]
    page = discover(world).get(key) or {"get": set(), "list": False}
    url = url_for(route, world)
    client, _state = client_for_route(route, world)
    names = st.sampled_from(sorted(page["get"] | set(LIST_KEYS)))

    # List pages (a GET form or ?-links) get the full run, the others a few.
    @(FUZZ if page["list"] else FEW)
    @given(
        params=st.dictionaries(names, value, max_size=6),
        raw=st.one_of(st.none(), st.text(max_size=200)),
    )
    def get(params, raw):
        cache.clear()
        if raw is not None:
            response = client.get(url.split("?")[0] + "?" + raw.replace("#", ""))
        else:
            response = client.get(url.split("?")[0], params)
        assert response.status_code < 500

    get()


def test_list_pages_are_found(world):
    """The discovery sees the filter forms of the directories and archive."""
    found = discover(world)
    for key in [
        "mentors:directory",
        "residency_hub:program-list",
        "residency_hub:calendar",
        "ama:archive",
    ]:
        assert found.get(key, {}).get("list"), key
    for key in [
        "mentors:join",
        "mentors:request-link",
        "residency_hub:submit",
        "listserv:signup",
        "account_signup",
        "account_login",
        "account_reset_password",
        "members:me",
        "set-language",
        "ama:question-create",
        "ama:question-vote",
    ]:
        assert found.get(key, {}).get("post"), key


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=nope",
        "multipart/form-data",
        "application/json",
        "text/plain",
    ],
)
@pytest.mark.parametrize(
    "key", ["listserv:signup", "mentors:join", "residency_hub:submit", "members:me"]
)
def test_malformed_bodies_are_refused_cleanly(key, content_type, world):
    route = routes_by_key()[key]
    client, _state = client_for_route(route, world)
    url = url_for(route, world)
    for body in [b"\xff\xfe\x00garbage=%ZZ&&==", b"--nope\r\n\r\n", b"a=" + b"%" * 500]:
        before = row_counts()
        response = client.post(url, body, content_type=content_type)
        assert response.status_code < 500
        assert row_counts() == before


def test_next_that_looks_like_a_view_name_is_a_plain_redirect(world, client):
    """Found by the fuzzer: ``redirect("a@b")`` tried to reverse a view (500)."""
    client.force_login(world.users["active"])
    for key in ["residency_hub:feed-token-rotate", "listserv:member-subscribe"]:
        url = url_for(routes_by_key()[key], world)
        response = client.post(url, {"next": "a@b"})
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == "a@b"


@pytest.mark.parametrize(
    "key",
    [
        "listserv:signup",
        "mentors:join",
        "mentors:request-link",
        "residency_hub:submit",
        "account_signup",
        "account_login",
        "members:me",
    ],
)
def test_oversized_bodies_are_refused(key, world):
    """More than DATA_UPLOAD_MAX_MEMORY_SIZE: refused (413 from the body cap of
    lmsa_portal/limits.py, or 400 from Django's own check), nothing saved."""
    refused = (HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    route = routes_by_key()[key]
    client, _state = client_for_route(route, world)
    url = url_for(route, world)
    huge = "x" * (3 * 1024 * 1024 + 1)
    before = row_counts()
    response = client.post(url, {"email": "big@example.org", "name": huge})
    assert response.status_code in refused
    response = client.post(
        url,
        f"email=big%40example.org&name={quote(huge)}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in refused
    assert row_counts() == before
