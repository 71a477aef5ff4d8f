from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clinical_ai.audit"
    label = "audit"
