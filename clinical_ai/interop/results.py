"""Plain result objects that every inbound parser returns.

Safety: a Rejection's ``reason`` names the rule that was broken and where (message
number, segment number, field, JSON path), never a value taken from the input, so it
can be logged, shown in the UI and sent back in an ACK without exposing PHI. The
offending bytes travel only in ``payload``, which goes to the encrypted quarantine.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from deid import PatientContext

Source = Literal["hl7v2", "fhir"]

# Larger inputs are refused before they are parsed; only their head is quarantined.
MAX_INPUT_BYTES = 20 * 1024 * 1024
QUARANTINE_HEAD_BYTES = 1024 * 1024


@dataclass(frozen=True)
class InboundNote:
    """A note as a parser found it. ``sender`` and ``message_id`` (MSH-3/4 and MSH-10; FHIR
    meta.source and the resource id) are the sender's, so they may identify the patient: the
    intake keeps only a keyed digest of them. ``charset`` records how the bytes were decoded.
    ``service_date`` is the date of service the sender gives (PHI: the intake encrypts it).
    ``author`` is the clinician the sender names as the note's author (a name: PHI to us, encrypted by the
    intake and de-identified by the deid step), not the account or engine that sent it.
    ``payload`` is the input the note was read from (its HL7 message; for FHIR, a function making a
    Bundle of its resource and context): what the quarantine keeps if the intake refuses the note,
    so that a release can read it again."""

    text: str
    patient: PatientContext | None
    source: Source
    sender: str = ""
    message_id: str = ""
    loinc_code: str = ""
    title: str = ""
    charset: str = ""
    service_date: date | None = None
    author: str = ""
    payload: bytes | Callable[[], bytes] = field(default=b"", repr=False)

    def __repr__(self) -> str:
        return f"InboundNote(source={self.source!r}, <redacted>)"


@dataclass(frozen=True)
class Rejection:
    reason: str
    payload: bytes = field(repr=False)
    partial: bool = False  # the payload is only the head of the input (see oversized)


def oversized(payload_size: int, head: bytes, where: str = "input") -> Rejection:
    """A Rejection for input over MAX_INPUT_BYTES, keeping only its head for review."""
    return Rejection(
        reason=(
            f"{where} is {payload_size} bytes, over the {MAX_INPUT_BYTES} byte limit; "
            f"only the first {len(head[:QUARANTINE_HEAD_BYTES])} bytes were kept"
        ),
        payload=head[:QUARANTINE_HEAD_BYTES],
        partial=len(head[:QUARANTINE_HEAD_BYTES]) < payload_size,
    )
