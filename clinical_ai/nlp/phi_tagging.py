"""The registry's deid task: the learned PHI tagger that de-identification runs beside its rules.

Every de-identification in a process (notes, titles, free-text reasons, training data) goes
through ``engine()``, which runs the active deid version's tagger, so a promotion or rollback
takes effect on the next document without a restart; with no deid version active, the rules run
alone. Gold files are deid's JSONL (or presidio-research's JSON), split by patient with deid's
fixed seed: the tune part trains a tagger, the check part scores every version the gate compares.
deid and its engine load on first use, so the web process reads the registry without them.
"""
import functools
import json

from clinical_ai.nlp.models import ModelVersion

SCORED_PART = "check"


def active() -> ModelVersion | None:
    return ModelVersion.objects.filter(task=ModelVersion.Task.DEID, status=ModelVersion.Status.ACTIVE).first()


def engine():
    """This process's de-identification engine and the deid version it runs (None: rules only)."""
    version = active()
    shared = _engine()
    shared.use_tagger(version.folder if version else None)
    return shared, version


@functools.cache
def _engine():
    # The app's own engine, not deid's default one, so the tagger it switches never reaches other users of deid.
    from deid.engine import DeidEngine

    return DeidEngine()


def deidentify(text: str, patient=None):
    """deid.deidentify with the active tagger: the one way Django code de-identifies text."""
    shared, _ = engine()
    return shared.deidentify(text, patient)


def read_gold(path, part: str | None = SCORED_PART) -> list[dict]:
    """The records of one part of a gold file's fixed split by patient (None: all of them)."""
    from deid.evaluate import read_gold as read
    from deid.evaluate import select

    records = select(read(str(path)), part)
    if not records:
        raise ValueError(f"no gold notes in the {part or 'whole'} part of the file")
    return records


def score(folder, records: list[dict]) -> dict:
    """Recall (the gate metric), precision and F2 of the rules plus the tagger in folder (None: rules alone),
    with 95% bootstrap intervals over notes and recall per gold type."""
    from deid.evaluate import evaluate

    shared = _engine()
    running = shared.tagger
    shared.use_tagger(folder)
    try:
        summary = evaluate(shared, records).summary()
    finally:
        shared.tagger = running
    return {"recall": summary["recall"], "recall_ci95": summary["recall_ci95"], "precision": summary["precision"],
            "precision_ci95": summary["precision_ci95"], "f2": summary["f2"], "n": summary["notes"],
            "per_type": {name: tally["recall"] for name, tally in summary["per_type"].items()}}


def fingerprint(records: list[dict]) -> dict:
    """SHA-256 over the notes and their marked spans, and their count: the registry keeps no gold text."""
    from deid.tagger.train import fingerprint as digest

    return {"sha256": digest(records), "rows": len(records)}


def profile(records: list[dict]) -> dict:
    """Note lengths and PHI spans per note, what the drift monitor can compare production with."""
    from clinical_ai.nlp import datasets  # with scikit-learn, which the de-identification worker does not need

    return datasets.length_profile([record["text"] for record in records]) | {
        "phi_per_note": round(sum(len(record["phi"]) for record in records) / len(records), 2)}


def card_markdown(card: dict, registry_sha256: str) -> str:
    """A tagger's card.json as the model card a reviewer reads: every corpus with its licence, and both hashes
    under their own names (card.json's covers every pipeline file; the registry's, the weight files only)."""
    lines = [f"# PHI tagger (deid task), trained {card.get('training_seconds', '?')} s", "",
             f"{card['architecture']}; labels {', '.join(card['labels'])}; seed {card['seed']}, "
             f"{card['epochs']} epochs.", "", "## Corpora", "", "| corpus | licence | notes | part |",
             "| --- | --- | --- | --- |"]
    lines += [f"| {c['name']} | {c['licence']} | {c['notes']} | {c.get('part', 'all')} |" for c in card["corpora"]]
    lines += ["", f"Gold PHI is replaced by surrogates before training. Training data fingerprint "
                  f"`{card['data_fingerprint']}`. Registry weight hash (the weight file `model/ner/model`, "
                  f"what `models check` verifies) `{registry_sha256}`; hash of every pipeline file (`model/`, "
                  f"config and vocabulary included; card.json's `weight_hash`) `{card['weight_hash']}`.", ""]
    if card.get("static_vectors"):
        lines += [f"Word vectors: {card['static_vectors']['source']}, SHA-256 `{card['static_vectors']['sha256']}` "
                  "(the tagger refuses other vectors).", ""]
    lines += ["## Metrics", "", f"```json\n{json.dumps(card.get('metrics', {}), indent=2)}\n```", ""]
    return "\n".join(lines)
