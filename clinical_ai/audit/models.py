"""The audit trail: one row per touch of the data. Rows are only ever added.

Details never hold PHI: ids, counts, model versions, error classes. Patients appear only
as a pseudonymous key (an HMAC of their identifier).

Tamper evidence (see ``chain.py``): each row holds the SHA-256 of its canonical form, which
includes the previous row's hash, and an HMAC of that hash under a key kept outside the
database. Database triggers (``triggers.py``) refuse UPDATE and DELETE.
"""
from django.conf import settings
from django.db import models

# The actions the trail knows; ``record`` accepts these names.
ACTIONS = (
    "create", "read", "update", "delete", "export", "query", "login", "logout", "login-failed",
    "break-glass", "de-identify", "infer", "config-change", "flag",
    "model-import", "model-train", "model-evaluate", "model-assign", "model-promote", "model-retire", "model-rollback",
    "ai-report", "monitor-flag",
)


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success"
        FAILURE = "failure"
        DENIED = "denied"

    occurred_at = models.DateTimeField(db_index=True)
    clock_source = models.CharField(max_length=64, blank=True, help_text="the server clock that gave occurred_at")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True, help_text="user name, or the system component")
    role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=32, db_index=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    patient_key = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=32, blank=True, help_text="purpose of use, e.g. TREAT, OPERATIONS")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    hmac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        when = f"{self.occurred_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"
