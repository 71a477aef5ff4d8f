"""The compliance officer's UI in real headless Chromium, against the live server."""
import csv
import io

import pytest
from django.db import connection
from playwright.sync_api import sync_playwright

from clinical_ai.audit import triggers
from clinical_ai.audit.services import record
from tests.audit.conftest import patient_key

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture
def trail_server(live_server):
    yield live_server
    # pytest-django empties every table after a live-server test; the audit app's post_migrate
    # handler puts the append-only triggers back once it has.
    triggers.remove(connection)


@pytest.fixture
def seeded_trail(trail_server):
    for n in range(3):
        record(action="read", object_type="document", object_id=f"doc-{n}", patient_key=patient_key(n))
    record(action="break-glass", object_type="document", patient_key=patient_key(1), purpose="BTG")


@pytest.fixture
def page():
    """A Chromium page. Requested after the database fixtures: Django refuses database calls
    while Playwright's event loop runs."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True)
        yield context.new_page()
        browser.close()


def test_an_officer_logs_in_filters_the_trail_verifies_the_chain_and_exports(trail_server, officer,
                                                                           seeded_trail, page):
    csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and csp_violations.append(message))

    page.goto(f"{trail_server.url}/login")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_url(f"{trail_server.url}/audit/")

    page.fill("#id_patient", patient_key(1))
    page.click("#trail-filters button[type=submit]")
    page.wait_for_url(f"**patient={patient_key(1)}**")
    # The officer's own searches for this patient are recorded against the patient too.
    actions = page.locator("tr.event td:nth-child(4)").all_inner_texts()
    assert sorted(a for a in actions if a not in ("query", "export")) == ["break-glass", "read"]

    page.click("#verify-now")
    page.wait_for_selector("#chain-status .status-done")
    assert "verified" in page.inner_text("#chain-status")

    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert sorted(row["action"] for row in rows if row["patient_key"] == patient_key(1)
                  and row["action"] not in ("query", "export")) == ["break-glass", "read"]

    page.click("text=Flags")
    assert "break-glass" in page.inner_text("#flags")
    assert csp_violations == []
