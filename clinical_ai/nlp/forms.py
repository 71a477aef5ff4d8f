import csv
import io

from django import forms
from django.contrib.auth import get_user_model

from clinical_ai.accounts.models import Role
from clinical_ai.nlp.models import ModelVersion

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


# Tasks trained from a CSV here; the PHI tagger learns from annotated spans, given on the command line
# (manage.py models train --task deid --data GOLD.jsonl).
CSV_TASKS = [(value, label) for value, label in ModelVersion.Task.choices if value != ModelVersion.Task.DEID]


class TrainingForm(forms.Form):
    task = forms.ChoiceField(choices=CSV_TASKS, help_text="the PHI tagger (deid) is trained with "
                             "'manage.py models train --task deid --data GOLD.jsonl'")
    data = forms.FileField(label="Training data (CSV with a header row)")
    text_column = forms.CharField(max_length=100, help_text="the note text (summarize: the source)")
    target_column = forms.CharField(max_length=100, help_text="the label (summarize: the reference summary)")
    name = forms.CharField(max_length=100, required=False, help_text="defaults per task")
    base = forms.CharField(max_length=200, required=False, help_text="NAME@VERSION to start from; defaults per task")
    exclude_labels = forms.CharField(max_length=2000, required=False, help_text="classify: comma-separated")
    min_per_class = forms.IntegerField(min_value=0, required=False, help_text="classify: drop rarer labels")
    steps = forms.IntegerField(min_value=1, max_value=100000, required=False, help_text="summarize: optimizer steps")
    max_train = forms.IntegerField(min_value=1, required=False, help_text="summarize: at most this many rows")
    max_validation = forms.IntegerField(min_value=1, required=False, help_text="score at most this many rows")
    seed = forms.IntegerField(initial=13, required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("data")
        if upload is None:
            return cleaned
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 200 MB.")
        first = next(upload.chunks(64 * 1024))
        upload.seek(0)
        try:
            header = next(csv.reader(io.StringIO(first.decode("utf-8-sig").splitlines()[0])))
        except (UnicodeDecodeError, IndexError, StopIteration, csv.Error):
            raise forms.ValidationError("The file is not a UTF-8 CSV with a header row.") from None
        missing = [cleaned[key] for key in ("text_column", "target_column") if cleaned.get(key) not in header]
        if missing:
            raise forms.ValidationError(f"The header has no column {', '.join(map(repr, missing))}.")
        return cleaned

    def columns(self) -> dict:
        data = self.cleaned_data
        return {"text": data["text_column"], "target": data["target_column"],
                "exclude_labels": [label.strip() for label in data["exclude_labels"].split(",") if label.strip()],
                "min_per_class": data["min_per_class"] or 0}

    def options(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("steps", "max_train", "max_validation", "seed")
                if self.cleaned_data.get(key) is not None}


class PromoteForm(forms.Form):
    force = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=500, required=False)


class AssignForm(forms.Form):
    """Owner: the admin accountable for the version. Clinical validator: the clinician who validated it."""

    owner = forms.ModelChoiceField(queryset=get_user_model().objects.filter(profile__role=Role.ADMIN)
                                   .order_by("username"), to_field_name="username")
    validator = forms.ModelChoiceField(queryset=get_user_model().objects.filter(profile__role=Role.CLINICIAN)
                                       .order_by("username"), to_field_name="username")


class RollbackForm(forms.Form):
    reason = forms.CharField(max_length=500)
    incidents = forms.CharField(max_length=500, required=False, help_text="incident numbers, comma-separated")

    def clean_incidents(self) -> list[int]:
        values = [value.strip().lstrip("#") for value in self.cleaned_data["incidents"].split(",") if value.strip()]
        if not all(value.isdigit() for value in values):
            raise forms.ValidationError("Incident numbers only, comma-separated.")
        return [int(value) for value in values]
