"""Raw clinical text and patient context are encrypted at rest (Fernet: AES-128-CBC + HMAC).

The key lives outside the database (``CLINICAL_AI_FERNET_KEY`` or the key directory), so a
copy of the database alone reveals no PHI.
"""
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import models


@functools.cache
def _fernet() -> Fernet:
    return Fernet(settings.KEYS.secret("clinical-ai-fernet-key"))


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return _fernet().decrypt(token)


def pseudonym(identifier: str) -> str:
    """A stable, keyed, non-reversible stand-in for a patient identifier (audit and exports)."""
    key = settings.KEYS.secret("clinical-ai-pseudonym-key").encode()
    return hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()[:32]


class EncryptedTextField(models.TextField):
    """A text column whose value is stored as a Fernet token and read back as plain text."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value.encode()).decode()

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value.encode()).decode()
