"""What a fake command runs with: its argv, the shell state it shares, and its three streams.

Streams are tiny async objects rather than file descriptors, so a pipeline is a buffer handed from
one command to the next and a redirection is a sink that appends to the in-memory filesystem.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from emulator import messages
from emulator.cluster.mock.node.container.filesystem import FakeFilesystem, FsError

if TYPE_CHECKING:
    from emulator.cluster.mock.node.container.shell import Container


class ExitShell(Exception):
    """``exit N``: unwinds to the shell (or the exec) that runs the script."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class UsageError(Exception):
    """A command was called wrongly; the message is printed and the exit code is 2."""


# --- output ---------------------------------------------------------------------------------------

class Sink(Protocol):
    async def write(self, data: bytes) -> None: ...


class CallbackSink:
    """Output that goes to the exec's client (stdout or stderr of ``ProcessIO``)."""

    def __init__(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        self._write = write

    async def write(self, data: bytes) -> None:
        if data:
            await self._write(data)


class BufferSink:
    """One side of a pipe: the next command in the pipeline reads what this one collected."""

    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, data: bytes) -> None:
        self.data += data


class NullSink:
    async def write(self, data: bytes) -> None:
        return None


class FileSink:
    """``> file`` / ``>> file``: the file was created or truncated when the redirection opened."""

    def __init__(self, fs: FakeFilesystem, path: str) -> None:
        self._fs, self._path = fs, path

    async def write(self, data: bytes) -> None:
        if data:
            self._fs.write(self._path, data, append=True)


# --- input ----------------------------------------------------------------------------------------

class Source:
    """A process's stdin: chunks from ``_pull`` (b"" is EOF, and stays EOF), with a pushback buffer
    so the interactive shell can read a line and leave the rest for the command it runs."""

    def __init__(self) -> None:
        self._buffer = b""
        self._eof = False

    async def _pull(self) -> bytes:
        return b""

    async def read(self) -> bytes:
        if self._buffer:
            data, self._buffer = self._buffer, b""
            return data
        if self._eof:
            return b""
        data = await self._pull()
        self._eof = not data
        return data

    async def read_all(self, limit: int | None = None) -> bytes:
        """Everything up to EOF; past ``limit`` bytes it stops with ENOSPC (memory is the disk)."""
        chunks, size = [], 0
        while chunk := await self.read():
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                raise FsError(messages.SH_ENOSPC, "-")
        return b"".join(chunks)

    async def read_until(self, terminators: bytes) -> tuple[bytes, bytes] | None:
        """Bytes up to the first of ``terminators`` and that terminator (b"" for a last line
        without one); None at EOF with nothing read."""
        pattern = re.compile(b"[" + re.escape(terminators) + b"]")
        pending = b""
        while True:
            match = pattern.search(pending)
            if match:
                self._buffer = pending[match.end():] + self._buffer
                return pending[:match.start()], match.group()
            chunk = await self.read()
            if not chunk:
                return (pending, b"") if pending else None
            pending += chunk

    def unread(self, data: bytes) -> None:
        self._buffer = data + self._buffer

    def drop(self, prefix: bytes) -> None:
        """Discard ``prefix`` if it is what comes next and has already arrived."""
        if self._buffer.startswith(prefix):
            self._buffer = self._buffer[len(prefix):]


class StreamSource(Source):
    """The exec's stdin as the client sends it."""

    def __init__(self, read: Callable[[], Awaitable[bytes]]) -> None:
        super().__init__()
        self._read = read

    async def _pull(self) -> bytes:
        return await self._read()


class BytesSource(Source):
    """A pipe's or a file's contents (``a | b``, ``< file``), or nothing at all."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__()
        self._buffer = bytes(data)
        self._eof = True


# --- the process ----------------------------------------------------------------------------------

@dataclass
class ShellState:
    """What commands of one shell share: cwd, variables, ``$?``, positional parameters."""

    container: Container
    cwd: str
    env: dict[str, str]
    sleep: Callable[[float], Awaitable[None]]
    tty: bool = False
    status: int = 0
    positional: list[str] = field(default_factory=lambda: ["sh"])

    def subshell(self) -> ShellState:
        """A copy for a new process (``sh -c``, a pipeline member): its ``cd`` and variables stay
        its own."""
        return replace(self, env=dict(self.env), positional=list(self.positional))


@dataclass
class Stdio:
    stdin: Source
    stdout: Sink
    stderr: Sink


@dataclass
class Proc:
    argv: list[str]
    state: ShellState
    stdio: Stdio

    @property
    def name(self) -> str:
        return self.argv[0].rsplit("/", 1)[-1]

    @property
    def stdin(self) -> Source:
        return self.stdio.stdin

    @property
    def stdout(self) -> Sink:
        return self.stdio.stdout

    @property
    def stderr(self) -> Sink:
        return self.stdio.stderr

    @property
    def container(self) -> Container:
        return self.state.container

    @property
    def fs(self) -> FakeFilesystem:
        return self.state.container.fs

    async def say(self, text: str) -> None:
        await self.stdout.write(f"{text}\n".encode())

    async def complain(self, text: str, status: int = 1) -> int:
        """Print an error line on stderr; returns ``status`` so callers can keep it."""
        await self.stderr.write(f"{text}\n".encode())
        return status


def getopt(proc: Proc, spec: str, *,
           permute: bool = True) -> tuple[dict[str, str | bool], list[str]]:
    """GNU-style short options: ``spec`` lists letters, ``x:`` takes a value (attached, as in
    ``tail -c+1``, or the next word); flags bundle; ``--`` ends options; ``-`` is an operand.
    GNU permutes, so options may follow operands (``ls /srv -l``)."""
    flags: dict[str, str | bool] = {}
    operands: list[str] = []
    args = proc.argv[1:]
    while args:
        arg = args.pop(0)
        if arg == "--":
            operands += args
            break
        if arg.startswith("--"):
            raise UsageError(messages.SH_UNRECOGNIZED_OPTION.format(cmd=proc.name, option=arg))
        if not arg.startswith("-") or arg == "-":
            operands.append(arg)
            if not permute:
                operands += args
                break
            continue
        _bundle(proc, spec, arg[1:], args, flags)
    return flags, operands


def _bundle(proc: Proc, spec: str, letters: str, rest: list[str],
            flags: dict[str, str | bool]) -> None:
    for index, letter in enumerate(letters):
        position = spec.find(letter)
        if position < 0 or letter == ":":
            raise UsageError(messages.SH_INVALID_OPTION.format(cmd=proc.name, option=letter))
        if spec[position + 1:position + 2] != ":":
            flags[letter] = True
            continue
        value = letters[index + 1:]
        if not value:
            if not rest:
                raise UsageError(messages.SH_OPTION_NEEDS_VALUE.format(cmd=proc.name,
                                                                      option=letter))
            value = rest.pop(0)
        flags[letter] = value
        return


_SIMPLE_ESCAPES = {"\\": b"\\", "a": b"\a", "b": b"\b", "e": b"\x1b", "f": b"\f", "n": b"\n",
                   "r": b"\r", "t": b"\t", "v": b"\v", '"': b'"'}
# echo -e writes octal as \0NNN, printf as \NNN.
_ECHO_ESCAPE = re.compile(r"\\(?:0([0-7]{0,3})|x([0-9a-fA-F]{1,2})|(c)|(.))", re.DOTALL)
_PRINTF_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(c)|(.))", re.DOTALL)


def unescape(text: str, *, printf: bool = False) -> tuple[bytes, bool]:
    """Backslash escapes as ``echo -e`` or ``printf`` read them, as bytes; True when ``\\c`` said
    to stop all output there."""
    out = bytearray()
    position = 0
    for match in (_PRINTF_ESCAPE if printf else _ECHO_ESCAPE).finditer(text):
        out += text[position:match.start()].encode()
        position = match.end()
        octal, hexa, stop, other = match.groups()
        if stop:
            return bytes(out), True
        if octal is not None:
            out.append(int(octal or "0", 8) & 0xFF)
        elif hexa is not None:
            out.append(int(hexa, 16))
        else:
            out += _SIMPLE_ESCAPES.get(other, b"\\" + other.encode())
    out += text[position:].encode()
    return bytes(out), False
