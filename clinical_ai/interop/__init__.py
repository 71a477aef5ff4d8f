"""Interoperability: HL7 v2 and FHIR R4 in, de-identified FHIR out."""
