from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from clinical_ai.documents import quarantine
from clinical_ai.documents.models import QuarantinedInput


@admin.register(QuarantinedInput)
class QuarantinedInputAdmin(admin.ModelAdmin):
    """Refused input for review: why, from where, its size and fingerprint; its payload viewed or
    downloaded (each look audited), then released for reprocessing or discarded, with a reason.
    The rows are never added or deleted by hand."""

    list_display = ("received_at", "source", "reason", "size", "decision")
    list_filter = ("source", "decision")
    readonly_fields = ("received_at", "received_by", "unit", "source", "batch", "reason", "size", "partial", "sha256", "decision",
                       "decided_by", "decided_at", "decision_reason")
    fields = readonly_fields
    change_form_template = "admin/documents/quarantinedinput/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<uuid:item_id>/payload/", wrap(self.payload_view), name="documents_quarantinedinput_payload"),
            path("<uuid:item_id>/download/", wrap(self.download_view), name="documents_quarantinedinput_download"),
            path("<uuid:item_id>/decide/", wrap(require_POST(self.decide_view)),
                 name="documents_quarantinedinput_decide"),
            *super().get_urls(),
        ]

    def payload_view(self, request, item_id):
        item = get_object_or_404(QuarantinedInput, pk=item_id)
        try:
            text = quarantine.as_text(quarantine.payload(item, actor=request.user, request=request))
        except quarantine.QuarantineError as error:
            messages.error(request, str(error))
            return redirect(self._change_url(item))
        context = {**self.admin_site.each_context(request), "item": item, "text": text, "opts": self.opts,
                   "title": "Quarantined payload"}
        return TemplateResponse(request, "admin/documents/quarantinedinput/payload.html", context)

    def download_view(self, request, item_id):
        item = get_object_or_404(QuarantinedInput, pk=item_id)
        try:
            data = quarantine.payload(item, actor=request.user, request=request, purpose="download")
        except quarantine.QuarantineError as error:
            messages.error(request, str(error))
            return redirect(self._change_url(item))
        response = HttpResponse(data, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="quarantine-{item.pk}.bin"'
        return response

    def decide_view(self, request, item_id):
        item = get_object_or_404(QuarantinedInput, pk=item_id)
        reason = request.POST.get("reason", "")
        try:
            if request.POST.get("decision") == "release":
                released = quarantine.release(item, actor=request.user, reason=reason, request=request)
                if released.refused_again:
                    messages.error(request, f"Refused again: {released.refused_again}")
                else:
                    messages.success(request, f"Released as document {', '.join(released.document_ids)}.")
            else:
                quarantine.discard(item, actor=request.user, reason=reason, request=request)
                messages.success(request, "Discarded.")
        except quarantine.QuarantineError as error:
            messages.error(request, str(error))
        return redirect(self._change_url(item))  # post-redirect-get

    def _change_url(self, item):
        return reverse("admin:documents_quarantinedinput_change", args=[item.pk])
