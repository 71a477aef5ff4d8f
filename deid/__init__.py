"""Clinical de-identification on Presidio, importable without Django.

    from deid import deidentify, PatientContext
    deidentify(note_text, PatientContext.from_dict(patient_json)).text
"""
from deid.context import PatientContext
from deid.engine import DeidEngine, deidentify
from deid.results import DeidResult, Span

__all__ = ["DeidEngine", "DeidResult", "PatientContext", "Span", "deidentify"]
