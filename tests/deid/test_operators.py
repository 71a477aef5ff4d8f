import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deid import DeidEngine, PatientContext
from deid.keys import MissingKeyError, decode_key
from deid.operators import build_operators
from deid.operators.date_shift import shift_date, shift_days

KEY = bytes(range(32))


def _replace(operator_name, value, entity_type="NAME", scope="P1", key=KEY):
    return build_operators({"DEFAULT": operator_name}, key)["DEFAULT"].replace(value, entity_type, scope)


def test_tag_redact_mask():
    assert _replace("tag", "Jane") == "[NAME]"
    assert _replace("redact", "Jane") == ""
    assert _replace("mask", "617-555-0101", "PHONE") == "***-***-****"


@pytest.mark.parametrize("operator", ["hash", "surrogate", "date_shift"])
def test_keyed_operators_refuse_to_run_without_key(operator):
    with pytest.raises(MissingKeyError) as error:
        build_operators({"DEFAULT": operator}, None)
    assert "DEID_SECRET_KEY" in str(error.value)


def test_hash_is_stable_normalised_and_keyed():
    assert _replace("hash", "Jane  DOE") == _replace("hash", "jane doe", scope="other")
    assert _replace("hash", "Jane Doe") != _replace("hash", "Jane Doe", key=b"another key")
    assert "Jane" not in _replace("hash", "Jane Doe")


def test_surrogate_is_consistent_per_patient_and_realistic():
    first = _replace("surrogate", "Jane Doe")
    assert first == _replace("surrogate", "Jane Doe")
    assert first != "Jane Doe" and len(first.split()) == 2
    assert _replace("surrogate", "AB-12345", "MRN")[:3].isupper()
    assert _replace("surrogate", "AB-12345", "MRN")[2] == "-"


def test_date_shift_keeps_format():
    assert shift_date("3/14/2021", 1) == "3/15/2021"
    assert shift_date("03/14/21", -14) == "02/28/21"
    assert shift_date("2021-03-04", 30) == "2021-04-03"
    assert shift_date("March 5th, 2021", 2) == "March 7th, 2021"
    assert shift_date("1999", 5) is None
    assert _replace("date_shift", "1999", "DATE") == "[DATE]"


@settings(max_examples=50, deadline=None)
@given(st.dates(dt.date(1901, 1, 1), dt.date(2090, 12, 31)), st.dates(dt.date(1901, 1, 1), dt.date(2090, 12, 31)),
       st.text(min_size=1, max_size=12))
def test_date_shift_preserves_intervals(first, second, scope):
    operator = build_operators({"DEFAULT": "date_shift"}, KEY)["DEFAULT"]
    shifted = [dt.date.fromisoformat(operator.replace(d.isoformat(), "DATE", scope)) for d in (first, second)]
    assert shifted[1] - shifted[0] == second - first
    assert shift_days(KEY, scope) != 0


def test_engine_applies_operators_per_type_and_reports_output_spans():
    engine = DeidEngine.__new__(DeidEngine)  # replacement only: no model needed
    from presidio_anonymizer import AnonymizerEngine

    from deid.results import Span
    engine.operators = build_operators({"DATE": "date_shift"}, KEY)
    engine.anonymizer = AnonymizerEngine()
    text = "Jane seen 3/14/2021."
    result = engine.replace(text, (Span(0, 4, "NAME", 1.0), Span(10, 19, "DATE", 1.0)), PatientContext("P1"))
    assert result.text.startswith("[NAME] seen ")
    date = result.replacements[1]
    assert result.text[date.start:date.end] == shift_date("3/14/2021", shift_days(KEY, "P1"))


def test_key_decoding_accepts_hex_and_base64():
    assert decode_key("00ff") == b"\x00\xff"
    assert decode_key("AP8=") == b"\x00\xff"
    with pytest.raises(ValueError):
        decode_key("not a key!")
