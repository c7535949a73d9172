"""An MLLP listener: HL7 v2 messages framed 0x0B ... 0x1C 0x0D over TCP, each answered with
its ACK once the census change is committed (so an AA means the message is stored).

The framing is done here on asyncio streams (a dozen lines) rather than with python-hl7's
``start_hl7_server``, which parses before we can answer an unreadable message with an AR.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.orm import Session, sessionmaker

from denialscope.adt.hl7v2 import ack, control_id_of
from denialscope.adt.service import handle_message
from denialscope.logs import describe

__all__ = ["END", "START", "frame", "serve", "start_server"]

START = b"\x0b"
END = b"\x1c\x0d"
MAX_MESSAGE = 1 << 20  # 1 MiB: far beyond an ADT message; bounds a runaway sender

log = logging.getLogger(__name__)


def frame(message: str) -> bytes:
    """One message in its MLLP envelope."""
    return START + message.encode("latin-1") + END


def _process(factory: sessionmaker[Session], text: str) -> str:
    try:
        with factory() as session:
            code, answer = handle_message(session, text=text)
            if code == "AA":
                session.commit()
            else:
                session.rollback()
        return answer
    except Exception as exc:  # the database went away, a bug: not stored, the sender resends
        control_id = control_id_of(text)
        log.error("ADT message %s not stored: %s", control_id or "-", describe(exc))
        return ack(text, code="AE", control_id=control_id, reason="not stored (internal error)")


async def _connection(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    factory: sessionmaker[Session],
) -> None:
    try:
        while True:
            try:
                block = await reader.readuntil(END)
            except asyncio.IncompleteReadError:
                break  # the sender closed the connection
            except asyncio.LimitOverrunError:
                log.warning("MLLP block over %d bytes: connection closed", MAX_MESSAGE)
                break
            start = block.find(START)
            if start < 0:
                log.warning("MLLP block without the 0x0B start byte: ignored")
                continue
            text = block[start + 1 : -len(END)].decode("latin-1")
            writer.write(frame(_process(factory, text)))
            await writer.drain()
    finally:
        writer.close()


async def start_server(*, factory: sessionmaker[Session], host: str, port: int) -> asyncio.Server:
    """Start listening; the caller serves (or closes) the returned server."""

    def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Awaitable[None]:
        return _connection(reader, writer, factory)

    return await asyncio.start_server(client, host, port, limit=MAX_MESSAGE)


def serve(
    *,
    factory: sessionmaker[Session],
    host: str,
    port: int,
    on_ready: Callable[[int], None] | None = None,
) -> None:
    """Listen until interrupted (Ctrl-C); ``on_ready`` gets the bound port."""

    async def main() -> None:
        server = await start_server(factory=factory, host=host, port=port)
        if on_ready is not None:
            on_ready(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
