from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from clinical_ai.accounts.models import Role
from clinical_ai.accounts.permissions import role_required
from clinical_ai.audit.services import record, record_read
from clinical_ai.documents import intake, listing
from clinical_ai.documents.api import find_document, visible_documents
from clinical_ai.documents.forms import BreakGlassForm, UploadForm
from clinical_ai.documents.listing import DocumentFilter
from clinical_ai.documents.presenters import highlighted_segments
from clinical_ai.documents.services import deidentified_free_text

clinician_required = role_required(Role.CLINICIAN)
BREAK_GLASS_SESSION_KEY = "break_glass_documents"  # documents opened by break-glass in this session


@role_required(Role.CLINICIAN, others_go_home=True)
def document_list(request):
    filters = DocumentFilter(_without(request.GET, "page", "fragment") or None)
    documents = visible_documents(request.user).select_related("uploaded_by")
    page = Paginator(filters.apply(documents), listing.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "progress": listing.progress(visible_documents(request.user)),
               "batch": listing.listed_batch(filters, documents, request.user)}
    if request.GET.get("fragment") == "rows":  # the page's own status refresh: audited once, on open
        return render(request, "documents/_rows.html", context)
    record(action="query", request=request, object_type="document",
           details={"listed": len(page.object_list), "page": page.number, "filters": filters.used()})
    return render(request, "documents/list.html", context, status=400 if filters.invalid else 200)


@clinician_required
def document_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outcome = _submit_form(request, form.cleaned_data["file"], form.cleaned_data["text"], form.patient_context(),
                               form.cleaned_data["service_date"])
        if outcome.stored:
            messages.success(request, "The note is queued for de-identification.")
            return redirect("documents:detail", document_id=outcome.document.pk)
        form.add_error(None, outcome.reason)
    return render(request, "documents/upload.html", {"form": form})


def _submit_form(request, upload, pasted: str, patient: dict | None, service_date) -> intake.Outcome:
    raw = upload.read() if upload else pasted.encode("utf-8", errors="surrogatepass")
    try:
        text, content_type = intake.text_from_file(upload.name, raw) if upload else (pasted, "text/plain")
    except intake.InvalidDocument as error:
        return intake.refuse(payload=raw, reason=str(error), source="upload", actor=request.user, request=request)
    return intake.submit(text=text, payload=raw, patient=patient, source="upload",
                         sender=intake.account_sender(request.user), actor=request.user, request=request,
                         content_type=content_type, service_date=service_date)


@clinician_required
def document_detail(request, document_id):
    document = _own_unit_document(request, document_id)
    record_read(request=request, object_type="document", object_id=document.pk, patient_key=document.patient_key,
                purpose="TREAT")
    return render(request, "documents/detail.html",
                  {"document": document, "segments": highlighted_segments(document)})


@clinician_required
def document_original(request, document_id):
    """The original text: for the account that submitted it (Document.uploaded_by; "author" in the setting's
    and the audit trail's words, which predate Document.author, the clinician the source names) within
    AUTHOR_ORIGINAL_WINDOW_SECONDS of submitting it, or
    after break-glass (a typed reason, flagged for review), which holds for the rest of the session.

    Post-redirect-get: the reason is recorded once by the POST; showing the text is a GET, audited
    as a read of the original each time, so a reload never records a second break-glass.
    """
    document = _own_unit_document(request, document_id)
    if request.method == "POST":
        form = BreakGlassForm(request.POST)
        if form.is_valid():
            break_glass(request, document, form.cleaned_data["reason"])
            return redirect("documents:original", document_id=document.pk)
    else:
        form = BreakGlassForm()
    via = original_access(request, document)
    if request.method == "POST" or via is None:
        return render(request, "documents/break_glass.html", {"document": document, "form": form})
    record(action="read", request=request, object_type="document-original", object_id=document.pk,
           patient_key=document.patient_key, purpose="BTG" if via == "break-glass" else "TREAT",
           details={"via": via})
    return render(request, "documents/original.html", {"document": document, "via": via})


def break_glass(request, document, reason: str) -> None:
    # The reason is kept for the reviewer, scrubbed with the document's patient context so the trail stays free of PHI.
    record(action="break-glass", request=request, object_type="document", object_id=document.pk,
           patient_key=document.patient_key, purpose="BTG",
           details={"reason": deidentified_free_text(document, reason), "flagged": True})
    request.session[BREAK_GLASS_SESSION_KEY] = [*request.session.get(BREAK_GLASS_SESSION_KEY, []), str(document.pk)]


def original_access(request, document) -> str | None:
    """Why this user may read this original now: "author", "break-glass", or None (they may not yet)."""
    window = timedelta(seconds=settings.AUTHOR_ORIGINAL_WINDOW_SECONDS)
    if document.uploaded_by_id == request.user.pk and timezone.now() - document.created_at <= window:
        return "author"
    if str(document.pk) in request.session.get(BREAK_GLASS_SESSION_KEY, []):
        return "break-glass"
    return None


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
