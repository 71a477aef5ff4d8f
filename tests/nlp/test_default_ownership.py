"""The default models get an owner and a clinical validator the hospital names: `install_models --owner
--validator` fills in what is missing (audited, never replacing a choice made since), and the models page
says which active models nobody owns yet, next to the audited Assign action."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from clinical_ai.accounts.models import Profile, Role
from clinical_ai.audit.models import AuditEvent
from clinical_ai.nlp import lifecycle
from clinical_ai.nlp.models import ModelVersion
from tests.nlp.conftest import model_root  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def person(username, role):
    user = get_user_model().objects.create_user(username, password="x")
    Profile.objects.create(user=user, role=role, unit="it")
    return user


def install(*arguments) -> str:
    out = io.StringIO()
    call_command("install_models", *arguments, stdout=out)
    return out.getvalue()


def test_install_models_names_the_owner_and_validator_of_the_defaults_and_audits_it(model_root):  # noqa: F811
    owner, validator = person("olga-owner", Role.ADMIN), person("vic-validator", Role.CLINICIAN)

    install("--owner", "olga-owner", "--validator", "vic-validator")

    defaults = ModelVersion.objects.all()
    assert defaults.count() == 4
    assert all((v.owner, v.clinical_validator) == (owner, validator) for v in defaults)
    events = AuditEvent.objects.filter(action="model-assign")
    assert events.count() == 4 and all(e.details["owner"] == "olga-owner" for e in events)


def test_install_models_prints_each_default_with_its_status_once_all_are_installed(model_root):  # noqa: F811
    summarizers = [line for line in install().splitlines() if line.startswith("summarize:")]

    active = ModelVersion.objects.get(task="summarize", status="active")
    assert [line for line in summarizers if "[active]" in line] == [
        line for line in summarizers if line.startswith(f"summarize: {active.ref} [active]")]
    assert len(summarizers) == ModelVersion.objects.filter(task="summarize").count()


def test_install_models_again_never_replaces_an_owner_named_since(model_root):  # noqa: F811
    install()
    classifier = ModelVersion.objects.get(task="classify", status="active")
    lifecycle.assign(classifier, owner=person("chosen-owner", Role.ADMIN),
                     clinical_validator=person("chosen-validator", Role.CLINICIAN), assigned_by="ada")
    person("later-owner", Role.ADMIN)

    install("--owner", "later-owner")

    classifier.refresh_from_db()
    assert classifier.owner.username == "chosen-owner"
    summarizer = ModelVersion.objects.get(task="summarize", status="active")
    assert summarizer.owner.username == "later-owner" and summarizer.clinical_validator is None


def test_install_models_refuses_an_owner_who_is_not_an_administrator_or_a_validator_who_is_not_a_clinician(
        model_root):  # noqa: F811
    person("cleo-clinician", Role.CLINICIAN)
    person("ada-admin", Role.ADMIN)

    with pytest.raises(CommandError, match="owner must be an administrator"):
        install("--owner", "cleo-clinician")
    with pytest.raises(CommandError, match="clinical validator must be a clinician"):
        install("--validator", "ada-admin")
    with pytest.raises(CommandError, match="no such user"):
        install("--owner", "nobody")
    assert not AuditEvent.objects.filter(action="model-assign").exists()


def test_without_owners_install_models_says_so_and_the_page_asks_for_them(model_root):  # noqa: F811
    out = install()
    client = Client()
    client.force_login(person("ada-admin", Role.ADMIN))

    page = client.get("/models/").content.decode()

    assert "no owner or clinical validator" in out and "--owner" in out
    assert 'id="unowned-models"' in page and "no owner — assign" in page
    assert "no validator — assign" in page


def test_make_runs_configured_owner_is_named_at_the_first_start_after_their_account_exists(model_root, settings):  # noqa: F811
    settings.DEFAULT_MODEL_OWNER, settings.DEFAULT_MODEL_VALIDATOR = "first-admin", "first-clinician"

    before = install()  # the first start: nobody has an account yet, and the appliance starts anyway
    person("first-admin", Role.ADMIN), person("first-clinician", Role.CLINICIAN)
    install()

    assert "DEFAULT_MODEL_OWNER names first-admin, who has no account yet" in before
    assert {(v.owner.username, v.clinical_validator.username) for v in ModelVersion.objects.all()} == {
        ("first-admin", "first-clinician")}
