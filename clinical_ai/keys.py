"""Secrets the appliance needs (encryption, pseudonyms, sessions), kept out of code and database.

Each secret is an environment variable or a file in the key directory, created on first
use with 0600 permissions. Losing the key directory makes stored raw text unreadable:
back it up separately from the database.
"""
import base64
import os
import secrets
from pathlib import Path


class KeyStore:
    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.key"

    def secret(self, name: str, encoding: str = "base64url") -> str:
        """The named secret: ``$NAME`` (upper-cased, dashes as underscores) or its key file.

        A new key is 32 random bytes, written as URL-safe base64 (what Fernet takes) or hex.
        """
        from_env = os.environ.get(name.upper().replace("-", "_"))
        if from_env:
            return from_env
        path = self.path(name)
        if not path.exists():
            raw = secrets.token_bytes(32)
            self._create(path, raw.hex() if encoding == "hex" else base64.urlsafe_b64encode(raw).decode())
        return path.read_text().strip()

    def _create(self, path: Path, value: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return
        with os.fdopen(fd, "w") as handle:
            handle.write(value + "\n")
