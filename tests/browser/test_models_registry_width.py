"""The models page's registry table fits a 1280 px window: long model names, base models, metric sets (with a
data fingerprint's 64 hex digits) and the promotion form wrap inside it, so Promote and Retire stay in view."""
import pytest
from playwright.sync_api import expect

from clinical_ai.nlp.models import ModelVersion
from tests.browser.test_roles_ui import log_in, person

CHECK = {"n": 214, "accuracy": 0.79, "macro_f1": 0.628, "macro_precision": 0.661, "macro_recall": 0.618, "ece": 0.05}


@pytest.fixture
def registry(server):
    person("owner-width", "admin")
    ModelVersion.objects.create(
        name="note-type-minilm-head", version="1", task="classify", path="note-type-minilm-head/1", sha256="a" * 64,
        base_model="sentence-transformers/all-MiniLM-L6-v2", status=ModelVersion.Status.ACTIVE,
        metrics={"mtsamples_note_types_check": CHECK, "tfidf_logreg_baseline": CHECK,
                 "synthea_loinc_hidden": CHECK | {"data": {"sha256": "0123456789abcdef" * 4, "rows": 177}}})
    ModelVersion.objects.create(
        name="classifier-minilm-ft-mts-dialog-section-headers", version="3", task="classify",
        path="classifier-minilm-ft-mts-dialog-section-headers/3", sha256="b" * 64,
        base_model="note-type-minilm-head@1", status=ModelVersion.Status.CANDIDATE,
        metrics={"validation": CHECK, "tfidf_logreg_baseline": CHECK,
                 "macro_f1_difference_vs_tfidf": {"difference": 0.089, "low": 0.029, "high": 0.145, "resamples": 2000}})


def test_every_column_of_the_registry_is_within_a_1280_px_window(server, registry, page, shot):
    log_in(page, server.url, "owner-width", "/models/")
    retire = page.get_by_role("button", name="Retire")
    expect(retire).to_be_visible()
    shot("models-registry-1280")

    width = page.evaluate("window.innerWidth")
    assert width == 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling of the page
    for button in (retire, page.get_by_role("button", name="Promote")):
        box = button.bounding_box()
        assert box["x"] + box["width"] <= width
