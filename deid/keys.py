"""Where the secret key comes from: the caller, DEID_SECRET_KEY or DEID_KEY_FILE.

The key is never in code. Keyed operators (hash, surrogate, date_shift) ask for
it through require_key, which fails with a message naming the settings only.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path


class MissingKeyError(RuntimeError):
    pass


def load_key() -> bytes | None:
    """The key from the environment, or None when none is configured."""
    if os.environ.get("DEID_SECRET_KEY"):
        return decode_key(os.environ["DEID_SECRET_KEY"])
    if os.environ.get("DEID_KEY_FILE"):
        return decode_key(Path(os.environ["DEID_KEY_FILE"]).read_text())
    return None


def decode_key(encoded: str) -> bytes:
    encoded = encoded.strip()
    try:
        return bytes.fromhex(encoded)
    except ValueError:
        pass
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("deid key must be hex or base64") from None


def require_key(key: bytes | None, operator: str) -> bytes:
    if not key:
        raise MissingKeyError(
            f"operator {operator!r} needs a secret key: pass key= to DeidEngine "
            "or set DEID_SECRET_KEY (hex or base64) or DEID_KEY_FILE"
        )
    return key


def derive(key: bytes, *parts: str) -> bytes:
    """A keyed digest of parts; the same parts and key always give the same bytes."""
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).digest()
