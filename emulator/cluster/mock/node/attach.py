"""``kubectl attach``: the container's main process, as the mock's fake runtime models it.

The fake main process writes the container's log (what ``kubectl logs`` shows) and echoes each line
it reads on stdin to its stdout, which is the log too. Attaching streams what it writes from now on;
with stdin, the session ends when the client closes stdin.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

from emulator.cluster.mock.node.podlogs import LogOptions, PodLogs
from emulator.cluster.mock.node.streams import ChannelIO, StreamOptions

ECHO_DRAIN_SECONDS = 5.0


async def attach_main_process(logs: PodLogs, namespace: str, pod: str, options: StreamOptions,
                              io: ChannelIO) -> int:
    follower = logs.follow(namespace, pod, LogOptions(options.container, follow=True, tail=0,
                                                      timestamps=False, since=None,
                                                      limit_bytes=None))

    delivered = asyncio.Condition()
    counts = {"written": 0, "delivered": 0}

    async def relay_output() -> None:
        async for chunk in follower:
            await io.write_stdout(chunk.replace(b"\n", b"\r\n") if options.tty else chunk)
            async with delivered:
                counts["delivered"] += chunk.count(b"\n")
                delivered.notify_all()

    output = asyncio.create_task(relay_output())
    try:
        if not options.stdin:
            await output  # until the pod goes or the client detaches
            return 0
        pending = b""
        while chunk := await io.read_stdin():
            pending += chunk.replace(b"\r", b"\n")
            *lines, pending = pending.split(b"\n")
            for line in lines:
                logs.append(namespace, pod, options.container, line.decode(errors="replace"))
                counts["written"] += 1
        # stdin is closed: let the echo of the last lines reach the client before ending. Only
        # for a while: if the log follower has ended (the pod went), the echo never comes, and
        # the session ends normally rather than as a failure.
        with suppress(TimeoutError):
            async with delivered:
                await asyncio.wait_for(delivered.wait_for(
                    lambda: counts["delivered"] >= counts["written"]), ECHO_DRAIN_SECONDS)
        return 0
    finally:
        output.cancel()
        await asyncio.gather(output, return_exceptions=True)
        await follower.aclose()  # type: ignore[attr-defined]
