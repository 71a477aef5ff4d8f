"""MLLP load run: N messages over C connections; every one must be ACKed AA and stored once.

    python bench/mllp_load.py --host 127.0.0.1 --port 2575 [--messages 1000 --connections 10]

Run against `manage.py mllp_listen` using the same settings (DJANGO_SETTINGS_MODULE),
which this script also uses to count what was stored. Every message is then resent once
more to prove resends create nothing. Prints messages/s for the first pass.
"""
import argparse
import os
import socket
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
START, END = b"\x0b", b"\x1c\x0d"
SENDER = "MLLPLOAD"


def message(run: str, number: int) -> bytes:
    control_id = f"{run}-{number:05d}"
    segments = [
        f"MSH|^~\\&|{SENDER}|BENCH|APPLIANCE|HOSP|20240101120000||ORU^R01^ORU_R01|{control_id}|P|2.5.1",
        f"PID|1||MRN{number:06d}^^^HOSP^MR||Testpatient^Loadrun||19700101|F",
        "OBR|1||ORD1|11506-3^Progress note^LN",
        f"OBX|1|TX|11506-3^Progress note^LN||Load test note {number}: patient stable, plan unchanged.||||||F",
    ]
    return ("\r".join(segments) + "\r").encode()


def send_all(host: str, port: int, messages: list[bytes]) -> list[bytes]:
    acks = []
    with socket.create_connection((host, port), timeout=60) as connection:
        buffer = b""
        for payload in messages:
            connection.sendall(START + payload + END)
            while END not in buffer:
                chunk = connection.recv(65536)
                if not chunk:
                    raise ConnectionError("listener closed the connection")
                buffer += chunk
            ack, buffer = buffer.split(END, 1)
            acks.append(ack)
    return acks


def run_pass(host, port, messages, connections) -> tuple[float, int]:
    shards = [messages[i::connections] for i in range(connections)]
    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        acks = [a for shard in pool.map(lambda s: send_all(host, port, s), shards) for a in shard]
    elapsed = time.perf_counter() - started
    accepted = sum(1 for a in acks if b"\rMSA|AA|" in a)
    return elapsed, accepted


def stored_count(run: str, messages: int) -> int:
    """Documents stored for this run's control ids (the intake keeps only their keyed digests)."""
    import django

    django.setup()
    from clinical_ai.documents.intake import idempotency_key
    from clinical_ai.documents.models import Document

    keys = [idempotency_key("hl7v2", f"{SENDER}|BENCH", f"{run}-{number:05d}") for number in range(messages)]
    return Document.objects.filter(source="hl7v2", source_ref__in=keys).count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2575)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinical_ai.settings")
    run = uuid.uuid4().hex[:8]
    messages = [message(run, n) for n in range(args.messages)]
    elapsed, accepted = run_pass(args.host, args.port, messages, args.connections)
    print(f"{args.messages} messages over {args.connections} connections in {elapsed:.2f}s: "
          f"{args.messages / elapsed:.1f} messages/s, {accepted} ACKed AA")
    _, resent_accepted = run_pass(args.host, args.port, messages, args.connections)
    stored = stored_count(run, args.messages)
    print(f"resent all: {resent_accepted} ACKed AA; documents stored: {stored}")
    ok = accepted == resent_accepted == stored == args.messages
    print("OK: every message ACKed and stored exactly once" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
