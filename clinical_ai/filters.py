"""The date range and validity every filter form of the UI shares (the audit trail, the document list)."""
from django import forms


class DateRangeFilterForm(forms.Form):
    """Subclasses' own filters come first, then the dates, then the sort (rendered in that order)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name not in ("since", "until", "sort")])

    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned

    @property
    def invalid(self) -> bool:
        """Filters were given and one is wrong: the caller answers 400, never "everything"."""
        return self.is_bound and not self.is_valid()
