"""The fake container's commands: the coreutils subset ``kubectl exec``/``cp`` users reach for.

Each command is ``async def name(proc: Proc) -> int`` over the process's argv, its shell state
(cwd, env) and its three streams; errors follow GNU coreutils' wording and exit codes, except that
every usage error exits 2. ``tar`` lives in ``tar.py`` and the shell's own verbs in ``shell.py``.
"""

from __future__ import annotations

import stat
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from emulator import messages
from emulator.cluster.mock.node.container.filesystem import DirNode, FsError, Node, normalize
from emulator.cluster.mock.node.container.process import (
    ExitShell,
    Proc,
    Source,
    UsageError,
    getopt,
    unescape,
)
from emulator.cluster.mock.node.container.textutils import head, printf, tail, test, wc

Command = Callable[[Proc], Awaitable[int]]


async def true(proc: Proc) -> int:
    return 0


async def false(proc: Proc) -> int:
    return 1


async def echo(proc: Proc) -> int:
    """GNU/bash ``echo``: leading ``-n``/``-e``/``-E`` flags, escapes only with ``-e``."""
    args, newline, escapes = proc.argv[1:], True, False
    while args and len(args[0]) > 1 and args[0][0] == "-" and set(args[0][1:]) <= set("neE"):
        for letter in args.pop(0)[1:]:  # the last of -e/-E wins, as in bash
            newline = newline and letter != "n"
            escapes = {"e": True, "E": False}.get(letter, escapes)
    text = " ".join(args)
    if not escapes:
        await proc.stdout.write(text.encode() + (b"\n" if newline else b""))
        return 0
    data, stopped = unescape(text)
    await proc.stdout.write(data + (b"\n" if newline and not stopped else b""))
    return 0


async def cat(proc: Proc) -> int:
    _, operands = getopt(proc, "u")
    status = 0
    for operand in operands or ["-"]:
        if operand == "-":
            await _stream(proc.stdin, proc)
            continue
        try:
            data = proc.fs.read(operand, proc.state.cwd)
        except FsError as error:
            status = await proc.complain(messages.SH_FILE_ERROR.format(
                cmd="cat", path=operand, reason=error.reason))
            continue
        await proc.stdout.write(data)  # a full disk here is a write error, not this file's
    return status


async def _stream(source: Source, proc: Proc) -> None:
    """Copy stdin chunk by chunk, so ``kubectl exec -i -- cat`` answers each line as it comes."""
    while chunk := await source.read():
        await proc.stdout.write(chunk)


async def pwd(proc: Proc) -> int:
    await proc.say(proc.state.cwd)
    return 0


async def cd(proc: Proc) -> int:
    state = proc.state
    target = proc.argv[1] if len(proc.argv) > 1 else state.env.get("HOME", "/")
    if target == "-":
        target = state.env.get("OLDPWD", state.cwd)
    node = proc.fs.node(target, state.cwd)
    if not isinstance(node, DirNode):
        reason = messages.SH_ENOENT if node is None else messages.SH_ENOTDIR
        return await proc.complain(messages.SH_CD_FAILED.format(path=target, reason=reason))
    state.env["OLDPWD"], state.cwd = state.cwd, normalize(target, state.cwd)
    state.env["PWD"] = state.cwd
    return 0


async def env(proc: Proc) -> int:
    for name, value in proc.state.env.items():
        await proc.say(f"{name}={value}")
    return 0


async def export(proc: Proc) -> int:
    for arg in proc.argv[1:]:
        name, sep, value = arg.partition("=")
        if sep:
            proc.state.env[name] = value
        else:
            proc.state.env.setdefault(name, "")
    return 0


async def unset(proc: Proc) -> int:
    for name in proc.argv[1:]:
        proc.state.env.pop(name, None)
    return 0


async def exit_(proc: Proc) -> int:
    if len(proc.argv) < 2:
        raise ExitShell(proc.state.status)
    try:
        raise ExitShell(int(proc.argv[1]) & 0xFF)
    except ValueError:
        return await proc.complain(messages.SH_ILLEGAL_NUMBER.format(cmd="exit",
                                                                    value=proc.argv[1]), 2)


async def hostname(proc: Proc) -> int:
    await proc.say(proc.container.hostname)
    return 0


async def id_(proc: Proc) -> int:
    flags, _ = getopt(proc, "ugnG")
    if flags.get("u") or flags.get("g") or flags.get("G"):
        await proc.say(messages.SH_ROOT if flags.get("n") else "0")
    else:
        await proc.say(messages.SH_ID)
    return 0


async def whoami(proc: Proc) -> int:
    await proc.say(messages.SH_ROOT)
    return 0


# What ``uname -a`` prints, field by field, in GNU's order.
UNAME_ORDER = "snrvmo"


async def uname(proc: Proc) -> int:
    flags, _ = getopt(proc, "asnrvmo")
    wanted = UNAME_ORDER if flags.get("a") else "".join(f for f in UNAME_ORDER if flags.get(f))
    fields = {"s": messages.SH_UNAME_SYSTEM, "n": proc.container.hostname,
              "r": messages.SH_UNAME_RELEASE, "v": messages.SH_UNAME_VERSION,
              "m": messages.SH_UNAME_MACHINE, "o": messages.SH_UNAME_OS}
    await proc.say(" ".join(fields[f] for f in wanted or "s"))
    return 0


async def date(proc: Proc) -> int:
    """``date`` in UTC from the container's clock, or ``date +FORMAT`` (strftime)."""
    _, operands = getopt(proc, "u", permute=False)
    fmt = messages.SH_DATE_FORMAT
    if operands:
        if not operands[0].startswith("+"):
            return await proc.complain(messages.SH_DATE_INVALID.format(value=operands[0]))
        fmt = operands[0][1:]
    await proc.say(proc.container.now().astimezone(UTC).strftime(fmt))
    return 0


async def sleep(proc: Proc) -> int:
    """``sleep`` through the injected clock; GNU sums several durations, each with s/m/h/d."""
    if len(proc.argv) < 2:
        raise UsageError(messages.SH_MISSING_OPERAND.format(cmd="sleep"))
    total = 0.0
    for arg in proc.argv[1:]:
        scale = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(arg[-1:], 0)
        try:
            seconds = float(arg[:-1] if scale else arg) * (scale or 1)
        except ValueError:
            return await proc.complain(messages.SH_SLEEP_INVALID.format(value=arg))
        if seconds < 0 or seconds != seconds:
            return await proc.complain(messages.SH_SLEEP_INVALID.format(value=arg))
        total += seconds
    await proc.state.sleep(total)
    return 0


async def mkdir(proc: Proc) -> int:
    flags, operands = getopt(proc, "pm:v")
    if not operands:
        raise UsageError(messages.SH_MISSING_OPERAND.format(cmd="mkdir"))
    mode = 0o755
    if isinstance(flags.get("m"), str):
        try:
            mode = int(str(flags["m"]), 8)
        except ValueError:
            return await proc.complain(messages.SH_INVALID_MODE.format(cmd="mkdir",
                                                                      mode=flags["m"]))
    status = 0
    for operand in operands:
        try:
            proc.fs.mkdir(operand, cwd=proc.state.cwd, parents=bool(flags.get("p")), mode=mode)
        except FsError as error:
            status = await proc.complain(messages.SH_MKDIR_FAILED.format(path=operand,
                                                                        reason=error.reason))
    return status


async def rm(proc: Proc) -> int:
    flags, operands = getopt(proc, "rRfiv")
    recursive, force = bool(flags.get("r") or flags.get("R")), bool(flags.get("f"))
    if not operands and not force:
        raise UsageError(messages.SH_MISSING_OPERAND.format(cmd="rm"))
    status = 0
    for operand in operands:
        if operand.rstrip("/").rsplit("/", 1)[-1] in (".", ".."):
            status = await proc.complain(messages.SH_RM_DOT.format(path=operand))
        elif normalize(operand, proc.state.cwd) == "/":
            status = await proc.complain(messages.SH_RM_ROOT)
        elif not proc.fs.exists(operand, proc.state.cwd) and force:
            continue
        else:
            try:
                proc.fs.remove(operand, cwd=proc.state.cwd, recursive=recursive)
            except FsError as error:
                status = await proc.complain(messages.SH_RM_FAILED.format(path=operand,
                                                                         reason=error.reason))
    return status


async def touch(proc: Proc) -> int:
    _, operands = getopt(proc, "c")
    if not operands:
        raise UsageError(messages.SH_MISSING_OPERAND.format(cmd="touch"))
    status = 0
    for operand in operands:
        try:
            proc.fs.touch(operand, proc.state.cwd)
        except FsError as error:
            status = await proc.complain(messages.SH_TOUCH_FAILED.format(path=operand,
                                                                        reason=error.reason))
    return status


# --- ls -------------------------------------------------------------------------------------------

async def ls(proc: Proc) -> int:
    """GNU ``ls`` without a terminal: one name per line in C-locale order; -l, -a, -A, -d."""
    flags, operands = getopt(proc, "laA1d")
    status, files, dirs = 0, [], []
    for operand in operands or ["."]:
        node = proc.fs.node(operand, proc.state.cwd)
        if node is None:
            status = await proc.complain(messages.SH_LS_FAILED.format(
                path=operand, reason=messages.SH_ENOENT), 2)
        elif isinstance(node, DirNode) and not flags.get("d"):
            dirs.append((operand, node))
        else:
            files.append((operand, node))
    blocks = [_listing(proc, sorted(files, key=lambda item: item[0]), flags, total=False)]
    for operand, node in sorted(dirs, key=lambda item: item[0]):
        entries = _dir_entries(node, flags)
        # GNU names each directory once more than one operand was given, even a missing one.
        header = f"{operand}:\n" if len(operands) > 1 else ""
        blocks.append(header + _listing(proc, entries, flags, total=True))
    await proc.stdout.write("\n".join(block for block in blocks if block).encode())
    return status


def _dir_entries(node: DirNode, flags: dict[str, str | bool]) -> list[tuple[str, Node]]:
    entries: list[tuple[str, Node]] = []
    if flags.get("a"):
        entries += [(".", node), ("..", node)]
    show_hidden = flags.get("a") or flags.get("A")
    entries += [(name, child) for name, child in sorted(node.children.items())
                if show_hidden or not name.startswith(".")]
    return entries


def _listing(proc: Proc, entries: list[tuple[str, Node]], flags: dict[str, str | bool],
             *, total: bool) -> str:
    if not flags.get("l"):
        return "".join(f"{name}\n" for name, _ in entries)
    rows = [_long_fields(proc, node) for _, node in entries]
    links_width = max((len(row[1]) for row in rows), default=1)
    size_width = max((len(row[2]) for row in rows), default=1)
    lines = [f"total {sum(_blocks(node) for _, node in entries)}\n"] if total else []
    for (name, _), (mode, links, size, when) in zip(entries, rows):
        lines.append(f"{mode} {links:>{links_width}} root root {size:>{size_width}} "
                     f"{when} {name}\n")
    return "".join(lines)


def _long_fields(proc: Proc, node: Node) -> tuple[str, str, str, str]:
    if isinstance(node, DirNode):
        kind, links, size = stat.S_IFDIR, 2 + sum(isinstance(c, DirNode)
                                                  for c in node.children.values()), 4096
    else:
        kind, links, size = stat.S_IFREG, 1, len(node.data)
    when = datetime.fromtimestamp(node.mtime, UTC)
    recent = abs((proc.container.now() - when).days) < 180
    shown = when.strftime("%b %e %H:%M") if recent else when.strftime("%b %e  %Y")
    return stat.filemode(kind | node.mode), str(links), str(size), shown


def _blocks(node: Node) -> int:
    """1 KiB blocks as ``total`` counts them, assuming a 4 KiB block size."""
    size = 4096 if isinstance(node, DirNode) else len(node.data)
    return -(-size // 4096) * 4


BUILTINS: dict[str, Command] = {
    "true": true, ":": true, "false": false, "echo": echo, "printf": printf, "cat": cat,
    "pwd": pwd, "cd": cd, "env": env, "export": export, "unset": unset, "exit": exit_,
    "hostname": hostname, "id": id_, "whoami": whoami, "uname": uname, "date": date,
    "sleep": sleep, "mkdir": mkdir, "rm": rm, "touch": touch, "ls": ls, "test": test, "[": test,
    "wc": wc, "head": head, "tail": tail,
}
