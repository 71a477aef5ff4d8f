from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "clinical_ai.audit"
    label = "audit"

    def ready(self):
        post_migrate.connect(ensure_append_only, sender=self)


def ensure_append_only(using="default", **kwargs):
    """Put the append-only triggers back after every migrate (or flush): SQLite drops them when a
    migration rebuilds the table."""
    from clinical_ai.audit import triggers

    triggers.install(connections[using])
