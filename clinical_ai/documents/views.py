from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from clinical_ai.accounts.models import Role
from clinical_ai.accounts.permissions import role_required
from clinical_ai.audit.services import record
from clinical_ai.documents import intake
from clinical_ai.documents.api import find_document, visible_documents
from clinical_ai.documents.forms import BreakGlassForm, UploadForm
from clinical_ai.documents.presenters import highlighted_segments
from clinical_ai.documents.services import deidentified_free_text

clinician_required = role_required(Role.CLINICIAN)


@clinician_required
def document_list(request):
    documents = visible_documents(request.user)[:200]
    if request.GET.get("fragment") == "rows":  # the page's own 2-second status refresh: audited once, on open
        return render(request, "documents/_rows.html", {"documents": documents})
    record(action="query", request=request, object_type="document", details={"listed": len(documents)})
    return render(request, "documents/list.html", {"documents": documents})


@clinician_required
def document_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outcome = _submit_form(request, form.cleaned_data["file"], form.cleaned_data["text"], form.patient())
        if outcome.stored:
            messages.success(request, "The note is queued for de-identification.")
            return redirect("documents:detail", document_id=outcome.document.pk)
        form.add_error(None, outcome.reason)
    return render(request, "documents/upload.html", {"form": form})


def _submit_form(request, upload, pasted: str, patient: dict | None) -> intake.Outcome:
    raw = upload.read() if upload else pasted.encode("utf-8", errors="surrogatepass")
    try:
        text, content_type = intake.text_from_file(upload.name, raw) if upload else (pasted, "text/plain")
    except intake.InvalidDocument as error:
        return intake.refuse(payload=raw, reason=str(error), source="upload", actor=request.user, request=request)
    return intake.submit(text=text, payload=raw, patient=patient, source="upload",
                         sender=intake.account_sender(request.user),
                         actor=request.user, request=request, content_type=content_type)


@clinician_required
def document_detail(request, document_id):
    document = _own_unit_document(request, document_id)
    record(action="read", request=request, object_type="document", object_id=document.pk,
           patient_key=document.patient_key, purpose="TREAT")
    return render(request, "documents/detail.html",
                  {"document": document, "segments": highlighted_segments(document)})


@clinician_required
def document_original(request, document_id):
    """Break-glass: the original text, only after the clinician types why; flagged for review."""
    document = _own_unit_document(request, document_id)
    form = BreakGlassForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "documents/break_glass.html", {"document": document, "form": form})
    # The reason is kept for the reviewer, scrubbed with the document's patient context so the trail stays free of PHI.
    record(action="break-glass", request=request, object_type="document", object_id=document.pk,
           patient_key=document.patient_key, purpose="BTG",
           details={"reason": deidentified_free_text(document, form.cleaned_data["reason"]), "flagged": True})
    return render(request, "documents/original.html", {"document": document})


def _own_unit_document(request, document_id):
    document = find_document(request.user, str(document_id))
    if document is None:
        raise Http404("No such document.")
    return document
