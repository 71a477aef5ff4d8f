"""A clinician in a real headless Chromium: log in, paste a note, watch it finish, read the result."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

pytestmark = pytest.mark.integration

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
PASSWORD = "correct-horse-battery-staple"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "test" / "screenshots"
NOTE = ("Nursing note. Mr. Bartholomew Quince, MRN 5521937, was seen on 04/11/2023. "
        "Vital signs stable, pain controlled with acetaminophen. Plan: ambulate twice daily.")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_clinician_uploads_a_note_and_sees_it_deidentified(stack, browser):
    stack.token("nurse-ui", "clinician")
    stack.set_own_password("nurse-ui", PASSWORD)
    page = browser.new_page()

    page.goto(f"{stack.url}/login")
    page.fill("#id_username", "nurse-ui")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Documents")
    expect(page.locator("header")).to_have_css("border-bottom-style", "solid")  # the stylesheet loaded

    page.click("text=New note")
    page.fill("#id_text", NOTE)
    page.click("text=Submit for de-identification")

    expect(page.locator("#document-status .status")).to_have_text("done", timeout=240_000)
    text = page.locator("#deidentified-text")
    expect(text).to_contain_text("acetaminophen")
    expect(text).not_to_contain_text("Quince")
    expect(text).not_to_contain_text("5521937")
    expect(page.locator("#deidentified-text mark.phi").first).to_be_visible()
    expect(page.locator("#summary")).not_to_be_empty()
    page.locator(".summary-sentence:not(.unsupported)").first.click()  # its evidence is highlighted in the note
    expect(text).to_have_attribute("data-evidence", re.compile(r"^\d+-\d+"))
    expect(page.locator("#classification")).to_contain_text("score")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "document.png"), full_page=True)  # kept for a person to look at

    page.click("text=Documents")
    expect(page.locator("#document-rows tr").first).to_contain_text("done")
