from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinical_ai.accounts.models import Role, role_of
from clinical_ai.accounts.permissions import role_required
from clinical_ai.audit.services import record
from clinical_ai.documents.api import find_document
from clinical_ai.quality import reports
from clinical_ai.quality.forms import IncidentFilterForm, IncidentUpdateForm, ReportForm
from deid import entities

incident_roles = role_required(Role.ADMIN, Role.COMPLIANCE)


@role_required(Role.CLINICIAN)
@require_POST
def report(request, document_id):
    document = find_document(request.user, str(document_id))
    if document is None:
        raise Http404("No such document.")
    form = ReportForm(request.POST)
    try:
        if not form.is_valid():
            raise reports.InvalidReport("the report is incomplete")
        filed = reports.file_report(document=document, target=form.cleaned_data["target"],
                                    category=form.cleaned_data["category"], span=form.span(),
                                    comment=form.cleaned_data["comment"],
                                    corrected_label=form.cleaned_data["corrected_label"],
                                    identifier_type=form.cleaned_data["identifier_type"] or entities.NAME,
                                    reporter=request.user, request=request)
    except reports.InvalidReport as error:
        messages.error(request, f"Report not filed: {error}.")
    else:
        messages.success(request, f"Report #{filed.pk} filed ({filed.get_category_display()}). Thank you.")
    return redirect("documents:detail", document_id=document.pk)


@incident_roles
def incident_list(request):
    visible = reports.incidents_for(role_of(request.user))
    filters = IncidentFilterForm(request.GET or None)
    shown = filters.apply(visible, request.user) if filters.is_valid() else visible
    record(action="query", request=request, object_type="incident", details={"listed": shown.count()})
    return render(request, "quality/incidents.html", {
        "incidents": shown[:200], "filters": filters, "weekly": reports.weekly_counts(shown),
        "statuses": reports.STATUS_ORDER,
    })


@incident_roles
@require_POST
def incident_update(request, report_id):
    incident = get_object_or_404(reports.incidents_for(role_of(request.user)), pk=report_id)
    form = IncidentUpdateForm(request.POST)
    try:
        if not form.is_valid():
            raise reports.InvalidReport("choose a status")
        reports.move(incident, status=form.cleaned_data["status"], note=form.cleaned_data["note"], by=request.user,
                     request=request)
    except reports.InvalidReport as error:
        messages.error(request, f"Incident #{incident.pk} unchanged: {error}.")
    else:
        messages.success(request, f"Incident #{incident.pk} is {incident.status}.")
    return redirect("quality:incidents")
