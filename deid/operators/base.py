from __future__ import annotations


class Operator:
    """Replaces one detected value. scope is the patient id ("" when unknown)."""

    name = ""

    def __init__(self, key: bytes | None = None):
        self.key = key

    def replace(self, value: str, entity_type: str, scope: str) -> str:
        raise NotImplementedError
