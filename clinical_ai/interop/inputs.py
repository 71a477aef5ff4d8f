"""Files and folders named on the command line, read within the size limit.

A file's name may name the patient ("smith_john_discharge.hl7"), so reasons call it by its
position ("file 3"), never by name."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from clinical_ai.interop.results import MAX_INPUT_BYTES, QUARANTINE_HEAD_BYTES, Rejection, oversized


def files_under(paths: list[str], suffixes: tuple[str, ...]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        else:
            yield path


def read_limited(path: Path, label: str) -> bytes | Rejection:
    """The file's bytes, or a Rejection keeping only its head when it is over the limit."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if size > MAX_INPUT_BYTES:
            return oversized(size, handle.read(QUARANTINE_HEAD_BYTES), label)
        return handle.read()
