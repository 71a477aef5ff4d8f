"""Operators that need the secret key: hash, surrogate.

Replacements are derived from HMAC(key, scope, type, normalised value), so they
are stable across documents and processes and cannot be reversed or linked
without the key. The hash is global (same value, same pseudonym everywhere);
surrogates are scoped to the patient.
"""
from __future__ import annotations

import re
import threading

from faker import Faker

from deid import entities
from deid.keys import derive, require_key
from deid.operators.base import Operator

HASH_CHARS = 12


def normalise(value: str) -> str:
    return " ".join(value.lower().split())


class HashOperator(Operator):
    """NAME_3f9a0c1b2d4e: a keyed pseudonym, equal for equal values."""

    name = "hash"

    def __init__(self, key=None):
        super().__init__(require_key(key, self.name))

    def replace(self, value, entity_type, scope):
        digest = derive(self.key, "hash", entity_type, normalise(value)).hex()
        return f"{entity_type}_{digest[:HASH_CHARS]}"


class SurrogateOperator(Operator):
    """A realistic fake value of the same kind, consistent per patient and value."""

    name = "surrogate"
    _FAKES = {
        entities.NAME: lambda f, v: " ".join(f.last_name() if i else f.first_name() for i, _ in enumerate(v.split()))
        or f.last_name(),
        entities.LOCATION: lambda f, v: f.street_address() if v[:1].isdigit() else f.city(),
        entities.ZIP: lambda f, v: f.zipcode(),
        entities.PHONE: lambda f, v: f.numerify("###-###-####"),
        entities.FAX: lambda f, v: f.numerify("###-###-####"),
        entities.EMAIL: lambda f, v: f.email(),
        entities.URL: lambda f, v: f.url(),
        entities.IP_ADDRESS: lambda f, v: f.ipv4_private(),
        entities.ORGANIZATION: lambda f, v: f"{f.last_name()} Medical Center",
        entities.AGE: lambda f, v: "90+",
        entities.DATE: lambda f, v: f"[{entities.DATE}]",
    }

    def __init__(self, key=None):
        super().__init__(require_key(key, self.name))
        self._faker = Faker("en_US")
        self._lock = threading.Lock()

    def replace(self, value, entity_type, scope):
        seed = int.from_bytes(derive(self.key, "surrogate", scope, entity_type, normalise(value))[:8], "big")
        with self._lock:
            self._faker.seed_instance(seed)
            fake = self._FAKES.get(entity_type, _same_shape)
            return fake(self._faker, value)


def _same_shape(faker: Faker, value: str) -> str:
    """Identifiers: each digit and letter replaced, separators and length kept."""
    return re.sub(
        r"[0-9A-Za-z]",
        lambda m: faker.numerify("#") if m.group().isdigit() else faker.random_uppercase_letter(),
        value,
    )
