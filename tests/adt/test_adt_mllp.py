"""The MLLP listener over loopback: framing, an ACK per message, storage before the AA."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine, func, select

from denialscope.adt.mllp import END, START, frame, start_server
from denialscope.adt.models import AdtMessage, Stay
from denialscope.db.engine import session_factory
from factories.hl7 import message


async def _exchange(engine: Engine, payloads: list[bytes]) -> list[str]:
    server = await start_server(factory=session_factory(engine), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    answers = []
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for payload in payloads:
            writer.write(payload)
            await writer.drain()
            block = await reader.readuntil(END)
            assert block.startswith(START)
            answers.append(block[1 : -len(END)].decode("latin-1"))
        writer.close()
        await writer.wait_closed()
    finally:
        server.close()
        await server.wait_closed()
    return answers


def test_listener_answers_each_message_and_stores_the_good_ones(engine: Engine) -> None:
    good = message("L1", "A01", "202601050800")
    bad = message("L2", "A08", "20260105T10")
    update = message("L3", "A08", "202601051030", dx=("J18.9",))
    answers = asyncio.run(_exchange(engine, [frame(good), frame(bad), frame(update), frame(good)]))
    msa = [a.split("\r")[1] for a in answers]
    assert msa[0] == "MSA|AA|L1"
    assert msa[1].startswith("MSA|AE|L2|EVN-2")
    assert msa[2] == "MSA|AA|L3"
    assert msa[3] == "MSA|AA|L1"  # a resend is acknowledged, not applied twice
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(AdtMessage)) == 2
        stay = session.scalar(select(Stay))
        assert stay is not None and stay.diagnoses == "J18.9"


def test_two_messages_in_one_write(engine: Engine) -> None:
    """The framing, not the TCP packets, separates messages."""
    first = message("W1", "A04", "202601051400", cls="O", visit="V9")
    second = message("W2", "A06", "202601060200", cls="I", visit="V9")

    async def scenario() -> list[bytes]:
        server = await start_server(factory=session_factory(engine), host="127.0.0.1", port=0)
        port = server.sockets[0].getsockname()[1]
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(frame(first) + frame(second))
            await writer.drain()
            blocks = [await reader.readuntil(END), await reader.readuntil(END)]
            writer.close()
            await writer.wait_closed()
        finally:
            server.close()
            await server.wait_closed()
        return blocks

    blocks = asyncio.run(scenario())
    assert [b.decode().split("\r")[1] for b in blocks] == ["MSA|AA|W1", "MSA|AA|W2"]
    with session_factory(engine)() as session:
        stay = session.scalar(select(Stay))
        assert stay is not None and stay.patient_class == "I"


def test_a_storage_failure_answers_ae_and_keeps_listening(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import denialscope.adt.mllp as mllp

    calls = {"n": 0}
    real = mllp.handle_message

    def flaky(session: object, *, text: str) -> tuple[str, str]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk full")
        return real(session, text=text)  # type: ignore[arg-type]

    monkeypatch.setattr(mllp, "handle_message", flaky)
    text = message("R1", "A01", "202601050800")
    answers = asyncio.run(_exchange(engine, [frame(text), frame(text)]))
    assert answers[0].split("\r")[1] == "MSA|AE|R1|not stored (internal error)"
    assert answers[1].split("\r")[1] == "MSA|AA|R1"  # the resend is stored
