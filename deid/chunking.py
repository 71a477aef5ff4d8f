"""Long documents are analysed in overlapping windows, never truncated.

Windows end at whitespace; consecutive windows overlap by OVERLAP characters so
any entity shorter than that lies whole inside at least one window. Spans from
all windows are shifted back to document offsets and merged by the engine.
"""
from __future__ import annotations

CHUNK_CHARS = 20_000
OVERLAP = 400


def split_chunks(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP) -> list[tuple[int, str]]:
    """[(offset, window)] covering text; a single window when text is short."""
    if len(text) <= size:
        return [(0, text)]
    chunks = []
    start = 0
    while True:
        end = min(start + size, len(text))
        if end < len(text):
            end = _whitespace_before(text, end, floor=start + size // 2)
        chunks.append((start, text[start:end]))
        if end >= len(text):
            return chunks
        start = _whitespace_before(text, end - overlap, floor=start + 1)


def _whitespace_before(text: str, position: int, floor: int) -> int:
    """The last whitespace position at or before position, else position itself."""
    for index in range(position, floor - 1, -1):
        if text[index].isspace():
            return index
    return position
