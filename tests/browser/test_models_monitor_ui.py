"""The models page as a model owner meets it after a fortnight: the PHI tagger's identifier charts with a
flagged day, the classifier's calibration measured on labelled notes, and the defaults nobody owns yet."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinical_ai.nlp.models import ModelVersion
from clinical_ai.quality.models import DailyStatistics
from tests.browser.test_roles_ui import log_in, person


def version(name, task):
    return ModelVersion.objects.create(name=name, version="1", task=task, path=f"{name}/1", sha256="0" * 64,
                                       status=ModelVersion.Status.ACTIVE)


@pytest.fixture
def fortnight(server):
    """Seeded before the browser starts: Django refuses database calls while Playwright's loop runs."""
    person("owner-monitor", "admin")
    tagger, classifier = version("phi-tagger-spacy", "deid"), version("note-type-minilm-head", "classify")
    today = timezone.localdate()
    for back in range(14, -1, -1):
        names = 6.0 if back else 1.5  # today the tagger finds a quarter of the names it used to
        DailyStatistics.objects.create(
            model_version=tagger, day=today - timedelta(days=back), documents=40,
            flags=["identifier_density_shift", "identifier_mix_psi"] if not back else [],
            figures={"identifiers_per_1000_chars": names + 3.0, "report_rate": 0.0 if back else 0.05,
                     "identifiers_per_1000_chars_by_type": {"NAME": names, "DATE": 3.0},
                     "identifier_density_shift": 0.02 if back else -0.67, "identifier_mix_psi": 0.01 if back else 0.4})
        DailyStatistics.objects.create(
            model_version=classifier, day=today - timedelta(days=back), documents=40, flags=[],
            figures={"calibration_ece": 0.04 + back / 1000, "calibration_labelled": 25, "label_psi": 0.05,
                     "calibration_source": "labels"})
    return tagger, classifier


def test_the_owner_sees_the_taggers_identifier_charts_and_the_classifiers_calibration(server, fortnight, page, shot):
    tagger, classifier = fortnight
    log_in(page, server.url, "owner-monitor", "/models/")

    expect(page.locator("#unowned-models")).to_contain_text("phi-tagger-spacy@1")
    tagger_monitor = page.locator(f"#monitor-{tagger.pk}")
    expect(tagger_monitor.locator(".drift-flag")).to_contain_text("identifier_density_shift")
    expect(tagger_monitor).to_contain_text("Identifiers per 1,000 characters")
    expect(tagger_monitor).to_contain_text("NAME per 1,000 characters")
    expect(page.locator(f"#monitor-{classifier.pk}")).to_contain_text("Calibration error (ECE, labelled notes)")
    shot("models-page-monitor")
