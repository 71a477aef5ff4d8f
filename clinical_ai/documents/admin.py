from django.contrib import admin

from clinical_ai.documents.models import QuarantinedInput


@admin.register(QuarantinedInput)
class QuarantinedInputAdmin(admin.ModelAdmin):
    """Refused input for review: why, from where, its size and fingerprint. The payload itself
    stays encrypted on disk; nothing here shows content, and nothing is deleted."""

    list_display = ("received_at", "source", "reason", "size", "reviewed")
    list_filter = ("source", "reviewed")
    readonly_fields = ("received_at", "received_by", "source", "reason", "size", "sha256")
    fields = (*readonly_fields, "reviewed")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
