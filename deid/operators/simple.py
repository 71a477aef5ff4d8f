"""Operators that need no key."""
from __future__ import annotations

from deid.operators.base import Operator


class TagOperator(Operator):
    """[NAME], [DATE], ...: the default, readable and safe."""

    name = "tag"

    def replace(self, value, entity_type, scope):
        return f"[{entity_type}]"


class RedactOperator(Operator):
    """Removes the value entirely."""

    name = "redact"

    def replace(self, value, entity_type, scope):
        return ""


class MaskOperator(Operator):
    """Same length, every letter or digit masked, layout (spaces, dashes) kept."""

    name = "mask"

    def __init__(self, key=None, char: str = "*"):
        super().__init__(key)
        self.char = char

    def replace(self, value, entity_type, scope):
        return "".join(self.char if c.isalnum() else c for c in value)
