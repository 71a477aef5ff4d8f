from django.core.management.base import BaseCommand

from clinical_ai.nlp.defaults import install_defaults, install_summarizer_adapter


class Command(BaseCommand):
    help = ("Install the default summarizer, its fine-tuned LoRA adapter, the classifier and the PHI tagger into "
            "MODEL_ROOT (offline) and register them.")

    def handle(self, **options):
        for version in [*install_defaults(stdout=self.stdout), install_summarizer_adapter(stdout=self.stdout)]:
            self.stdout.write(f"{version.task}: {version.ref} [{version.status}] sha256 {version.sha256[:12]}")
