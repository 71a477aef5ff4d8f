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
