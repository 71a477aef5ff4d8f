"""Plain result objects shared by detection, replacement, evaluation and the UI.

Reprs never show text: a Span holds offsets only, and DeidResult's repr is
limited to counts, so printing a result cannot leak PHI into a log.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    entity_type: str
    score: float = 1.0


@dataclass(frozen=True)
class DeidResult:
    text: str = field(repr=False)
    spans: tuple[Span, ...] = ()
    replacements: tuple[Span, ...] = ()

    @property
    def phi_counts(self) -> dict[str, int]:
        return dict(Counter(span.entity_type for span in self.spans))

    def __repr__(self) -> str:
        return f"DeidResult(chars={len(self.text)}, phi_counts={self.phi_counts})"


def merge_spans(spans: list[Span]) -> tuple[Span, ...]:
    """Merge overlapping or touching-by-overlap spans into non-overlapping sorted ones.

    The merged span keeps the type of its highest-scoring (then longest) member,
    so a NAME inside a wider LOCATION does not split the location.
    """
    merged: list[list[Span]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < max(s.end for s in merged[-1]):
            merged[-1].append(span)
        else:
            merged.append([span])
    return tuple(_combine(group) for group in merged)


def _combine(group: list[Span]) -> Span:
    best = max(group, key=lambda s: (s.score, s.end - s.start))
    return Span(
        start=min(s.start for s in group),
        end=max(s.end for s in group),
        entity_type=best.entity_type,
        score=best.score,
    )


def trimmed(text: str, start: int, end: int, keep: Callable[[str], bool]) -> tuple[int, int]:
    """(start, end) of text without the characters at its edges that ``keep`` rejects."""
    while start < end and not keep(text[start]):
        start += 1
    while end > start and not keep(text[end - 1]):
        end -= 1
    return start, end
