"""Changing, deleting or inserting audit rows behind the application's back is caught by audit_verify."""
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from clinical_ai.audit import chain, triggers
from clinical_ai.audit.models import AuditEvent
from clinical_ai.audit.services import last_verification
from clinical_ai.audit.tasks import verify_audit_chain


def verify() -> tuple[int, str]:
    """(exit status, stderr) of ``manage.py audit_verify``."""
    errors = io.StringIO()
    try:
        call_command("audit_verify", stderr=errors, stdout=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, errors.getvalue()
    return 0, errors.getvalue()


def test_an_untouched_trail_verifies(events):
    assert verify() == (0, "")
    check = last_verification()
    assert check.outcome == "success" and check.details["events"] == 5


def test_each_event_links_to_the_previous_one(events):
    rows = list(AuditEvent.objects.order_by("id"))
    assert rows[0].prev_hash == chain.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:]))
    assert [row.id for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].clock_source.startswith("CLOCK_REALTIME")


def test_a_changed_event_is_caught(events, behind_the_apps_back):
    behind_the_apps_back("UPDATE audit_auditevent SET patient_key = 'pk-other' WHERE id = 3")

    status, errors = verify()

    assert status == 1
    assert "broken at event 3" in errors and "does not match its hash" in errors
    assert last_verification().details["first_broken"] == 3


def test_a_changed_event_with_its_hash_recomputed_is_caught_by_the_hmac(events, behind_the_apps_back):
    row = AuditEvent.objects.filter(id=5).values(*chain.HASHED_FIELDS).get()
    row["action"] = "query"
    behind_the_apps_back("UPDATE audit_auditevent SET action = 'query', hash = %s WHERE id = 5", [chain.digest(row)])

    status, errors = verify()

    assert status == 1 and "broken at event 5" in errors and "HMAC" in errors


def test_a_deleted_event_is_caught(events, behind_the_apps_back):
    behind_the_apps_back("DELETE FROM audit_auditevent WHERE id = 2")

    status, errors = verify()

    assert status == 1 and "broken at event 3" in errors and "missing" in errors


def test_deleting_the_first_event_is_caught(events, behind_the_apps_back):
    behind_the_apps_back("DELETE FROM audit_auditevent WHERE id = 1")

    status, errors = verify()

    assert status == 1 and "broken at event 2" in errors


def test_an_event_inserted_without_the_key_is_caught(events, behind_the_apps_back):
    tail = AuditEvent.objects.order_by("-id").first()
    forged = {field: getattr(tail, field) for field in chain.HASHED_FIELDS}
    forged.update(id=tail.id + 1, prev_hash=tail.hash, object_id="doc-forged")
    forged_hash = chain.digest(forged)
    behind_the_apps_back(
        "INSERT INTO audit_auditevent (id, occurred_at, clock_source, actor_name, role, action, outcome, object_type,"
        " object_id, patient_key, purpose, user_agent, request_id, details, prev_hash, hash, hmac)"
        " SELECT %s, occurred_at, clock_source, actor_name, role, action, outcome, object_type, %s, patient_key,"
        " purpose, user_agent, request_id, details, %s, %s, %s FROM audit_auditevent WHERE id = %s",
        [forged["id"], "doc-forged", tail.hash, forged_hash, chain.sign(forged_hash, b"a guessed key"), tail.id])

    status, errors = verify()

    assert status == 1 and f"broken at event {tail.id + 1}" in errors and "HMAC" in errors


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET action = 'query'",
                                       "DELETE FROM audit_auditevent"])
def test_the_database_refuses_changes_to_the_trail(events, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.filter(action="read").count() == 5


def test_the_orm_cannot_change_or_delete_events_either(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(id=1).update(outcome="failure")
    with pytest.raises(DatabaseError), transaction.atomic():
        events[0].delete()


def test_missing_triggers_fail_verification(events):
    triggers.remove(connection)

    status, errors = verify()

    assert status == 1 and "triggers" in errors


def test_the_scheduled_check_runs_on_the_deid_queue_and_records_its_result(events, settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == verify_audit_chain.name)

    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "deid"}
    assert verify_audit_chain() is True
    assert last_verification().actor_name == "audit-verify-task"
