"""What an officer types to find a patient (an MRN or a name), turned into pseudonymous patient keys.

Safety: the typed value lives only in this call. It is not stored, audited, logged, put in a URL or
shown back: the search form is POSTed and answered with a redirect to the report by key.
"""
import json

from clinical_ai.documents.encryption import pseudonym
from clinical_ai.documents.models import Document


def patient_keys(typed: str) -> list[str]:
    """The keys of the patients whose MRN (their id or one of their identifiers) or name this is."""
    wanted = _normalized(typed)
    if not wanted:
        return []
    as_id = pseudonym(typed.strip())  # an MRN that is the patient id: the key itself
    keys = {as_id} if Document.objects.filter(patient_key=as_id).exists() else set()
    rows = Document.objects.exclude(patient_key="").values_list("patient_key", "patient_json")
    for key, stored in rows.iterator(chunk_size=2000):  # patient_json is encrypted: compared decrypted
        if key not in keys and stored and wanted in _searchable(json.loads(stored)):
            keys.add(key)
    return sorted(keys)


def _searchable(patient: dict) -> set[str]:
    values = [patient.get("patient_id") or "", *patient.get("identifiers", ()), *patient.get("names", ())]
    return {_normalized(value) for value in values if value}


def _normalized(value: str) -> str:
    return " ".join(str(value).casefold().replace(",", " ").split())
