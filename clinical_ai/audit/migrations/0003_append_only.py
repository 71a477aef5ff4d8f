"""Chain the events recorded before the chain existed, then make the table append-only."""
from django.db import migrations


def chain_existing_events(apps, schema_editor):
    from clinical_ai.audit import chain

    AuditEvent = apps.get_model("audit", "AuditEvent")
    key, previous_hash = chain.hmac_key(), chain.GENESIS
    for event in AuditEvent.objects.order_by("id"):
        row = {field: getattr(event, field) for field in chain.HASHED_FIELDS if field != "prev_hash"}
        row["prev_hash"] = previous_hash
        row["hash"] = previous_hash = chain.digest(row)
        row["hmac"] = chain.sign(row["hash"], key)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=row["prev_hash"], hash=row["hash"], hmac=row["hmac"])


def install_triggers(apps, schema_editor):
    from clinical_ai.audit import triggers

    triggers.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from clinical_ai.audit import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [("audit", "0002_chain")]

    operations = [
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
