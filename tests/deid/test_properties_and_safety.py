"""Property tests and the safety guarantees: no PHI survives, no network, no leaks."""
import datetime as dt
import logging
import socket

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deid.engine
from deid import PatientContext, deidentify
from deid.chunking import split_chunks

FIRST = ["Jane", "Robert", "Maria", "Irvin970"]
LAST = ["Doe", "Kowalski", "Emard19", "Nguyen"]
FILLER = ["Pt resting comfortably.", "Lasix 40 mg given.", "Lungs clear.", "Foley draining well."]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FIRST), st.sampled_from(LAST), st.lists(st.sampled_from(FILLER), max_size=4),
       st.dates(dt.date(1920, 1, 1), dt.date(2039, 12, 31)).map(lambda d: f"{d.month}/{d.day}/{d.year}"))
def test_output_never_contains_detected_span_text(engine, first, last, filler, date):
    patient = PatientContext(names=(f"{first} {last}",))
    text = " ".join([f"Seen by {last}, {first} on {date}.", *filler, f"{first} agrees."])
    result = engine.deidentify(text, patient)
    for span in result.spans:
        assert text[span.start:span.end] not in result.text
    for value in (first, last, date):
        assert value not in result.text


def test_no_network_call_is_attempted(engine, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("deid attempted a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(deid.engine, "_default_engine", None)
    assert "[NAME]" in deidentify("Dr. Marder aware.").text  # builds a fresh engine offline


def test_presidio_email_validation_reads_the_shipped_suffix_list_offline(monkeypatch):
    """The benchmarks run plain Presidio's registry beside ours; its EmailRecognizer asks tldextract for the
    public suffix list, which fetches it from the internet unless deid.nlp has turned that off."""
    import tldextract.tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    import deid.nlp  # noqa: F401

    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    extractor = tldextract.tldextract.TLD_EXTRACTOR
    monkeypatch.setattr(extractor, "_extractor", None)  # forget a suffix list read before
    assert extractor.suffix_list_urls == ()
    assert EmailRecognizer().analyze("write to jane@example.org", ["EMAIL_ADDRESS"])


def test_long_documents_are_chunked_without_truncation(engine):
    filler = "Pt resting comfortably, vitals stable. " * 1200
    text = f"{filler}Dr. Marder aware. {filler}Call 617-555-0101. {filler}"
    assert len(split_chunks(text)) > 1
    result = engine.deidentify(text)
    assert "Marder" not in result.text and "617-555-0101" not in result.text
    assert result.text.count("vitals stable") == text.count("vitals stable")


def test_chunks_cover_text_and_overlap():
    text = "word " * 10_000
    chunks = split_chunks(text, size=1000, overlap=100)
    assert chunks[0][0] == 0 and chunks[-1][0] + len(chunks[-1][1]) == len(text)
    for (start, chunk), (next_start, _) in zip(chunks, chunks[1:]):
        assert next_start < start + len(chunk)


def test_logs_and_errors_do_not_contain_input(engine, caplog):
    caplog.set_level(logging.DEBUG)
    engine.deidentify("Dr. Zebulon Quixote called 617-555-0101.")
    assert "Zebulon" not in caplog.text and "617-555-0101" not in caplog.text
