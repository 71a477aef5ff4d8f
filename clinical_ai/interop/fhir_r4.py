"""FHIR R4 inbound: Bundles, single resources and bulk NDJSON folders to notes.

Guarantees:
- Notes come from DocumentReference (attachment ``data``, or ``url`` to a Binary in the
  same bundle or folder), DiagnosticReport.presentedForm and Composition sections.
- Each note carries, as its de-identification context, the Patient it is about with that
  patient's RelatedPersons, and every Practitioner and Organization in the same input
  (referenced ones and the rest: naming a clinician the note does not reference costs
  nothing, missing one leaks it).
- Note-bearing resources are validated with fhir.resources (R4B models, which read R4
  notes unchanged). Every problem becomes a Rejection whose reason names the resource
  type, its position (entry, line) and the JSON path, never a value from the input: not a
  resource id, not a file name (both may identify the patient).
- A note's sender is its ``meta.source`` (or its Bundle's), its id the resource id; a note
  without an id is never taken for another one.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from clinical_ai.interop.attachments import AttachmentError, attachment_text, decode_base64, html_to_text
from clinical_ai.interop.results import MAX_INPUT_BYTES, InboundNote, Rejection, oversized
from deid import PatientContext

NOTE_TYPES = ("DocumentReference", "DiagnosticReport", "Composition")
_CONTEXT_TYPES = ("Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Organization", "Binary")
_LOINC = "http://loinc.org"
_NDJSON_NAME = re.compile(r"^([A-Za-z]+)(?:\.\d+)?\.ndjson$")


@dataclass
class ResourceIndex:
    """The resources of one bundle or folder, found by "Type/id", fullUrl or identifier."""

    by_key: dict[str, dict] = field(default_factory=dict)
    by_type: dict[str, list[dict]] = field(default_factory=dict)
    # id(resource) -> (where it was found, e.g. "request body entry 3", its sender's meta.source)
    origin: dict[int, tuple[str, str]] = field(default_factory=dict)
    full_urls: dict[int, str] = field(default_factory=dict)

    def add(self, resource: dict, full_url: str = "", where: str = "", sender: str = "") -> None:
        kind, rid = resource.get("resourceType", ""), str(resource.get("id", ""))
        self.by_type.setdefault(kind, []).append(resource)
        self.origin[id(resource)] = (where, sender)
        self.full_urls[id(resource)] = full_url
        keys = [f"{kind}/{rid}"] if rid else []
        keys += [full_url] if full_url else []
        keys += [f"{kind}?identifier={i.get('system', '')}|{i.get('value', '')}" for i in _list(resource.get("identifier"))
                 if isinstance(i, dict)]
        for key in keys:
            self.by_key[key] = resource

    def resolve(self, reference) -> dict | None:
        """A Reference (or reference string) to the resource it names, if present."""
        key = reference.get("reference", "") if isinstance(reference, dict) else str(reference or "")
        return self.by_key.get(key) or self.by_key.get(key.split("/_history")[0])


def parse_json(data: bytes, label: str = "input") -> list[InboundNote | Rejection]:
    """A Bundle (any type) or a single resource, as JSON bytes."""
    if len(data) > MAX_INPUT_BYTES:
        return [oversized(len(data), data, label)]
    resource = _load_json(data, label)
    if isinstance(resource, Rejection):
        return [resource]
    if not isinstance(resource, dict) or "resourceType" not in resource:
        return [Rejection(f"{label} is JSON but not a FHIR resource (no resourceType)", data)]
    index = ResourceIndex()
    rejected = list(_index_resources(index, _bundle_entries(resource, label), data))
    return rejected + list(notes_from_index(index))


def parse_ndjson_folder(folder: Path, label: str = "folder") -> list[InboundNote | Rejection]:
    """A bulk-data export folder: every NDJSON file is read before notes are built."""
    index = ResourceIndex()
    rejected: list[InboundNote | Rejection] = []
    for number, path in enumerate(sorted(folder.glob("*.ndjson")), start=1):
        rejected.extend(_index_ndjson(index, path, _ndjson_label(path, f"{label} NDJSON file {number}")))
    return rejected + list(notes_from_index(index))


def parse_ndjson_file(path: Path, label: str = "NDJSON file") -> list[InboundNote | Rejection]:
    index = ResourceIndex()
    rejected = list(_index_ndjson(index, path, _ndjson_label(path, label)))
    return rejected + list(notes_from_index(index))


def _ndjson_label(path: Path, fallback: str) -> str:
    """A bulk-export name ("DocumentReference.000.ndjson") names a resource type, nobody; others may."""
    return path.name if _NDJSON_NAME.match(path.name) else fallback


def notes_from_index(index: ResourceIndex) -> Iterator[InboundNote | Rejection]:
    for kind in NOTE_TYPES:
        for resource in index.by_type.get(kind, []):
            yield from _resource_notes(resource, index)


def _load_json(data: bytes, label: str) -> object | Rejection:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return Rejection(f"{label} is not UTF-8 text", data)
    except json.JSONDecodeError as problem:
        return Rejection(f"{label} is not valid JSON (line {problem.lineno}, column {problem.colno})", data)


def _bundle_entries(resource: dict, label: str) -> Iterator[tuple[dict, str, str, str]]:
    """(resource, fullUrl, where, sender) of a Bundle's entries, or of a single resource."""
    if resource.get("resourceType") != "Bundle":
        yield resource, "", label, _meta_source(resource)
        return
    bundle_sender = _meta_source(resource)
    for number, entry in enumerate(_list(resource.get("entry")), start=1):
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
            inner = entry["resource"]
            yield inner, str(entry.get("fullUrl", "")), f"{label} entry {number}", _meta_source(inner) or bundle_sender


def _meta_source(resource: dict) -> str:
    meta = resource.get("meta")
    return str(meta.get("source") or "") if isinstance(meta, dict) else ""


def _index_ndjson(index: ResourceIndex, path: Path, label: str) -> Iterator[Rejection]:
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        with path.open("rb") as handle:
            yield oversized(size, handle.read(MAX_INPUT_BYTES // 20), label)
        return
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            resource = _load_json(line, f"{label} line {number}")
            if isinstance(resource, Rejection):
                yield resource
            elif not isinstance(resource, dict) or "resourceType" not in resource:
                yield Rejection(f"{label} line {number} is not a FHIR resource (no resourceType)", line)
            else:
                yield from _index_resources(index, _bundle_entries(resource, f"{label} line {number}"), line)


def _index_resources(index: ResourceIndex, entries: Iterable[tuple[dict, str, str, str]],
                     payload: bytes) -> Iterator[Rejection]:
    """Validate the resources we read and index them; other known types are passed over."""
    for resource, full_url, where, sender in entries:
        kind = resource.get("resourceType")
        problem = _validation_problem(resource, where)
        if problem:
            yield Rejection(problem, _payload_of(resource, payload))
        elif kind in NOTE_TYPES or kind in _CONTEXT_TYPES:
            index.add(resource, full_url, where, sender)


def _validation_problem(resource: dict, where: str) -> str:
    kind = resource.get("resourceType")
    try:
        model = get_fhir_model_class(kind) if isinstance(kind, str) and kind.isalpha() else None
    except (KeyError, ValueError):
        model = None
    if model is None:
        return f"{where}: resourceType is not a FHIR R4 resource type"
    if kind not in NOTE_TYPES and kind not in _CONTEXT_TYPES:
        return ""
    try:
        model.model_validate(resource)
    except ValidationError as error:
        paths = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors(include_input=False)})
        return f"{where} ({kind}) is not valid FHIR R4 at {', '.join(paths[:5])}"
    return ""


def _resource_notes(resource: dict, index: ResourceIndex) -> Iterator[InboundNote | Rejection]:
    where, sender = index.origin.get(id(resource), ("input", ""))
    where = f"{where} ({resource.get('resourceType')})"
    subject = index.resolve(resource.get("subject"))
    patient = patient_context(subject, index, _authors(resource, index))
    loinc_code, title = _loinc(resource.get("type") or resource.get("code"))
    title = resource.get("description") or resource.get("title") or _attachment_title(resource) or title
    try:
        texts = list(_texts(resource, index))
    except AttachmentError as problem:
        yield Rejection(f"{where}: {problem}", _note_payload(resource, subject, index, sender))
        return
    if not texts:
        if resource.get("resourceType") == "DocumentReference":
            yield Rejection(f"{where}: no attachment with text", _note_payload(resource, subject, index, sender))
        return
    yield InboundNote(text="\n\n".join(texts), patient=patient, source="fhir", sender=sender,
                      message_id=_resource_id(resource), loinc_code=loinc_code, title=str(title),
                      service_date=_service_date(resource), author=_author_name(resource, index),
                      payload=functools.partial(_note_payload, resource, subject, index, sender))


def _service_date(resource: dict) -> date | None:
    """The period of service a DocumentReference documents (context.period.start), a DiagnosticReport's
    effective time, else the resource's date (when the reference or composition was made); the day as
    the sender wrote it, in its own time zone."""
    context = resource.get("context") if isinstance(resource.get("context"), dict) else {}
    period = context.get("period") if isinstance(context.get("period"), dict) else {}
    effective = resource.get("effectivePeriod") if isinstance(resource.get("effectivePeriod"), dict) else {}
    for value in (period.get("start"), resource.get("effectiveDateTime"), effective.get("start"), resource.get("date")):
        try:
            return date.fromisoformat(value[:10])
        except (TypeError, ValueError):
            continue
    return None


def _note_payload(resource: dict, subject: dict | None, index: ResourceIndex, sender: str) -> bytes:
    """What the quarantine keeps of a note: a Bundle of the resource and of what it is read with
    (its patient and their relatives, the input's clinicians and organizations, its Binaries) under
    its sender, so a release reads the same note with the same de-identification context and scope
    without re-sending the rest of a bulk input."""
    relatives = [r for r in index.by_type.get("RelatedPerson", []) if subject and index.resolve(r.get("patient")) is subject]
    people = [subject] if subject else []
    people += relatives + [r for kind in ("Practitioner", "PractitionerRole", "Organization")
                           for r in index.by_type.get(kind, [])]
    binaries = [index.resolve(a.get("url", "")) for a in _attachments(resource) if isinstance(a, dict)]
    entries = {id(r): r for r in [resource, *people, *binaries] if r is not None}.values()
    bundle = {"resourceType": "Bundle", "type": "collection", **({"meta": {"source": sender}} if sender else {}),
              "entry": [{"resource": r, **({"fullUrl": index.full_urls[id(r)]} if index.full_urls.get(id(r)) else {})}
                        for r in entries]}
    return _payload_of(bundle, b"")


def _attachment_title(resource: dict) -> str:
    return next((str(a["title"]) for a in _attachments(resource) if isinstance(a, dict) and a.get("title")), "")


def _attachments(resource: dict) -> list:
    """A DocumentReference's content attachments, a DiagnosticReport's presentedForm."""
    return ([c.get("attachment") for c in _list(resource.get("content")) if isinstance(c, dict)]
            + _list(resource.get("presentedForm")))


def _texts(resource: dict, index: ResourceIndex) -> Iterator[str]:
    if resource["resourceType"] == "Composition":
        yield from _composition_texts(resource)
        return
    for attachment in _attachments(resource):
        if isinstance(attachment, dict):
            yield attachment_text(_attachment_bytes(attachment, index), attachment.get("contentType", "text/plain"))


def _attachment_bytes(attachment: dict, index: ResourceIndex) -> bytes:
    if attachment.get("data"):
        return decode_base64(attachment["data"])
    binary = index.resolve(attachment.get("url", ""))
    if binary is None or binary.get("resourceType") != "Binary":
        raise AttachmentError("attachment has no data and its url names no Binary in the same input")
    return decode_base64(binary.get("data", ""))


def _composition_texts(composition: dict) -> Iterator[str]:
    def walk(sections):
        for section in _list(sections):
            if not isinstance(section, dict):
                continue
            body = html_to_text(section.get("text", {}).get("div", "")) if isinstance(section.get("text"), dict) else ""
            heading = section.get("title", "")
            if heading or body:
                yield "\n".join(p for p in (heading, body) if p)
            yield from walk(section.get("section"))

    yield from walk(composition.get("section"))


def patient_context(patient: dict | None, index: ResourceIndex, authors: list[dict]) -> PatientContext | None:
    """The patient, its relatives, and every clinician and organization in the input."""
    if patient is None or patient.get("resourceType") != "Patient":
        return None
    relatives = [r for r in index.by_type.get("RelatedPerson", []) if index.resolve(r.get("patient")) is patient]
    clinicians = authors + [p for p in index.by_type.get("Practitioner", []) if p not in authors]
    people = [patient, *relatives, *clinicians]
    return PatientContext(
        patient_id=str(patient.get("id")) if patient.get("id") else None,
        names=_names([patient]) + _extension_strings(patient, "mothersMaidenName"),
        birth_date=patient.get("birthDate"),
        identifiers=_dedupe(str(i.get("value", "")) for p in people for i in _list(p.get("identifier"))
                            if isinstance(i, dict)),
        addresses=_addresses(people) + _birth_place(patient),
        phones=_telecoms(people, "phone", "fax", "sms", "pager"),
        emails=_telecoms(people, "email"),
        relatives=_names(relatives) + _dedupe(c for r in relatives for c in _contact_names(r)) + _contact_names(patient),
        clinicians=_names(clinicians) + _displays(clinicians),
        organizations=_dedupe(o.get("name", "") for o in index.by_type.get("Organization", [])),
    )


# Who wrote a note, most telling first: its author, the one who authenticated it (DocumentReference), who
# interpreted it (DiagnosticReport), who performed it, who attested it (Composition).
_AUTHOR_FIELDS = ("author", "authenticator", "resultsInterpreter", "performer", "attester")


def _authors(resource: dict, index: ResourceIndex) -> list[dict]:
    """The people a note names as its authors, as Practitioners (a display alone as a Practitioner of that name)."""
    references = [reference for name in _AUTHOR_FIELDS for reference in _list(resource.get(name))]
    found = []
    for reference in references:
        target = index.resolve(reference.get("party", reference) if isinstance(reference, dict) else reference)
        if target is not None and target.get("resourceType") == "PractitionerRole":  # the person in the role
            reference = target.get("practitioner") if isinstance(target.get("practitioner"), dict) else {}
            target = index.resolve(reference)
            if target is None and reference.get("display"):
                found.append({"resourceType": "Practitioner", "name": [{"text": reference["display"]}]})
        if target is not None and target.get("resourceType") == "Practitioner":
            found.append(target)
        elif isinstance(reference, dict) and reference.get("display"):
            found.append({"resourceType": "Practitioner", "name": [{"text": reference["display"]}]})
    return found


def _author_name(resource: dict, index: ResourceIndex) -> str:
    """The note's author as the sender names them ("" when it names none): a name, so PHI to us."""
    return next((name for person in _authors(resource, index) for name in _names([person])), "")


def _names(people: list[dict]) -> tuple[str, ...]:
    return _dedupe(_human_name(n) for p in people for n in _list(p.get("name")) if isinstance(n, dict))


def _human_name(name: dict) -> str:
    parts = [*map(str, _list(name.get("given"))), str(name.get("family", ""))]
    return " ".join(p for p in parts if p) or str(name.get("text", ""))


def _displays(people: list[dict]) -> tuple[str, ...]:
    return _dedupe(n.get("text", "") for p in people for n in _list(p.get("name")) if isinstance(n, dict))


def _contact_names(person: dict) -> tuple[str, ...]:
    return _dedupe(_human_name(c["name"]) for c in _list(person.get("contact"))
                   if isinstance(c, dict) and isinstance(c.get("name"), dict))


def _addresses(people: list[dict]) -> tuple[str, ...]:
    return _dedupe(
        ", ".join(str(p) for p in [*_list(a.get("line")), a.get("city"), a.get("district"), a.get("postalCode")] if p)
        for person in people for a in _list(person.get("address")) if isinstance(a, dict)
    )


def _birth_place(patient: dict) -> tuple[str, ...]:
    places = [e.get("valueAddress", {}) for e in _list(patient.get("extension"))
              if isinstance(e, dict) and str(e.get("url", "")).endswith("patient-birthPlace")]
    return _dedupe(", ".join(str(v) for v in (p.get("city"), p.get("district")) if v) for p in places)


def _extension_strings(resource: dict, suffix: str) -> tuple[str, ...]:
    return _dedupe(str(e.get("valueString", "")) for e in _list(resource.get("extension"))
                   if isinstance(e, dict) and str(e.get("url", "")).endswith(suffix))


def _telecoms(people: list[dict], *systems: str) -> tuple[str, ...]:
    return _dedupe(str(t.get("value", "")) for p in people for t in _list(p.get("telecom"))
                   if isinstance(t, dict) and t.get("system") in systems)


def _loinc(concept) -> tuple[str, str]:
    if not isinstance(concept, dict):
        return "", ""
    for coding in _list(concept.get("coding")):
        if isinstance(coding, dict) and coding.get("system") == _LOINC:
            return str(coding.get("code", "")), str(coding.get("display", ""))
    return "", str(concept.get("text", ""))


def _resource_id(resource: dict) -> str:
    """The resource's "Type/id", or "" when it has none (normal in a transaction Bundle)."""
    kind, rid = resource.get("resourceType", ""), resource.get("id", "")
    return f"{kind}/{rid}" if kind and rid and isinstance(rid, str) else ""


def _payload_of(resource: dict, fallback: bytes) -> bytes:
    try:
        return json.dumps(resource).encode("utf-8")
    except (TypeError, ValueError):
        return fallback


def _list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
