from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "clinical_ai.interop"
    label = "interop"
    verbose_name = "HL7 v2 and FHIR interoperability"
