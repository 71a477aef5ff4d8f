"""The compliance officer's UI: the trail, reports, flags, chain status and exports.

Each page is itself audited. Nothing here shows document content: the trail holds none. Every
report is the trail under a filter, so each has the same date range, sorts, paging and exports;
an invalid filter is a 400 with the form's errors, never "everything".
"""
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from clinical_ai.accounts.models import Role
from clinical_ai.accounts.permissions import role_required
from clinical_ai.audit import exports, reports
from clinical_ai.audit.filters import TrailFilter
from clinical_ai.audit.patients import patient_keys
from clinical_ai.audit.services import last_verification, record, verify_chain

compliance_required = role_required(Role.COMPLIANCE)
PAGE_SIZE = 50
EXPORT_FORMATS = {
    "csv": (exports.csv_lines, "text/csv"),
    "ndjson": (exports.ndjson_lines, "application/fhir+ndjson"),
}


@compliance_required
def trail(request):
    filters, page = _filtered_page(request)
    record(action="query", request=request, object_type="audit-trail", patient_key=filters.patient_key,
           details=filters.as_details())
    return render(request, "audit/trail.html",
                  {"filters": filters, "page": page, "verification": last_verification()},
                  status=400 if filters.invalid else 200)


@compliance_required
def patient_report(request):
    """Who looked at a patient, when and why. Found by MRN or name (POSTed, turned into the patient's
    key, never kept) and then shown by key, between dates, sorted, paged and exportable."""
    if request.method == "POST":
        keys = patient_keys(request.POST.get("mrn_or_name", ""))
        record(action="query", request=request, object_type="audit-patient-search", details={"matched": len(keys)})
        if len(keys) == 1:
            return redirect(f"{reverse('audit:patient')}?{urlencode({'patient': keys[0]})}")
        return render(request, "audit/patient.html", {"matches": keys, "searched": True})
    filters, page = _filtered_page(request)
    if filters.patient_key:
        record(action="query", request=request, object_type="audit-patient-report",
               patient_key=filters.patient_key, details=filters.as_details())
    return render(request, "audit/patient.html", {"filters": filters, "page": page},
                  status=400 if filters.invalid else 200)


@compliance_required
def user_report(request):
    """What one user did: counts per action, then the events, with the trail's filters."""
    filters, page = _filtered_page(request)
    username = filters.cleaned_data.get("user", "") if filters.is_valid() else ""
    counts = reports.action_counts(filters.events()) if username else {}
    if username:
        record(action="query", request=request, object_type="audit-user-report", details=filters.as_details())
    return render(request, "audit/user.html", {"filters": filters, "page": page, "username": username,
                                               "counts": counts}, status=400 if filters.invalid else 200)


@compliance_required
def flags(request):
    found = reports.flags()
    record(action="query", request=request, object_type="audit-flags", details={"flags": len(found)})
    return render(request, "audit/flags.html", {"flags": found})


@compliance_required
@require_POST
def verify(request):
    verify_chain(component="audit-ui", request=request)
    return redirect("audit:trail")


@compliance_required
def export(request, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such export format.")
    lines, content_type = EXPORT_FORMATS[fmt]
    filters = TrailFilter(request.GET or None)
    if filters.invalid:
        return HttpResponseBadRequest(invalid_filters(filters), content_type="text/plain")
    events = filters.events()
    record(action="export", request=request, object_type="audit-trail", patient_key=filters.patient_key,
           details={**filters.as_details(), "format": fmt, "events": events.count()})
    response = StreamingHttpResponse(lines(events), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response


def _filtered_page(request):
    """The trail under the query string's filters, one page of it (read before this look is recorded)."""
    query = request.GET.copy()
    query.pop("page", None)
    filters = TrailFilter(query or None)
    page = Paginator(filters.events(), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return filters, page


def invalid_filters(form) -> str:
    """The form's errors as one line of text; filter values are dates and choices, never PHI."""
    return "Invalid filter: " + "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
