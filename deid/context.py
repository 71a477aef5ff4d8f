"""What a document's patient is known to be, used to find every mention of it.

PatientContext.from_dict accepts loose API/FHIR-ish JSON. Values of odd types are
coerced or skipped; only a structurally invalid payload raises, and its message
never quotes the input (it is PHI). ``to_dict`` is its inverse: the one serialization
every store and every builder (API, HL7, FHIR) shares, so ``from_dict(c.to_dict()) == c``.

Each field has one meaning: an email is an email (never a phone or an identifier), a
phone a phone.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields

# API key -> PatientContext field. Several spellings feed the same field.
_FIELD_KEYS = {
    "names": ("name", "names", "given", "family"),
    "birth_date": ("birth_date", "birthDate", "dob"),
    "identifiers": ("mrn", "identifiers", "identifier", "ssn"),
    "addresses": ("address", "addresses"),
    "phones": ("phone", "phones", "telecom"),
    "emails": ("email", "emails"),
    "relatives": ("relatives", "contacts"),
    "clinicians": ("clinicians", "practitioners"),
    "organizations": ("organizations", "organization"),
}

# Inside nested objects (FHIR HumanName, Identifier, Address, ContactPoint) only
# these keys hold identifying values; "use", "system" etc. are vocabulary.
_VALUE_KEYS = (
    "value", "text", "given", "family", "prefix", "suffix", "name",
    "line", "city", "district", "postalCode", "display",
)


@dataclass(frozen=True)
class PatientContext:
    patient_id: str | None = None
    names: tuple[str, ...] = ()
    birth_date: str | None = None
    identifiers: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    relatives: tuple[str, ...] = ()
    clinicians: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return "PatientContext(<redacted>)"

    @classmethod
    def from_dict(cls, data: Mapping) -> PatientContext:
        if not isinstance(data, Mapping):
            raise ValueError("patient context must be a JSON object")
        fields = {
            name: _dedupe(s for key in keys for s in _strings(data.get(key)))
            for name, keys in _FIELD_KEYS.items()
        }
        birth_dates = fields.pop("birth_date")
        # A ContactPoint list ("telecom") mixes phones and emails: each goes where it means.
        fields["emails"] = _dedupe((*fields["emails"], *(v for v in fields["phones"] if "@" in v)))
        fields["phones"] = tuple(v for v in fields["phones"] if "@" not in v)
        patient_ids = _strings(data.get("id", data.get("patient_id")))
        return cls(
            patient_id=patient_ids[0] if patient_ids else None,
            birth_date=birth_dates[0] if birth_dates else None,
            **fields,
        )

    def to_dict(self) -> dict:
        """Plain JSON types, read back unchanged by ``from_dict``."""
        return {f.name: list(value) if isinstance(value, tuple) else value
                for f in fields(self) if (value := getattr(self, f.name))}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> PatientContext | None:
        return cls.from_dict(json.loads(text)) if text else None

    def has_values(self) -> bool:
        """Whether there is anything of this patient's to look for in the text."""
        return any((self.names, self.birth_date, self.identifier_values(), self.addresses, self.phones,
                    self.emails, self.relatives, self.clinicians, self.organizations))

    def identifier_values(self) -> tuple[str, ...]:
        """Every identifier that must not survive: the patient id (often the MRN) and emails included."""
        return _dedupe((*self.identifiers, *self.emails, *([self.patient_id] if self.patient_id else [])))

    def name_values(self) -> tuple[str, ...]:
        """Every person string that must not survive: patient, relatives, clinicians."""
        return self.names + self.relatives + self.clinicians


def _strings(value) -> list[str]:
    """Flatten str/number leaves out of nested lists and dicts (FHIR HumanName etc.)."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return [text] if text else []
    if isinstance(value, Mapping):
        return [s for key in _VALUE_KEYS for s in _strings(value.get(key))]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings(item)]
    return []


def _dedupe(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
