"""HL7 v2 inbound: files, batches and MLLP blocks to InboundNote / Rejection, and ACKs.

Guarantees:
- Every message in a file becomes notes, nothing (ADT and other note-less types), or a
  Rejection carrying its raw bytes; one bad message never stops the rest of a batch.
- A Rejection's reason and an ACK's text name the rule broken and where (segment number,
  field), never a value from the message: they are safe to log and to send back.
- A note's sender is "<MSH-3>|<MSH-4>" and its id MSH-10 (plus "#n" when one message holds
  several notes), so a resend of the same message maps onto the same document.
- Text is decoded by MSH-18 (ASCII, 8859/1, UNICODE UTF-8, ...); undeclared or undecodable
  text falls back to UTF-8, then Windows-1252, and the codec used is recorded on the note.
- A note-bearing message (MDM, ORU) that yields no note text is AE and quarantined, never AA
  with nothing kept.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import hl7

from clinical_ai.interop import hl7v2_context
from clinical_ai.interop.attachments import HTML, PDF, PLAIN, AttachmentError, attachment_text, decode_base64
from clinical_ai.interop.hl7v2_fields import Fields, unescape
from clinical_ai.interop.results import MAX_INPUT_BYTES, InboundNote, Rejection, oversized

_BOM = b"\xef\xbb\xbf"
_MLLP_FRAMING = b"\x0b\x1c"
_ENVELOPE_SEGMENTS = {b"FHS", b"BHS", b"FTS", b"BTS"}
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{2}\Z")
_TEXT_VALUE_TYPES = {"TX", "FT", "ST"}
# MSH-18 names -> Python codecs; what a declared codec cannot read falls back to _FALLBACK_CODECS.
_CHARSETS = {
    "ASCII": "ascii", "UNICODE UTF-8": "utf-8", "UTF-8": "utf-8", "UNICODE": "utf-8",
    "8859/1": "latin-1", "8859/15": "iso8859-15", "WINDOWS-1252": "cp1252", "CP1252": "cp1252",
}
_FALLBACK_CODECS = ("utf-8", "cp1252")
_NOTE_MESSAGE_TYPES = ("ORU", "MDM")
_ED_SUBTYPES = {"PDF": PDF, "PLAIN": PLAIN, "TXT": PLAIN, "TEXT": PLAIN, "HTML": HTML, "HTM": HTML}
# HL7 table 0270 document types -> LOINC document codes and titles.
_TXA_DOCUMENT_TYPES = {
    "DS": ("18842-5", "Discharge summary"),
    "HP": ("34117-2", "History and physical note"),
    "CN": ("11488-4", "Consult note"),
    "PN": ("11506-3", "Progress note"),
    "OP": ("11504-8", "Surgical operation note"),
    "ED": ("34111-5", "Emergency department note"),
    "DI": ("18748-4", "Diagnostic imaging study"),
    "SP": ("11526-1", "Pathology study"),
    "TS": ("18761-7", "Transfer summary note"),
    "PR": ("28570-0", "Procedure note"),
}
ACK_ACCEPT, ACK_ERROR, ACK_REJECT = "AA", "AE", "AR"


class _Invalid(Exception):
    """A message that cannot be read at all; the message is a PHI-free reason."""


@dataclass(frozen=True)
class MessageHeader:
    """The MSH fields needed to route, deduplicate and acknowledge a message."""

    field_separator: str
    encoding_characters: str
    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str
    message_type: str
    trigger_event: str
    control_id: str
    processing_id: str
    version: str
    charset: str

    @property
    def sender(self) -> str:
        return f"{self.sending_application}|{self.sending_facility}"


@dataclass(frozen=True)
class ParsedMessage:
    header: MessageHeader | None
    notes: tuple[InboundNote, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    ack_code: str = ACK_ACCEPT

    @property
    def ack_reason(self) -> str:
        return "; ".join(r.reason for r in self.rejections)


@dataclass
class _DocumentGroup:
    """OBX segments that together make one note, with the order or document they belong to."""

    order: Fields | None
    observations: list[tuple[int, Fields]] = field(default_factory=list)


def split_messages(data: bytes) -> list[bytes | Rejection]:
    """Messages of a file or batch in order, FHS/BHS/FTS/BTS envelopes dropped.

    Accepts CR, LF and CRLF segment endings, mixed, a UTF-8 BOM and stray MLLP framing.
    Segments before the first MSH become one Rejection.
    """
    messages: list[list[bytes]] = []
    orphans: list[bytes] = []
    for segment in _segments(data):
        if segment[:3] in _ENVELOPE_SEGMENTS:
            continue
        if segment.startswith(b"MSH"):
            messages.append([segment])
        elif messages:
            messages[-1].append(segment)
        else:
            orphans.append(segment)
    found: list[bytes | Rejection] = []
    if orphans:
        found.append(Rejection("segments found before any MSH segment (missing MSH)", b"\r".join(orphans)))
    found.extend(b"\r".join(segments) + b"\r" for segments in messages)
    return found


def file_items(data: bytes) -> Iterator[InboundNote | Rejection]:
    """The notes and rejections of every message in a file, batch or single message, in order."""
    for message in split_messages(data):
        if isinstance(message, Rejection):
            yield message
        else:
            parsed = parse_message(message)
            yield from parsed.notes
            yield from parsed.rejections


def parse_message(raw: bytes) -> ParsedMessage:
    """One message to its notes and rejections, with the ACK code it deserves."""
    if len(raw) > MAX_INPUT_BYTES:
        return ParsedMessage(None, rejections=(oversized(len(raw), raw, "message"),), ack_code=ACK_REJECT)
    header = read_header(raw)
    try:
        message, codec = _parse(raw, header)
    except _Invalid as problem:
        return ParsedMessage(header, rejections=(Rejection(str(problem), raw),), ack_code=ACK_REJECT)
    notes, problems = _notes(message, header, codec, raw)
    rejections = tuple(Rejection(problem, raw) for problem in problems)
    ack_code = ACK_ERROR if rejections and not notes else ACK_ACCEPT
    return ParsedMessage(header, tuple(notes), rejections, ack_code)


def read_header(raw: bytes) -> MessageHeader | None:
    """The MSH of a message read leniently (for routing and ACKs), None without one."""
    raw = _segments(raw[:65536])[0] if raw.strip() else b""
    if not raw.startswith(b"MSH") or len(raw) < 8:
        return None
    first_segment = raw.decode("latin-1")
    separator = first_segment[3]
    values = first_segment.split(separator)
    component = values[1][:1] or "^"

    def msh(number: int) -> str:
        return values[number - 1] if len(values) >= number else ""

    message_type = msh(9).split(component)
    return MessageHeader(
        field_separator=separator,
        encoding_characters=values[1],
        sending_application=msh(3),
        sending_facility=msh(4),
        receiving_application=msh(5),
        receiving_facility=msh(6),
        message_type=message_type[0].strip().upper(),
        trigger_event=message_type[1].strip().upper() if len(message_type) > 1 else "",
        control_id=msh(10).strip(),
        processing_id=msh(11),
        version=msh(12).split(component)[0],
        charset=msh(18).split(values[1][1:2] or "~")[0].strip().upper(),
    )


def build_ack(header: MessageHeader | None, ack_code: str, reason: str = "") -> bytes:
    """An original-mode ACK; ``reason`` must already be PHI-free (Rejection reasons are)."""
    separator = header.field_separator if header else "|"
    encoding = header.encoding_characters[:4] if header and _valid_encoding(separator, header.encoding_characters) else "^~\\&"
    text = _escape(reason, separator, encoding)
    h = header or MessageHeader(separator, encoding, "", "", "", "", "", "", "", "P", "2.5", "")
    msh = [
        "MSH", encoding, h.receiving_application, h.receiving_facility, h.sending_application,
        h.sending_facility, datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S"), "",
        encoding[0].join(["ACK", h.trigger_event, "ACK"]), uuid.uuid4().hex[:20],
        h.processing_id or "P", h.version or "2.5",
    ]
    segments = [separator.join(msh), separator.join(["MSA", ack_code, h.control_id, text])]
    if ack_code != ACK_ACCEPT:
        error_code = encoding[0].join(["207", "Application internal error", "HL70357"])
        segments.append(separator.join(["ERR", "", "", error_code, "E", "", "", "", text]))
    return ("\r".join(segments) + "\r").encode("utf-8")


def _segments(data: bytes) -> list[bytes]:
    data = data.removeprefix(_BOM).translate(None, _MLLP_FRAMING)
    lines = data.replace(b"\r\n", b"\r").replace(b"\n", b"\r").split(b"\r")
    return [line.strip() for line in lines if line.strip()]


def _parse(raw: bytes, header: MessageHeader | None) -> tuple[hl7.Message, str]:
    if header is None:
        raise _Invalid("message does not start with an MSH segment")
    if b"\x00" in raw:
        raise _Invalid("message holds binary data (NUL bytes), not HL7 text")
    if not _valid_encoding(header.field_separator, header.encoding_characters):
        raise _Invalid("MSH-1/MSH-2 separator and encoding characters are invalid")
    text, codec = _decode(raw, header.charset)
    segments = _text_segments(text)
    for number, segment in enumerate(segments, start=1):
        if not _SEGMENT_ID.match(segment[:3]) or segment[3:4] not in ("", header.field_separator):
            raise _Invalid(f"segment {number} is broken: no valid segment id before the field separator")
    for number, name in ((9, "message type"), (10, "message control id"), (12, "version id")):
        if not _msh_value(header, number):
            raise _Invalid(f"MSH-{number} {name} is missing (truncated MSH segment?)")
    return hl7.parse("\r".join(segments)), codec


def _text_segments(text: str) -> list[str]:
    lines = text.removeprefix("\ufeff").replace("\r\n", "\r").replace("\n", "\r").split("\r")
    return [line.strip().strip("\x0b\x1c") for line in lines if line.strip().strip("\x0b\x1c")]


def _msh_value(header: MessageHeader, number: int) -> str:
    return {9: header.message_type, 10: header.control_id, 12: header.version}[number]


def _valid_encoding(separator: str, encoding: str) -> bool:
    """MSH-1 one symbol; MSH-2 four (or five, with v2.7 truncation) distinct other symbols."""
    symbols = separator + encoding
    return (
        len(encoding) in (4, 5)
        and len(set(symbols)) == len(symbols)
        and not any(c.isalnum() or c.isspace() for c in symbols)
    )


def _decode(raw: bytes, charset: str) -> tuple[str, str]:
    """The message's text and how it was read: "latin-1", or "cp1252 (declared ascii)" for a fallback."""
    declared = _CHARSETS.get(charset) if charset else None
    if charset and declared is None:
        raise _Invalid("MSH-18 character set is not supported")
    data = raw.removeprefix(_BOM)
    for codec in (declared, *_FALLBACK_CODECS) if declared else _FALLBACK_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return text, codec if codec == declared or not declared else f"{codec} (declared {declared})"
    raise _Invalid("message is neither valid UTF-8 nor Windows-1252 text")


def _notes(message: hl7.Message, header: MessageHeader, codec: str,
           raw: bytes) -> tuple[list[InboundNote], list[str]]:
    if header.message_type not in _NOTE_MESSAGE_TYPES:
        return [], []
    segments = [Fields(segment, message, codec) for segment in message]
    txa = next((s for s in segments if s.segment_id == "TXA"), None)  # an MDM's document header
    if header.message_type == "MDM" and txa is None:
        return [], ["MDM message has no TXA segment"]
    groups = _mdm_groups(segments) if header.message_type == "MDM" else _oru_groups(segments)
    patient = hl7v2_context.patient_context(segments)
    problems: list[str] = []
    found: list[tuple[str, str, str, date | None, str]] = []
    for group in groups:
        text = _group_text(group, problems)
        if text:
            found.append((text, *_document_type(group, txa), _service_date(group, txa), _author(group, txa)))
    if not found and not problems:
        problems.append(f"{header.message_type} message carries no note text in its OBX segments")
    return [
        InboundNote(
            text=text, patient=patient, source="hl7v2", sender=header.sender,
            message_id=header.control_id + (f"#{index}" if len(found) > 1 else ""),
            loinc_code=loinc_code, title=title, charset=codec, service_date=service_date, author=author,
            payload=raw,
        )
        for index, (text, loinc_code, title, service_date, author) in enumerate(found, start=1)
    ], problems


def _oru_groups(segments: list[Fields]) -> list[_DocumentGroup]:
    """One group per OBR: each order's text results are one report."""
    groups: list[_DocumentGroup] = []
    for number, segment in enumerate(segments, start=1):
        if segment.segment_id == "OBR":
            groups.append(_DocumentGroup(segment))
        elif segment.segment_id == "OBX":
            if not groups:
                groups.append(_DocumentGroup(None))
            groups[-1].observations.append((number, segment))
    return groups


def _mdm_groups(segments: list[Fields]) -> list[_DocumentGroup]:
    """An MDM message carries one document: all its OBX in order."""
    order = next((s for s in segments if s.segment_id == "OBR"), None)
    observations = [(n, s) for n, s in enumerate(segments, start=1) if s.segment_id == "OBX"]
    return [_DocumentGroup(order, observations)]


def _group_text(group: _DocumentGroup, problems: list[str]) -> str:
    lines: list[str] = []
    for number, obx in group.observations:
        value_type = obx.component(2, 1).upper()
        if value_type in _TEXT_VALUE_TYPES:
            lines.extend(obx.text_repetitions(5))
        elif value_type == "ED":
            try:
                lines.extend(_ed_text(obx))
            except AttachmentError as problem:
                problems.append(f"segment {number} (OBX-5 ED): {problem}")
    return "\n".join(lines).strip()


def _ed_text(obx: Fields) -> list[str]:
    """Text of OBX-5 encapsulated data: ^type^subtype^encoding^data per repetition."""
    texts = []
    for rep in obx.repetitions(5):
        data = rep[4] if len(rep) > 4 else ""
        if not data.strip():
            continue
        subtype, encoding = (rep[2] if len(rep) > 2 else "").upper(), (rep[3] if len(rep) > 3 else "").upper()
        content_type = _ED_SUBTYPES.get(subtype or (rep[1] if len(rep) > 1 else "").upper())
        if content_type is None:
            raise AttachmentError("ED subtype is not PDF, plain text or HTML")
        texts.append(attachment_text(_ed_bytes(data, encoding, obx), content_type))
    return texts


def _ed_bytes(data: str, encoding: str, obx: Fields) -> bytes:
    if encoding in ("BASE64", "B64"):
        return decode_base64(data)
    if encoding == "HEX":
        try:
            return bytes.fromhex(data)
        except ValueError:
            raise AttachmentError("ED data is not valid hex") from None
    if encoding in ("A", ""):
        return unescape(data, obx.message, obx.charset).encode("utf-8")
    raise AttachmentError("ED encoding is not Base64, Hex or A")


def _document_type(group: _DocumentGroup, txa: Fields | None) -> tuple[str, str]:
    """(LOINC code, title): TXA-2 for MDM documents, else a LOINC-coded OBR-4."""
    if txa is not None and txa.component(2, 1).upper() in _TXA_DOCUMENT_TYPES:
        return _TXA_DOCUMENT_TYPES[txa.component(2, 1).upper()]
    if group.order is None:
        return "", ""
    for code, title, system in ((1, 2, 3), (4, 5, 6)):
        if group.order.component(4, system).upper() == "LN":
            return group.order.component(4, code), group.order.component(4, title)
    return "", group.order.component(4, 2)


def _service_date(group: _DocumentGroup, txa: Fields | None) -> date | None:
    """TXA-4 (the document's activity date) for MDM documents, else the report's OBR-7 (observation
    date). MSH-7 is when the message was sent, not a date of service: without either, there is none."""
    for value in (txa.component(4, 1) if txa else "", group.order.component(7, 1) if group.order else ""):
        try:
            return datetime.strptime(value[:8], "%Y%m%d").date()
        except ValueError:
            continue
    return None


def _author(group: _DocumentGroup, txa: Fields | None) -> str:
    """Who wrote the note: TXA-9 (originator), else TXA-22 (authentication person) of an MDM document;
    else the report's OBR-32 (principal result interpreter), else OBR-16 (ordering provider). The name
    as "given family"; "" when the message names none (PV1's attending did not necessarily write it)."""
    fields = [(txa, 9, hl7v2_context.clinician_name), (txa, 22, hl7v2_context.clinician_name),
              (group.order, 32, hl7v2_context.ndl_name), (group.order, 16, hl7v2_context.clinician_name)]
    for segment, number, name_of in fields:
        for rep in segment.repetitions(number) if segment is not None else ():
            name = name_of(segment, rep)[0].strip()
            if name:
                return name
    return ""


def _escape(text: str, separator: str, encoding: str) -> str:
    component, repetition, escape, subcomponent = encoding[:4]
    text = text.replace(escape, f"{escape}E{escape}")
    for symbol, code in ((separator, "F"), (component, "S"), (repetition, "R"), (subcomponent, "T")):
        text = text.replace(symbol, f"{escape}{code}{escape}")
    return text.replace("\r", " ").replace("\n", " ")
