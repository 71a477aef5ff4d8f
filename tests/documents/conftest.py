import pytest
from rest_framework.test import APIClient

from clinical_ai.accounts.services import issue_token


@pytest.fixture(autouse=True)
def quarantine_in_tmp(settings, tmp_path):
    settings.QUARANTINE_DIR = tmp_path / "quarantine"


@pytest.fixture
def clinician_client(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token('dr-test', 'clinician')}")
    return client


@pytest.fixture
def default_models(tmp_path, settings, db):
    """The installed default models (var/models), linked into a private MODEL_ROOT, registered in the test database."""
    from clinical_ai.nlp import defaults, registry

    root = tmp_path / "models"
    root.mkdir()
    for spec in (defaults.SUMMARIZER, defaults.CLASSIFIER):
        (root / spec["name"]).symlink_to(settings.MODEL_ROOT / spec["name"], target_is_directory=True)
    settings.MODEL_ROOT = root
    registry._load.cache_clear()
    return {version.task: version for version in defaults.install_defaults()}
