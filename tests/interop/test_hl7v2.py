import pytest
from interop_samples import ADT_A01, MDM_T02, ORU_TWO_REPORTS, b64, ed_message, minimal_pdf

from clinical_ai.interop.hl7v2 import build_ack, parse_message, read_header, split_messages
from clinical_ai.interop.results import MAX_INPUT_BYTES, Rejection

PHI = ("Quintero", "Rosalind", "MRN4711", "1961", "Larkspur", "chest pain")


def only_message(text: str):
    return parse_message(text.encode())


def test_mdm_t02_reassembles_obx_text_in_order_and_decodes_escapes():
    parsed = only_message(MDM_T02)
    (note,) = parsed.notes
    assert parsed.ack_code == "AA"
    assert note.text == (
        "Rosalind was admitted with chest pain & dyspnea.\n"
        "Plan:\n1| aspirin\n2^ statin A done\\ok\n"
        "Follow up in 2 weeks."
    )
    assert (note.source, note.sender, note.message_id) == ("hl7v2", "DICTATE|MERCY", "CTRL-1")
    assert (note.loinc_code, note.title) == ("18842-5", "Discharge summary")


def test_patient_context_comes_from_pid_nk1_and_pv1():
    patient = only_message(MDM_T02).notes[0].patient
    assert patient.patient_id == "MRN4711"
    assert patient.names == ("Rosalind M Quintero",)
    assert patient.birth_date == "1961-09-15"
    assert {"MRN4711", "555-12-3456"} <= set(patient.identifiers)
    assert patient.addresses == ("42 Larkspur Lane, Apt 3, Fairhaven, MA, 02719",)
    assert patient.phones == ("(508)555-0142",)
    assert patient.relatives == ("Bartholomew Quintero",)
    assert "Temitope Oyelaran" in patient.clinicians


def test_oru_yields_one_note_per_order_with_text_and_indexed_refs():
    notes = only_message(ORU_TWO_REPORTS).notes
    assert [n.text for n in notes] == ["Chest film: no acute process.", "Benign tissue."]
    assert [(n.sender, n.message_id) for n in notes] == [("RIS|MERCY", "CTRL-2#1"), ("RIS|MERCY", "CTRL-2#2")]
    assert [n.loinc_code for n in notes] == ["18748-4", "11526-1"]


def test_adt_yields_no_note_and_is_accepted():
    parsed = only_message(ADT_A01)
    assert (parsed.notes, parsed.rejections, parsed.ack_code) == ((), (), "AA")


@pytest.mark.parametrize("ending", [b"\r", b"\n", b"\r\n"])
def test_batch_envelopes_and_any_line_ending_split_into_messages(ending):
    batch = "FHS|^~\\&\rBHS|^~\\&\r" + MDM_T02 + ADT_A01 + "BTS|2\rFTS|1\r"
    messages = split_messages(batch.encode().replace(b"\r", ending))
    assert [read_header(m).control_id for m in messages] == ["CTRL-1", "CTRL-3"]
    assert parse_message(messages[0]).notes[0].text.startswith("Rosalind was admitted")


def test_mixed_line_endings_and_bom_are_read():
    mixed = b"\xef\xbb\xbf" + MDM_T02.replace("\rEVN", "\nEVN").replace("\rPID", "\r\nPID").encode()
    (message,) = split_messages(mixed)
    assert len(parse_message(message).notes) == 1


def test_ed_text_plain_and_pdf_become_notes():
    plain = only_message(ed_message("ED-1", "plain", b64(b"Plain report text")))
    pdf = only_message(ed_message("ED-2", "PDF", b64(minimal_pdf("Pathology shows benign tissue"))))
    assert plain.notes[0].text == "Plain report text"
    assert "benign tissue" in pdf.notes[0].text


@pytest.mark.parametrize("raw, reason", [
    (b"PID|1||MRN4711||Quintero^Rosalind\r", "does not start with an MSH"),
    (MDM_T02.replace("MSH|^~\\&|", "MSH|^~^&|", 1).encode(), "encoding characters are invalid"),
    (MDM_T02.replace("\rPV1|", "\rP@1|").encode(), "segment 5 is broken"),
    (b"MSH|^~\\&|DICTATE|MERCY|APPLIANCE|MERCY|20240102\r", "MSH-9 message type is missing"),
    (MDM_T02.encode().replace(b"Rosalind was", b"Rosalind\x00was"), "binary data"),
    (MDM_T02.replace("TXA|", "ZXA|").encode(), "no TXA segment"),
])
def test_unreadable_messages_are_rejected_with_a_phi_free_reason(raw, reason):
    parsed = parse_message(raw)
    (rejection,) = parsed.rejections
    assert parsed.notes == ()
    assert reason in rejection.reason
    assert rejection.payload == raw
    assert not any(value in rejection.reason for value in PHI)
    assert parsed.ack_code in ("AR", "AE")


def test_attachment_that_does_not_decode_is_rejected_but_text_notes_survive():
    broken = only_message(ed_message("ED-3", "PDF", "not*base64!"))
    assert broken.notes == () and broken.ack_code == "AE"
    assert "not valid base64" in broken.rejections[0].reason
    mixed = only_message(MDM_T02 + "OBX|4|ED|X^Y^LN||^AP^PDF^Base64^@@@@||||||F\r")
    assert len(mixed.notes) == 1 and "segment 10" in mixed.rejections[0].reason


def test_truncated_message_in_a_batch_is_rejected_and_the_rest_goes_on():
    truncated = MDM_T02[: MDM_T02.index("OBX|1") + 2]  # cut inside a segment id
    results = [parse_message(m) for m in split_messages((truncated + "\r" + ORU_TWO_REPORTS).encode())]
    assert results[0].ack_code == "AR" and "broken" in results[0].rejections[0].reason
    assert len(results[1].notes) == 2


def test_segments_before_any_msh_are_rejected_as_missing_msh():
    first, second = split_messages(("PID|1||MRN4711\r" + ADT_A01).encode())
    assert isinstance(first, Rejection) and "missing MSH" in first.reason
    assert read_header(second).control_id == "CTRL-3"


def test_oversized_message_is_rejected_keeping_only_its_head():
    parsed = parse_message(b"MSH|" + b"x" * (MAX_INPUT_BYTES + 1))
    assert "byte limit" in parsed.rejections[0].reason
    assert len(parsed.rejections[0].payload) < MAX_INPUT_BYTES


def test_ack_echoes_control_id_and_carries_reason_escaped_without_phi():
    parsed = parse_message(MDM_T02.replace("TXA|", "ZXA|").encode())
    ack = build_ack(parsed.header, parsed.ack_code, parsed.ack_reason).decode()
    msh, msa, err = ack.strip("\r").split("\r")
    assert msh.startswith("MSH|^~\\&|APPLIANCE|MERCY|DICTATE|MERCY|")
    assert "|ACK^T02^ACK|" in msh
    assert msa == "MSA|AE|CTRL-1|MDM message has no TXA segment"
    assert err.startswith("ERR|||207^")
    assert not any(value in ack for value in PHI)


def test_ack_for_a_message_without_msh_is_an_ar():
    ack = build_ack(None, "AR", "message does not start with an MSH segment").decode()
    assert "\rMSA|AR||message does not start with an MSH segment\r" in ack


def test_msh_18_8859_1_is_read_as_latin_1_and_recorded():
    raw = MDM_T02.replace("|2.5.1\r", "|2.5.1||||||8859/1\r", 1).replace("Rosalind was", "Rosélind was")
    (note,) = parse_message(raw.encode("latin-1")).notes
    assert note.text.startswith("Rosélind was admitted") and note.charset == "latin-1"


def test_undeclared_text_that_is_not_utf8_falls_back_to_windows_1252_and_says_so():
    raw = MDM_T02.replace("Rosalind was", "Ros\u00e9lind \u2013 was")
    (note,) = parse_message(raw.encode("cp1252")).notes
    assert note.text.startswith("Ros\u00e9lind \u2013 was") and note.charset == "cp1252"


def test_declared_ascii_that_is_not_ascii_falls_back_and_records_the_declaration():
    raw = MDM_T02.replace("|2.5.1\r", "|2.5.1||||||ASCII\r", 1).replace("Rosalind was", "Rosélind was")
    (note,) = parse_message(raw.encode("utf-8")).notes
    assert note.charset == "utf-8 (declared ascii)"


MDM_HASH_COMPONENTS = (
    "MSH|#~\\&|DICTATE|MERCY|APPLIANCE|MERCY|20240102||MDM#T02|CTRL-7|P|2.5\r"
    "PID|1||MRN4711||Quintero#Rosalind\r"
    "TXA|1|DS|TX\r"
)


def test_msh_2_with_another_component_separator_is_parsed():
    parsed = parse_message((MDM_HASH_COMPONENTS + "OBX|1|TX|||Seen today.||||||F\r").encode())
    (note,) = parsed.notes
    assert (parsed.header.message_type, parsed.header.trigger_event) == ("MDM", "T02")
    assert note.text == "Seen today." and note.patient.names == ("Rosalind Quintero",)


@pytest.mark.parametrize("message", [
    MDM_HASH_COMPONENTS,
    MDM_HASH_COMPONENTS.replace("MDM#T02", "MDM#T01"),
    "MSH|^~\\&|LAB|MERCY|APPLIANCE|MERCY|20240102||ORU^R01|CTRL-8|P|2.5\rPID|1||MRN4711\rOBR|1||A1|x\r",
])
def test_a_note_bearing_message_without_note_text_is_ae_with_a_rejection(message):
    parsed = parse_message(message.encode())
    assert parsed.ack_code == "AE" and not parsed.notes
    (rejection,) = parsed.rejections
    assert "carries no note text" in rejection.reason and "Quintero" not in rejection.reason
