import pytest

from deid import PatientContext


def test_from_dict_accepts_api_and_fhir_shapes():
    context = PatientContext.from_dict({
        "id": "MRN123", "name": ["Jane", "Doe"], "birth_date": "1950-02-03", "mrn": 4455,
        "identifiers": [{"system": "urn:x", "value": "S999"}], "address": "1 Main St, Boston, MA",
        "phone": ["555-1234"], "relatives": ["John Doe"], "clinicians": [{"family": "Emard19", "given": ["Irvin970"]}],
        "unknown": {"ignored": True},
    })
    assert context.patient_id == "MRN123"
    assert context.names == ("Jane", "Doe")
    assert context.identifiers == ("4455", "S999")
    assert context.clinicians == ("Irvin970", "Emard19")
    assert context.addresses == ("1 Main St, Boston, MA",)


def test_odd_value_types_are_skipped_not_raised():
    context = PatientContext.from_dict({"name": None, "phone": True, "relatives": [None, 3.5, object()]})
    assert context.names == () and context.phones == () and context.relatives == ("3.5",)


def test_invalid_structure_raises_without_input_values():
    with pytest.raises(ValueError) as error:
        PatientContext.from_dict(["Jane Doe"])
    assert "Jane" not in str(error.value)


def test_patient_name_parts_initials_and_reordering_are_found(engine):
    patient = PatientContext.from_dict({"name": "Jane Quinn Doe", "clinicians": ["Irvin970 Emard19"]})
    text = "DOE, JANE seen; J. Doe and Jane D. agree; Quinn called; Dr. Emard19 notified."
    result = engine.deidentify(text, patient)
    for value in ("DOE", "JANE", "Doe", "Jane", "J.", "Quinn", "Emard19"):
        assert value not in result.text
