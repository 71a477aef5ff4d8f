"""The MLLP listener against a real database: store before ACK, AA/AE/AR, many connections, resends.

The listener runs in a background thread on its own event loop, as `manage.py mllp_listen` runs it.
Its storing threads commit for real (transactional test database); the Celery enqueue that fires
on commit is replaced by a mock, so no Redis is needed.
"""
import asyncio
import gc
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import DatabaseError, DataError, OperationalError
from interop_samples import ADT_A01, MDM_T02, ORU_TWO_REPORTS

from clinical_ai.documents.intake import idempotency_key
from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.interop import mllp
from clinical_ai.interop.mllp import END_BLOCK, frame, serve
from tests.stack import free_port


@pytest.fixture
def enqueue():
    with mock.patch("clinical_ai.documents.tasks.enqueue") as queued:
        yield queued


@pytest.fixture
def listener(committed_db, enqueue):
    """(host, port) of a running listener; stopped after the test."""
    loop, port = asyncio.new_event_loop(), free_port()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    serving = asyncio.run_coroutine_threadsafe(serve("127.0.0.1", port), loop)
    wait_until_listening(port)
    yield "127.0.0.1", port
    serving.cancel()
    # End the storing threads, and with them their database connections, before the test
    # database is flushed: an open connection to SQLite's shared in-memory database locks it.
    asyncio.run_coroutine_threadsafe(loop.shutdown_default_executor(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    gc.collect()


def wait_until_listening(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("MLLP listener did not start")


def connect(address) -> socket.socket:
    return socket.create_connection(address, timeout=30)


def exchange(connection: socket.socket, block: bytes) -> str:
    """Send raw bytes, return the next ACK (unframed) as text."""
    connection.sendall(block)
    received = b""
    while END_BLOCK not in received:
        chunk = connection.recv(65536)
        assert chunk, "listener closed the connection"
        received += chunk
    return received.split(END_BLOCK)[0].lstrip(b"\x0b").decode()


def send(address, message: str) -> str:
    with connect(address) as connection:
        return exchange(connection, frame(message.encode()))


def msa(ack: str) -> list[str]:
    return next(s for s in ack.split("\r") if s.startswith("MSA|")).split("|")


def numbered(message: str, control_id: str) -> str:
    return message.replace("|CTRL-1|", f"|{control_id}|", 1)


def test_message_is_committed_and_queued_before_its_aa_ack(listener, enqueue):
    ack = send(listener, MDM_T02)

    assert msa(ack)[1:3] == ["AA", "CTRL-1"]
    document = Document.objects.get(source="hl7v2", source_ref=idempotency_key("hl7v2", "DICTATE|MERCY", "CTRL-1"))
    enqueue.assert_called_once_with(document.pk)


def test_when_storing_fails_the_sender_hears_ae_never_aa(listener):
    with mock.patch("clinical_ai.interop.mllp.ingest", side_effect=DatabaseError("disk full")):
        ack = send(listener, MDM_T02)

    assert msa(ack)[1] == "AE" and "resend later" in msa(ack)[3]
    assert Document.objects.count() == 0


@pytest.mark.parametrize("message, code, reason", [
    (MDM_T02.replace("TXA|", "ZXA|"), "AE", "no TXA segment"),
    (MDM_T02.replace("MSH|^~\\&|", "MSH|^~^&|", 1), "AR", "encoding characters are invalid"),
    ("PID|1||MRN4711||Quintero^Rosalind\r", "AR", "does not start with an MSH"),
])
def test_refused_message_is_quarantined_and_acked_with_its_reason(listener, message, code, reason):
    ack = send(listener, message)

    assert msa(ack)[1] == code and reason in ack
    assert "Quintero" not in ack and "MRN4711" not in ack
    assert reason in QuarantinedInput.objects.get().reason
    assert Document.objects.count() == 0


def test_a_message_without_a_note_is_accepted_and_stores_nothing(listener):
    assert msa(send(listener, ADT_A01))[1] == "AA"
    assert Document.objects.count() == 0 and QuarantinedInput.objects.count() == 0


def test_a_message_the_database_refuses_is_quarantined_and_answered_ae_once(listener):
    with mock.patch.object(Document.objects, "create", side_effect=DataError("value too long")):
        ack = send(listener, MDM_T02)

    assert msa(ack)[1] == "AE" and "DataError" in ack and "resend" not in ack
    assert "DataError" in QuarantinedInput.objects.get().reason and Document.objects.count() == 0


def test_an_unreachable_database_asks_for_a_resend_and_keeps_nothing_twice(listener):
    with mock.patch.object(Document.objects, "create", side_effect=OperationalError("unable to open")):
        ack = send(listener, MDM_T02)

    assert msa(ack)[1] == "AE" and "resend later" in ack
    assert QuarantinedInput.objects.count() == 0


def test_an_mdm_with_hash_components_and_no_note_text_is_ae_and_quarantined(listener):
    message = ("MSH|#~\\&|DICTATE|MERCY|APPLIANCE|MERCY|20240102||MDM#T02|CTRL-5|P|2.5\r"
               "PID|1||MRN4711||Quintero#Rosalind\rTXA|1|DS|TX\r")
    ack = send(listener, message)

    assert msa(ack)[1] == "AE" and "no note text" in ack and "Quintero" not in ack
    assert "no note text" in QuarantinedInput.objects.get().reason


def test_an_iso_8859_1_message_is_stored(listener):
    message = MDM_T02.replace("|2.5.1\r", "|2.5.1||||||8859/1\r", 1).replace("Rosalind was", "Rosélind was")
    with connect(listener) as connection:
        ack = exchange(connection, frame(message.encode("latin-1")))

    assert msa(ack)[1] == "AA"
    assert Document.objects.get().original_text.startswith("Rosélind was")


def test_resend_with_the_same_control_id_is_acked_again_and_stored_once(listener, enqueue):
    first, again = send(listener, ORU_TWO_REPORTS), send(listener, ORU_TWO_REPORTS)

    assert msa(first)[1] == msa(again)[1] == "AA"
    assert Document.objects.count() == 2  # the two reports in the message, once each
    assert enqueue.call_count == 2


@pytest.fixture
def one_writer_at_a_time():
    """The test database is SQLite's shared in-memory one, which fails concurrent writers at once
    ("table is locked") instead of waiting as the product's file database does (busy timeout, WAL).
    Stand in for that wait with a lock around storing; connections and parsing stay concurrent.
    bench/mllp_load.py measures the real thing against a file database."""
    lock, store = threading.Lock(), mllp.ingest

    def store_in_turn(*args, **kwargs):
        with lock:
            return store(*args, **kwargs)

    with mock.patch.object(mllp, "ingest", store_in_turn):
        yield


def test_many_connections_at_once_each_get_their_acks(listener, one_writer_at_a_time):
    def send_five(connection_number: int) -> list[str]:
        with connect(listener) as connection:
            return [msa(exchange(connection, frame(numbered(MDM_T02, f"C{connection_number}-{n}").encode())))[1]
                    for n in range(5)]

    with ThreadPoolExecutor(8) as pool:
        codes = [code for codes in pool.map(send_five, range(8)) for code in codes]

    assert codes == ["AA"] * 40
    assert Document.objects.count() == 40


def test_framing_errors_and_dropped_connections_do_not_stop_the_listener(listener):
    with connect(listener) as connection:
        ack = exchange(connection, MDM_T02.encode() + END_BLOCK)  # no <VT> start block
        assert msa(ack)[1] == "AR" and "framing error" in ack
        assert msa(exchange(connection, frame(numbered(MDM_T02, "AFTER-1").encode())))[1] == "AA"
    with connect(listener) as connection:
        connection.sendall(b"\x0b" + MDM_T02.encode()[:40])  # cut off mid-message
    assert msa(send(listener, numbered(MDM_T02, "AFTER-2")))[1] == "AA"
    assert Document.objects.count() == 2
    assert "framing error" in QuarantinedInput.objects.get().reason


def test_what_one_sender_sends_over_one_connection_is_one_batch(listener):
    other_sender = numbered(MDM_T02, "CTRL-9").replace("|DICTATE|MERCY|", "|RADIOLOGY|MERCY|", 1)
    with connect(listener) as connection:
        for control_id in ("CTRL-1", "CTRL-2"):
            exchange(connection, frame(numbered(MDM_T02, control_id).encode()))
        exchange(connection, frame(other_sender.encode()))
        exchange(connection, frame(MDM_T02.replace("TXA|", "ZXA|").replace("|CTRL-1|", "|CTRL-3|").encode()))
    send(listener, numbered(MDM_T02, "CTRL-4"))  # a later connection: a batch of its own

    def batch_of(sender, control_id):
        return Document.objects.get(source_ref=idempotency_key("hl7v2", sender, control_id)).batch

    first = batch_of("DICTATE|MERCY", "CTRL-1")
    assert first is not None and batch_of("DICTATE|MERCY", "CTRL-2") == first
    assert QuarantinedInput.objects.get().batch == first  # its refused message is counted in its batch
    assert batch_of("RADIOLOGY|MERCY", "CTRL-9") not in (None, first)
    assert batch_of("DICTATE|MERCY", "CTRL-4") not in (None, first)
