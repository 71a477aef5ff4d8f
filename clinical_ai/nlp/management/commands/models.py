"""``manage.py models list|import|train|evaluate|assign|promote|retire|rollback|check``: the registry from the
command line. Every change is audited by the lifecycle service it calls."""
import argparse
import getpass
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clinical_ai.nlp import datasets, lifecycle, registry
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.training.run import DEFAULT_BASE, DEFAULT_NAME

TRAIN_OPTIONS = ("seed", "validation_fraction", "method", "epochs", "steps", "learning_rate", "max_train",
                 "max_validation")


class Command(BaseCommand):
    help = "List, import, train, evaluate, assign, promote, retire and roll back model versions; check the files."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument("--by", default=getpass.getuser(), help="who is acting (recorded)")
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("--task", choices=ModelVersion.Task.values)
        imported = sub.add_parser("import", help="copy a Hugging Face model folder into the registry")
        imported.add_argument("folder", type=Path)
        imported.add_argument("--name", required=True)
        imported.add_argument("--task", required=True, choices=ModelVersion.Task.values)
        imported.add_argument("--base", default="", help="NAME@VERSION a LoRA adapter applies to, or a hub id")
        train = sub.add_parser("train")
        train.add_argument("--task", required=True, choices=ModelVersion.Task.values)
        train.add_argument("--name")
        train.add_argument("--base", help="registered NAME@VERSION to start from")
        train.add_argument("--seed", type=int, default=13)
        train.add_argument("--validation-fraction", type=float, default=0.2)
        train.add_argument("--method", choices=["head", "full"], help="classify: head on the frozen encoder "
                           "(default) or full fine-tune")
        train.add_argument("--epochs", type=int, help="classify --method full and deid: passes over the data")
        train.add_argument("--steps", type=int, help="summarize: optimizer steps (default 180, of 2 notes each)")
        train.add_argument("--learning-rate", type=float, help="summarize (default 1e-3) and classify --method full "
                           "(default 1e-4): peak AdamW learning rate")
        train.add_argument("--synthetic-notes", type=int, help="deid: synthetic notes trained beside the gold "
                           "notes (default 1500), so the tagger keeps every note style")
        train.add_argument("--max-train", type=int, help="summarize: use at most this many training rows")
        train.add_argument("--max-validation", type=int, help="score at most this many validation rows")
        _data_arguments(train)
        evaluate = sub.add_parser("evaluate")
        evaluate.add_argument("ref", help="NAME@VERSION")
        _data_arguments(evaluate)
        evaluate.add_argument("--part", choices=["check", "all"], default="check",
                              help="deid: score the check part of the gold file's split by patient (the part "
                                   "training never reads), or every note of a file kept apart for testing")
        promote = sub.add_parser("promote")
        promote.add_argument("ref")
        promote.add_argument("--force", action="store_true")
        promote.add_argument("--reason", default="")
        retire = sub.add_parser("retire")
        retire.add_argument("ref")
        assign = sub.add_parser("assign", help="name a version's owner and clinical validator (user names)")
        assign.add_argument("ref")
        assign.add_argument("--owner", required=True)
        assign.add_argument("--validator", required=True)
        rollback = sub.add_parser("rollback", help="re-activate the previously active version of a task")
        rollback.add_argument("--task", required=True, choices=ModelVersion.Task.values)
        rollback.add_argument("--reason", required=True)
        rollback.add_argument("--incident", type=int, action="append", default=[], help="an incident id (repeatable)")
        sub.add_parser("check", help="versions without files, folders without versions, changed weights")
        for subparser in sub.choices.values():
            # Accepted after the subcommand too; SUPPRESS keeps the top-level value when not given there.
            subparser.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
            subparser.add_argument("--by", default=argparse.SUPPRESS)

    def handle(self, *args, action, **options):
        try:
            result = getattr(self, f"do_{action}")(options)
        except (ValueError, FileNotFoundError, ModelVersion.DoesNotExist, lifecycle.PromotionRefused) as error:
            raise CommandError(str(error)) from None
        except get_user_model().DoesNotExist:
            raise CommandError("no such user") from None
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        elif action == "check":
            for row in result:
                self.stdout.write(f"{row['problem']:<20} {row['model'] or '-':<40} {row['path']}")
            self.stdout.write(f"{len(result)} problems")
        elif isinstance(result, list):
            for row in result:
                self.stdout.write(f"{row['model']:<40} {row['task']:<10} {row['status']:<10} "
                                  f"{row['sha256'][:12]} {row['metric']}")
        else:
            self.stdout.write(json.dumps(result, indent=2))
        if action == "check" and result:
            raise CommandError(f"{len(result)} disagreements between the registry and MODEL_ROOT")

    def do_list(self, options) -> list[dict]:
        versions = ModelVersion.objects.order_by("task", "name", "created_at")
        if options["task"]:
            versions = versions.filter(task=options["task"])
        return [_summary(version) for version in versions]

    def do_import(self, options) -> dict:
        version = lifecycle.import_folder(options["folder"], name=options["name"], task=options["task"],
                                          base_model=options["base"], imported_by=options["by"])
        return _summary(version)

    def do_train(self, options) -> dict:
        from clinical_ai.nlp.training import run

        task = options["task"]
        if task == ModelVersion.Task.DEID:
            return self._train_tagger(options)
        base = registry.get(options["base"] or DEFAULT_BASE[task])
        examples = _examples(options)
        version = run.train_version(
            task=task, name=options["name"] or DEFAULT_NAME[task], base=base, examples=examples,
            options={key: options[key] for key in TRAIN_OPTIONS if options[key] is not None},
            trained_by=options["by"], write=self._progress(options))
        return _summary(version) | {"metrics": version.metrics}

    def _train_tagger(self, options) -> dict:
        from clinical_ai.nlp import phi_tagging
        from clinical_ai.nlp.training.phi_tagger import train_tagger_version

        base = registry.get(options["base"]) if options["base"] else phi_tagging.active()
        version = train_tagger_version(name=options["name"] or DEFAULT_NAME[ModelVersion.Task.DEID], base=base,
                                       gold=phi_tagging.read_gold(options["data"], part=None),
                                       options={key: options[key] for key in ("seed", "epochs", "synthetic_notes")},
                                       trained_by=options["by"], write=self._progress(options))
        return _summary(version) | {"metrics": version.metrics}

    def do_evaluate(self, options) -> dict:
        version = registry.get(options["ref"])
        if version.task == ModelVersion.Task.DEID:
            from clinical_ai.nlp import phi_tagging

            examples = phi_tagging.read_gold(options["data"], part=None if options["part"] == "all" else "check")
        else:
            examples = _examples(options)
        return {"model": version.ref, "task": version.task} | lifecycle.evaluate(version, examples,
                                                                                 evaluated_by=options["by"])

    def do_assign(self, options) -> dict:
        users = get_user_model().objects
        version = lifecycle.assign(registry.get(options["ref"]), owner=users.get(username=options["owner"]),
                                   clinical_validator=users.get(username=options["validator"]),
                                   assigned_by=options["by"])
        return _summary(version)

    def do_promote(self, options) -> dict:
        version, warnings = lifecycle.promote(registry.get(options["ref"]), promoted_by=options["by"],
                                              force=options["force"], reason=options["reason"])
        return _summary(version) | {"warnings": warnings}

    def do_rollback(self, options) -> dict:
        return _summary(lifecycle.rollback(options["task"], rolled_back_by=options["by"], reason=options["reason"],
                                           incidents=options["incident"]))

    def do_check(self, options) -> list[dict]:
        return lifecycle.check_files()

    def do_retire(self, options) -> dict:
        return _summary(lifecycle.retire(registry.get(options["ref"]), retired_by=options["by"]))

    def _progress(self, options):
        # With --json, stdout carries the result only: progress goes to stderr.
        stream = self.stderr if options["json"] else self.stdout
        return lambda line: stream.write(line)


def _data_arguments(parser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="CSV file with a header row; deid: annotated "
                        "notes in deid's JSONL format (text and PHI spans) or presidio-research's JSON")
    parser.add_argument("--text-column", help="classify: the note text")
    parser.add_argument("--label-column", help="classify: the label")
    parser.add_argument("--source-column", help="summarize: the note text")
    parser.add_argument("--target-column", help="summarize: the reference summary")
    parser.add_argument("--exclude-labels", default="", help="classify: comma-separated labels to drop")
    parser.add_argument("--min-per-class", type=int, default=0, help="classify: drop rarer labels")


def _examples(options) -> list[datasets.Example]:
    text = options["text_column"] or options["source_column"]
    target = options["label_column"] or options["target_column"]
    if not text or not target:
        raise ValueError("name the columns: --text-column/--label-column or --source-column/--target-column")
    excluded = [label for label in options["exclude_labels"].split(",") if label.strip()]
    return datasets.read_examples(options["data"], text, target, excluded, options["min_per_class"])


def _summary(version: ModelVersion) -> dict:
    return {"model": version.ref, "task": version.task, "status": version.status, "base_model": version.base_model,
            "sha256": version.sha256, "metric": lifecycle.gate_metric(version), "training_data": version.training_data,
            "trained_by": version.trained_by, "promoted_by": version.promoted_by,
            "owner": version.owner.get_username() if version.owner else None,
            "clinical_validator": version.clinical_validator.get_username() if version.clinical_validator else None}
