"""Browser tests: the system Chromium driven by Playwright against Django's
live server. Playwright cannot download browsers here, so we always launch
the Debian/Ubuntu `chromium` package. Without it these tests skip (or fail,
when VAXFLEET_REQUIRE_BROWSER=1, as in CI)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("VAXFLEET_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`"
        if os.environ.get("VAXFLEET_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the tests make between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections

    # Playwright runs its loop in a greenlet with its own context, and Django
    # keeps one connection object per context: the test code gets a fresh one
    # once Playwright runs. Hand it the snapshot of the migrated database that
    # serialized_rollback restores after each flush, or a test that runs after
    # another transactional test would find the role groups gone.
    with django_db_blocker.unblock():
        snapshots = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        for alias, snapshot in snapshots.items():
            if snapshot is not None:
                connections[alias]._test_serialized_contents = snapshot
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.console_errors = []
    tab.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    context.close()
    # Every page must work under the Content-Security-Policy: a violation in
    # any browser test fails it, whatever the test itself checked.
    violations = [text for text in tab.console_errors if "Content Security Policy" in text]
    assert not violations, f"CSP violations: {violations}"


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves a full-page PNG under test-artifacts/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name):
        tab.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take
