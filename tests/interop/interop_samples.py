"""Small hand-written HL7 v2 messages and FHIR resources; every name and number is invented."""
import base64

from tests.samples import minimal_pdf  # noqa: F401 - re-exported for the interop tests

MDM_T02 = (
    "MSH|^~\\&|DICTATE|MERCY|APPLIANCE|MERCY|20240102030405||MDM^T02^MDM_T02|CTRL-1|P|2.5.1\r"
    "EVN|T02|20240102030405\r"
    "PID|1||MRN4711^^^MERCY^MR~555-12-3456^^^SSA^SS||Quintero^Rosalind^M||19610915|F|||"
    "42 Larkspur Lane^Apt 3^Fairhaven^MA^02719^US||(508)555-0142\r"
    "NK1|1|Quintero^Bartholomew|SPO\r"
    "PV1|1|I|W3^301^A|||||1234^Oyelaran^Temitope^^^Dr\r"
    "TXA|1|DS|TX|20240102||||||||DOC-9|||||AU\r"
    "OBX|1|TX|18842-5^Discharge summary^LN||Rosalind was admitted with chest pain \\T\\ dyspnea.||||||F\r"
    "OBX|2|FT|18842-5^Discharge summary^LN||Plan:\\.br\\1\\F\\ aspirin\\.br\\2\\S\\ statin \\X41\\ done\\E\\ok||||||F\r"
    "OBX|3|ST|18842-5^Discharge summary^LN||Follow up in 2 weeks.||||||F\r"
)

ORU_TWO_REPORTS = (
    "MSH|^~\\&|RIS|MERCY|APPLIANCE|MERCY|20240102||ORU^R01|CTRL-2|P|2.5\r"
    "PID|1||MRN4711^^^MERCY^MR||Quintero^Rosalind||19610915|F\r"
    "OBR|1||ACC1|18748-4^Diagnostic imaging study^LN\r"
    "OBX|1|TX|||Chest film: no acute process.||||||F\r"
    "OBR|2||ACC2|24317-0^Hemogram^LN\r"
    "OBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL|||||F\r"
    "OBR|3||ACC3|11526-1^Pathology study^LN\r"
    "OBX|1|TX|||Benign tissue.||||||F\r"
)

ADT_A01 = (
    "MSH|^~\\&|ADT|MERCY|APPLIANCE|MERCY|20240102||ADT^A01|CTRL-3|P|2.5\r"
    "PID|1||MRN4711^^^MERCY^MR||Quintero^Rosalind||19610915|F\r"
)


def ed_message(control_id: str, subtype: str, data: str) -> str:
    return (
        f"MSH|^~\\&|LAB|MERCY|APPLIANCE|MERCY|20240102||ORU^R01|{control_id}|P|2.5\r"
        "PID|1||MRN4711^^^MERCY^MR||Quintero^Rosalind\r"
        "OBR|1||ACC9|11502-2^Laboratory report^LN\r"
        f"OBX|1|ED|11502-2^Laboratory report^LN||LAB^AP^{subtype}^Base64^{data}||||||F\r"
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


PATIENT = {
    "resourceType": "Patient", "id": "pat-1",
    "identifier": [{"system": "urn:mrn", "value": "MRN4711"}],
    "name": [{"family": "Quintero", "given": ["Rosalind"]}],
    "birthDate": "1961-09-15",
    "telecom": [{"system": "phone", "value": "508-555-0142"}],
    "address": [{"line": ["42 Larkspur Lane"], "city": "Fairhaven", "postalCode": "02719"}],
}
PRACTITIONER = {"resourceType": "Practitioner", "id": "prac-1", "name": [{"family": "Oyelaran", "given": ["Temitope"]}]}
RELATED = {"resourceType": "RelatedPerson", "id": "rel-1", "patient": {"reference": "Patient/pat-1"},
           "name": [{"family": "Quintero", "given": ["Bartholomew"]}]}


def document_reference(rid: str, attachment: dict) -> dict:
    return {
        "resourceType": "DocumentReference", "id": rid, "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "34117-2", "display": "History and physical note"}]},
        "subject": {"reference": "Patient/pat-1"},
        "author": [{"reference": "Practitioner/prac-1"}],
        "content": [{"attachment": attachment}],
    }


def bundle(*resources: dict, kind: str = "collection") -> dict:
    return {"resourceType": "Bundle", "type": kind,
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}
