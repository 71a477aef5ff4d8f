from django import forms


class UploadForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), required=False, strip=False,
                           label="Paste a note")
    file = forms.FileField(required=False, label="or upload a .txt, .pdf or .docx file")
    # Who the note is about: optional, but only what the de-identifier is told it can be sure to find
    # (a town name in a note is found for certain only when it is the patient's known address).
    patient_id = forms.CharField(required=False, max_length=64, label="Patient MRN")
    patient_name = forms.CharField(required=False, max_length=200, label="Patient name")
    birth_date = forms.DateField(required=False, label="Date of birth (YYYY-MM-DD)")
    address = forms.CharField(required=False, max_length=300, label="Address")
    phone = forms.CharField(required=False, max_length=64, label="Phone")

    def patient(self) -> dict | None:
        """The patient context typed with the note, as the API takes it; None when nothing was typed."""
        data = self.cleaned_data
        patient = {"id": data.get("patient_id"), "name": data.get("patient_name"), "address": data.get("address"),
                   "phone": data.get("phone"), "birth_date": data["birth_date"].isoformat() if data.get("birth_date")
                   else None}
        patient = {key: value for key, value in patient.items() if value}
        return patient or None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Paste a note or choose a file.")
        return cleaned


class BreakGlassForm(forms.Form):
    """Why a clinician needs the original, identifiable text: typed, not picked from a list."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), min_length=15, max_length=500,
                             label="Why do you need the original text?")
