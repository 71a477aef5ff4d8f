"""Database triggers that refuse UPDATE and DELETE on the audit trail, per database vendor.

They stop the application (or a careless operator) from changing history; the hash chain is
what detects someone who drops them first. A table rebuild by a future SQLite migration drops
them too, so ``audit_verify`` also checks that they are in place.
"""
TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]
SQLITE_NAMES = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s"

POSTGRESQL_INSTALL = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    f"CREATE OR REPLACE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    f"CREATE OR REPLACE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_event_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
]
POSTGRESQL_NAMES = ("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                    "AND tgname LIKE 'audit_event_no_%%'")

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE, SQLITE_NAMES, 2),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE, POSTGRESQL_NAMES, 2),
}


def install(connection) -> None:
    _run(connection, STATEMENTS[connection.vendor][0])


def remove(connection) -> None:
    _run(connection, STATEMENTS[connection.vendor][1])


def installed(connection) -> bool:
    _, _, query, expected = STATEMENTS[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(query, [TABLE])
        return cursor.fetchone()[0] == expected


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
