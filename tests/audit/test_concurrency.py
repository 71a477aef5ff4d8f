"""Several OS processes appending at once leave one unbroken chain (the real processes, one SQLite file)."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_concurrent_writer_processes_keep_one_valid_chain(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinical_ai.settings", "CLINICAL_AI_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    run = subprocess.run([sys.executable, "bench/audit_throughput.py", "--processes", "4", "--events", "25"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stderr[-2000:]
    assert "chain verified (100 events)" in run.stdout
