"""Unit-test settings: the real settings with their own data and key directory under var/test."""
import os
from pathlib import Path

TEST_DATA = Path(__file__).resolve().parent.parent / "var" / "test"
os.environ.setdefault("CLINICAL_AI_DATA_DIR", str(TEST_DATA))
os.environ.setdefault("MODEL_ROOT", str(TEST_DATA.parent / "models"))  # the models `make test` installs

from clinical_ai.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2
