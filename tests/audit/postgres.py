"""A throwaway PostgreSQL cluster (Debian's binaries) in a temporary directory, for tests that
must prove the trail on PostgreSQL too. Runs the server as ``postgres`` when the tests run as
root, since PostgreSQL refuses to run as root."""
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def available() -> bool:
    return bool(BINARIES) and (os.geteuid() != 0 or shutil.which("runuser") is not None)


class PostgresCluster:
    def __init__(self, durable: bool = True):
        self.durable = durable  # fsync on commit: off only where a test's speed matters more
        # Its own directory: pytest's are private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="audit-postgres-"))
        self.data = self.root / "data"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> "PostgresCluster":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "start",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                  f"-c fsync={'on' if self.durable else 'off'}")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(BINARIES[-1] / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
