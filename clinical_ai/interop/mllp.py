"""MLLP listener: HL7 v2 over TCP, one ACK per message, stored before it is acknowledged.

Guarantees:
- A message's notes are committed (or its rejection quarantined) before its ACK is sent.
  Only a transient failure (database or broker unreachable) is answered AE "resend later";
  a message the database refuses is quarantined by the intake and answered AE once, and
  any other failure quarantines the message and answers AE naming the error class.
- A resend (same MSH-3/MSH-4/MSH-10) is ACKed AA again and creates no second document.
- A framing error, an oversized block or a dropped connection ends at most that
  connection; the listener and every other connection go on.
- Nothing from a message reaches the log: only counts, ACK codes, batch ids and exception classes.

Batches: what one sender (MSH-3/MSH-4) sends over one connection is one batch (Document.batch), as a
file is for ``import_hl7``. An interface engine opens a connection for a run of messages and opens a new
one after a restart or an outage, so the connection is the run its operator thinks in; one engine may
relay several senders over one connection, and each sender's notes are its own, so the sender splits it.
A message without a readable MSH (and a framing error) joins the connection's batch of no sender.
"""
from __future__ import annotations

import asyncio
import logging
import uuid

from django.db import close_old_connections

from clinical_ai.documents.intake import TRANSIENT_ERRORS
from clinical_ai.interop.hl7v2 import ACK_ACCEPT, ACK_ERROR, ACK_REJECT, MessageHeader, build_ack, parse_message
from clinical_ai.interop.ingest import REJECTED, ingest
from clinical_ai.interop.results import MAX_INPUT_BYTES, Rejection

START_BLOCK, END_BLOCK = b"\x0b", b"\x1c\x0d"
logger = logging.getLogger(__name__)


def frame(message: bytes) -> bytes:
    return START_BLOCK + message + END_BLOCK


class ConnectionBatches:
    """The batch of each sender on one connection, made when that sender's first message arrives."""

    def __init__(self):
        self._ids: dict[str, uuid.UUID] = {}

    def of(self, header: MessageHeader | None) -> uuid.UUID:
        sender = header.sender if header is not None else ""
        if sender not in self._ids:
            self._ids[sender] = uuid.uuid4()
            logger.info("MLLP batch %s opened on this connection", self._ids[sender])  # the id only: never the sender
        return self._ids[sender]


def receive(message: bytes, batches: ConnectionBatches | None = None) -> bytes:
    """Store one message's notes (or quarantine it) in its sender's batch on this connection and return
    the ACK to send. Without ``batches`` (one message on its own) the message is a batch of its own."""
    parsed = parse_message(message)
    batch = (batches or ConnectionBatches()).of(parsed.header)
    close_old_connections()
    try:
        outcomes = ingest([*parsed.notes, *parsed.rejections], source="hl7v2", batch=batch)
    except TRANSIENT_ERRORS as error:
        logger.error("MLLP message not stored: %s; the sender is asked to resend", type(error).__name__)
        return build_ack(parsed.header, ACK_ERROR, "message could not be stored; resend later")
    except Exception as error:  # noqa: BLE001 - a bug must not lose the message: keep it and say so once
        return build_ack(parsed.header, ACK_ERROR, _quarantined(message, type(error).__name__, batch))
    refused = [o.reason for o in outcomes if o.status == REJECTED and o.reason not in parsed.ack_reason]
    if refused and parsed.ack_code == ACK_ACCEPT:  # the parser found notes but the intake refused one
        return build_ack(parsed.header, ACK_ERROR, "; ".join([parsed.ack_reason, *refused]).strip("; "))
    return build_ack(parsed.header, parsed.ack_code, parsed.ack_reason)


def _quarantined(message: bytes, error_class: str, batch: uuid.UUID) -> str:
    """Keep a message that failed to store; the ACK text says whether it was kept."""
    reason = f"message could not be stored ({error_class}); kept for review"
    try:
        ingest([Rejection(reason, message)], source="hl7v2", batch=batch)
    except Exception as error:  # noqa: BLE001 - not even the quarantine took it: only a resend can save it
        logger.error("MLLP message not stored (%s) nor quarantined (%s)", error_class, type(error).__name__)
        return f"message could not be stored ({error_class}); resend later"
    logger.error("MLLP message not stored (%s); quarantined", error_class)
    return reason


def receive_framing_error(block: bytes, batches: ConnectionBatches | None = None) -> bytes:
    reason = "MLLP framing error: block does not start with <VT>"
    try:
        ingest([Rejection(reason, block)], source="hl7v2", batch=(batches or ConnectionBatches()).of(None))
    except Exception as error:  # noqa: BLE001
        logger.error("MLLP framing error not quarantined: %s", type(error).__name__)
    return build_ack(None, ACK_REJECT, reason)


async def handle_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    batches = ConnectionBatches()
    try:
        while True:
            try:
                block = await reader.readuntil(END_BLOCK)
            except asyncio.IncompleteReadError as closed:
                if closed.partial.strip():
                    logger.warning("MLLP connection closed inside a block (%d bytes dropped)", len(closed.partial))
                return
            except asyncio.LimitOverrunError:
                writer.write(frame(build_ack(None, ACK_REJECT, f"message over the {MAX_INPUT_BYTES} byte limit")))
                await writer.drain()
                return
            writer.write(frame(await asyncio.to_thread(_answer, block[: -len(END_BLOCK)], batches)))
            await writer.drain()
    except ConnectionError as error:
        logger.warning("MLLP connection lost: %s", type(error).__name__)
    finally:
        writer.close()


def _answer(block: bytes, batches: ConnectionBatches) -> bytes:
    start = block.rfind(START_BLOCK)
    if start == -1:
        return receive_framing_error(block, batches)
    return receive(block[start + 1:], batches)


async def serve(host: str, port: int, ready: asyncio.Event | None = None) -> None:
    server = await asyncio.start_server(handle_connection, host, port, limit=MAX_INPUT_BYTES + len(END_BLOCK))
    logger.info("MLLP listening on %s:%d", host, port)
    if ready is not None:
        ready.set()
    async with server:
        await server.serve_forever()
