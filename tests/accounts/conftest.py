import pytest
from django.contrib.auth import get_user_model

from clinical_ai.accounts.models import Profile, Role
from clinical_ai.documents.models import Document

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def quarantine_in_tmp(settings, tmp_path):
    settings.QUARANTINE_DIR = tmp_path / "quarantine"


@pytest.fixture
def users(db):
    """One user per role, all in unit ``ward-a``, with the same password."""
    made = {}
    for role in Role.values:
        user = get_user_model().objects.create_user(f"{role}-user", password=PASSWORD)
        Profile.objects.create(user=user, role=role, unit="ward-a")
        made[role] = get_user_model().objects.get(pk=user.pk)  # fresh: the role's staff flags set
    return made


@pytest.fixture
def ward_document(db):
    return Document.objects.create(original_text="Ada Quill, seen today.", unit="ward-a", patient_key="pk-ada",
                                   deidentified_text="[NAME], seen today.", status=Document.Status.DONE)
