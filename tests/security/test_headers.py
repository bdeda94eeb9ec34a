"""Response headers scored with the Mozilla HTTP Observatory rules; deploy check.

The scorer follows the Observatory's published scoring (start at 100, penalties and
bonuses per test, A+ from 100 up) for the tests that depend on response headers.
"""

import html
import re
import subprocess
import sys
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

PRIVATE_REFERRER = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_REFERRER = {
    "unsafe-url",
    "no-referrer-when-downgrade",
    "origin-when-cross-origin",
    "origin",
}


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.strip().split()
        if tokens:
            directives[tokens[0].lower()] = [t.lower() for t in tokens[1:]]
    return directives


def observatory_score(response) -> tuple[int, list[str]]:
    """Score one HTTPS response the way the Observatory does; returns (score, notes)."""
    score, notes = 100, []

    def adjust(points: int, note: str) -> None:
        nonlocal score
        score += points
        notes.append(f"{points:+d} {note}")

    csp_header = response.headers.get("Content-Security-Policy")
    if not csp_header:
        adjust(-25, "csp-not-implemented")
    else:
        csp = parse_csp(csp_header)
        script_src = csp.get("script-src", csp.get("default-src", []))
        if "'unsafe-inline'" in script_src or "data:" in script_src:
            adjust(-20, "csp-implemented-with-unsafe-inline")
        elif "'unsafe-eval'" in script_src:
            adjust(-10, "csp-implemented-with-unsafe-eval")
        elif csp.get("default-src") == ["'none'"]:
            adjust(+10, "csp-implemented-with-no-unsafe-default-src-none")
        if "object-src" not in csp and csp.get("default-src") != ["'none'"]:
            adjust(-10, "csp-implemented-with-insecure-scheme (object-src open)")

    for cookie in response.cookies.values():
        if not cookie["secure"]:
            adjust(-20, f"cookies-without-secure-flag ({cookie.key})")
        if cookie.key.endswith("sessionid") and not cookie["httponly"]:
            adjust(-30, "cookies-session-without-httponly-flag")
    if response.cookies and all(c["samesite"] for c in response.cookies.values()):
        notes.append("cookies-secure-with-httponly-sessions-and-samesite (0)")

    hsts = response.headers.get("Strict-Transport-Security", "")
    if not hsts:
        adjust(-20, "hsts-not-implemented")
    else:
        max_age = int(hsts.split("max-age=")[1].split(";")[0])
        if max_age < 15_768_000:
            adjust(-10, "hsts-implemented-max-age-less-than-six-months")
        elif "preload" in hsts and "includesubdomains" in hsts.lower():
            adjust(+5, "hsts-preloaded")

    referrer = response.headers.get("Referrer-Policy", "").split(",")[-1].strip()
    if referrer in PRIVATE_REFERRER:
        adjust(+5, "referrer-policy-private")
    elif referrer in UNSAFE_REFERRER:
        adjust(-5, "referrer-policy-unsafe")

    if response.headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        adjust(-5, "x-content-type-options-not-implemented")

    csp = parse_csp(csp_header or "")
    if csp.get("frame-ancestors") == ["'none'"]:
        adjust(+5, "x-frame-options-implemented-via-csp")
    elif response.headers.get("X-Frame-Options", "").upper() not in {
        "DENY",
        "SAMEORIGIN",
    }:
        adjust(-20, "x-frame-options-not-implemented")

    if response.headers.get("Cross-Origin-Resource-Policy") not in {
        "same-origin",
        "same-site",
    }:
        adjust(-5, "corp-not-implemented")
    return score, notes


def load_prod_settings(monkeypatch):
    """Import prod.py with its required environment filled in."""
    import importlib

    for name, value in {
        "DJANGO_SECRET_KEY": "prod-settings-under-test-" + "z" * 40,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "sqlite:///unused.sqlite3",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "consolemail://",
    }.items():
        monkeypatch.setenv(name, value)
    import lmsa_portal.settings.prod as prod

    return importlib.reload(prod)


@pytest.fixture
def production_security(settings, monkeypatch):
    """The HTTPS settings of prod.py, on top of the test settings."""
    prod = load_prod_settings(monkeypatch)

    for name in [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SECURE_PROXY_SSL_HEADER",
    ]:
        setattr(settings, name, getattr(prod, name))
    return settings


MAIN_PAGES = ["home", "plus-network", "account_login", "account_signup"]


def assert_a_plus_twice(client, url: str) -> list:
    """Request ``url`` twice and score both responses: the second request carries
    the cookies the first one set."""
    responses = [client.get(url, secure=True) for _ in range(2)]
    for attempt, response in enumerate(responses, start=1):
        assert response.status_code == HTTPStatus.OK, (url, attempt)
        score, notes = observatory_score(response)
        assert score >= 100, f"{url} (request {attempt}): score {score}: {notes}"
    return responses


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_pages_score_a_plus(client, db, production_security, name):
    assert_a_plus_twice(client, reverse(name))


@pytest.fixture
def ama_video(db):
    from ama.factories import VideoFactory

    return VideoFactory(
        slug="headers-video",
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )


@pytest.mark.parametrize("name", ["ama:archive", "listserv:signup"])
def test_public_pages_score_a_plus(client, db, production_security, ama_video, name):
    assert_a_plus_twice(client, reverse(name))


def test_ama_video_page_frames_only_the_video_origins(
    client, db, production_security, ama_video
):
    """The video page embeds the player in an iframe: its frame-src is exactly the
    configured video origins (no wildcard, scheme or 'self'), and the player it
    embeds (an iframe, or the click-to-play placeholder's data-embed-src) is on one
    of them."""
    allowed = {origin.lower() for origin in django_settings.VIDEO_EMBED_ORIGINS}
    assert allowed and all(
        origin.startswith("https://") and "*" not in origin for origin in allowed
    )
    url = reverse("ama:video-detail", args=[ama_video.slug])
    for response in assert_a_plus_twice(client, url):
        csp = parse_csp(response["Content-Security-Policy"])
        assert set(csp["frame-src"]) == allowed, csp["frame-src"]
        assert csp.get("child-src") in (None, csp["frame-src"])
        assert csp["default-src"] == ["'none'"]
        body = response.content.decode()
        frames = re.findall(r"<iframe[^>]*\ssrc=\"([^\"]+)\"", body)
        frames += re.findall(r"\sdata-embed-src=\"([^\"]+)\"", body)
        assert frames, "the video page embeds no player"
        for src in frames:
            parts = urlsplit(html.unescape(src))
            assert f"{parts.scheme}://{parts.netloc}".lower() in allowed, src


def test_members_only_page_scores_a_plus_and_is_not_stored(
    client, active_member, production_security
):
    client.force_login(active_member)
    response = client.get(reverse("members:me"), secure=True)
    score, notes = observatory_score(response)
    assert score >= 100, notes
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def specialty_with_event(db):
    from residency_hub.factories import EventFactory, ProgramFactory, SpecialtyFactory

    specialty = SpecialtyFactory(name="Header Medicine", slug="header-medicine")
    program = ProgramFactory(specialty=specialty)
    EventFactory(specialty=specialty, program=program)
    return specialty


@pytest.mark.parametrize(
    "name",
    ["mentors:directory", "residency_hub:program-list", "residency_hub:calendar"],
)
def test_members_pages_score_a_plus_and_are_not_stored(
    client, active_member, production_security, specialty_with_event, name
):
    from mentors.factories import MentorFactory

    MentorFactory(specialty=specialty_with_event)
    client.force_login(active_member)
    args = [specialty_with_event.slug] if name == "residency_hub:calendar" else []
    for attempt in (1, 2):
        response = client.get(reverse(name, args=args), secure=True)
        assert response.status_code == HTTPStatus.OK, (name, attempt)
        score, notes = observatory_score(response)
        assert score >= 100, f"{name} (request {attempt}): {notes}"
        assert "no-store" in response["Cache-Control"]


def test_scorer_fails_a_page_without_protections(client, db, settings):
    """The scorer itself can fail: strip the protections and the grade drops."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if "csp" not in m.lower() and "Security" not in m
    ]
    response = client.get(reverse("home"), secure=True)
    score, _notes = observatory_score(response)
    assert score < 100


def test_csp_has_no_unsafe_script_sources(client, db):
    csp = parse_csp(client.get(reverse("home"))["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert set(csp["frame-src"]) == {
        o.lower() for o in django_settings.VIDEO_EMBED_ORIGINS
    }


def test_other_security_headers(client, db):
    response = client.get(reverse("home"))
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    refused = {part.strip() for part in response["Permissions-Policy"].split(",")}
    assert refused == {
        f"{feature}=()"
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


def test_http_redirects_to_https_in_production(client, db, production_security):
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"].startswith("https://")


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "lmsa_portal.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 20 + "deploy-check-only-" + "y" * 30,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "consolemail://",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_secrets(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "lmsa_portal.settings.prod",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
