from django.contrib import admin

from clinical_ai.nlp.models import ModelVersion


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "task", "status", "created_at")
    list_filter = ("task", "status")
    readonly_fields = ("sha256",)
