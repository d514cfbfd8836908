"""exec and attach sessions of the mock apiserver, in the Kubernetes channel protocol.

A session is a pair of queues: what the client sends (binary messages whose first byte is the
channel: 0 stdin, 4 resize, 255 close-signal) and what the server sends back (1 stdout, 2 stderr,
3 the final ``Status``), ended by a close with code 1000 as kube-apiserver does. The process behind
it is the sandboxed fake container's shell; nothing runs on the host.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from emulator import messages
from emulator.cluster.backend import Message
from emulator.cluster.mock.wire.status import KubeError

log = logging.getLogger(__name__)

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE_SIGNAL = 0, 1, 2, 3, 4, 255
NORMAL_CLOSURE = 1000
# Go's strconv.ParseBool, which kube uses for these flags.
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
# The time between the upgrade and the process's first byte. A real cluster spends it dialling the
# kubelet and starting the process through the container runtime (tens of milliseconds). Clients
# depend on it: client-go's WebSocket executor reads frames while it is still creating its
# streams, so output sent the moment the 101 goes out can be dropped ("Unknown stream id 1,
# discarding message"), and a close that early fails kubectl with "closed all streams". 30 ms
# was not enough on a loaded machine (CI's two cores running kubectl processes side by side, the
# 101 relayed once more through the real-host proxy): kubectl 1.33 lost `exec`'s output there.
PROCESS_START_SECONDS = 0.1
# remotecommand.TerminalSize's Width and Height are Go uint16s.
TERMINAL_DIMENSION_MAX = 65535


@dataclass(frozen=True)
class StreamOptions:
    command: tuple[str, ...]
    container: str
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool


def container_specs(pod: dict[str, Any]) -> list[dict[str, Any]]:
    """Every container of the pod a stream may name (kube's podutil.VisitContainers): its
    containers, init containers and ephemeral containers."""
    spec = pod.get("spec") or {}
    return [c for key in ("containers", "initContainers", "ephemeralContainers")
            for c in spec.get(key) or [] if isinstance(c, dict)]


def options_from(query: list[tuple[str, str]], pod: dict[str, Any], *, attach: bool) -> StreamOptions:
    """PodExecOptions / PodAttachOptions from the query, checked the way kube checks them."""
    flags = {name: any(k == name and v in _TRUE for k, v in query)
             for name in ("stdin", "stdout", "stderr", "tty")}
    command = tuple(v for k, v in query if k == "command")
    # Without a container, a pod of one (regular) container means that one, as in kube.
    containers = [c.get("name", "") for c in pod.get("spec", {}).get("containers", [])]
    container = next((v for k, v in query if k == "container"), "") or (
        containers[0] if len(containers) == 1 else "")
    name = pod["metadata"]["name"]
    if container not in [c.get("name", "") for c in container_specs(pod)]:
        raise KubeError(400, messages.K8S_EXEC_CONTAINER_NOT_FOUND.format(
            container=container, pod=name))
    if not (flags["stdin"] or flags["stdout"] or flags["stderr"]):
        raise KubeError(400, messages.K8S_EXEC_NEEDS_OUTPUT)
    if not attach and not command:
        raise KubeError(400, messages.K8S_EXEC_NO_COMMAND)
    # With a TTY the terminal merges stderr into stdout.
    return StreamOptions(command, container, flags["stdin"], flags["stdout"],
                         flags["stderr"] and not flags["tty"], flags["tty"])


def exit_status(code: int) -> dict[str, Any]:
    """The channel-3 Status kube-apiserver's stream translator sends for an exit code."""
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": messages.K8S_EXEC_NON_ZERO.format(code=code),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


class ChannelIO:
    """The process's view of a session: stdin from channel 0, stdout and stderr to 1 and 2."""

    def __init__(self, session: ChannelSession, options: StreamOptions) -> None:
        self._session = session
        self._options = options
        self.size: tuple[int, int] | None = None  # the last resize, (width, height)

    async def read_stdin(self) -> bytes:
        if not self._options.stdin:
            return b""
        return await self._session.next_stdin(self)

    async def write_stdout(self, data: bytes) -> None:
        if data and self._options.stdout:
            await self._session.emit(STDOUT, data)

    async def write_stderr(self, data: bytes) -> None:
        # Under a TTY stderr shares the terminal, i.e. channel 1.
        channel = STDOUT if self._options.tty else STDERR
        if data and (self._options.stderr or self._options.tty):
            await self._session.emit(channel, data)


Process = Callable[[ChannelIO], Awaitable[int]]


class ChannelSession:
    """Implements ``cluster.backend.StreamSession`` for a process run in this event loop."""

    def __init__(self, subprotocol: str, options: StreamOptions, process: Process, *,
                 start_seconds: float | None = None) -> None:
        self._subprotocol = subprotocol
        self._options = options
        self._process = process
        self._start_seconds = start_seconds
        self._inbound: asyncio.Queue[Message] = asyncio.Queue()
        self._outbound: asyncio.Queue[Message | None] = asyncio.Queue()
        self._stdin_closed = False
        self._resizes_stopped = False  # after a malformed resize, as the kubelet's reader stops
        self._close_code: int | None = None
        self.audit_id = ""  # set by the apiserver, for the gateway's audit trail
        # Started by the first receive(): only then has the client's upgrade been answered.
        self._task: asyncio.Task[None] | None = None

    @property
    def subprotocol(self) -> str:
        return self._subprotocol

    @property
    def close_code(self) -> int | None:
        return self._close_code

    async def send(self, message: Message) -> None:
        await self._inbound.put(message)

    async def receive(self) -> Message | None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        return await self._outbound.get()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def emit(self, channel: int, data: bytes) -> None:
        await self._outbound.put(bytes([channel]) + data)

    async def next_stdin(self, io: ChannelIO) -> bytes:
        """The next stdin bytes, handling resize and the v5 close signal on the way."""
        while not self._stdin_closed:
            message = await self._inbound.get()
            # The Python client sends stdin as text frames that start with the raw channel byte.
            raw = message.encode() if isinstance(message, str) else message
            if not raw:
                continue
            channel, payload = raw[0], raw[1:]
            if channel == STDIN and payload:
                return payload
            if channel == RESIZE:
                self._resize(io, payload)
            elif channel == CLOSE_SIGNAL and self._subprotocol == V5 and payload[:1] == b"\x00":
                self._stdin_closed = True
        return b""

    def _resize(self, io: ChannelIO, payload: bytes) -> None:
        """Apply a resize message. The kubelet reads channel 4 with one JSON decoder and stops
        at its first decoding error (``handleResizeEvents``): the process runs on, the terminal
        keeps its last size, and later resizes go unread. The mock does the same, and notes the
        first bad message in its log (once per session, so a client cannot flood it)."""
        if self._resizes_stopped:
            return
        size = decode_resize(payload)
        if size is None:
            self._resizes_stopped = True
            log.info(messages.MOCK_BAD_RESIZE.format(bytes=len(payload)))
            return
        io.size = size

    async def _run(self) -> None:
        # The module's value is read here, not bound at definition, so a benchmark can zero it.
        delay = PROCESS_START_SECONDS if self._start_seconds is None else self._start_seconds
        await asyncio.sleep(delay)
        try:
            code = await self._process(ChannelIO(self, self._options))
            status = exit_status(code)
        except KubeError as err:  # the process could not start (e.g. no such container state)
            status = _channel_status(err)
        except Exception:  # noqa: BLE001 - a bug in the fake container, reported, never a hang
            # Without this the task would die unseen: no status, no close, and the gateway
            # would hold the stream (and its quota slot) until the client left. A kubelet whose
            # runtime fails answers with an InternalError status on the error channel; so does
            # the mock, and its log has the traceback (the pytest plugin fails the test).
            log.exception(messages.MOCK_STREAM_PROCESS_FAILED.format(
                command=" ".join(self._options.command) or "(attach)"))
            status = _channel_status(KubeError(
                500, messages.K8S_EXEC_INTERNAL_ERROR.format(detail=messages.MOCK_INTERNAL_ERROR),
                details={"causes": [{"message": messages.MOCK_INTERNAL_ERROR}]}))
        await self._outbound.put(bytes([ERROR]) + json.dumps(status, separators=(",", ":")).encode())
        self._close_code = NORMAL_CLOSURE
        await self._outbound.put(None)


def _channel_status(err: KubeError) -> dict[str, Any]:
    """A Status as the error channel carries it: without kind and apiVersion."""
    return {k: v for k, v in err.status().items() if k not in ("kind", "apiVersion")}


def decode_resize(payload: bytes) -> tuple[int, int] | None:
    """A resize message's (width, height), read as the kubelet reads it (Go's encoding/json into
    ``remotecommand.TerminalSize{Width, Height uint16}``), or None where Go's decoder fails:
    anything but an object or null, a value that is not a whole number in 0..65535 (NaN,
    Infinity, 1e999, 1.5, -1, 70000, a string, an array), nesting past the parser's depth, or
    bytes that are not JSON. Missing or null fields are 0 and unknown fields are skipped, and field
    names match case-insensitively, all as in Go."""
    try:
        size = json.loads(payload, parse_constant=_not_json)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if size is None:
        return 0, 0
    if not isinstance(size, dict):
        return None
    dimensions = {"width": 0, "height": 0}
    for key, value in size.items():  # in document order: a repeated field's last value wins
        name = key.lower()
        if name not in dimensions or value is None:
            continue
        # bool is an int in Python, but not a number in JSON.
        if type(value) is not int or not 0 <= value <= TERMINAL_DIMENSION_MAX:
            return None
        dimensions[name] = value
    return dimensions["width"], dimensions["height"]


def _not_json(constant: str) -> Any:
    """Python's parser takes NaN, Infinity and -Infinity; JSON (and Go) do not."""
    raise ValueError(constant)


def negotiate(offered: list[str], kubernetes_minor: int) -> str | None:
    """The subprotocol the cluster accepts, or None. kube-apiserver 1.30+ translates
    ``v5.channel.k8s.io`` itself; older clusters reach the kubelet, which knows only up to v4."""
    supported = (V5, V4) if kubernetes_minor >= 30 else (V4,)
    return next((p for p in offered if p in supported), None)
