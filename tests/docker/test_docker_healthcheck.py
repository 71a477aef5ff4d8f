"""docker/healthcheck.py against real loopback servers and a stub celery."""

from __future__ import annotations

import http.server
import os
import socket
import socketserver
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # any --import-mode
from docker_support import HEALTHCHECK, clean_env  # noqa: E402

sys.path.insert(0, str(HEALTHCHECK.parent))
import healthcheck  # noqa: E402  (docker/healthcheck.py)


def run_check(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    e = clean_env(CLINICAL_AI_HEALTHCHECK_TIMEOUT="3")
    e.update(env)
    return subprocess.run([sys.executable, str(HEALTHCHECK), *argv], capture_output=True, text=True, env=e,
                          timeout=30)


@contextmanager
def http_server(status: int) -> Iterator[tuple[int, list[dict]]]:
    seen: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append({"path": self.path, "host": self.headers["Host"]})
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def fake_redis(reply: bytes) -> Iterator[int]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data = self.request.recv(1024)
            if b"PING" in data:
                self.request.sendall(reply)

    server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_web_healthy_on_200() -> None:
    with http_server(200) as (port, seen):
        proc = run_check("web", CLINICAL_AI_HEALTHCHECK_PORT=str(port), DJANGO_ALLOWED_HOSTS="ai.example.org,localhost")
    assert proc.returncode == 0, proc.stderr
    assert seen == [{"path": "/healthz", "host": "ai.example.org"}]


def test_web_unhealthy_on_503() -> None:
    with http_server(503) as (port, _):
        proc = run_check("web", CLINICAL_AI_HEALTHCHECK_PORT=str(port))
    assert proc.returncode == 1
    assert "503" in proc.stderr


def test_web_unhealthy_when_down() -> None:
    proc = run_check("web", CLINICAL_AI_HEALTHCHECK_PORT=str(free_port()))
    assert proc.returncode == 1


def test_web_host_header_defaults() -> None:
    with http_server(200) as (port, seen):
        run_check("web", CLINICAL_AI_HEALTHCHECK_PORT=str(port))
        run_check("web", CLINICAL_AI_HEALTHCHECK_PORT=str(port), DJANGO_ALLOWED_HOSTS="*,.example.org")
    assert [s["host"] for s in seen] == ["localhost", "example.org"]


@pytest.fixture()
def celery_stub(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "celery.log"
    stub = tmp_path / "celery"
    stub.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexit "${{STUB_RC:-0}}"\n')
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return tmp_path, log


def test_worker_pings_its_own_node(celery_stub: tuple[Path, Path]) -> None:
    bindir, log = celery_stub
    path = f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    assert run_check("worker", "deid", PATH=path).returncode == 0
    assert log.read_text().split() == ["-A", "clinical_ai", "inspect", "ping", "-d",
                                       f"deid@{socket.gethostname()}", "--timeout", "3"]
    assert run_check("worker", "deid", PATH=path, STUB_RC="1").returncode == 1
    assert run_check("worker", PATH=path).returncode == 1  # queue missing


def test_broker_ping() -> None:
    with fake_redis(b"+PONG\r\n") as port:
        assert healthcheck_broker(port) == 0
    with fake_redis(b"-ERR nope\r\n") as port:
        assert healthcheck_broker(port) == 1
    assert healthcheck_broker(free_port()) == 1


def healthcheck_broker(port: int) -> int:
    old = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    try:
        return healthcheck.check_broker()
    finally:
        if old is None:
            del os.environ["REDIS_URL"]
        else:
            os.environ["REDIS_URL"] = old


def fake_proc(tmp_path: Path, *argv: str) -> str:
    root = tmp_path / "proc"
    (root / "1").mkdir(parents=True)
    (root / "1" / "cmdline").write_bytes(b"".join(a.encode() + b"\0" for a in argv))
    return str(root)


def test_beat_requires_beat_as_pid1(tmp_path: Path) -> None:
    proc_root = fake_proc(tmp_path, "/opt/venv/bin/python", "/opt/venv/bin/gunicorn", "x")
    proc = run_check("beat", CLINICAL_AI_HEALTHCHECK_PROC_ROOT=proc_root)
    assert proc.returncode == 1 and "not celery beat" in proc.stderr


def test_beat_healthy_when_broker_answers(tmp_path: Path) -> None:
    proc_root = fake_proc(tmp_path, "/opt/venv/bin/python", "/opt/venv/bin/celery", "-A", "clinical_ai", "beat")
    with fake_redis(b"+PONG\r\n") as port:
        proc = run_check("beat", CLINICAL_AI_HEALTHCHECK_PROC_ROOT=proc_root, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    assert proc.returncode == 0, proc.stderr
    proc = run_check("auto", CLINICAL_AI_HEALTHCHECK_PROC_ROOT=proc_root, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert proc.returncode == 1 and "broker unreachable" in proc.stderr


def test_auto_mode_dispatches_on_pid1(tmp_path: Path, celery_stub: tuple[Path, Path]) -> None:
    web_root = fake_proc(tmp_path / "w", "/opt/venv/bin/python", "/opt/venv/bin/gunicorn", "clinical_ai.wsgi:application")
    with http_server(200) as (port, seen):
        assert run_check("auto", CLINICAL_AI_HEALTHCHECK_PROC_ROOT=web_root,
                         CLINICAL_AI_HEALTHCHECK_PORT=str(port)).returncode == 0
    assert [s["path"] for s in seen] == ["/healthz"]
    bindir, log = celery_stub
    worker_root = fake_proc(tmp_path / "c", "/opt/venv/bin/python", "/opt/venv/bin/celery", "-A", "clinical_ai",
                            "worker", "-Q", "inference", "-n", "inference@%h")
    proc = run_check("auto", CLINICAL_AI_HEALTHCHECK_PROC_ROOT=worker_root,
                     PATH=f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    assert proc.returncode == 0, proc.stderr
    assert f"inference@{socket.gethostname()}" in log.read_text()
    init_root = fake_proc(tmp_path / "i", "/opt/venv/bin/python", "manage.py", "install_models")
    assert run_check("auto", CLINICAL_AI_HEALTHCHECK_PROC_ROOT=init_root).returncode == 0


@pytest.mark.parametrize(
    "argv, role",
    [
        (["/opt/venv/bin/python", "/opt/venv/bin/gunicorn", "clinical_ai.wsgi:application"], ("web", None)),
        (["gunicorn: master [clinical_ai.wsgi:application]"], ("web", None)),
        (["/opt/venv/bin/python", "/opt/venv/bin/celery", "-A", "clinical_ai", "worker", "-Q", "deid",
          "-n", "deid@%h", "--concurrency", "1"], ("worker", "deid")),
        (["celery", "-A", "clinical_ai", "worker", "--queues=inference"], ("worker", "inference")),
        (["[celeryd: inference@h:MainProcess] -active- (-A clinical_ai worker -Q inference)"], ("worker", "inference")),
        (["/opt/venv/bin/python", "/opt/venv/bin/celery", "-A", "clinical_ai", "beat", "--schedule", "/data/s"],
         ("beat", None)),
        (["/opt/venv/bin/python", "manage.py", "install_models"], ("none", None)),
        ([], ("none", None)),
    ],
)
def test_role_detection(argv: list[str], role: tuple[str, str | None]) -> None:
    assert healthcheck.role_from_argv(argv) == role


def test_pid1_argv_reads_proc(tmp_path: Path) -> None:
    (tmp_path / "1").mkdir()
    (tmp_path / "1" / "cmdline").write_bytes(b"/opt/venv/bin/python\0/opt/venv/bin/celery\0beat\0")
    assert healthcheck.pid1_argv(str(tmp_path)) == ["/opt/venv/bin/python", "/opt/venv/bin/celery", "beat"]
    assert healthcheck.pid1_argv(str(tmp_path / "missing")) == []


def test_unknown_mode_is_unhealthy() -> None:
    assert run_check("bogus").returncode == 1
