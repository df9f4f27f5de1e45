"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Skipped with a reason where Chromium or Playwright is missing, unless
`JALIN_E2E_REQUIRED=1` (CI), where a missing browser is a failure instead.
Every step can save a full-page screenshot under `test-artifacts/e2e/`, and each such
page is checked by axe-core (WCAG 2.1 A and AA rules): a violation fails the test.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}


def _unavailable(reason: str):
    if os.environ.get("JALIN_E2E_REQUIRED") == "1":
        pytest.fail(f"{reason} (JALIN_E2E_REQUIRED=1)")
    pytest.skip(reason)


@pytest.fixture
def chromium(live_server, monkeypatch):
    """A fresh browser per test: Playwright's sync API keeps an event loop running
    in this thread while it lives, so it must not outlive the test (nor start
    before the test databases exist)."""
    # The ORM calls of the test itself are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package or set CHROMIUM_PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Database connections opened while the loop ran live in its context, out of
        # reach of the test database teardown: close them here, in the same context.
        connections.close_all()


@pytest.fixture
def page_at(live_server, chromium, request):
    """Opens a browser page of the given viewport; returns (page, shot) where
    `shot(name)` saves the next numbered screenshot of this test."""
    contexts = []

    def open_page(viewport: str, *, javascript: bool = True):
        context = chromium.new_context(
            viewport=VIEWPORTS[viewport],
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            base_url=live_server.url,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        steps = iter(range(1, 100))

        def shot(name: str) -> Path:
            path = folder / f"{next(steps):02d}-{name}.png"
            page.screenshot(path=str(path), full_page=True)
            if javascript:  # axe runs in the page; a page without JavaScript was checked with it
                assert_accessible(page, name)
            return path

        return page, shot

    yield open_page
    for context in contexts:
        context.close()


def accessibility_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now: rule, impact and the first elements."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}" for v in found]


def assert_accessible(page, step: str) -> None:
    violations = accessibility_violations(page)
    assert not violations, f"axe at step {step!r} ({page.url}):\n" + "\n".join(violations)
