import json
import uuid

from django.conf import settings
from django.db import models

from clinical_ai.documents.encryption import EncryptedTextField

PATIENT_LABEL_CHARS = 6


class Document(models.Model):
    """A clinical document and everything the pipeline made of it.

    ``original_text``, ``original_title``, ``original_author``, ``original_service_date`` and ``patient_json``
    hold PHI and are encrypted at rest.
    Everything else is de-identified or PHI-free: ids, keyed digests, counts, labels, model versions.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        DONE = "done"
        FAILED = "failed"

    class Stage(models.TextChoices):
        DEID = "deid"
        INFERENCE = "inference"
        FINISHED = "finished"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # The account that sent the note (a clinician pasting it, a service account posting it; none for MLLP and
    # the import commands): who may follow it and read their own original. Not its author, below.
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    unit = models.CharField(max_length=64, default="default", db_index=True)
    source = models.CharField(max_length=16, default="api")
    # The input it came in with (one FHIR Bundle posted, one HL7 file, one import argument), so
    # the sender can follow that input's progress; none for a note sent on its own.
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    source_ref = models.CharField(max_length=255, null=True, blank=True,
                                  help_text="keyed digest of the sender and its id for this document; "
                                            "resends with the same key are ignored")
    content_type = models.CharField(max_length=100, default="text/plain")
    loinc_code = models.CharField(max_length=16, blank=True)
    title = models.CharField(max_length=200, blank=True, help_text="the de-identified title")
    original_title = EncryptedTextField(blank=True, default="", help_text="the title as sent")
    # The clinician the source names as the note's author (HL7 TXA-9/TXA-22/OBR-32/OBR-16, FHIR author and
    # authenticator): a name, so kept like the title, encrypted as sent and shown de-identified.
    author = models.CharField(max_length=200, blank=True, help_text="the de-identified author")
    original_author = EncryptedTextField(blank=True, default="", help_text="the author as the source names them")
    # The date of service is a date about the patient, PHI under Safe Harbor. The date as sent is kept
    # encrypted with the original; the clear column holds only its month (the first day of it), for
    # the list to show, sort and filter by. Not a shifted date: a made-up day that looks real would
    # mislead a clinician, and the de-identified text shows [DATE], not shifted dates, to compare with.
    service_date = models.DateField(null=True, blank=True,
                                    help_text="the month of service (its first day); the day is not kept in the clear")
    original_service_date = EncryptedTextField(blank=True, default="", help_text="the date of service as sent, ISO")

    original_text = EncryptedTextField()
    patient_json = EncryptedTextField(blank=True, default="")
    patient_key = models.CharField(max_length=64, blank=True, db_index=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.DEID)
    attempts = models.PositiveIntegerField(default=0)
    # An inference worker's claim on the document for one batch: whose and since when. A claim
    # older than STUCK_AFTER_SECONDS belongs to a worker presumed dead and may be taken over.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    deidentified_text = models.TextField(blank=True)
    phi_spans = models.JSONField(default=list, blank=True, help_text="replacements in the de-identified text")
    phi_counts = models.JSONField(default=dict, blank=True)
    summary = models.TextField(blank=True, help_text="the supported summary sentences only")
    summary_kind = models.CharField(max_length=12, blank=True, help_text="abstractive, or extractive (the fallback)")
    summary_sentences = models.JSONField(default=list, blank=True,
                                         help_text="[{text, supported, evidence: [{start, end}]}] into the de-identified text")
    label = models.CharField(max_length=64, blank=True)
    label_score = models.FloatField(null=True, blank=True)
    label_source = models.CharField(max_length=8, blank=True, help_text="coded (the note's LOINC type) or model")
    # The learned PHI tagger that ran beside the rules (null: the rules alone).
    deid_tagger = models.ForeignKey("nlp.ModelVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    summarizer = models.ForeignKey("nlp.ModelVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    classifier = models.ForeignKey("nlp.ModelVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="unique_document_source_ref"),
        ]
        # The clinician's list: one unit's documents, newest first or by date of service, by status.
        indexes = [
            models.Index(fields=["unit", "-created_at"], name="document_unit_received"),
            models.Index(fields=["unit", "service_date"], name="document_unit_service_date"),
            models.Index(fields=["unit", "status", "-created_at"], name="document_unit_status"),
        ]

    def __str__(self):
        return f"Document {self.id} ({self.status})"

    @property
    def display_status(self) -> str:
        """What a reader is told: waiting (in a queue), processing (a worker has it), done or failed."""
        waiting_for_a_model = (self.status == self.Status.PROCESSING and self.stage == self.Stage.INFERENCE
                               and not self.claimed_by)
        return "waiting" if self.status == self.Status.QUEUED or waiting_for_a_model else self.status

    @property
    def patient_label(self) -> str:
        """A short pseudonymous label for the patient, for lists: the start of the patient key."""
        return f"P-{self.patient_key[:PATIENT_LABEL_CHARS].upper()}" if self.patient_key else ""

    @property
    def patient(self) -> dict | None:
        return json.loads(self.patient_json) if self.patient_json else None


class QuarantinedInput(models.Model):
    """Input we refused, kept encrypted on disk with a readable reason so nothing is lost."""

    class Decision(models.TextChoices):
        PENDING = "pending"
        RELEASED = "released"
        DISCARDED = "discarded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # The unit it came in under (the sender's then), so a release stores its notes there; blank on rows
    # kept before this was recorded, where the sender's present unit stands in.
    unit = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=16)
    batch = models.UUIDField(null=True, blank=True, db_index=True, help_text="as Document.batch")
    reason = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField()
    partial = models.BooleanField(default=False, help_text="only the head of an over-large input was kept")
    sha256 = models.CharField(max_length=64)
    reviewed = models.BooleanField(default=False)
    # An admin's decision: released for reprocessing (a new document) or discarded, why, by whom.
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True, help_text="de-identified before it is stored")

    class Meta:
        ordering = ["-received_at"]

    @property
    def payload_path(self):
        return settings.QUARANTINE_DIR / f"{self.id}.fernet"
