"""One meaning per PatientContext field from HL7 v2: emails are emails, phones phones."""
from clinical_ai.interop.hl7v2 import parse_message

MESSAGE = (
    "MSH|^~\\&|DICTATE|MERCY|APPLIANCE|MERCY|20240102||MDM^T02|CTRL-1|P|2.5\r"
    "PID|1||MRN4711||Quintero^Rosalind||19610915|F|||||(508)555-0142~^NET^Internet^rosalind@example.org\r"
    "TXA|1|DS|TX\r"
    "OBX|1|TX|||Seen today.||||||F\r"
)


def test_xtn_email_goes_to_emails_and_never_to_phones_or_identifiers():
    (note,) = parse_message(MESSAGE.encode()).notes
    assert note.patient.emails == ("rosalind@example.org",)
    assert note.patient.phones == ("(508)555-0142",)
    assert "rosalind@example.org" not in note.patient.identifiers
