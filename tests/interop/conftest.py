import pytest
from rest_framework.test import APIClient

from clinical_ai.accounts.services import issue_token


@pytest.fixture(autouse=True)
def quarantine_in_tmp(settings, tmp_path):
    settings.QUARANTINE_DIR = tmp_path / "quarantine"


@pytest.fixture
def api_client(db):
    """api_client(role) -> an APIClient holding a fresh token for a user of that role."""

    def client_for(role: str, username: str | None = None) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(username or f'interop-{role}', role)}")
        return client

    return client_for
