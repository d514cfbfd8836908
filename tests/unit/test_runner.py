"""The server loop's exception handler: what clients cause on their way out stays out of the
output; everything else reaches asyncio's usual handler (and the log)."""

from __future__ import annotations

import ssl

import pytest

from emulator import runner


class RecordingLoop:
    def __init__(self) -> None:
        self.reported: list[dict[str, object]] = []

    def default_exception_handler(self, context: dict[str, object]) -> None:
        self.reported.append(context)


@pytest.mark.parametrize("error", [
    TimeoutError("SSL shutdown timed out"), ConnectionResetError(), BrokenPipeError(),
    ssl.SSLError(1, "[SSL: APPLICATION_DATA_AFTER_CLOSE_NOTIFY] application data after close "
                    "notify"),
    ExceptionGroup("both", [ConnectionResetError(), TimeoutError("SSL shutdown timed out")])])
def test_clients_leaving_are_quiet(error: BaseException) -> None:
    loop = RecordingLoop()
    runner._quiet_disconnects(loop, {"message": "Unhandled exception in client_connected_cb",  # type: ignore[arg-type]
                                     "exception": error})
    assert loop.reported == []


@pytest.mark.parametrize("error", [TimeoutError("read timed out"), KeyError("bug"),
                                   ExceptionGroup("mixed", [ConnectionResetError(), KeyError()])])
def test_anything_else_is_reported(error: BaseException) -> None:
    loop = RecordingLoop()
    context = {"message": "Unhandled exception in client_connected_cb", "exception": error}
    runner._quiet_disconnects(loop, context)  # type: ignore[arg-type]
    assert loop.reported == [context]
