from django import forms


class UploadForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), required=False, strip=False,
                           label="Paste a note")
    file = forms.FileField(required=False, label="or upload a .txt, .pdf or .docx file")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Paste a note or choose a file.")
        return cleaned


class BreakGlassForm(forms.Form):
    """Why a clinician needs the original, identifiable text: typed, not picked from a list."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), min_length=15, max_length=500,
                             label="Why do you need the original text?")
