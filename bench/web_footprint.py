"""The web process's start time and resident memory: gunicorn with one worker, as `make run` serves the app.

    python bench/web_footprint.py [--repo PATH] [--runs N]

Starts gunicorn in a temporary data directory (``--repo`` runs another checkout's code with this
virtualenv, for a before/after), times spawn to the first answer from /healthz, then reads the
worker's VmRSS from /proc and whether torch/transformers files are mapped into it. Linux only.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stack import free_port  # noqa: E402

BIN = Path(sys.executable).parent


def one_start(repo: Path) -> tuple[float, int, bool]:
    """(seconds to first answer, worker RSS in KiB, torch mapped in the worker)."""
    root = Path(tempfile.mkdtemp(prefix="bench-web-"))
    port = free_port()
    env = {"DJANGO_SETTINGS_MODULE": "clinical_ai.settings", "CLINICAL_AI_DATA_DIR": str(root),
           "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}", "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
           "PATH": f"{BIN}:/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    subprocess.run([str(BIN / "python"), "manage.py", "migrate", "--noinput"], cwd=repo, env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    server = subprocess.Popen([str(BIN / "gunicorn"), "clinical_ai.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--timeout", "120"], cwd=repo, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=60)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        seconds = time.perf_counter() - started
        worker = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()[0]
        status = Path(f"/proc/{worker}/status").read_text()
        rss = int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])
        torch_mapped = "/torch/" in Path(f"/proc/{worker}/maps").read_text()
        return seconds, rss, torch_mapped
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = [one_start(args.repo) for _ in range(args.runs)]
    seconds, rss, torch_mapped = zip(*results)
    print(f"repo: {args.repo}")
    print(f"start to first answer: median {statistics.median(seconds):.2f} s (runs: "
          f"{', '.join(f'{s:.2f}' for s in seconds)})")
    print(f"worker RSS: median {statistics.median(rss) / 1024:.0f} MiB (runs: {', '.join(f'{r / 1024:.0f}' for r in rss)})")
    print(f"torch mapped in the worker: {any(torch_mapped)}")


if __name__ == "__main__":
    main()
