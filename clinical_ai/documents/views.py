from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

import deid
from clinical_ai.accounts.models import Role
from clinical_ai.accounts.permissions import role_required
from clinical_ai.audit.services import record
from clinical_ai.documents import intake, listing
from clinical_ai.documents.api import find_document, visible_documents
from clinical_ai.documents.forms import BreakGlassForm, UploadForm
from clinical_ai.documents.listing import DocumentFilter
from clinical_ai.documents.presenters import highlighted_segments
from clinical_ai.documents.services import quarantine, submit_document

clinician_required = role_required(Role.CLINICIAN)


@role_required(Role.CLINICIAN, others_go_home=True)
def document_list(request):
    filters = DocumentFilter(_without(request.GET, "page", "fragment") or None)
    documents = visible_documents(request.user).select_related("uploaded_by")
    page = Paginator(filters.apply(documents), listing.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "progress": listing.progress(visible_documents(request.user))}
    if request.GET.get("fragment") == "rows":  # the page's own status refresh: audited once, on open
        return render(request, "documents/_rows.html", context)
    record(action="query", request=request, object_type="document",
           details={"listed": len(page.object_list), "page": page.number, "filters": filters.used()})
    return render(request, "documents/list.html", context, status=400 if filters.invalid else 200)


@clinician_required
def document_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read() if upload else form.cleaned_data["text"].encode("utf-8", errors="surrogatepass")
        try:
            text, content_type = (intake.text_from_file(upload.name, raw) if upload
                                  else (intake.check_text(form.cleaned_data["text"]), "text/plain"))
            document, _ = submit_document(text=text, source="upload", actor=request.user, request=request,
                                          content_type=content_type)
        except intake.InvalidDocument as error:
            quarantine(payload=raw, reason=str(error), source="upload", actor=request.user, request=request)
            form.add_error(None, str(error))
        else:
            messages.success(request, "The note is queued for de-identification.")
            return redirect("documents:detail", document_id=document.pk)
    return render(request, "documents/upload.html", {"form": form})


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
    # The reason is kept for the reviewer, scrubbed of identifiers so the trail stays free of PHI.
    record(action="break-glass", request=request, object_type="document", object_id=document.pk,
           patient_key=document.patient_key, purpose="BTG",
           details={"reason": deid.deidentify(form.cleaned_data["reason"]).text, "flagged": True})
    return render(request, "documents/original.html", {"document": document})


def _own_unit_document(request, document_id):
    document = find_document(request.user, str(document_id))
    if document is None:
        raise Http404("No such document.")
    return document


def _without(query, *names):
    """The query string less the given keys (paging and fragment are not filters)."""
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept
