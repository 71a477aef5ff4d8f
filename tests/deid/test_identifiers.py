"""Bank account numbers by their grammar and checksum; identifiers after their label."""
import pytest

from deid.recognizers.iban import BankAccountRecognizer, valid_iban


def _found(text):
    return [text[r.start:r.end] for r in BankAccountRecognizer().analyze(text)]


@pytest.mark.parametrize("text, iban", [
    ("Refund to GB82 WEST 1234 5698 7654 32 please.", "GB82 WEST 1234 5698 7654 32"),
    ("iban: de89370400440532013000", "de89370400440532013000"),
    ("Account FR14 2004 1010 0505 0001 3M02 606, Paris branch", "FR14 2004 1010 0505 0001 3M02 606"),
    ("NL91ABNA0417164300", "NL91ABNA0417164300"),
])
def test_iban_with_a_valid_checksum_is_found(text, iban):
    assert _found(text) == [iban]


@pytest.mark.parametrize("text", [
    "Lot GB82WEST12345698765433 expired",  # one digit off: the checksum fails
    "Serial AB12345678901234 on the pump",
    "Ventilator settings AC 14 500 5 40",
])
def test_code_like_strings_failing_the_checksum_stay(text):
    assert _found(text) == []


def test_checksum_reads_letters_as_numbers():
    assert valid_iban("BE68 5390 0754 7034") and not valid_iban("BE68 5390 0754 7035")


@pytest.mark.parametrize("text, value", [
    ("my driver's license number is 3345-21-8890", "3345-21-8890"),
    ("Her account number is 88213390 at the bank", "88213390"),
    # after "number", "no.", "reference" or "plate", groups joined by spaces too
    ("Her national insurance number is QQ 12 34 56 C.", "QQ 12 34 56 C"),
    ("The vehicle registration plate was 34 ABC 123.", "34 ABC 123"),
    ("The file reference is HR/2004/1187.", "HR/2004/1187"),
    ("He was given prisoner number 4512-B.", "4512-B"),
    ("Reference: ECLI:NL:HR:2004:AO1234.", "ECLI:NL:HR:2004:AO1234"),
    # a court register's letters before the number
    ("Thank you for your letter regarding claim AZ 039/87.", "AZ 039/87"),
    ("The appeal was dismissed (case no. II AKa 117/96).", "II AKa 117/96"),
    ("The complaint was rejected (file no. IV. ÚS 345/98).", "IV. ÚS 345/98"),
    ("The Supreme Court dismissed the appeal (no. 5 Tdo 123/2003).", "5 Tdo 123/2003"),
    # national and provincial health numbers after their name
    ("Referred with NHS No 943 476 5919 today.", "943 476 5919"),
    ("Patient: John Tremblay, OHIP 1234-567-890-AB, seen today.", "1234-567-890-AB"),
    ("CHI number 1203615432 confirmed.", "1203615432"),
])
def test_identifier_after_its_label_is_one_span(engine, text, value):
    start = text.index(value)
    assert any(s.start <= start and s.end >= start + len(value) for s in engine.analyze(text))


@pytest.mark.parametrize("value", ["27744/05", "3321/06", "31080/07"])
def test_each_number_of_a_list_after_nos_is_an_identifier(engine, value):
    text = "The applications (nos. 27744/05, 3321/06 and 31080/07) were lodged by two nationals."
    start = text.index(value)
    assert (start, start + len(value)) in {(s.start, s.end) for s in engine.analyze(text)}


@pytest.mark.parametrize("text", [
    "Insulin sliding scale at 0800 1200 1600 2000 per protocol.",
    "Drains removed 0830 0945; output 0200 0300 ml.",
])
def test_clock_times_in_a_row_are_no_phone(engine, text):
    assert not any(s.entity_type == "PHONE" for s in engine.analyze(text))


@pytest.mark.parametrize("text", [
    "A number 1 and number 2 microinstrument were used; two number 10 JPs placed.",
    "The reading was initiated for No.4 trial.",
    "NHS trust policy applies. CHI 2 score. PHN pain 6/10.",
])
def test_small_numbers_after_number_stay(engine, text):
    assert engine.analyze(text) == ()
