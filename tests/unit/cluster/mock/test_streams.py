"""When an exec/attach session's process starts: not before the client's upgrade is answered (the
first ``receive()``), and then only after the kubelet's start-up time, as in a real cluster."""

from __future__ import annotations

import asyncio
import json

import pytest

from emulator.cluster.mock.streams import (
    V5,
    ChannelIO,
    ChannelSession,
    StreamOptions,
)

OPTIONS = StreamOptions(("hostname",), "main", stdin=False, stdout=True, stderr=True, tty=False)


class Hostname:
    """A process that remembers whether it ran."""

    def __init__(self) -> None:
        self.started = False

    async def __call__(self, io: ChannelIO) -> int:
        self.started = True
        await io.write_stdout(b"web\n")
        return 0


def test_the_process_waits_for_the_first_receive() -> None:
    async def go() -> tuple[bool, list[bytes]]:
        process = Hostname()
        session = ChannelSession(V5, OPTIONS, process, start_seconds=0)
        await asyncio.sleep(0.01)  # the loop has had every chance to start it
        started_before = process.started
        received = []
        while (message := await session.receive()) is not None:
            assert isinstance(message, bytes)
            received.append(message)
        return started_before, received

    started_before, received = asyncio.run(go())
    assert not started_before
    assert received[0] == b"\x01web\n"
    assert json.loads(received[1][1:]) == {"metadata": {}, "status": "Success"}


def test_nothing_is_sent_before_the_process_has_started() -> None:
    async def go() -> bool:
        process = Hostname()
        session = ChannelSession(V5, OPTIONS, process, start_seconds=60)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(session.receive(), 0.05)
        await session.close()
        return process.started

    assert asyncio.run(go()) is False


def test_closing_a_session_that_never_started_is_quiet() -> None:
    async def go() -> bool:
        process = Hostname()
        session = ChannelSession(V5, OPTIONS, process)
        await session.close()
        return process.started

    assert asyncio.run(go()) is False
