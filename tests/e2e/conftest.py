"""Browser journeys: Debian's Chromium driven by Python Playwright, axe-core on
every page.

Without Chromium the journeys skip with a reason, unless ``E2E_REQUIRED=1`` (CI),
where a missing browser is a failure.
"""

import functools
import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls that the
# tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
E2E_REQUIRED = os.environ.get("E2E_REQUIRED") == "1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if not AXE_PATH.exists():
        return f"axe-core not found at {AXE_PATH} (npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing_reason()
    for item in items:
        if "/e2e/" not in str(item.fspath).replace("\\", "/"):
            continue
        item.add_marker(pytest.mark.e2e)
        if reason and not E2E_REQUIRED:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    reason = _missing_reason()
    if reason:
        pytest.fail(f"E2E_REQUIRED=1 but {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


def current_totp(secret: str) -> str:
    """The authenticator code an app would show right now for ``secret``; near the
    end of its 30 s window, the next window's (allauth accepts no drift by default,
    and a code typed at 29.9 s reached the server in the next window: a flaky
    journey in CI)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 5:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


# Only the violations come back to Python: axe's full result also lists every node
# that passed, tens of kilobytes a page, and building and sending it took as long as
# the checks themselves.
AXE_RUN = """async (runOnly) => {
  const result = await axe.run(document, {runOnly, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target),
  }));
}"""


@functools.cache
def axe_source() -> str:
    return AXE_PATH.read_text()


def axe_violations(page, run_only: dict) -> list[dict]:
    """axe-core's violations on ``page`` for ``run_only`` (tags or rules):
    id, help and the first five offending elements of each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs through DevTools, so the page's CSP does not block it.
        page.evaluate(axe_source())
    return page.evaluate(AXE_RUN, run_only)


class Journey:
    """A browser page that checks every page it lands on with axe-core and
    collects console errors (CSP violations show up there)."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.checked_urls: list[str] = []
        self.failed_assets: list[str] = []
        page.on("console", self._on_console)
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        # A page answering 403/404 on purpose is logged as "Failed to load resource";
        # broken assets are caught by _on_response instead.
        if message.type == "error" and not message.text.startswith(
            "Failed to load resource"
        ):
            self.console_errors.append(message.text)

    def _on_response(self, response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.failed_assets.append(f"{response.status} {response.url}")

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.check_accessibility()
        return response

    def check_accessibility(self) -> None:
        """Run axe-core on the current page; fail on any WCAG A/AA violation."""
        page = self.page
        page.wait_for_load_state("domcontentloaded")
        violations = axe_violations(page, {"type": "tag", "values": AXE_TAGS})
        self.checked_urls.append(page.url)
        assert not violations, (
            f"axe-core violations on {page.url}:\n{json.dumps(violations, indent=2)}"
        )

    def click_and_check(self, locator) -> None:
        """Click something that navigates, then check the new page."""
        with self.page.expect_navigation():
            locator.click()
        self.check_accessibility()

    def sign_in_with_totp(self, email: str, secret: str) -> None:
        """On the login page: password, then the authenticator code (staff)."""
        from members.factories import DEFAULT_PASSWORD

        self.page.locator("#id_login").fill(email)
        self.page.locator("#id_password").fill(DEFAULT_PASSWORD)
        self.click_and_check(self.page.get_by_role("button", name="Sign In"))
        self.page.locator("#id_code").fill(current_totp(secret))
        self.click_and_check(self.page.get_by_role("button", name="Sign In"))

    def assert_no_console_errors(self) -> None:
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.failed_assets, (
            f"assets that failed to load: {self.failed_assets}"
        )


@pytest.fixture
def journey(browser, live_server):
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(15_000)
    journey = Journey(page, live_server.url)
    yield journey
    context.close()
    journey.assert_no_console_errors()
