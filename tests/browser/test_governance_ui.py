"""After go-live, in a real headless Chromium over the running stack: a clinician reports a wrong summary
sentence and a missed identifier; the model's owner sees the incident, triages it and rolls the summarizer
back; the compliance officer sees the identifier report; each step is in the audit trail."""
import json
import shutil
import subprocess
import sys
import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.test_ui import PASSWORD, SCREENSHOTS, browser  # noqa: F401 - the browser fixture
from tests.stack import REPO

pytestmark = pytest.mark.integration

# The engine leaves the plate fragment "KJX" (checked with `python -m deid redact`): the missed identifier.
NOTE = ("Nursing note. Mr. Bartholomew Quince, MRN 5521937, was seen on 04/11/2023. He drives a red tractor "
        "plate KJX. Vital signs stable, pain controlled with acetaminophen. Plan: ambulate twice daily.")
CANDIDATE = "smollm2-governed"


def person(stack, username, role) -> str:
    token = stack.token(username, role)
    stack.set_own_password(username, PASSWORD)
    return token


def logged_in(browser, stack, username):  # noqa: F811
    page = browser.new_context().new_page()
    page.goto(f"{stack.url}/login")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def select_text(page, selector, word):
    """Select ``word`` inside an element, as a mouse drag would."""
    page.evaluate("""([selector, word]) => {
        const root = document.querySelector(selector);
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.textContent.indexOf(word);
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + word.length);
                const selection = window.getSelection();
                selection.removeAllRanges(); selection.addRange(range);
                return;
            }
        }
        throw new Error("not in the text: " + word);
    }""", [selector, word])


@pytest.fixture
def governed_summarizer(stack):
    """A second summarizer version, owned and validated, promoted over the installed default, so that
    there is a previous version to roll back to. Its folder is removed afterwards."""
    person(stack, "owner-gov", "admin")
    person(stack, "validator-gov", "clinician")
    installed = stack.env["MODEL_ROOT"] + "/smollm2-135m-instruct/1"
    stack.manage("models", "import", installed, "--name", CANDIDATE, "--task", "summarize", "--by", "owner-gov")
    stack.manage("models", "assign", f"{CANDIDATE}@1", "--owner", "owner-gov", "--validator", "validator-gov",
                 "--by", "owner-gov")
    stack.manage("models", "promote", f"{CANDIDATE}@1", "--force", "--reason", "same weights, re-validated",
                 "--by", "owner-gov")
    yield f"{CANDIDATE}@1"
    # The stack outlives this test: never leave it serving from a folder about to go.
    if stack.query("SELECT count(*) FROM nlp_modelversion WHERE name = ? AND status = 'active'", CANDIDATE)[0][0]:
        stack.manage("models", "rollback", "--task", "summarize", "--reason", "test teardown", "--by", "owner-gov")
    shutil.rmtree(f"{stack.env['MODEL_ROOT']}/{CANDIDATE}", ignore_errors=True)


def earlier_days(stack, token, notes):
    """Notes through the API, finished, then dated back one day each, so the monitor has a series to draw."""
    for days_back, note in enumerate(notes, start=1):
        document_id = requests.post(f"{stack.url}/api/v1/documents", json={"text": note}, timeout=30,
                                    headers={"Authorization": f"Token {token}"}).json()["id"]
        stack.wait_for(token, document_id, lambda body: body["status"] == "done")
        stack.query("update documents_document set created_at = datetime(created_at, ?) where id = ?",
                    f"-{days_back} day", uuid.UUID(document_id).hex)


def test_report_triage_rollback_and_compliance_view(stack, browser, governed_summarizer):  # noqa: F811
    token = person(stack, "nurse-gov", "clinician")
    earlier_days(stack, token, [
        "Progress note. Cough improving on amoxicillin, afebrile for two days, lungs clearer. Plan: finish course.",
        "Radiology report. CT abdomen: no free air, appendix normal, small left renal cyst. Impression: benign."])
    person(stack, "officer-gov", "compliance")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The clinician: a note through the pipeline, then two reports, each in two clicks.
    nurse = logged_in(browser, stack, "nurse-gov")
    nurse.click("text=New note")
    nurse.fill("#id_text", NOTE)
    nurse.click("text=Submit for de-identification")
    expect(nurse.locator("#document-status .status")).to_have_text("done", timeout=300_000)
    nurse.reload()  # the report controls are drawn with the finished page
    expect(nurse.locator(".models").first).to_contain_text(governed_summarizer)
    first_sentence = nurse.locator(".report-sentences li").first
    first_sentence.locator("details.report summary").click()
    first_sentence.locator("input[name=comment]").fill("Mr. Quince never had this; see MRN 5521937")
    first_sentence.locator("button[value=wrong-fact]").click()
    expect(nurse.locator(".message.success")).to_contain_text("filed (Wrong fact)")

    expect(nurse.locator("#deidentified-text")).to_contain_text("KJX")
    select_text(nurse, "#deidentified-text", "KJX")
    nurse.select_option("select[name=identifier_type]", "VEHICLE")
    nurse.click("#report-identifier")
    expect(nurse.locator(".message.success")).to_contain_text("filed (Identifier left)")
    nurse.screenshot(path=str(SCREENSHOTS / "governance_document_reported.png"), full_page=True)

    # The owner: the incident, triaged; then the rollback citing it.
    owner = logged_in(browser, stack, "owner-gov")
    owner.goto(f"{stack.url}/quality/incidents?category=wrong-fact")
    row = owner.locator("#incidents tbody tr").first
    expect(row).to_contain_text(governed_summarizer)
    expect(row).to_contain_text("open")
    expect(row).not_to_contain_text("Quince")  # the comment was de-identified before it was stored
    expect(row).not_to_contain_text("5521937")
    incident = row.get_attribute("id").removeprefix("incident-")
    row.locator("button[value=triaged]").click()
    expect(owner.locator(f"#incident-{incident} .status")).to_contain_text("triaged")
    owner.screenshot(path=str(SCREENSHOTS / "governance_incidents_owner.png"), full_page=True)

    # The monitor, as beat runs it, over three days; a day of one document may raise a flag here (the
    # default floor is 10 documents a day): the report on today's single summary is a report rate of 1.
    subprocess.run([sys.executable, "manage.py", "shell", "-c", "from clinical_ai.quality import monitor; "
                    "monitor.run(days=3)"], cwd=REPO, env=stack.env | {"MONITOR_MIN_DOCUMENTS": "1"}, check=True,
                   capture_output=True, timeout=300)
    owner.goto(f"{stack.url}/models/")
    expect(owner.locator(".monitor svg").first).to_be_visible()  # the monitor's charts of the active versions
    # the wrong-fact report flags the summarizer; the identifier-left report flags the PHI tagger as well
    summarizer_monitor = owner.locator(".monitor", has=owner.locator("h3", has_text=governed_summarizer))
    expect(summarizer_monitor.locator(".drift-flag", has_text="report_rate")).to_be_visible()
    expect(owner.locator(".monitor", has=owner.locator("h3", has_text="phi-tagger-spacy"))
           .locator(".drift-flag", has_text="report_rate")).to_be_visible()
    owner.screenshot(path=str(SCREENSHOTS / "governance_models_page_flagged.png"), full_page=True)
    owner.fill("#rollback-reason-summarize", "wrong facts in summaries")
    owner.fill("#rollback-incidents-summarize", incident)
    owner.click("text=Roll back to smollm2-135m-mtsamples-lora@2")  # the default install_models activated
    expect(owner.locator(".message.success")).to_contain_text("smollm2-135m-mtsamples-lora@2 is the active summarize")
    owner.screenshot(path=str(SCREENSHOTS / "governance_models_page.png"), full_page=True)

    # The compliance officer: the identifier report, and the trail of every step.
    officer = logged_in(browser, stack, "officer-gov")
    officer.goto(f"{stack.url}/quality/incidents")
    identifier_rows = officer.locator("#incidents tbody tr")
    expect(identifier_rows).to_have_count(1)
    expect(identifier_rows.first).to_contain_text("Identifier left")
    expect(identifier_rows.first).to_contain_text("VEHICLE")
    expect(identifier_rows.first).to_contain_text("marked for review")
    officer.screenshot(path=str(SCREENSHOTS / "governance_incidents_compliance.png"), full_page=True)

    events = {(action, actor, json.loads(details).get("status" if action == "update" else "category"))
              for action, actor, details in stack.query(
                  "select action, actor_name, details from audit_auditevent where action in "
                  "('ai-report', 'flag', 'update', 'model-rollback', 'model-promote', 'model-assign', 'model-import', "
                  "'monitor-flag')")}
    assert {("ai-report", "nurse-gov", "wrong-fact"), ("ai-report", "nurse-gov", "identifier-left"),
            ("flag", "nurse-gov", None), ("update", "owner-gov", "triaged"), ("model-rollback", "owner-gov", None),
            ("model-promote", "owner-gov", None), ("model-assign", "owner-gov", None),
            ("model-import", "owner-gov", None), ("monitor-flag", "quality-monitor", None)} <= events
    rollback = json.loads(stack.query("select details from audit_auditevent where action = 'model-rollback'")[0][0])
    assert rollback["incidents"] == [int(incident)] and rollback["from"] == governed_summarizer
    assert requests.get(f"{stack.url}/healthz", timeout=10).status_code == 200
