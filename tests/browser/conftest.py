"""Browser tests: the system Chromium driven by Playwright against Django's
live server. Playwright cannot download browsers here, so we always launch
the Debian/Ubuntu `chromium` package. Without it these tests skip (or fail,
when VAXFLEET_REQUIRE_BROWSER=1, as in CI)."""

import contextlib
import json
import os
import shutil
from datetime import time, timedelta
from pathlib import Path

import pytest

from places.demo import seed_places
from tests.browser.helpers import wait_until
from vaccination.demo import SITE_DETAILS, VACCINE_TEXTS
from vaccination.models import Site, Slot, Vaccine

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
NARROW = {"width": 360, "height": 740}

# axe-core, vendored for the tests only (never served): WCAG 2.2 AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
# Runs in every document the tests load, once it has loaded, and reports to
# Python through a binding. An init script is injected by the browser itself,
# so the page's Content-Security-Policy does not apply to it.
AXE_OPTIONS = json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
AXE_RUNNER = (
    """
(() => {
  if (window.top !== window || location.protocol !== "http:") return;
  window.__vaxfleetAxeDone = false;
  const check = () => axe.run(document, OPTIONS)
    .then((results) => window.__vaxfleetAxe(location.href, results.violations.map((v) => ({
      id: v.id, help: v.help, targets: v.nodes.map((node) => node.target.join(" ")),
    }))))
    .finally(() => { window.__vaxfleetAxeDone = true; });
  if (document.readyState === "complete") check();
  else window.addEventListener("load", check, {once: true});
})();
"""
).replace("OPTIONS", AXE_OPTIONS)
AXE_NOW = f"axe.run(document, {AXE_OPTIONS})"


# Buttons, fields, menu and pagination links smaller than a 44px tap target.
SMALL_TAP_TARGETS = """() => [...document.querySelectorAll(
    '.btn, .btn-close, .nav-link, .navbar-toggler, .dropdown-item, .form-control, .form-select,'
    + ' .list-group-item-action, .page-link, a.day')]
  .filter((el) => el.checkVisibility())
  .map((el) => ({what: el.outerHTML.slice(0, 100), box: el.getBoundingClientRect()}))
  .filter(({box}) => box.width < 44 || box.height < 44)
  .map(({what, box}) => `${what} (${Math.round(box.width)}x${Math.round(box.height)})`)"""


def describe(violations):
    return "\n".join(f"  {v['id']}: {v['help']} -> {', '.join(v['targets'])}" for v in violations)


# Not WCAG success criteria in axe's tags, but what the issue asks of every
# page too: headings in order starting from one h1, all content in
# landmarks, a working skip link.
STRUCTURE_RULES = ["heading-order", "page-has-heading-one", "landmark-one-main", "region", "skip-link"]
AXE_STRUCTURE = f"axe.run(document, {json.dumps({'runOnly': {'type': 'rule', 'values': STRUCTURE_RULES}})})"


def axe_violations(page, *, structure=False):
    """Run axe on the page as it is now (e.g. after a script changed it);
    with structure=True, also STRUCTURE_RULES."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)  # evaluated by the browser, so the page's CSP does not apply
    results = page.evaluate(AXE_NOW)
    if structure:
        results["violations"] += page.evaluate(AXE_STRUCTURE)["violations"]
    return [
        {"id": v["id"], "help": v["help"], "targets": [" ".join(node["target"]) for node in v["nodes"]]}
        for v in results["violations"]
    ]


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, f"accessibility violations on {page.url}:\n{describe(violations)}"


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


def watch_accessibility(context):
    """Check every document loaded in `context` with axe; returns the report,
    a list of (url, violations) filled as pages load."""
    report = []
    context.expose_binding("__vaxfleetAxe", lambda source, url, violations: report.append((url, violations)))
    context.add_init_script(script=AXE_SOURCE)
    context.add_init_script(script=AXE_RUNNER)
    return report


def settle_accessibility(tab):
    """Let the check of the page now shown finish."""
    from playwright.sync_api import Error

    # A page that is closed or never finished loading has nothing left to check.
    with contextlib.suppress(Error, AssertionError):
        wait_until(tab, "window.__vaxfleetAxeDone === true")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    axe_report = watch_accessibility(context)
    tab = context.new_page()
    tab.loaded_urls = []
    tab.on("load", lambda loaded: tab.loaded_urls.append(loaded.url))
    tab.set_default_timeout(10_000)
    tab.console_errors = []
    tab.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    settle_accessibility(tab)
    context.close()
    # Every page must work under the Content-Security-Policy: a violation in
    # any browser test fails it, whatever the test itself checked.
    violations = [text for text in tab.console_errors if "Content Security Policy" in text]
    assert not violations, f"CSP violations: {violations}"
    # And every page it loaded must pass axe at WCAG 2.2 AA. A page the test
    # leaves before axe has finished is not checked; VAXFLEET_AXE_COVERAGE=1
    # prints the loads that were (all of them, in every journey so far).
    if os.environ.get("VAXFLEET_AXE_COVERAGE"):
        checked = {url for url, _ in axe_report}
        print(
            f"\naxe checked {len(axe_report)} of {len(tab.loaded_urls)} page loads; unchecked:",
            sorted(set(tab.loaded_urls) - checked),
        )
    failing = [(url, found) for url, found in axe_report if found]
    assert not failing, "accessibility violations:\n" + "\n".join(f"{url}\n{describe(found)}" for url, found in failing)


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves a full-page PNG under test-artifacts/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name):
        tab.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take


@pytest.fixture
def demo_clinics():
    """The demo's clinics, vaccines (with their texts) and made-up towns, for
    issue 22's journeys: a person finds the nearest and books there."""
    seed_places()
    vaccines = [
        Vaccine.objects.create(name=name, doses_required=doses, **VACCINE_TEXTS[name])
        for name, doses in (("Comirnaty (COVID-19)", 2), ("Influenza 2026/27", 1))
    ]
    for name, address, mobile in [
        ("Central Health Centre", "12 Hospital Road\nRiverside", False),
        ("Northside Community Hall", "3 Market Square\nNorthside", False),
        ("Lakeside Mobile Clinic", "Car park of the Lakeside shopping centre\nLakeside", True),
    ]:
        lat, lon, step_free, parking, notes, notes_es = SITE_DETAILS[name]
        site = Site.objects.create(
            name=name,
            address=address,
            is_mobile=mobile,
            time_zone="Europe/Madrid",
            latitude=lat,
            longitude=lon,
            step_free_access=step_free,
            parking=parking,
            access_notes=notes,
            access_notes_es=notes_es,
        )
        for vaccine in vaccines:
            Slot.objects.generate(
                site=site,
                vaccine=vaccine,
                first_day=site.today() + timedelta(days=1),
                last_day=site.today() + timedelta(days=5),
                opens=time(9),
                closes=time(12),
                minutes=30,
                capacity=3,
            )
