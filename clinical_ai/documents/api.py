import json
import uuid

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from clinical_ai.accounts.permissions import CanReadDocuments, CanSubmitDocuments
from clinical_ai.audit.services import record_read
from clinical_ai.documents import intake, listing
from clinical_ai.documents.models import Document
from clinical_ai.documents.presenters import document_payload


def visible_documents(user):
    """Clinicians see the documents of their own unit."""
    return Document.objects.filter(unit=user.profile.unit).select_related("deid_tagger", "summarizer", "classifier")


def find_document(user, document_id: str) -> Document | None:
    try:
        return visible_documents(user).filter(pk=uuid.UUID(document_id)).first()
    except ValueError:
        return None


def read_submission(request) -> tuple[str, str, dict | None]:
    """(text, content type, patient) from a JSON body, or a multipart upload with an optional
    ``patient`` JSON field."""
    if request.content_type.startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise intake.InvalidDocument("Send the note as a multipart field named 'file'.")
        text, content_type = intake.text_from_file(upload.name, upload.read())
        patient = request.data.get("patient")
        return text, content_type, json.loads(patient) if patient else None
    intake.check_size(len(request.body))  # read before request.data, so the raw bytes stay for quarantine
    if not isinstance(request.data, dict) or "text" not in request.data:
        raise intake.InvalidDocument('Send JSON {"text": ...} or a multipart \'file\'.')
    return request.data["text"], "text/plain", request.data.get("patient")


class DocumentCollection(APIView):
    permission_classes = [CanSubmitDocuments]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT},
                   summary="Submit a note as JSON {text, patient, service_date} or a multipart file (.txt, .pdf, .docx)")
    def post(self, request):
        try:
            text, content_type, patient = read_submission(request)
        except intake.InvalidDocument as error:
            return self._refuse(request, str(error), error.status_code)
        except (ParseError, json.JSONDecodeError):
            return self._refuse(request, "The body is not valid JSON.", status.HTTP_400_BAD_REQUEST)
        outcome = intake.submit(text=text, payload=_raw_payload(request), patient=patient, source="api",
                                sender=intake.account_sender(request.user), actor=request.user, request=request,
                                content_type=content_type, service_date=request.data.get("service_date"))
        if not outcome.stored:
            return Response({"error": outcome.reason}, status=outcome.status_code)
        return Response({"id": str(outcome.document.id), "status": outcome.document.status},
                        status=status.HTTP_202_ACCEPTED)

    def _refuse(self, request, reason: str, status_code: int) -> Response:
        intake.refuse(payload=_raw_payload(request), reason=reason, source="api", actor=request.user, request=request)
        return Response({"error": reason}, status=status_code)


class DocumentDetail(APIView):
    permission_classes = [CanReadDocuments]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
                   summary="A document's status and de-identified results")
    def get(self, request, document_id: str):
        document = find_document(request.user, document_id)
        if document is None:
            return Response({"error": "No such document."}, status=status.HTTP_404_NOT_FOUND)
        # A client polling for the result is one read per window, not one per request.
        record_read(request=request, object_type="document", object_id=document.pk,
                    patient_key=document.patient_key, purpose="TREAT")
        return Response(document_payload(document))


class BatchDetail(APIView):
    permission_classes = [CanSubmitDocuments]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
                   summary="A batch's progress (its id is in the FHIR batch-response): notes received, waiting, "
                           "processing, done, failed, quarantined")
    def get(self, request, batch_id: str):
        try:
            batch = uuid.UUID(batch_id)
        except ValueError:
            batch = None
        if batch is None or not listing.submitted(request.user, batch):  # counts only, and only to its sender
            return Response({"error": "No such batch."}, status=status.HTTP_404_NOT_FOUND)
        progress = listing.batch_progress(batch)
        return Response({"id": progress.id, "received": progress.received, "waiting": progress.waiting,
                         "processing": progress.processing, "done": progress.done, "failed": progress.failed,
                         "quarantined": progress.quarantined})


def _raw_payload(request) -> bytes:
    if not request.content_type.startswith("multipart/"):
        return request.body
    upload = request.FILES.get("file")
    if upload is None:
        return b""
    upload.seek(0)
    return upload.read()
