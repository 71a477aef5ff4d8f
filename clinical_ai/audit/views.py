"""The compliance officer's UI: the trail, reports, flags, chain status and exports.

Each page is itself audited. Nothing here shows document content: the trail holds none.
"""
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinical_ai.accounts.models import Role
from clinical_ai.accounts.permissions import role_required
from clinical_ai.audit import exports, reports
from clinical_ai.audit.filters import TrailFilter
from clinical_ai.audit.services import last_verification, record, verify_chain

compliance_required = role_required(Role.COMPLIANCE)
PAGE_SIZE = 50
EXPORT_FORMATS = {
    "csv": (exports.csv_lines, "text/csv"),
    "ndjson": (exports.ndjson_lines, "application/fhir+ndjson"),
}


@compliance_required
def trail(request):
    filters = TrailFilter(request.GET or None)
    page = Paginator(filters.events(), PAGE_SIZE).get_page(request.GET.get("page"))
    record(action="query", request=request, object_type="audit-trail", details=filters.as_details())
    return render(request, "audit/trail.html",
                  {"filters": filters, "page": page, "verification": last_verification()},
                  status=400 if filters.invalid else 200)


@compliance_required
def patient_report(request):
    patient_key = request.GET.get("patient", "").strip()
    events = list(reports.patient_access(patient_key)[:500]) if patient_key else []  # before this look is recorded
    if patient_key:
        record(action="query", request=request, object_type="audit-patient-report", patient_key=patient_key)
    return render(request, "audit/patient.html", {"patient_key": patient_key, "events": events})


@compliance_required
def user_report(request):
    username = request.GET.get("user", "").strip()
    counts, events = reports.user_activity(username) if username else ({}, [])
    events = list(events[:500])  # before this look is recorded
    if username:
        record(action="query", request=request, object_type="audit-user-report", details={"user": username})
    return render(request, "audit/user.html", {"username": username, "counts": counts, "events": events})


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
    record(action="export", request=request, object_type="audit-trail",
           details={**filters.as_details(), "format": fmt, "events": events.count()})
    response = StreamingHttpResponse(lines(events), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response


def invalid_filters(form) -> str:
    """The form's errors as one line of text; filter values are dates and choices, never PHI."""
    return "Invalid filter: " + "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
