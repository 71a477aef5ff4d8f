from django import forms

from clinical_ai.nlp.models import ModelVersion
from clinical_ai.quality.models import Report
from deid import entities


class ReportForm(forms.Form):
    target = forms.ChoiceField(choices=Report.Target.choices)
    category = forms.ChoiceField(choices=Report.Category.choices)
    span_start = forms.IntegerField(min_value=0, required=False)
    span_end = forms.IntegerField(min_value=0, required=False)
    comment = forms.CharField(max_length=2000, required=False)
    corrected_label = forms.CharField(max_length=64, required=False)
    identifier_type = forms.ChoiceField(choices=[(t, t) for t in entities.ALL], required=False)

    def span(self) -> tuple[int, int] | None:
        start, end = self.cleaned_data.get("span_start"), self.cleaned_data.get("span_end")
        return (start, end) if start is not None and end is not None else None


class IncidentFilterForm(forms.Form):
    model = forms.ModelChoiceField(queryset=ModelVersion.objects.order_by("task", "name", "version"),
                                   required=False, empty_label="any model")
    category = forms.ChoiceField(choices=[("", "any category"), *Report.Category.choices], required=False)
    status = forms.ChoiceField(choices=[("", "any status"), *Report.Status.choices], required=False)
    mine = forms.BooleanField(required=False, label="only the versions I own")

    def apply(self, reports, user):
        data = self.cleaned_data
        if data.get("mine"):
            reports = reports.filter(model_version__owner=user)
        if data.get("model"):
            reports = reports.filter(model_version=data["model"])
        if data.get("category"):
            reports = reports.filter(category=data["category"])
        if data.get("status"):
            reports = reports.filter(status=data["status"])
        return reports


class IncidentUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=Report.Status.choices)
    note = forms.CharField(max_length=2000, required=False)
