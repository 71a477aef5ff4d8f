"""The tagger's labels and how gold types of every corpus map onto them."""
from __future__ import annotations

from deid import entities

NAME, LOCATION, DATE, ID, PHONE, EMAIL, AGE = "NAME", "LOCATION", "DATE", "ID", "PHONE", "EMAIL", "AGE"
LABELS = (NAME, LOCATION, DATE, ID, PHONE, EMAIL, AGE)
# tagger label -> the engine's entity type (deid.entities)
ENTITY_TYPES = {
    NAME: entities.NAME, LOCATION: entities.LOCATION, DATE: entities.DATE, ID: entities.ID,
    PHONE: entities.PHONE, EMAIL: entities.EMAIL, AGE: entities.AGE,
}
# words in a gold type's name, checked in this order; anything else is an identifier
_BY_WORD = (
    (("EMAIL",), EMAIL),
    (("PHONE", "FAX"), PHONE),
    (("IP_ADDRESS", "URL"), ID),
    (("NAME", "PERSON"), NAME),
    (("LOCATION", "ADDRESS", "GPE", "ZIP", "HOSPITAL", "CITY", "STATE", "COUNTRY", "ORGANIZATION"), LOCATION),
    (("DATE",), DATE),
    (("AGE",), AGE),
)


def label_for(gold_type: str) -> str:
    """'HCPName' -> NAME, 'GEOGRAPHIC_LOCATION' -> LOCATION, 'DateYear' -> DATE, 'MRN' -> ID."""
    upper = gold_type.upper()
    if upper.endswith("NUMBER") and "PHONE" not in upper and "FAX" not in upper:
        return ID  # HEALTH_PLAN_BENEFICIARY_NUMBER, MEDICAL_RECORD_NUMBER
    for words_, label in _BY_WORD:
        if any(word in upper for word in words_):
            return label
    return ID
