"""After go-live: clinicians' reports on AI output (each an incident for the model's owner), documents marked
for compliance review, and the daily quality and drift figures of each active model version.

Every free-text field here (comment, resolution note) is de-identified before it is stored.
"""
from django.conf import settings
from django.db import models

from deid import entities


class Report(models.Model):
    """A clinician's report on one AI output of one document, linked to the span and the model version."""

    class Category(models.TextChoices):
        WRONG_FACT = "wrong-fact", "Wrong fact"
        UNSUPPORTED = "unsupported", "Unsupported by the note"
        OMISSION = "omission", "Omission"
        UNSAFE = "unsafe", "Unsafe"
        WRONG_TYPE = "wrong-type", "Wrong note type"
        IDENTIFIER_LEFT = "identifier-left", "Identifier left"

    class Target(models.TextChoices):
        SUMMARY_SENTENCE = "summary-sentence", "Summary sentence"
        NOTE_TYPE = "note-type", "Note type"
        DEIDENTIFIED_TEXT = "deidentified-text", "De-identified text"

    class Status(models.TextChoices):
        OPEN = "open"
        TRIAGED = "triaged"
        RESOLVED = "resolved"

    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    target = models.CharField(max_length=24, choices=Target.choices)
    span_start = models.PositiveIntegerField(null=True, blank=True, help_text="offset in the summary or "
                                             "de-identified text; none for the note type")
    span_end = models.PositiveIntegerField(null=True, blank=True)
    category = models.CharField(max_length=24, choices=Category.choices, db_index=True)
    comment = models.TextField(blank=True, help_text="de-identified before it is stored")
    corrected_label = models.CharField(max_length=64, blank=True, help_text="wrong type: the right note type")
    identifier_type = models.CharField(max_length=24, blank=True, choices=[(t, t) for t in entities.ALL],
                                       help_text="identifier left: what kind of identifier it is")
    model_version = models.ForeignKey("nlp.ModelVersion", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, help_text="de-identified before it is stored")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"incident {self.pk} ({self.category}, {self.status})"


class ReviewMark(models.Model):
    """A document marked for compliance review: an identifier was reported left in its de-identified text."""

    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="review_mark")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"review of document {self.document_id}"


class DailyStatistics(models.Model):
    """One active model version's input and output figures for one day, and whether they crossed a threshold."""

    model_version = models.ForeignKey("nlp.ModelVersion", on_delete=models.CASCADE, related_name="daily_statistics")
    day = models.DateField()
    documents = models.PositiveIntegerField()
    figures = models.JSONField(default=dict, help_text="name -> number; see monitor.py")
    flags = models.JSONField(default=list, blank=True, help_text="figures past their threshold")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model_version", "day"]
        constraints = [models.UniqueConstraint(fields=["model_version", "day"], name="one_statistics_per_day")]

    def __str__(self):
        return f"{self.model_version_id} {self.day}"
