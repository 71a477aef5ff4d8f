from django.apps import AppConfig


class NlpConfig(AppConfig):
    name = "clinical_ai.nlp"
    label = "nlp"
