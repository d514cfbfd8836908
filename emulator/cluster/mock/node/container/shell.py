"""The fake container's process runner and shell: ``execute`` is what an exec into the pod does.

``execute(argv, ...)`` runs argv directly, as ``kubectl exec POD -- cmd args`` asks; ``sh -c
SCRIPT`` (also ``bash``, ``/bin/sh``) parses SCRIPT with ``syntax.py`` and runs it here; ``sh``
alone reads commands from stdin. Every command is an in-process fake: nothing is ever executed
on the host, and every path stays inside the container's ``FakeFilesystem``.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from emulator import messages
from emulator.cluster.mock.node.container import syntax
from emulator.cluster.mock.node.container.commands import BUILTINS, Command
from emulator.cluster.mock.node.container.filesystem import (
    DEFAULT_LIMIT_BYTES,
    DEV_NULL,
    FakeFilesystem,
    FsError,
    normalize,
)
from emulator.cluster.mock.node.container.process import (
    BufferSink,
    BytesSource,
    CallbackSink,
    ExitShell,
    FileSink,
    NullSink,
    Proc,
    ShellState,
    Sink,
    Source,
    Stdio,
    StreamSource,
    UsageError,
)
from emulator.cluster.mock.node.container.tar import tar

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# argv[0] may name a command by path; these are where the fake's commands "live".
BIN_DIRS = ("/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin")
SHELLS = ("sh", "bash", "ash", "dash")


class ProcessIO(Protocol):
    async def read_stdin(self) -> bytes: ...  # next chunk; b"" means EOF (and keeps returning b"")

    async def write_stdout(self, data: bytes) -> None: ...

    async def write_stderr(self, data: bytes) -> None: ...


@dataclass(frozen=True)
class Scripted:
    """A scenario's canned answer for an exact command line (``shlex.join(argv)``)."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    """One container's sandbox, kept for the pod's lifetime: its files survive between execs."""

    name: str
    hostname: str  # the pod name, printed by `hostname`
    fs: FakeFilesystem
    env: dict[str, str]  # PATH, HOSTNAME, HOME, plus the pod spec's env
    scripted: dict[str, Scripted] = field(default_factory=dict)
    workdir: str = "/"  # the spec's workingDir: where execs start
    now: Callable[[], datetime] = field(default=_utc_now, repr=False, compare=False)

    @classmethod
    def from_spec(cls, pod_name: str, container_spec: Mapping[str, Any],
                  files: Mapping[str, str | bytes] | None = None,
                  scripted: Mapping[str, Scripted] | None = None, *,
                  now: Callable[[], datetime] | None = None,
                  limit_bytes: int = DEFAULT_LIMIT_BYTES,
                  mounted: Mapping[str, tuple[bytes, int]] | None = None,
                  mount_points: Iterable[str] = (),
                  env: Mapping[str, str] | None = None) -> Container:
        """``files``: a scenario's, as if in the image; ``mounted`` (path: content and mode) and
        ``mount_points``: the pod's volumes, over them; ``env``: the kubelet's environment for
        the container (node/envvars.py), else the spec's literal values."""
        clock = now or _utc_now
        fs = FakeFilesystem.with_default_tree(pod_name, limit_bytes=limit_bytes, now=clock)
        # The runtime creates the working directory, as containerd does for a missing one.
        workdir = normalize(str(container_spec.get("workingDir") or "/"))
        fs.mkdir(workdir, parents=True)
        fs.seed(files or {})
        _mount(fs, mounted or {}, mount_points)
        base = {"PATH": DEFAULT_PATH, "HOSTNAME": pod_name, "HOME": "/root"}
        if env is None:
            env = {str(item["name"]): str(item.get("value", ""))
                   for item in container_spec.get("env") or []
                   if isinstance(item, Mapping) and item.get("name")}
        return cls(name=str(container_spec.get("name", "")), hostname=pod_name, fs=fs,
                   env={**base, **env}, scripted=dict(scripted or {}), workdir=workdir,
                   now=clock)


def _mount(fs: FakeFilesystem, mounted: Mapping[str, tuple[bytes, int]],
           mount_points: Iterable[str]) -> None:
    """The pod's volumes over the image's files. A mount the tree cannot take (a file where its
    directory goes, a full filesystem) is left out rather than failing the container."""
    for point in mount_points:
        try:
            fs.mkdir(point, parents=True)
        except FsError:
            continue
    for path, (data, mode) in mounted.items():
        try:
            fs.mkdir(path.rsplit("/", 1)[0] or "/", parents=True)
            fs.write(path, data, mode=mode)
        except FsError:
            continue


async def execute(argv: list[str], container: Container, io: ProcessIO, *, tty: bool = False,
                  clock_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> int:
    """Run one exec's command line in ``container`` and return its exit code (0-255)."""
    write_out: Callable[[bytes], Awaitable[None]] = io.write_stdout
    write_err: Callable[[bytes], Awaitable[None]] = io.write_stderr
    env = dict(container.env)
    if tty:
        # A terminal's output post-processing (onlcr) turns every \n into \r\n.
        write_out, write_err = _crlf(io.write_stdout), _crlf(io.write_stderr)
        env.setdefault("TERM", "xterm")  # what the kubelet sets for a TTY exec
    state = ShellState(container, container.workdir, env, clock_sleep, tty=tty)
    stdio = Stdio(StreamSource(io.read_stdin), CallbackSink(write_out), CallbackSink(write_err))
    if not argv:
        await stdio.stderr.write(f"{messages.SH_NO_COMMAND}\n".encode())
        return 127
    try:
        return await dispatch(list(argv), state, stdio) & 0xFF
    except ExitShell as stop:
        return stop.code & 0xFF


def _crlf(write: Callable[[bytes], Awaitable[None]]) -> Callable[[bytes], Awaitable[None]]:
    async def translated(data: bytes) -> None:
        await write(data.replace(b"\n", b"\r\n"))
    return translated


# --- running one command --------------------------------------------------------------------------

async def dispatch(argv: list[str], state: ShellState, stdio: Stdio) -> int:
    """Run a command: a scenario's scripted answer first (so a scenario may also override a
    built-in), then a fake command, else ``sh: NAME: not found`` and 127."""
    answer = state.container.scripted.get(shlex.join(argv))
    if answer is not None:
        await stdio.stdout.write(answer.stdout.encode())
        await stdio.stderr.write(answer.stderr.encode())
        return answer.exit_code
    handler = _lookup(argv[0])
    if handler is None:
        await stdio.stderr.write(f"{messages.SH_NOT_FOUND.format(name=argv[0])}\n".encode())
        return 127
    proc = Proc(argv, state, stdio)
    try:
        return await handler(proc)
    except UsageError as error:
        return await proc.complain(str(error), 2)
    except FsError as error:
        # Only output can fail here (a redirection target filled the container's disk).
        return await proc.complain(messages.SH_WRITE_ERROR.format(cmd=proc.name,
                                                                  reason=error.reason))


def _lookup(name: str) -> Command | None:
    if "/" in name:
        directory, _, base = name.rpartition("/")
        if normalize(directory or "/") not in BIN_DIRS:
            return None
        name = base
    return COMMANDS.get(name)


async def env_command(proc: Proc) -> int:
    """``env``: print the environment, or run a command with ``[-i] NAME=VALUE...`` added."""
    args, variables = proc.argv[1:], dict(proc.state.env)
    if args and args[0] in ("-i", "-"):
        args, variables = args[1:], {}
    while args and re.match(r"[^=]+=", args[0]):
        name, _, value = args.pop(0).partition("=")
        variables[name] = value
    if not args:
        for name, value in variables.items():
            await proc.say(f"{name}={value}")
        return 0
    child = proc.state.subshell()
    child.env = variables
    return await dispatch(args, child, proc.stdio)


async def sh(proc: Proc) -> int:
    """``sh -c SCRIPT [NAME [ARG]...]``, ``sh FILE`` (a script in the fake filesystem), or ``sh``
    reading commands from stdin."""
    args, script = proc.argv[1:], None
    while args and args[0].startswith("-") and args[0] != "-":
        option = args.pop(0)
        if option == "--":
            break
        if option in ("--login", "--norc", "--noprofile"):
            continue
        if option.startswith("--") or not set(option[1:]) <= set("ceilsuvx"):
            return await proc.complain(messages.SH_ILLEGAL_OPTION.format(option=option), 2)
        if "c" in option:
            if not args:
                return await proc.complain(messages.SH_C_NEEDS_ARGUMENT, 2)
            script = args.pop(0)
            break  # what follows the script is $0 and the arguments, even "-x"
    state = proc.state.subshell()
    state.status = 0
    if script is not None:
        state.positional = args or [proc.argv[0]]
        return await run_text(script, state, proc.stdio)
    if args:
        try:
            text = proc.fs.read(args[0], state.cwd).decode(errors="replace")
        except FsError as error:
            return await proc.complain(messages.SH_CANNOT_OPEN.format(path=args[0],
                                                                     reason=error.reason), 2)
        state.positional = args
        return await run_text(text, state, proc.stdio)
    return await interactive(state, proc.stdio)


COMMANDS: dict[str, Command] = {**BUILTINS, "tar": tar, "env": env_command,
                                **{name: sh for name in SHELLS}}


# --- running scripts ------------------------------------------------------------------------------

async def run_text(text: str, state: ShellState, stdio: Stdio) -> int:
    try:
        script = syntax.parse(text)
    except syntax.ShellSyntaxError as error:
        await stdio.stderr.write(f"{error}\n".encode())
        return 2
    try:
        return await run_script(script, state, stdio)
    except ExitShell as stop:
        return stop.code


async def run_script(script: syntax.Script, state: ShellState, stdio: Stdio) -> int:
    for item in script:
        status = await run_pipeline(item.first, state, stdio)
        for operator, pipeline in item.rest:
            if (operator == "&&") == (status == 0):
                status = await run_pipeline(pipeline, state, stdio)
    return state.status


async def run_pipeline(pipeline: syntax.Pipeline, state: ShellState, stdio: Stdio) -> int:
    """``a | b | c`` runs each command in turn, handing the bytes one wrote to the next."""
    if len(pipeline.commands) == 1:
        status = await run_command(pipeline.commands[0], state, stdio)
    else:
        source: Source = stdio.stdin
        for index, command in enumerate(pipeline.commands):
            last = index == len(pipeline.commands) - 1
            sink: Sink = stdio.stdout if last else BufferSink()
            try:
                # Each member is a subshell: its cd, variables and exit are its own.
                status = await run_command(command, state.subshell(),
                                           Stdio(source, sink, stdio.stderr))
            except ExitShell as stop:
                status = stop.code
            if isinstance(sink, BufferSink):
                source = BytesSource(bytes(sink.data))
    state.status = int(status == 0) if pipeline.negated else status
    return state.status


async def run_command(command: syntax.Command, state: ShellState, stdio: Stdio) -> int:
    argv = [text for word in command.words for text in syntax.expand(word, state)]
    variables = {name: syntax.expand_string(value, state) for name, value in command.assignments}
    try:
        stdio = await _redirected(command.redirects, state, stdio)
    except _RedirectError as error:
        await stdio.stderr.write(f"{error}\n".encode())
        return 1
    if not argv:
        state.env.update(variables)
        return 0
    if variables:
        state = state.subshell()
        state.env.update(variables)
    return await dispatch(argv, state, stdio)


class _RedirectError(Exception):
    pass


async def _redirected(redirects: tuple[syntax.Redirect, ...], state: ShellState,
                      stdio: Stdio) -> Stdio:
    """Apply redirections left to right, so ``> f 2>&1`` and ``2>&1 > f`` differ as in sh."""
    stdin, outputs = stdio.stdin, {1: stdio.stdout, 2: stdio.stderr}
    fs = state.container.fs
    for redirect in redirects:
        target = syntax.expand_string(redirect.target, state)
        if redirect.op == ">&":
            if redirect.fd not in outputs or target not in ("1", "2", "-"):
                raise _RedirectError(messages.SH_BAD_FD.format(fd=target))
            outputs[redirect.fd] = NullSink() if target == "-" else outputs[int(target)]
        elif redirect.op == "<":
            try:
                stdin = BytesSource(fs.read(target, state.cwd))
            except FsError as error:
                raise _RedirectError(messages.SH_CANNOT_OPEN.format(
                    path=target, reason=error.reason)) from None
        elif redirect.fd in outputs:
            outputs[redirect.fd] = _open_output(fs, normalize(target, state.cwd), target,
                                                append=redirect.op == ">>")
        else:
            raise _RedirectError(messages.SH_BAD_FD.format(fd=redirect.fd))
    return Stdio(stdin, outputs[1], outputs[2])


def _open_output(fs: FakeFilesystem, path: str, shown: str, *, append: bool) -> Sink:
    if path == DEV_NULL:
        return NullSink()
    try:
        fs.write(path, b"", append=append)  # create, or truncate for ">"
    except FsError as error:
        raise _RedirectError(messages.SH_CANNOT_CREATE.format(path=shown,
                                                              reason=error.reason)) from None
    return FileSink(fs, path)


# --- interactive shell ----------------------------------------------------------------------------

async def interactive(state: ShellState, stdio: Stdio) -> int:
    """``sh`` with no script: run stdin line by line until EOF or ``exit``. On a TTY, print the
    prompt and read raw keystrokes (Enter is CR, Ctrl-C drops the line, Ctrl-D on an empty line
    is EOF, DEL erases). kubectl puts the local terminal in raw mode, so the pod's terminal
    echoes what is typed: here a whole line at a time, when Enter arrives."""
    pending, prompt = "", True
    while True:
        if state.tty and prompt:
            await stdio.stdout.write((messages.SH_PROMPT_MORE if pending
                                      else messages.SH_PROMPT).encode())
        prompt = True
        got = await stdio.stdin.read_until(b"\r\n\x03\x04" if state.tty else b"\n")
        if got is None:
            break
        raw, end = got
        line = _erase(raw)
        if end == b"\x04":
            if not line:
                break
            stdio.stdin.unread(line)  # Ctrl-D inside a line does not end the shell
            prompt = False
            continue
        if end == b"\r":
            stdio.stdin.drop(b"\n")  # a CR LF pair is one Enter
        if state.tty:
            # (stdout on a TTY already turns \n into \r\n)
            typed = line.rstrip(b"\r\n\x03")
            await stdio.stdout.write(typed + (b"^C" if end == b"\x03" else b"") + b"\n")
        if end == b"\x03":
            pending = ""
            if not state.tty:
                await stdio.stdout.write(b"\n")
            continue
        text = pending + line.decode(errors="replace")
        pending = ""
        try:
            script = syntax.parse(text)
        except syntax.Incomplete:
            pending = text + "\n"
            continue
        except syntax.ShellSyntaxError as error:
            await stdio.stderr.write(f"{error}\n".encode())
            state.status = 2
            continue
        try:
            await run_script(script, state, stdio)
        except ExitShell as stop:
            return stop.code
    return state.status


def _erase(raw: bytes) -> bytes:
    """The line as the terminal's line discipline hands it over: DEL/BS erase a character."""
    kept = bytearray()
    for byte in raw:
        if byte in (0x7F, 0x08):
            del kept[-1:]
        else:
            kept.append(byte)
    return bytes(kept)
