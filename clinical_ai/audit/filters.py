"""The trail's filters and sort order, from the query string; shared by the trail view and the exports."""
from datetime import datetime, time, timezone

from django import forms

from clinical_ai.audit.models import ACTIONS, AuditEvent
from clinical_ai.filters import DateRangeFilterForm

SORTS = ("occurred_at", "actor_name", "action", "outcome", "patient_key", "object_type")


PATIENT_KEY = r"^[0-9a-f]{32}$"  # documents.encryption.pseudonym: never a typed MRN or name


class TrailFilter(DateRangeFilterForm):
    user = forms.CharField(required=False, label="User")
    patient = forms.RegexField(required=False, regex=PATIENT_KEY, label="Patient key", error_messages={
        "invalid": "Give a patient key; to find a patient by MRN or name, use the patient report."})
    event = forms.IntegerField(required=False, min_value=1, label="Event", widget=forms.HiddenInput)
    action = forms.ChoiceField(required=False, choices=[("", "any")] + [(a, a) for a in ACTIONS])
    outcome = forms.ChoiceField(required=False, choices=[("", "any")] + AuditEvent.Outcome.choices)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS] + [(f"-{s}", f"-{s}") for s in SORTS])

    def events(self):
        """The matching events, newest first unless sorted otherwise; none if a filter is invalid."""
        if self.invalid:
            return AuditEvent.objects.none()
        data = self.cleaned_data if self.is_bound else {}
        events = AuditEvent.objects.all()
        for field, lookup in (("user", "actor_name"), ("patient", "patient_key"), ("action", "action"),
                              ("outcome", "outcome"), ("event", "id")):
            if data.get(field):
                events = events.filter(**{lookup: data[field]})
        if data.get("since"):
            events = events.filter(occurred_at__gte=datetime.combine(data["since"], time.min, timezone.utc))
        if data.get("until"):
            events = events.filter(occurred_at__lte=datetime.combine(data["until"], time.max, timezone.utc))
        sort = data.get("sort") or "-occurred_at"
        return events.order_by(sort, "-id" if sort.startswith("-") else "id")

    def as_details(self) -> dict:
        """The filters in force, for the audit event of a search or export (keys, never names of patients)."""
        return {key: str(value) for key, value in (self.cleaned_data if self.is_valid() else {}).items() if value}

    @property
    def patient_key(self) -> str:
        return self.cleaned_data.get("patient", "") if self.is_valid() else ""
