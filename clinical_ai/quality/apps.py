from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "clinical_ai.quality"
    label = "quality"
    verbose_name = "AI quality: reports, incidents, drift"
