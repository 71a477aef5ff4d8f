"""The registry's deid task: the shipped tagger installed and active, de-identification naming the version
it ran, `models train --task deid` on a hospital's gold notes (no value of them kept), `models evaluate`,
and the promotion gate on recall."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents import intake, services
from clinical_ai.nlp import defaults, phi_tagging, registry
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.weights import weights_sha256

pytestmark = pytest.mark.django_db
SURNAMES = ["Qarvex", "Zelunko", "Tromvald", "Ibsquith", "Varnelle", "Oskentry"]


def models(*args) -> dict:
    out = StringIO()
    call_command("models", "--json", *map(str, args), stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.fixture
def gold_file(tmp_path):
    """Annotated notes of 40 patients in deid's JSONL format, each naming a made-up clinician and a date."""
    lines = []
    for i in range(40):
        surname = SURNAMES[i % len(SURNAMES)]
        text = f"Seen by Dr. {surname} on {i % 12 + 1}/{i % 28 + 1}/2021. BP 120/80."
        start = text.index(surname)
        date = text.index(f"{i % 12 + 1}/")
        lines.append({"id": f"n{i}", "patient_id": f"p{i}", "text": text,
                      "phi": [{"start": start, "end": start + len(surname), "type": "HCPName"},
                              {"start": date, "end": text.index(". BP"), "type": "Date"}]})
    path = tmp_path / "ward7_annotations.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def test_the_shipped_tagger_is_installed_active_with_its_card_and_corpora(default_models):
    tagger = default_models[ModelVersion.Task.DEID]
    assert tagger.ref == "phi-tagger-spacy@3" and tagger.status == ModelVersion.Status.ACTIVE
    assert registry.kind_of(tagger.folder) == "phi-tagger"
    assert tagger.sha256 == weights_sha256(tagger.folder) == weights_sha256(defaults.SHIPPED_TAGGER)
    assert f"Registry weight hash (the weight file `model/ner/model`, what `models check` verifies) `{tagger.sha256}`" \
        in tagger.model_card
    for corpus, licence in [("PhysioNet", "GPL-2.0"), ("presidio-research", "MIT"), ("synthetic", "MIT")]:
        assert any(corpus in line and licence in line for line in tagger.model_card.splitlines())
    assert phi_tagging.active() == tagger


def test_a_document_names_the_tagger_that_ran_beside_the_rules(default_models):
    document = intake.submit(text="Seen by Dr. Oskentry on 3/4/2021.", source="api").document
    services.deidentify_step(document.pk)
    document.refresh_from_db()
    assert document.deid_tagger == default_models[ModelVersion.Task.DEID]
    assert "Oskentry" not in document.deidentified_text and "3/4/2021" not in document.deidentified_text
    event = AuditEvent.objects.get(action="de-identify", object_id=str(document.pk))
    assert event.details["deid_tagger"] == "phi-tagger-spacy@3"


def test_with_no_deid_version_active_the_rules_run_alone(model_root, db):
    engine, version = phi_tagging.engine()
    assert version is None and engine.tagger is None
    assert "Oskentry" not in phi_tagging.deidentify("Dr. Oskentry called.").text


def test_train_deid_fine_tunes_the_active_tagger_on_the_tune_part_and_keeps_no_gold_value(default_models, gold_file):
    trained = models("train", "--task", "deid", "--data", gold_file, "--epochs", "1", "--synthetic-notes", "20")
    assert trained["model"] == "phi-tagger-ft@1" and trained["status"] == "candidate"
    assert trained["base_model"] == "phi-tagger-spacy@3"
    validation = trained["metrics"]["validation"]
    assert 0 <= validation["recall"] <= 1 and validation["n"] < 40 and "rules_only" in trained["metrics"]
    version = ModelVersion.objects.get(name="phi-tagger-ft", version="1")
    active = default_models[ModelVersion.Task.DEID]
    active.refresh_from_db()
    assert f"what `models check` verifies) `{version.sha256}`" in version.model_card
    assert version.sha256 == weights_sha256(version.folder)  # hashed once, before the move, and still the folder's
    shared = version.hyperparameters["validation_set"]
    assert shared in version.evaluations and shared in active.evaluations  # both scored for the gate
    saved = b"".join(p.read_bytes() for p in version.folder.rglob("*") if p.is_file())
    recorded = json.dumps([version.model_card, version.metrics, version.training_data, version.hyperparameters])
    for value in [*SURNAMES, "ward7"]:
        assert value.encode() not in saved and value not in recorded
    assert AuditEvent.objects.filter(action="model-train", object_id="phi-tagger-ft@1").exists()


def test_evaluate_scores_a_deid_version_on_the_check_part_or_the_whole_file(default_models, gold_file):
    check = models("evaluate", "phi-tagger-spacy@3", "--data", gold_file)
    whole = models("evaluate", "phi-tagger-spacy@3", "--data", gold_file, "--part", "all")
    assert check["n"] < whole["n"] == 40
    assert {"recall", "precision", "f2", "per_type"} <= set(check)
    assert AuditEvent.objects.filter(action="model-evaluate", object_id="phi-tagger-spacy@3").count() == 2


def test_promotion_of_a_tagger_is_gated_on_recall_against_the_active_one(default_models, gold_file, django_user_model):
    models("train", "--task", "deid", "--data", gold_file, "--epochs", "1", "--synthetic-notes", "20")
    owner = django_user_model.objects.create_user("owner")
    django_user_model.objects.create_user("validator")
    models("assign", "phi-tagger-ft@1", "--owner", owner.username, "--validator", "validator")
    candidate = ModelVersion.objects.get(name="phi-tagger-ft", version="1")
    shared = candidate.hyperparameters["validation_set"]
    active = default_models[ModelVersion.Task.DEID]
    active.refresh_from_db()
    lower = active.evaluations[shared]["metrics"]["recall"] - 0.01
    candidate.evaluations[shared]["metrics"]["recall"] = lower
    candidate.save(update_fields=["evaluations"])
    with pytest.raises(CommandError, match="recall"):
        models("promote", "phi-tagger-ft@1")
    candidate.evaluations[shared]["metrics"]["recall"] = lower + 0.02
    candidate.save(update_fields=["evaluations"])
    assert models("promote", "phi-tagger-ft@1")["status"] == "active"
    assert phi_tagging.engine()[1].ref == "phi-tagger-ft@1"
