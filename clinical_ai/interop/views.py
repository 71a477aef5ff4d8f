"""FHIR endpoints: a Bundle in, a batch-response out; a processed document as a Bundle.

A posted Bundle is one batch: the response names it (Bundle.identifier, and Content-Location,
where its progress is read)."""
import uuid

from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from clinical_ai.accounts.permissions import CanReadDocuments, CanSubmitDocuments
from clinical_ai.audit.services import record
from clinical_ai.documents.api import find_document
from clinical_ai.interop import fhir_r4
from clinical_ai.interop.fhir_out import document_bundle
from clinical_ai.interop.ingest import CREATED, DUPLICATE, ingest

FHIR_JSON = "application/fhir+json"
BATCH_SYSTEM = "urn:clinical-ai:batch"


class RawBodyParser(BaseParser):
    """Keeps the body as bytes: fhir_r4 parses it, and bad bodies are quarantined verbatim."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class FhirInbound(APIView):
    permission_classes = [CanSubmitDocuments]
    parser_classes = [RawBodyParser]

    def post(self, request):
        batch = uuid.uuid4()
        outcomes = ingest(fhir_r4.parse_json(request.data, "request body"), source="fhir",
                          actor=request.user, request=request, batch=batch)
        if outcomes and all(o.status not in (CREATED, DUPLICATE) for o in outcomes):
            response = _fhir(operation_outcome([o.reason for o in outcomes]), status=400)
        else:
            response = _fhir({"resourceType": "Bundle", "type": "batch-response",
                              "identifier": {"system": BATCH_SYSTEM, "value": str(batch)},
                              "entry": [_response_entry(o) for o in outcomes]})
        response["Content-Location"] = reverse("api-batch", args=[batch])
        return response


class DocumentFhir(APIView):
    permission_classes = [CanReadDocuments]

    def get(self, request, document_id):
        document = find_document(request.user, str(document_id))
        if document is None:
            return _fhir(operation_outcome(["no such document"], code="not-found"), status=404)
        record(action="export", actor=request.user, request=request, object_type="document",
               object_id=document.pk, patient_key=document.patient_key, details={"format": "fhir"})
        return _fhir(document_bundle(document))


def operation_outcome(reasons: list[str], code: str = "invalid") -> dict:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": r} for r in reasons] or
                     [{"severity": "error", "code": code, "diagnostics": "the Bundle holds no note"}]}


def _response_entry(outcome) -> dict:
    if outcome.document is None:
        return {"response": {"status": "400 Bad Request", "outcome": operation_outcome([outcome.reason])}}
    return {"response": {"status": "201 Created" if outcome.status == CREATED else "200 OK",
                         "location": f"DocumentReference/{outcome.document.id}"}}


def _fhir(body: dict, status: int = 200) -> Response:
    return Response(body, status=status, content_type=FHIR_JSON)
