from django.urls import path

from clinical_ai.interop.views import DocumentFhir, FhirInbound

urlpatterns = [
    path("fhir", FhirInbound.as_view(), name="fhir-inbound"),
    path("documents/<uuid:document_id>/fhir", DocumentFhir.as_view(), name="document-fhir"),
]
