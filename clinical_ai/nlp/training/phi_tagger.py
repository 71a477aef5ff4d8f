"""Training a deid version: the PHI tagger trained on from a base version (or from scratch) on a hospital's
annotated notes, registered as a candidate with its card, and scored beside the active version for the gate.

The gold file's tune part trains (its PHI swapped for surrogates first, so no patient's value reaches the
weights or their vocabulary); its check part, split by patient with deid's fixed seed, scores the candidate,
the active version and the rules alone on the same notes. The card names no file: a file name is PHI too.
"""
import json

from clinical_ai.nlp import cards, lifecycle, phi_tagging
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.weights import weights_sha256

SETTINGS = {"seed": 13, "epochs": 3, "synthetic_notes": 1500}
HOSPITAL_CORPUS = {"name": "the institution's own annotated notes", "licence": "the institution's own",
                   "part": "tune split only"}


def train_tagger_version(*, name: str, base: ModelVersion | None, gold: list[dict], options: dict, trained_by: str,
                         write=print) -> ModelVersion:
    from deid.evaluate import select
    from deid.tagger.train import train

    tune, check = select(gold, "tune"), select(gold, phi_tagging.SCORED_PART)
    if not tune or not check:
        raise ValueError("the gold notes must hold more than one patient: one part trains, the other scores")
    hyperparameters = SETTINGS | {key: options[key] for key in SETTINGS if options.get(key) is not None}
    version = lifecycle.next_version(name)
    write(f"deid: {len(tune)} training notes, {len(check)} scoring notes, base {base.ref if base else 'none'}, "
          f"new version {name}@{version}")
    staged = lifecycle.staging_folder(name)
    card = train(staged, [HOSPITAL_CORPUS | {"records": tune}], seed=hyperparameters["seed"],
                 synthetic_notes=hyperparameters["synthetic_notes"], epochs=hyperparameters["epochs"],
                 base=base.folder if base else None, progress=False)
    scores = {"validation": phi_tagging.score(staged, check), "rules_only": phi_tagging.score(None, check)}
    card["metrics"] |= scores
    (staged / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
    data, check_set = phi_tagging.fingerprint(gold), phi_tagging.fingerprint(check)
    markdown = cards.training_card(ref=f"{name}@{version}", task=ModelVersion.Task.DEID,
                                   base=base.ref if base else "none (trained from scratch)", data=data,
                                   split={"train": len(tune), "validation": len(check)},
                                   result={"metrics": scores, "hyperparameters": hyperparameters}, trained_by=trained_by)
    weight_hash = weights_sha256(staged)
    candidate = lifecycle.register(
        staged=staged, name=name, task=ModelVersion.Task.DEID, action="model-train", version=version,
        base_model=base.ref if base else "", trained_by=trained_by, training_data=data,
        hyperparameters=hyperparameters | {"validation_set": check_set["sha256"]},
        metrics_=scores, model_card=markdown + "\n" + phi_tagging.card_markdown(card, weight_hash), sha256=weight_hash,
        audit_details={"metrics": {key: scores["validation"][key] for key in ("recall", "precision", "n")}})
    lifecycle.record_evaluation(candidate, check_set, scores["validation"], phi_tagging.profile(check))
    active = phi_tagging.active()
    if active is not None:
        lifecycle.evaluate(active, check, evaluated_by=trained_by)
    return candidate

