"""Each role's screens in headless Chromium against Django's live server (no workers needed: the
documents are seeded). Every test's screenshots go to var/test/screenshots/<test>/; on a failure
the page at that moment is saved there too and its path printed with the failure."""
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import sync_playwright

from clinical_ai.audit import triggers

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "test" / "screenshots"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    page = getattr(item, "browser_page", None)
    if report.when == "call" and report.failed and page is not None:
        path = SCREENSHOTS / item.name / "failure.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        report.sections.append(("screenshot", f"the page at the failure: {path}"))
    return report


@pytest.fixture
def server(live_server):
    yield live_server
    # pytest-django empties every table after a live-server test; the audit app's post_migrate
    # handler puts the append-only triggers back once it has.
    triggers.remove(connection)


@pytest.fixture
def page(request):
    """A Chromium page. Requested after the database fixtures: Django refuses database calls
    while Playwright's event loop runs."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        opened = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}).new_page()
        request.node.browser_page = opened
        yield opened
        browser.close()


@pytest.fixture
def shot(request, page):
    """``shot("name")``: a full-page screenshot of this test's page, for a person to look at."""
    folder = SCREENSHOTS / request.node.name

    def take(name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
