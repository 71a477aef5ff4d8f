from pathlib import Path

import pytest

from deid import DeidResult, PatientContext, Span, deidentify
from deid.engine import DeidEngine

PATIENT = PatientContext.from_dict(
    {"id": "P1", "name": "Jane Q Doe", "mrn": "MRN-12345", "phone": "(617) 555-0101",
     "address": "12 Elm Street, Springfield, MA, 01101", "birth_date": "1950-02-03"}
)
NOTE = "Pt DOE, JANE (MRN12345) DOB 02/03/1950, call 617.555.0101, lives at 12 Elm Street."


def test_patient_context_values_are_replaced_with_tags(engine):
    result = engine.deidentify(NOTE, PATIENT)
    for value in ("DOE", "JANE", "12345", "02/03/1950", "555.0101", "Elm"):
        assert value not in result.text
    assert "[NAME]" in result.text and "[DATE]" in result.text


def test_spans_point_into_original_and_replacements_into_output(engine):
    result = engine.deidentify(NOTE, PATIENT)
    assert result.spans == tuple(sorted(result.spans))
    assert all(a.end <= b.start for a, b in zip(result.spans, result.spans[1:]))
    assert [s.entity_type for s in result.spans] == [r.entity_type for r in result.replacements]
    for replacement in result.replacements:
        assert result.text[replacement.start:replacement.end] == f"[{replacement.entity_type}]"
    assert sum(result.phi_counts.values()) == len(result.spans)


def test_text_without_phi_is_unchanged(engine):
    text = "Lungs clear bilaterally. Continue current plan."
    assert engine.deidentify(text).text == text


def test_module_level_deidentify_uses_default_engine(engine, monkeypatch):
    monkeypatch.setattr("deid.engine._default_engine", engine)
    result = deidentify("Email jdoe@example.org today.")
    assert isinstance(result, DeidResult)
    assert result.text == "Email [EMAIL] today."
    assert result.spans == (Span(6, 22, "EMAIL", 1.0),)


def test_reprs_do_not_leak_phi(engine):
    result = engine.deidentify(NOTE, PATIENT)
    assert "Doe" not in repr(result) and "Doe" not in repr(PATIENT)


@pytest.fixture(scope="module")
def engine_with_tagger():
    import deid.tagger

    return DeidEngine(tagger_dir=str(Path(deid.tagger.__file__).parent / "default"))


def test_a_note_with_browser_line_breaks_is_read_line_by_line(engine_with_tagger):
    """A form sends a pasted note with CRLF line breaks: no entity may run across one (the tagger
    read "C." and "Ekiya" on the next line as one name)."""
    unix = "His insurance number is QQ 12 34 56 C.\nEkiya and her brother Megha called.\n"
    browser = unix.replace("\n", "\r\n")
    found = [(s.entity_type, browser[s.start:s.end]) for s in engine_with_tagger.analyze(browser)]
    assert found == [(s.entity_type, unix[s.start:s.end]) for s in engine_with_tagger.analyze(unix)]
    assert not any("\n" in value for _, value in found)
    assert engine_with_tagger.deidentify(browser).text == engine_with_tagger.deidentify(unix).text.replace("\n", "\r\n")


def test_a_signature_above_a_facility_keeps_its_line(engine):
    text = "Kind regards,\nDr Eilidh MacLeod\nHarrogate District Hospital\n"
    assert engine.deidentify(text).text.splitlines()[1:] == ["Dr [NAME]", "[ORGANIZATION]"]


def test_the_label_of_an_identifier_stays_beside_its_replaced_value(engine):
    text = "I am writing to refer Mrs Adaeze Nwosu (DOB 12/03/1961, MRN 12345678) today."
    assert "(DOB [DATE], MRN [MRN])" in engine.deidentify(text).text
