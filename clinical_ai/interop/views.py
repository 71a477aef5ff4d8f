"""FHIR endpoints: a Bundle in, a batch-response out; a processed document as a Bundle."""
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from clinical_ai.accounts.permissions import CanReadDocuments, CanSubmitDocuments
from clinical_ai.audit.services import record
from clinical_ai.documents.api import find_document
from clinical_ai.interop import fhir_r4
from clinical_ai.interop.fhir_out import document_bundle
from clinical_ai.interop.ingest import CREATED, DUPLICATE, ingest

FHIR_JSON = "application/fhir+json"


class RawBodyParser(BaseParser):
    """Keeps the body as bytes: fhir_r4 parses it, and bad bodies are quarantined verbatim."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class FhirInbound(APIView):
    permission_classes = [CanSubmitDocuments]
    parser_classes = [RawBodyParser]

    def post(self, request):
        outcomes = ingest(fhir_r4.parse_json(request.data, "request body"), source="fhir",
                          actor=request.user, request=request)
        if outcomes and all(o.status not in (CREATED, DUPLICATE) for o in outcomes):
            return _fhir(operation_outcome([o.reason for o in outcomes]), status=400)
        return _fhir({"resourceType": "Bundle", "type": "batch-response",
                      "entry": [_response_entry(o) for o in outcomes]})


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
