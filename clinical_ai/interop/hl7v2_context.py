"""The de-identification context of an HL7 v2 message: who the note is about and by.

Everything that names or locates a person is collected: the patient (PID), relatives and
guarantors (PID-6, NK1, GT1, IN1), clinicians (PV1, TXA, OBR, ORC, OBX, EVN, PRT, ROL,
PD1) and organizations. Over-collecting only costs redaction of a harmless word;
missing one leaks it, so the tables below err wide.
"""
from __future__ import annotations

import re

from clinical_ai.interop.hl7v2_fields import Fields
from deid import PatientContext

# (segment, field) tables by HL7 data type.
_PATIENT_NAMES = (("PID", 5), ("PID", 9))  # XPN
_RELATIVE_NAMES = (("PID", 6), ("NK1", 2), ("GT1", 3), ("IN1", 16), ("CTD", 2))  # XPN
_CLINICIANS = (  # XCN: id^family^given^middle
    ("PV1", 7), ("PV1", 8), ("PV1", 9), ("PV1", 17), ("PV1", 52), ("PV2", 13),
    ("TXA", 5), ("TXA", 9), ("TXA", 10), ("TXA", 11), ("TXA", 22), ("TXA", 23),
    ("OBR", 10), ("OBR", 16), ("OBR", 28), ("ORC", 10), ("ORC", 11), ("ORC", 12),
    ("OBX", 16), ("EVN", 5), ("PRT", 5), ("ROL", 4), ("PD1", 4), ("NTE", 5),
)
_CLINICIAN_NDL = (("OBR", 32), ("OBR", 33), ("OBR", 34), ("OBR", 35))  # id&family&given...
_IDENTIFIERS = (  # CX and plain ids
    ("PID", 2), ("PID", 3), ("PID", 4), ("PID", 18), ("PID", 19), ("PID", 20),
    ("PV1", 19), ("PV1", 50), ("NK1", 12), ("GT1", 2), ("GT1", 12), ("IN1", 36),
)
_ADDRESSES = (("PID", 11), ("NK1", 4), ("GT1", 5), ("IN1", 19), ("CTD", 3))  # XAD
_PHONES = (("PID", 13), ("PID", 14), ("NK1", 5), ("NK1", 6), ("GT1", 6), ("CTD", 5))  # XTN
_ORGANIZATIONS = (("MSH", 4), ("ORC", 21), ("OBX", 23), ("PD1", 3), ("IN1", 4), ("GT1", 21))  # XON/HD: name first
_LOCATIONS = (("PV1", 3), ("PV1", 6), ("PV1", 11), ("PV1", 42))  # PL: facility is component 4
_ALNUM = re.compile(r"[^\W_]")


def patient_context(segments: list[Fields]) -> PatientContext | None:
    """The context of every note in a message; None when the message names no patient."""
    pid = next((s for s in segments if s.segment_id == "PID"), None)
    if pid is None:
        return None
    identifiers = _collect(segments, _IDENTIFIERS, lambda s, rep: [s.decode(rep[0])])
    return PatientContext(
        patient_id=pid.component(3, 1) or pid.component(2, 1) or None,
        names=_collect(segments, _PATIENT_NAMES, _person_name),
        birth_date=_iso_date(pid.component(7, 1)),
        identifiers=identifiers,
        addresses=_collect(segments, _ADDRESSES, _address),
        phones=_collect(segments, _PHONES, _phone),
        emails=_collect(segments, _PHONES, _email),
        relatives=_collect(segments, _RELATIVE_NAMES, _person_name),
        clinicians=_collect(segments, _CLINICIANS, clinician_name)
        + _collect(segments, _CLINICIAN_NDL, ndl_name),
        organizations=_collect(segments, _ORGANIZATIONS, lambda s, rep: s.subcomponents(rep[0])[:1])
        + _collect(segments, _LOCATIONS, _location_facility),
    )


def _collect(segments: list[Fields], table, read) -> tuple[str, ...]:
    """Every non-empty value ``read`` finds in the table's fields, deduplicated, in order."""
    wanted = {}
    for segment_id, number in table:
        wanted.setdefault(segment_id, []).append(number)
    values = []
    for segment in segments:
        for number in wanted.get(segment.segment_id, ()):
            for rep in segment.repetitions(number):
                values.extend(v.strip() for v in read(segment, rep))
    return tuple(dict.fromkeys(v for v in values if _ALNUM.subn("", v)[1] >= 2))


def _part(segment: Fields, rep: list[str], index: int) -> str:
    """Component ``index`` (0-based) with its subcomponents joined by spaces."""
    if len(rep) <= index:
        return ""
    return " ".join(p for p in segment.subcomponents(rep[index]) if p)


def _person_name(segment: Fields, rep: list[str], offset: int = 0) -> list[str]:
    """XPN family^given^middle (offset 1 for XCN) as "given middle family"."""
    family, given, middle = (_part(segment, rep, offset + i) for i in range(3))
    return [" ".join(p for p in (given, middle, family) if p)]


def clinician_name(segment: Fields, rep: list[str]) -> list[str]:
    """XCN; senders also put a bare name where the id belongs ("John Smith")."""
    name = _person_name(segment, rep, offset=1)[0]
    bare = _part(segment, rep, 0)
    if not name and bare and not any(c.isdigit() for c in bare):
        return [bare]
    return [name]


def ndl_name(segment: Fields, rep: list[str]) -> list[str]:
    """NDL: the first component is a CNN, id&family&given&middle as subcomponents."""
    parts = segment.subcomponents(rep[0])[1:4] if rep else []
    family, given, middle = (parts + ["", "", ""])[:3]
    return [" ".join(p for p in (given, middle, family) if p)]


def _address(segment: Fields, rep: list[str]) -> list[str]:
    """XAD street^other^city^state^zip^country as one comma-separated line."""
    parts = [_part(segment, rep, i) for i in range(5)]
    return [", ".join(p for p in parts if p)]


def _phone(segment: Fields, rep: list[str]) -> list[str]:
    """XTN: the old-style number in component 1, else area code + local number; never the email."""
    if _part(segment, rep, 2).upper() == "INTERNET" or "@" in _part(segment, rep, 0):
        return []
    number = _part(segment, rep, 0)
    composed = " ".join(p for p in (_part(segment, rep, 5), _part(segment, rep, 6)) if p)
    return [number if sum(c.isdigit() for c in number) >= 7 else composed]


def _email(segment: Fields, rep: list[str]) -> list[str]:
    """XTN-4, or an address a sender put in XTN-1."""
    return [_part(segment, rep, 3) or (_part(segment, rep, 0) if "@" in _part(segment, rep, 0) else "")]


def _location_facility(segment: Fields, rep: list[str]) -> list[str]:
    return [_part(segment, rep, 3)]


def _iso_date(value: str) -> str | None:
    """HL7 DTM YYYY[MM[DD...]] to ISO YYYY[-MM[-DD]]."""
    digits = value[:8]
    if not digits.isdigit() or len(digits) not in (4, 6, 8):
        return None
    return "-".join(part for part in (digits[:4], digits[4:6], digits[6:8]) if part)
