"""Reports on AI output and the incident workflow around them.

Guarantees: a comment or resolution note is de-identified (with the document's own patient context when
there is one) before it is stored or audited; audit events carry ids, categories and versions only; an
"identifier left" report marks its document for compliance review in the same transaction.
"""
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from clinical_ai.audit.services import record
from clinical_ai.documents.services import deidentified_free_text
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.quality.models import Report, ReviewMark

# Which categories fit which output, and which model produced that output.
CATEGORIES = {
    Report.Target.SUMMARY_SENTENCE: (Report.Category.WRONG_FACT, Report.Category.UNSUPPORTED,
                                     Report.Category.OMISSION, Report.Category.UNSAFE),
    Report.Target.NOTE_TYPE: (Report.Category.WRONG_TYPE, Report.Category.UNSAFE),
    Report.Target.DEIDENTIFIED_TEXT: (Report.Category.IDENTIFIER_LEFT,),
}
STATUS_ORDER = (Report.Status.OPEN, Report.Status.TRIAGED, Report.Status.RESOLVED)


class InvalidReport(ValueError):
    """The report does not fit the document (a span outside the text, a category for another output)."""


def file_report(*, document, target: str, category: str, reporter, span: tuple[int, int] | None = None,
                comment: str = "", corrected_label: str = "", identifier_type: str = "", request=None) -> Report:
    if category not in CATEGORIES.get(target, ()):
        raise InvalidReport(f"'{category}' does not apply to a {target}")
    span = _checked_span(document, target, span)
    with transaction.atomic():
        report = Report.objects.create(
            document=document, target=target, category=category, span_start=span[0] if span else None,
            span_end=span[1] if span else None, comment=deidentified(comment, document),
            corrected_label=corrected_label[:64], model_version=_version_behind(document, target),
            identifier_type=identifier_type if category == Report.Category.IDENTIFIER_LEFT else "",
            reported_by=reporter)
        record(action="ai-report", actor=reporter, request=request, object_type="incident", object_id=report.pk,
               patient_key=document.patient_key, details=_facts(report))
        if category == Report.Category.IDENTIFIER_LEFT:
            ReviewMark.objects.create(document=document, report=report)
            record(action="flag", actor=reporter, request=request, object_type="document", object_id=document.pk,
                   patient_key=document.patient_key, details={"flagged": True, "review": "identifier-left",
                                                              "incident": report.pk})
    return report


def move(report: Report, *, status: str, by, note: str = "", request=None) -> Report:
    """Open -> triaged -> resolved; resolving needs a note."""
    if status not in STATUS_ORDER or STATUS_ORDER.index(status) <= STATUS_ORDER.index(report.status):
        raise InvalidReport(f"an incident that is {report.status} cannot become {status}")
    if status == Report.Status.RESOLVED and not note.strip():
        raise InvalidReport("resolving an incident needs a note")
    report.status, report.handled_by, report.handled_at = status, by, timezone.now()
    if note.strip():
        report.resolution_note = deidentified(note, report.document)
    report.save(update_fields=["status", "handled_by", "handled_at", "resolution_note"])
    record(action="update", actor=by, request=request, object_type="incident", object_id=report.pk,
           details=_facts(report) | {"status": status})
    return report


def incidents_for(role: str):
    """Model owners (admins) see every incident; compliance sees identifier reports."""
    reports = Report.objects.select_related("model_version", "reported_by", "handled_by")
    if role == "compliance":
        return reports.filter(category=Report.Category.IDENTIFIER_LEFT)
    return reports


def weekly_counts(reports) -> list[dict]:
    """Reports per model version per week, newest week first."""
    return list(reports.order_by().annotate(week=TruncWeek("created_at"))
                .values("week", "model_version__name", "model_version__version")
                .annotate(reports=Count("id")).order_by("-week", "model_version__name", "model_version__version"))


def deidentified(text: str, document) -> str:
    """Free text typed beside a document, with that patient's identifiers and any others removed."""
    return deidentified_free_text(document, text.strip()[:2000])


def _checked_span(document, target: str, span):
    if target == Report.Target.NOTE_TYPE:
        return None
    text = document.summary if target == Report.Target.SUMMARY_SENTENCE else document.deidentified_text
    if span is None or not (0 <= span[0] < span[1] <= len(text)):
        raise InvalidReport("the span is not inside the text it reports")
    return span


def _version_behind(document, target: str):
    if target == Report.Target.SUMMARY_SENTENCE:
        return document.summarizer
    if target == Report.Target.NOTE_TYPE:
        return document.classifier
    # Identifiers: the de-identification engine, a registered version once the registry knows a "deid" task.
    return ModelVersion.objects.filter(task="deid", status=ModelVersion.Status.ACTIVE).first()


def _facts(report: Report) -> dict:
    return {"document": str(report.document_id), "target": report.target, "category": report.category,
            "span": [report.span_start, report.span_end] if report.span_start is not None else None,
            "model": report.model_version.ref if report.model_version else None,
            "has_comment": bool(report.comment)}
