"""docker/entrypoint.sh: ShellCheck, then each role run for real against stub
gunicorn/celery/python executables that record the argv they were exec'd with."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # any --import-mode
from docker_support import ENTRYPOINT, clean_env, tool  # noqa: E402

STUB = """#!/bin/sh
# records argv and a few env facts, one JSON-ish line per call
{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf '\\t%s' "$a"; done
  printf '\\tSECRET=%s' "${DJANGO_SECRET_KEY-<unset>}"; printf '\\tUMASK=%s\\n' "$(umask)"; } >> "$STUB_LOG"
if [ "$(basename "$0")" = python ] && [ "$1" = "-c" ]; then exit "${STUB_PYTHON_C_RC:-0}"; fi
exit "${STUB_RC:-0}"
"""


@pytest.fixture()
def sandbox(tmp_path: Path) -> dict:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("gunicorn", "celery", "python"):
        stub = bindir / name
        stub.write_text(STUB)
        stub.chmod(stub.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return {"tmp": tmp_path, "bin": bindir, "log": tmp_path / "calls.log"}


def run_role(sandbox: dict, *argv: str, **env: str) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    tmp = sandbox["tmp"]
    e = clean_env(
        PATH=f"{sandbox['bin']}:/usr/bin:/bin",
        STUB_LOG=str(sandbox["log"]),
        CLINICAL_AI_DATA_DIR=str(tmp / "data"),
        MODEL_ROOT=str(tmp / "models"),
    )
    e.update(env)
    proc = subprocess.run(["/bin/sh", str(ENTRYPOINT), *argv], capture_output=True, text=True, env=e,
                          cwd=tmp, timeout=30)
    log = sandbox["log"]
    calls = [line.split("\t") for line in log.read_text().splitlines()] if log.exists() else []
    return proc, calls


def argv_of(calls: list[list[str]]) -> list[list[str]]:
    return [[c for c in call if not c.startswith(("SECRET=", "UMASK="))] for call in calls]


def test_shellcheck_clean() -> None:
    proc = subprocess.run([tool("shellcheck"), "--shell=sh", "--severity=style", "--format=json", str(ENTRYPOINT)],
                          capture_output=True, text=True, env=clean_env(), timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout or "[]") == [], proc.stdout + proc.stderr


def test_entrypoint_is_executable_posix_sh() -> None:
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")
    assert os.access(ENTRYPOINT, os.X_OK)  # the image also sets it with COPY --chmod=0755


@pytest.mark.parametrize(
    "role, expected",
    [
        ("web", [["gunicorn", "clinical_ai.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2",
                  "--timeout", "120", "--worker-tmp-dir", "/dev/shm"]]),
        ("worker-deid", [["celery", "-A", "clinical_ai", "worker", "-Q", "deid", "-n", "deid@%h",
                          "--concurrency", "1"]]),
        ("worker-inference", [["celery", "-A", "clinical_ai", "worker", "-Q", "inference", "-n", "inference@%h",
                               "--concurrency", "1"]]),
        ("init", [["python", "manage.py", "migrate", "--noinput"],
                  ["python", "manage.py", "collectstatic", "--noinput"],
                  ["python", "manage.py", "install_models"]]),
    ],
)
def test_roles_run_the_documented_commands(sandbox: dict, role: str, expected: list[list[str]]) -> None:
    proc, calls = run_role(sandbox, role)
    assert proc.returncode == 0, proc.stderr
    assert argv_of(calls) == expected


def test_beat_keeps_its_schedule_on_the_data_volume(sandbox: dict) -> None:
    proc, calls = run_role(sandbox, "beat")
    assert proc.returncode == 0, proc.stderr
    data = sandbox["tmp"] / "data"
    assert argv_of(calls) == [["celery", "-A", "clinical_ai", "beat", "--schedule", f"{data}/celerybeat-schedule"]]


def test_default_role_is_web_and_extra_args_pass_through(sandbox: dict) -> None:
    _, calls = run_role(sandbox)
    assert argv_of(calls)[0][0] == "gunicorn"
    sandbox["log"].unlink()
    _, calls = run_role(sandbox, "worker-deid", "--loglevel", "debug")
    assert argv_of(calls)[0][-2:] == ["--loglevel", "debug"]
    sandbox["log"].unlink()
    _, calls = run_role(sandbox, "manage", "createsuperuser", "--noinput")
    assert argv_of(calls) == [["python", "manage.py", "createsuperuser", "--noinput"]]
    sandbox["log"].unlink()
    _, calls = run_role(sandbox, "python", "-V")
    assert argv_of(calls) == [["python", "-V"]]


def test_web_workers_configurable(sandbox: dict) -> None:
    _, calls = run_role(sandbox, "web", GUNICORN_WORKERS="4")
    argv = argv_of(calls)[0]
    assert argv[argv.index("--workers") + 1] == "4"


def test_directories_and_key_permissions(sandbox: dict) -> None:
    proc, _ = run_role(sandbox, "worker-deid")
    assert proc.returncode == 0, proc.stderr
    tmp = sandbox["tmp"]
    assert (tmp / "data").is_dir() and (tmp / "models").is_dir()
    keys = tmp / "data" / "keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700


def test_custom_key_dir(sandbox: dict) -> None:
    keys = sandbox["tmp"] / "elsewhere" / "keys"
    proc, _ = run_role(sandbox, "web", CLINICAL_AI_KEY_DIR=str(keys))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700


def test_private_umask(sandbox: dict) -> None:
    _, calls = run_role(sandbox, "web")
    assert calls[0][-1] == "UMASK=0027"


def test_empty_secret_key_is_unset(sandbox: dict) -> None:
    _, calls = run_role(sandbox, "web", DJANGO_SECRET_KEY="")
    assert calls[0][-2] == "SECRET=<unset>"
    sandbox["log"].unlink()
    _, calls = run_role(sandbox, "web", DJANGO_SECRET_KEY="given")
    assert calls[0][-2] == "SECRET=given"


def test_require_gpu_fails_fast_without_cuda(sandbox: dict) -> None:
    proc, calls = run_role(sandbox, "worker-inference", CLINICAL_AI_REQUIRE_GPU="1", STUB_PYTHON_C_RC="1")
    assert proc.returncode != 0
    assert [c[0] for c in calls] == ["python"], "celery must not start when the GPU check fails"
    assert calls[0][1] == "-c" and "torch.cuda.is_available()" in calls[0][2]


def test_require_gpu_passes_with_cuda(sandbox: dict) -> None:
    proc, calls = run_role(sandbox, "worker-inference", CLINICAL_AI_REQUIRE_GPU="1", STUB_PYTHON_C_RC="0")
    assert proc.returncode == 0, proc.stderr
    assert [c[0] for c in calls] == ["python", "celery"]


def test_init_stops_at_the_first_failure(sandbox: dict) -> None:
    proc, calls = run_role(sandbox, "init", STUB_RC="3")
    assert proc.returncode == 3
    assert argv_of(calls) == [["python", "manage.py", "migrate", "--noinput"]]
