"""Replacement operators, chosen per entity type.

An operator turns one detected value into its replacement. Keyed operators
(hash, surrogate, date_shift) derive everything from the secret key and the
patient scope, so the same value for the same patient always gets the same
replacement, and nobody without the key can reverse or link it.
"""
from __future__ import annotations

from deid.operators.base import Operator
from deid.operators.date_shift import DateShiftOperator
from deid.operators.keyed import HashOperator, SurrogateOperator
from deid.operators.simple import MaskOperator, RedactOperator, TagOperator

OPERATORS: dict[str, type[Operator]] = {
    cls.name: cls
    for cls in (TagOperator, RedactOperator, MaskOperator, HashOperator, SurrogateOperator, DateShiftOperator)
}
DEFAULT_OPERATOR = TagOperator.name


def build_operators(config: dict | None, key: bytes | None) -> dict[str, Operator]:
    """{entity type or "DEFAULT": name or {"operator": name, **params}} -> operators."""
    config = {"DEFAULT": DEFAULT_OPERATOR, **(config or {})}
    return {entity: _build_one(spec, key) for entity, spec in config.items()}


def _build_one(spec, key: bytes | None) -> Operator:
    params = dict(spec) if isinstance(spec, dict) else {"operator": spec}
    name = params.pop("operator", None)
    if name not in OPERATORS:
        raise ValueError(f"unknown operator {name!r}; known: {sorted(OPERATORS)}")
    return OPERATORS[name](key=key, **params)
