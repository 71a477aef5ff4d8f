"""Clinical de-identification on Presidio, importable without Django.

    from deid import deidentify, PatientContext
    deidentify(note_text, PatientContext.from_dict(patient_json)).text

The engine (Presidio, spaCy and, through them, torch) loads on first use of ``deidentify`` or
``DeidEngine``, so a process that only builds PatientContexts (the web app) stays small.
"""
from deid.context import PatientContext
from deid.results import DeidResult, Span

__all__ = ["DeidEngine", "DeidResult", "PatientContext", "Span", "deidentify"]


def __getattr__(name: str):
    if name in ("DeidEngine", "deidentify"):
        from deid import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'deid' has no attribute {name!r}")
