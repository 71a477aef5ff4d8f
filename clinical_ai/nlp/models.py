from django.conf import settings
from django.db import models
from django.utils import timezone


class ModelVersion(models.Model):
    """One version of a model the hospital runs, with what it takes to reproduce and trust it."""

    class Task(models.TextChoices):
        SUMMARIZE = "summarize"
        CLASSIFY = "classify"
        DEID = "deid"  # the learned PHI tagger that runs beside the de-identification rules

    class Status(models.TextChoices):
        CANDIDATE = "candidate"
        ACTIVE = "active"
        RETIRED = "retired"

    name = models.CharField(max_length=100)
    version = models.CharField(max_length=32)
    task = models.CharField(max_length=16, choices=Task.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CANDIDATE)
    base_model = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=500, help_text="folder under MODEL_ROOT")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 over the weight files")
    training_data = models.JSONField(default=dict, blank=True, help_text="fingerprint only: hash and row count")
    hyperparameters = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    model_card = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.CharField(max_length=150, blank=True)
    promoted_by = models.CharField(max_length=150, blank=True)
    # Accountability: promotion refuses a version without both and records them.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_model_versions")
    clinical_validator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="validated_model_versions")
    activated_at = models.DateTimeField(null=True, blank=True, help_text="when it last became active")
    evaluations = models.JSONField(default=dict, blank=True, help_text="gate metrics per evaluation set, keyed by "
                                   "the set's SHA-256: the promotion gate compares versions on a shared set")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="unique_model_version"),
            models.UniqueConstraint(fields=["task"], condition=models.Q(status="active"),
                                    name="one_active_model_per_task"),
        ]

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def folder(self):
        return settings.MODEL_ROOT / self.path

    def __str__(self):
        return self.ref


class TrainingRun(models.Model):
    """A training job started from the UI: what to train on (a CSV kept under DATA_DIR, by path) and how it went.

    The Celery task is given this row's id only; the data file's content never travels through Redis.
    The file is deleted when the run ends; the trained version keeps the data's fingerprint.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    task = models.CharField(max_length=16, choices=ModelVersion.Task.choices)
    name = models.CharField(max_length=100)
    base_model = models.CharField(max_length=200, help_text="registered NAME@VERSION to start from")
    data_path = models.CharField(max_length=500, help_text="the uploaded CSV, relative to DATA_DIR")
    columns = models.JSONField(default=dict, help_text="text/target column names and label filters")
    options = models.JSONField(default=dict, blank=True, help_text="training options (seed, steps, ...)")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="last sign of life of the training worker")
    enqueued_at = models.DateTimeField(default=timezone.now, help_text="when its task was last sent to the broker")
    result = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    error = models.CharField(max_length=300, blank=True, help_text="the error class only, never data")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"training run {self.pk} ({self.task}, {self.status})"
