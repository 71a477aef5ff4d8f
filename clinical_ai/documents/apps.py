from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "clinical_ai.documents"
    label = "documents"
