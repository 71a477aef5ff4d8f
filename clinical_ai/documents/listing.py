"""The clinician's document list: filters, search, sort and the progress of the work in hand.

Everything searched or shown is de-identified (text, summary, title) or PHI-free (status, type,
source, dates, the pseudonymous patient label). A search term is used, never recorded.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from django import forms
from django.db.models import Count, Q
from django.utils import timezone as django_timezone

from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.filters import DateRangeFilterForm

# "waiting": in a queue, nobody working on it; "processing": a worker has it now (Document.display_status).
WAITING = Q(status=Document.Status.QUEUED) | Q(status=Document.Status.PROCESSING,
                                              stage=Document.Stage.INFERENCE, claimed_by="")
STATUS_FILTERS = {
    "waiting": WAITING,
    "processing": Q(status=Document.Status.PROCESSING) & ~WAITING,
    "done": Q(status=Document.Status.DONE),
    "failed": Q(status=Document.Status.FAILED),
}
SORTS = {
    "received": ("created_at",), "service_date": ("service_date", "created_at"),
    "type": ("label", "created_at"), "title": ("title", "created_at"), "status": ("status", "created_at"),
}
SORT_LABELS = {"received": "received", "service_date": "date of service", "type": "type", "title": "title",
               "status": "status"}
PAGE_SIZE = 50
PROGRESS_WINDOW = timedelta(hours=24)
THROUGHPUT_WINDOW = timedelta(minutes=10)


class DocumentFilter(DateRangeFilterForm):
    q = forms.CharField(required=False, max_length=200, label="Search",
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "text, summary or title"}))
    status = forms.ChoiceField(required=False, choices=[("", "any")] + [(s, s) for s in STATUS_FILTERS])
    type = forms.CharField(required=False, max_length=64, label="Type")
    source = forms.CharField(required=False, max_length=16, label="Source")
    batch = forms.UUIDField(required=False, label="Batch")
    patient = forms.RegexField(required=False, regex=r"^(?i:P-)?[0-9a-fA-F]{1,32}$", label="Patient",
                               error_messages={"invalid": "A patient label looks like P-1A2B3C."})
    sort = forms.ChoiceField(required=False, initial="-received",
                             choices=[(f"{d}{s}", f"{SORT_LABELS[s]}, {label}") for s in SORTS
                                      for d, label in (("-", "newest or Z first"), ("", "oldest or A first"))])

    def apply(self, documents):
        """The matching documents in the chosen order; none at all if a filter is invalid."""
        if self.invalid:
            return documents.none()
        data = self.cleaned_data if self.is_bound else {}
        if data.get("q"):
            term = data["q"]
            documents = documents.filter(Q(deidentified_text__icontains=term) | Q(summary__icontains=term)
                                         | Q(title__icontains=term))
        if data.get("status"):
            documents = documents.filter(STATUS_FILTERS[data["status"]])
        if data.get("type"):
            documents = documents.filter(label__iexact=data["type"])
        if data.get("source"):
            documents = documents.filter(source=data["source"])
        if data.get("batch"):
            documents = documents.filter(batch=data["batch"])
        if data.get("patient"):
            documents = documents.filter(patient_key__startswith=data["patient"].lower().removeprefix("p-"))
        documents = _in_dates(documents, data.get("since"), data.get("until"))
        return documents.order_by(*_ordering(data.get("sort") or "-received"))

    def used(self) -> list[str]:
        """The names of the filters in force, for the audit trail (their values may be typed PHI)."""
        return sorted(name for name, value in (self.cleaned_data if self.is_valid() else {}).items()
                      if value and name != "sort")


def _in_dates(documents, since, until):
    """The month of service where the sender gave a date (only its month is kept in the clear, so a
    month overlapping the range is in it), else the day it was received."""
    if since:
        start = datetime.combine(since, time.min, timezone.utc)
        documents = documents.filter(Q(service_date__gte=since.replace(day=1))
                                     | Q(service_date__isnull=True, created_at__gte=start))
    if until:
        end = datetime.combine(until, time.max, timezone.utc)
        documents = documents.filter(Q(service_date__lte=until) | Q(service_date__isnull=True, created_at__lte=end))
    return documents


def _ordering(sort: str) -> list[str]:
    descending = sort.startswith("-")
    fields = SORTS[sort.removeprefix("-")]
    return [f"-{field}" if descending else field for field in fields] + ["-pk" if descending else "pk"]


@dataclass(frozen=True)
class Progress:
    """The work received in the last 24 hours: how much is done, waiting, processing, failed."""

    done: int
    waiting: int
    processing: int
    failed: int
    seconds_left: float | None  # at the rate of the last ten minutes; None when nothing finished lately

    @property
    def total(self) -> int:
        return self.done + self.waiting + self.processing + self.failed


def progress(documents) -> Progress:
    now = django_timezone.now()
    counts = _status_counts(documents.filter(created_at__gte=now - PROGRESS_WINDOW))
    finished_lately = documents.filter(status=Document.Status.DONE, updated_at__gte=now - THROUGHPUT_WINDOW).count()
    in_hand = counts["waiting"] + counts["processing"]
    rate = finished_lately / THROUGHPUT_WINDOW.total_seconds()
    return Progress(**counts, seconds_left=in_hand / rate if in_hand and rate else None)


@dataclass(frozen=True)
class BatchProgress:
    """One input (a FHIR Bundle, an HL7 file) note by note: where each of what it brought is now."""

    id: str
    done: int
    waiting: int
    processing: int
    failed: int
    quarantined: int  # refused and not released (a released one is counted as its document)

    @property
    def received(self) -> int:
        return self.done + self.waiting + self.processing + self.failed + self.quarantined


def batch_progress(batch) -> BatchProgress:
    """The whole batch's counts: callers decide first whether the viewer may see it (see submitted)."""
    refused = QuarantinedInput.objects.filter(batch=batch).exclude(decision=QuarantinedInput.Decision.RELEASED)
    return BatchProgress(id=str(batch), **_status_counts(Document.objects.filter(batch=batch)),
                         quarantined=refused.count())


def listed_batch(filters: DocumentFilter, documents, user) -> BatchProgress | None:
    """The progress of the batch the list is filtered by, for one who sent it or sees its documents."""
    batch = filters.cleaned_data.get("batch") if filters.is_bound and filters.is_valid() else None
    if batch and (documents.filter(batch=batch).exists() or submitted(user, batch)):
        return batch_progress(batch)
    return None


def submitted(user, batch) -> bool:
    """Whether the user sent (part of) this batch."""
    return (Document.objects.filter(batch=batch, uploaded_by=user).exists()
            or QuarantinedInput.objects.filter(batch=batch, received_by=user).exists())


def _status_counts(documents) -> dict[str, int]:
    return documents.aggregate(**{name: Count("pk", filter=condition) for name, condition in STATUS_FILTERS.items()})
