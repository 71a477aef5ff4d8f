#!/usr/bin/env python3
"""Container healthcheck for the clinical AI appliance images.

Usage: clinical-ai-healthcheck [web|worker QUEUE|beat|auto]

  web           GET http://127.0.0.1:8000/healthz must answer 200.
  worker QUEUE  the celery worker QUEUE@<hostname> must answer a ping.
  beat          the broker (REDIS_URL) must answer PING and PID 1 must be beat.
  auto          (default) pick one of the above from PID 1's command line, so
                the image-level HEALTHCHECK fits every role; one-shot roles
                (init, manage, ...) report healthy.

Exit status 0 = healthy, 1 = unhealthy (Docker's HEALTHCHECK convention).
Only the standard library is imported at module level: this runs every
interval inside the container and must stay cheap.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
from urllib.parse import urlparse

WEB_URL_PATH = "/healthz"
WEB_PORT = int(os.environ.get("CLINICAL_AI_HEALTHCHECK_PORT", "8000"))
TIMEOUT_S = int(os.environ.get("CLINICAL_AI_HEALTHCHECK_TIMEOUT", "10"))


def check_web() -> int:
    # Send a Host header that the app always accepts: DJANGO_ALLOWED_HOSTS is
    # operator-controlled, so use its first entry when one is set.
    allowed = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h.lstrip(".") for h in allowed if h != "*"), "localhost")
    conn = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=TIMEOUT_S)
    try:
        conn.request("GET", WEB_URL_PATH, headers={"Host": host})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"web: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    if status != 200:
        print(f"web: {WEB_URL_PATH} answered {status}", file=sys.stderr)
        return 1
    return 0


def check_worker(queue: str) -> int:
    node = f"{queue}@{socket.gethostname()}"
    cmd = ["celery", "-A", "clinical_ai", "inspect", "ping", "-d", node, "--timeout", str(TIMEOUT_S)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S * 3)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"worker {node}: {exc}", file=sys.stderr)
        return 1
    if proc.returncode != 0:
        print(f"worker {node}: {proc.stdout.strip()} {proc.stderr.strip()}", file=sys.stderr)
        return 1
    return 0


def check_broker() -> int:
    url = urlparse(os.environ.get("REDIS_URL", "redis://redis:6379/0"))
    try:
        with socket.create_connection((url.hostname or "localhost", url.port or 6379), timeout=TIMEOUT_S) as sock:
            if url.password:
                user = url.username or "default"
                sock.sendall(_resp("AUTH", user, url.password))
                if not sock.recv(64).startswith(b"+OK"):
                    print("beat: broker refused AUTH", file=sys.stderr)
                    return 1
            sock.sendall(_resp("PING"))
            reply = sock.recv(64)
    except OSError as exc:
        print(f"beat: broker unreachable: {exc}", file=sys.stderr)
        return 1
    if not reply.startswith(b"+PONG"):
        print(f"beat: unexpected broker reply {reply!r}", file=sys.stderr)
        return 1
    return 0


def _resp(*parts: str) -> bytes:
    out = [f"*{len(parts)}\r\n".encode()]
    for part in parts:
        raw = part.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(out)


def pid1_argv(proc_root: str | None = None) -> list[str]:
    proc_root = proc_root or os.environ.get("CLINICAL_AI_HEALTHCHECK_PROC_ROOT", "/proc")
    try:
        with open(os.path.join(proc_root, "1", "cmdline"), "rb") as fh:
            raw = fh.read()
    except OSError:
        return []
    return [a.decode(errors="replace") for a in raw.split(b"\0") if a]


def role_from_argv(argv: list[str]) -> tuple[str, str | None]:
    """Map PID 1's argv to (role, queue). Roles: web, worker, beat, none.

    Tolerates process titles rewritten by setproctitle (e.g. "gunicorn: master
    [...]" or "[celeryd: deid@host:MainProcess] ... (-A clinical_ai worker -Q deid)").
    """
    tokens = [t.strip("()[]") for t in " ".join(argv).split()]
    names = [os.path.basename(t) for t in tokens]
    if any(n.startswith("gunicorn") for n in names):
        return "web", None
    if any(n.startswith("celery") for n in names):
        if "beat" in tokens:
            return "beat", None
        if "worker" in tokens or any(n.startswith("celeryd") for n in names):
            for i, tok in enumerate(tokens):
                if tok in ("-Q", "--queues") and i + 1 < len(tokens):
                    return "worker", tokens[i + 1].split(",")[0]
                if tok.startswith("--queues="):
                    return "worker", tok.split("=", 1)[1].split(",")[0]
            return "worker", "celery"
    return "none", None


def main(args: list[str]) -> int:
    mode = args[0] if args else "auto"
    if mode == "auto":
        mode, queue = role_from_argv(pid1_argv())
        if mode == "worker":
            args = ["worker", queue or "celery"]
    if mode == "web":
        return check_web()
    if mode == "worker":
        if len(args) < 2:
            print("usage: clinical-ai-healthcheck worker QUEUE", file=sys.stderr)
            return 1
        return check_worker(args[1])
    if mode == "beat":
        if role_from_argv(pid1_argv())[0] != "beat":
            print("beat: PID 1 is not celery beat", file=sys.stderr)
            return 1
        return check_broker()
    if mode == "none":
        return 0
    print(f"unknown healthcheck mode {mode!r}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
