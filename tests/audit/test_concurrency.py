"""Several OS processes appending at once leave one unbroken chain, on SQLite and on PostgreSQL.

Real processes against a real database file or server: bench/audit_throughput.py writes, then
``manage.py audit_verify`` checks the chain and the append-only triggers.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# SQLite on tmpfs where there is one: the test is about locking, not about this disk's fsync time.
FAST_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_env(request):
    """Settings for one migrated database, shared by this module's tests, holding two events."""
    with tempfile.TemporaryDirectory(dir=FAST_DIR) as data_dir:
        url = f"sqlite:///{data_dir}/db.sqlite3" if request.param == "sqlite" else fresh_database(request)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinical_ai.settings", "CLINICAL_AI_DATA_DIR": data_dir,
               "DATABASE_URL": url}
        seeded = run(env, "bench/audit_throughput.py", "--processes", "1", "--events", "2")
        assert seeded.returncode == 0, seeded.stderr[-2000:]
        yield env


def fresh_database(request) -> str:
    import psycopg

    server = request.getfixturevalue("postgres_url")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS audit_concurrency")
        connection.execute("CREATE DATABASE audit_concurrency")
    return server.rsplit("/", 1)[0] + "/audit_concurrency"


def run(env: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *command], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_concurrent_writer_processes_keep_one_valid_chain(database_env):
    written = run(database_env, "bench/audit_throughput.py", "--processes", "4", "--events", "25")
    verified = run(database_env, "manage.py", "audit_verify")

    assert written.returncode == 0, written.stderr[-2000:]
    assert "chain verified" in written.stdout
    assert verified.returncode == 0, verified.stderr[-2000:]


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET action = 'query'",
                                       "DELETE FROM audit_auditevent"])
def test_the_database_refuses_to_change_the_trail(database_env, statement):
    with pytest.raises(Exception, match="append-only"):
        execute_outside_the_app(database_env["DATABASE_URL"], statement)


def execute_outside_the_app(url: str, statement: str) -> None:
    """Run SQL over a plain connection, as an operator at a database prompt would."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute(statement)
    else:
        import psycopg

        with psycopg.connect(url) as connection:
            connection.execute(statement)
