"""python manage.py install_models [--owner USER] [--validator USER]: the default models, installed offline and
registered; the owner (an administrator) and clinical validator (a clinician) named for those that have none.

Nobody is made accountable for a model by default: the hospital names them, here or later on the models
page (Assign) or with ``models assign``. Re-running never replaces an owner or validator named since, so
``make run`` may run it at every start."""
import getpass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clinical_ai.nlp import lifecycle
from clinical_ai.nlp.defaults import install_defaults, install_summarizer_adapter


class Command(BaseCommand):
    help = ("Install the default summarizer, its fine-tuned LoRA adapter, the classifier and the PHI tagger into "
            "MODEL_ROOT (offline) and register them; --owner/--validator name who answers for those without one.")

    def add_arguments(self, parser):
        parser.add_argument("--owner", help="an administrator's user name: the owner of each default that has "
                                             "none (default: DEFAULT_MODEL_OWNER)")
        parser.add_argument("--validator", help="a clinician's user name: the clinical validator of each default "
                                                "that has none (default: DEFAULT_MODEL_VALIDATOR)")

    def handle(self, *args, owner, validator, **options):
        owner = self._user(owner, settings.DEFAULT_MODEL_OWNER, "DEFAULT_MODEL_OWNER")
        validator = self._user(validator, settings.DEFAULT_MODEL_VALIDATOR, "DEFAULT_MODEL_VALIDATOR")
        try:  # checked before anything is installed
            lifecycle.check_accountable(owner, validator)
        except ValueError as error:
            raise CommandError(str(error)) from None
        versions = [*install_defaults(stdout=self.stdout), install_summarizer_adapter(stdout=self.stdout)]
        lifecycle.assign_missing(versions, owner=owner, clinical_validator=validator,
                                 assigned_by=f"install_models ({getpass.getuser()})")
        for version in versions:
            version.refresh_from_db()  # installing the adapter may have retired the base installed before it
            self.stdout.write(f"{version.task}: {version.ref} [{version.status}] sha256 {version.sha256[:12]}"
                              f" owner {_name(version.owner)}, clinical validator {_name(version.clinical_validator)}")
        if lifecycle.unowned(versions):
            self.stdout.write("Some models have no owner or clinical validator; promotion needs both. Name them with "
                              "install_models --owner ADMIN --validator CLINICIAN, models assign, or Assign on /models/.")

    def _user(self, given: str | None, configured: str, setting: str):
        """The user named on the command line (who must exist), else in the setting: ``make run`` runs this at
        every start, so a configured user not created yet is named at the first start after they are."""
        username = given or configured
        if not username:
            return None
        try:
            return get_user_model().objects.select_related("profile").get(username=username)
        except get_user_model().DoesNotExist:
            if given:
                raise CommandError(f"no such user: {username}") from None
            self.stdout.write(f"{setting} names {username}, who has no account yet; "
                              "the defaults are assigned at a later start")
            return None


def _name(user) -> str:
    return user.get_username() if user is not None else "none"
