from django import forms


class UploadForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), required=False, strip=False,
                           label="Paste a note")
    file = forms.FileField(required=False, label="or upload a .txt, .pdf or .docx file")
    service_date = forms.DateField(required=False, label="Date of service",
                                   widget=forms.DateInput(attrs={"type": "date"}))
    # The patient the note is about: the engine removes exactly these values, and the note is found
    # under the patient's pseudonymous key in the compliance officer's patient report.
    patient_mrn = forms.CharField(required=False, max_length=64, label="MRN")
    patient_name = forms.CharField(required=False, max_length=200, label="Name")
    patient_birth_date = forms.DateField(required=False, label="Date of birth",
                                         widget=forms.DateInput(attrs={"type": "date"}))
    patient_address = forms.CharField(required=False, max_length=300, label="Address")
    patient_phone = forms.CharField(required=False, max_length=64, label="Phone")

    def clean_text(self) -> str:
        # A browser sends a textarea with CRLF line breaks; the page shows LF, and the offsets of
        # evidence and of reported identifiers are counted on the page.
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Paste a note or choose a file.")
        if any(cleaned.get(f"patient_{field}") for field in ("name", "birth_date", "address", "phone")) \
                and not cleaned.get("patient_mrn"):
            self.add_error("patient_mrn", "Give the patient's MRN with their name or date of birth.")
        return cleaned

    def patient_context(self) -> dict | None:
        """The patient as the API takes it (``{"id", "name", "birth_date", "address", "phone"}``), or None."""
        data = self.cleaned_data
        if not data.get("patient_mrn"):
            return None
        patient = {"id": data["patient_mrn"].strip(), "name": data.get("patient_name", "").strip(),
                   "birth_date": data["patient_birth_date"].isoformat() if data.get("patient_birth_date") else "",
                   "address": data.get("patient_address", "").strip(), "phone": data.get("patient_phone", "").strip()}
        return {key: value for key, value in patient.items() if value}


class BreakGlassForm(forms.Form):
    """Why a clinician needs the original, identifiable text: typed, not picked from a list."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), min_length=15, max_length=500,
                             label="Why do you need the original text?")
