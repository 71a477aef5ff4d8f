"""``manage.py models list|import|train|evaluate|promote|retire``: the registry from the command line."""
import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinical_ai.nlp import datasets, lifecycle, registry
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.training.run import DEFAULT_BASE, DEFAULT_NAME

TRAIN_OPTIONS = ("seed", "validation_fraction", "method", "epochs", "steps", "learning_rate", "max_train",
                 "max_validation")


class Command(BaseCommand):
    help = "List, import, train, evaluate, promote and retire model versions."

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
        train.add_argument("--epochs", type=int, help="classify --method full: passes over the data")
        train.add_argument("--steps", type=int, help="summarize: optimizer steps (default 60, of 2 notes each)")
        train.add_argument("--learning-rate", type=float, help="summarize (default 1e-3) and classify --method full "
                           "(default 1e-4): peak AdamW learning rate")
        train.add_argument("--max-train", type=int, help="summarize: use at most this many training rows")
        train.add_argument("--max-validation", type=int, help="score at most this many validation rows")
        _data_arguments(train)
        evaluate = sub.add_parser("evaluate")
        evaluate.add_argument("ref", help="NAME@VERSION")
        _data_arguments(evaluate)
        promote = sub.add_parser("promote")
        promote.add_argument("ref")
        promote.add_argument("--force", action="store_true")
        promote.add_argument("--reason", default="")
        retire = sub.add_parser("retire")
        retire.add_argument("ref")

    def handle(self, *args, action, **options):
        try:
            result = getattr(self, f"do_{action}")(options)
        except (ValueError, FileNotFoundError, ModelVersion.DoesNotExist, lifecycle.PromotionRefused) as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        elif isinstance(result, list):
            for row in result:
                self.stdout.write(f"{row['model']:<40} {row['task']:<10} {row['status']:<10} "
                                  f"{row['sha256'][:12]} {row['metric']}")
        else:
            self.stdout.write(json.dumps(result, indent=2))

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
        base = registry.get(options["base"] or DEFAULT_BASE[task])
        examples = _examples(options)
        version = run.train_version(
            task=task, name=options["name"] or DEFAULT_NAME[task], base=base, examples=examples,
            options={key: options[key] for key in TRAIN_OPTIONS if options[key] is not None},
            trained_by=options["by"], write=self._progress(options))
        return _summary(version) | {"metrics": version.metrics}

    def do_evaluate(self, options) -> dict:
        version = registry.get(options["ref"])
        return {"model": version.ref, "task": version.task} | lifecycle.evaluate(version, _examples(options))

    def do_promote(self, options) -> dict:
        version = lifecycle.promote(registry.get(options["ref"]), promoted_by=options["by"],
                                    force=options["force"], reason=options["reason"])
        return _summary(version)

    def do_retire(self, options) -> dict:
        return _summary(lifecycle.retire(registry.get(options["ref"]), retired_by=options["by"]))

    def _progress(self, options):
        # With --json, stdout carries the result only: progress goes to stderr.
        stream = self.stderr if options["json"] else self.stdout
        return lambda line: stream.write(line)


def _data_arguments(parser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="CSV file with a header row")
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
            "trained_by": version.trained_by, "promoted_by": version.promoted_by}
