"""exec/attach sessions of the mock: when the process starts (not before the client's upgrade is
answered, the first ``receive()``, and then only after the kubelet's start-up time, as in a real
cluster); resize messages read as the kubelet reads them, a malformed one ignored; and a process
that fails for an unexpected reason still ends its stream with a status and a close."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from emulator import messages
from emulator.cluster.mock.node.streams import (
    V5,
    ChannelIO,
    ChannelSession,
    Process,
    StreamOptions,
    decode_resize,
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


# -- resize messages (channel 4) ------------------------------------------------------------------

@pytest.mark.parametrize("payload, size", [
    (b'{"Width":80,"Height":24}', (80, 24)),
    (b'{"Width":0,"Height":65535}', (0, 65535)),
    # As Go's encoding/json: missing and null fields are 0, unknown ones are skipped, names match
    # case-insensitively, a repeated field's last value wins, and null decodes to a zero size.
    (b'{"Width":80}', (80, 0)),
    (b'{"Width":null,"Height":5,"Extra":[1,2]}', (0, 5)),
    (b'{"width":100,"HEIGHT":30}', (100, 30)),
    (b'{"Width":1,"Width":2,"Height":3}', (2, 3)),
    (b"null", (0, 0)),
])
def test_a_resize_is_read_as_the_kubelet_reads_it(payload: bytes, size: tuple[int, int]) -> None:
    assert decode_resize(payload) == size


@pytest.mark.parametrize("payload", [
    b'{"Width":Infinity,"Height":1}', b'{"Width":-Infinity,"Height":1}',
    b'{"Width":NaN,"Height":1}', b'{"Width":1e999,"Height":1}', b'{"Width":1,"Height":-1e999}',
    b'{"Width":-1,"Height":1}', b'{"Width":65536,"Height":1}',
    b'{"Width":' + b"9" * 5000 + b',"Height":1}',  # past Python's int-from-text digit limit
    b'{"Width":' + b"9" * 30 + b',"Height":1}', b'{"Width":1.5,"Height":1}',
    b'{"Width":"80","Height":"24"}', b'{"Width":true,"Height":1}', b'{"Width":[80],"Height":1}',
    b'{"Width":' + b"[" * 100_000 + b"]" * 100_000 + b',"Height":1}',  # nesting past the depth limit
    b"[" * 100_000 + b"]" * 100_000, b"[80, 24]", b'"80x24"', b"80",
    b"not json", b"", b"\xff\xfe\x00garbage", b'{"Width":80,"Height":24}{"Width":1}',
])
def test_a_malformed_resize_is_refused_without_raising(payload: bytes) -> None:
    assert decode_resize(payload) is None


class Cat:
    """``cat`` that also records the terminal size it saw after each stdin chunk."""

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int] | None] = []

    async def __call__(self, io: ChannelIO) -> int:
        while chunk := await io.read_stdin():
            self.sizes.append(io.size)
            await io.write_stdout(chunk)
        return 0


def run_session(process: Process, sent: list[bytes]) -> list[bytes]:
    async def go() -> list[bytes]:
        session = ChannelSession(V5, StreamOptions(("cat",), "main", stdin=True, stdout=True,
                                                   stderr=True, tty=True), process,
                                 start_seconds=0)
        for message in sent:
            await session.send(message)
        received = []
        while (message := await asyncio.wait_for(session.receive(), 10)) is not None:
            assert isinstance(message, bytes)
            received.append(message)
        return received

    return asyncio.run(go())


def test_a_malformed_resize_leaves_the_process_running(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="emulator.cluster.mock.node.streams")
    cat = Cat()
    received = run_session(cat, [
        b'\x04{"Width":80,"Height":24}', b"\x00one\n",
        b'\x04{"Width":1e999,"Height":1}', b"\x00two\n",
        # The kubelet's resize reader stopped at the bad message: this one is not read.
        b'\x04{"Width":100,"Height":30}', b"\x00three\n", b"\xff\x00"])
    assert received[:-1] == [b"\x01one\n", b"\x01two\n", b"\x01three\n"]
    assert json.loads(received[-1][1:]) == {"metadata": {}, "status": "Success"}
    assert cat.sizes == [(80, 24), (80, 24), (80, 24)]
    assert [r.getMessage() for r in caplog.records if r.name == "emulator.cluster.mock.node.streams"
            ] == [messages.MOCK_BAD_RESIZE.format(bytes=len(b'{"Width":1e999,"Height":1}'))]


async def broken(io: ChannelIO) -> int:
    await io.write_stdout(b"partial\n")
    raise OverflowError("a bug in the fake container")


def test_a_failing_process_ends_the_stream_with_a_status(caplog: pytest.LogCaptureFixture) -> None:
    received = run_session(broken, [])
    assert received[0] == b"\x01partial\n"
    assert received[1][:1] == b"\x03"
    assert json.loads(received[1][1:]) == {
        "metadata": {}, "status": "Failure", "code": 500, "reason": "InternalError",
        "message": messages.K8S_EXEC_INTERNAL_ERROR.format(detail=messages.MOCK_INTERNAL_ERROR),
        "details": {"causes": [{"message": messages.MOCK_INTERNAL_ERROR}]}}
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == messages.MOCK_STREAM_PROCESS_FAILED.format(command="cat")
    assert record.exc_info is not None and record.exc_info[0] is OverflowError
