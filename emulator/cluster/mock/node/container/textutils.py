"""The fake container's text commands: ``printf``, ``test``/``[``, ``wc``, ``head``, ``tail``.

``tail -c +N`` matters most: ``kubectl cp --retries`` runs ``tar cf - P | tail -c+N`` to resume a
download from byte N (1-based; GNU reads +0 as +1).
"""

from __future__ import annotations

import re
from dataclasses import replace

from emulator import messages
from emulator.cluster.mock.node.container.filesystem import DirNode, FileNode, FsError
from emulator.cluster.mock.node.container.process import Proc, UsageError, getopt, unescape

# --- printf ---------------------------------------------------------------------------------------

_SPEC = re.compile(r"%([-+ #0]*)(\d*)(?:\.(\d+))?([sbdiouxXcfeEgG%])")


async def printf(proc: Proc) -> int:
    """``printf FORMAT [ARG]...``: %s %b %d %i %o %u %x %c %f %%, flags and width; the format is
    reused while arguments remain, as POSIX says."""
    if len(proc.argv) < 2:
        raise UsageError(messages.SH_MISSING_OPERAND.format(cmd="printf"))
    fmt, args = proc.argv[1], proc.argv[2:]
    out, status = bytearray(), 0
    while True:
        used_before = len(args)
        chunk, stop, bad = _format_once(fmt, args)
        out += chunk
        for value in bad:
            status = await proc.complain(messages.SH_PRINTF_NOT_NUMBER.format(value=value))
        if stop or not args or len(args) == used_before:
            break
    await proc.stdout.write(bytes(out))
    return status


def _format_once(fmt: str, args: list[str]) -> tuple[bytes, bool, list[str]]:
    """One pass over the format, consuming ``args``; returns the output, whether ``\\c`` stopped
    it, and the arguments that were not numbers."""
    out, position = bytearray(), 0
    bad: list[str] = []
    for match in _SPEC.finditer(fmt):
        literal, stop = unescape(fmt[position:match.start()], printf=True)
        out += literal
        if stop:
            return bytes(out), True, bad
        position = match.end()
        flags, width, precision, conversion = match.groups()
        if conversion == "%":
            out += b"%"
            continue
        value = args.pop(0) if args else ""
        text, stop = _convert(flags, width, precision, conversion, value, bad)
        out += text
        if stop:
            return bytes(out), True, bad
    literal, stop = unescape(fmt[position:], printf=True)
    return bytes(out + literal), stop, bad


def _convert(flags: str, width: str, precision: str | None, conversion: str, value: str,
             bad: list[str]) -> tuple[bytes, bool]:
    spec = "%" + flags + width + (f".{precision}" if precision is not None else "")
    if conversion in "sb":
        data, stop = unescape(value, printf=True) if conversion == "b" else (value.encode(), False)
        return (spec + "s").encode() % data, stop
    if conversion == "c":
        return (spec + "s").encode() % value[:1].encode(), False
    number: int | float
    try:
        number = float(value or 0) if conversion in "feEgG" else _integer(value)
    except ValueError:
        bad.append(value)
        number = 0
    return (spec + ("d" if conversion in "iu" else conversion)).encode() % number, False


def _integer(value: str) -> int:
    """printf's numbers: decimal, 0x hex, 0 octal, or 'c (the character's code)."""
    if value[:1] in ("'", '"'):
        return ord(value[1]) if len(value) > 1 else 0
    return int(value or "0", 0) if not re.fullmatch(r"[-+]?0\d+", value) else int(value, 8)


# --- test / [ -------------------------------------------------------------------------------------

class _TestError(Exception):
    pass


async def test(proc: Proc) -> int:
    """``test`` and ``[``: file tests, string tests, integer comparisons, ``!``, ``-a``, ``-o``.
    Exit 0 true, 1 false, 2 for a malformed expression."""
    args = proc.argv[1:]
    if proc.name == "[":
        if not args or args[-1] != "]":
            return await proc.complain(messages.SH_TEST_MISSING_BRACKET, 2)
        args = args[:-1]
    try:
        return 0 if _expression(proc, args) else 1
    except _TestError as error:
        return await proc.complain(messages.SH_TEST_ERROR.format(cmd=proc.name, detail=error), 2)


def _expression(proc: Proc, args: list[str]) -> bool:
    # POSIX decides by the number of arguments first, so `test -n -a` and `test ! = x` mean what
    # they say; past that, -o binds looser than -a.
    count = len(args)
    if count == 0:
        return False
    if count == 1:
        return args[0] != ""
    if count == 2:
        return not _expression(proc, args[1:]) if args[0] == "!" else _unary(proc, *args)
    if count == 3 and args[1] in _BINARY:
        return _binary(*args)
    if count in (3, 4) and args[0] == "!":
        return not _expression(proc, args[1:])
    return _joined(proc, args)


def _joined(proc: Proc, args: list[str]) -> bool:
    for joiner in ("-o", "-a"):
        if joiner in args[1:-1]:
            at = args.index(joiner, 1)
            left, right = _expression(proc, args[:at]), _expression(proc, args[at + 1:])
            return (left or right) if joiner == "-o" else (left and right)
    if len(args) == 3:
        raise _TestError(messages.SH_TEST_BINARY_EXPECTED.format(operator=args[1]))
    raise _TestError(messages.SH_TEST_TOO_MANY)


_BINARY = ("=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge")


def _unary(proc: Proc, operator: str, operand: str) -> bool:
    if operator == "-z":
        return operand == ""
    if operator == "-n":
        return operand != ""
    node = proc.fs.node(operand, proc.state.cwd) if operand else None
    checks = {
        "-e": node is not None, "-r": node is not None, "-w": node is not None,
        "-d": isinstance(node, DirNode), "-f": isinstance(node, FileNode),
        "-s": isinstance(node, DirNode) or (isinstance(node, FileNode) and bool(node.data)),
        "-x": node is not None and (isinstance(node, DirNode) or bool(node.mode & 0o111)),
        "-L": False, "-h": False, "-p": False, "-S": False, "-b": False, "-c": False,
    }
    if operator not in checks:
        raise _TestError(messages.SH_TEST_UNARY_EXPECTED.format(operator=operator))
    return checks[operator]


def _binary(left: str, operator: str, right: str) -> bool:
    if operator in ("=", "=="):
        return left == right
    if operator == "!=":
        return left != right
    if operator not in _BINARY:
        raise _TestError(messages.SH_TEST_BINARY_EXPECTED.format(operator=operator))
    a, b = _test_integer(left), _test_integer(right)
    return {"-eq": a == b, "-ne": a != b, "-lt": a < b, "-le": a <= b, "-gt": a > b,
            "-ge": a >= b}[operator]


def _test_integer(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise _TestError(messages.SH_TEST_INTEGER_EXPECTED.format(value=value)) from None


# --- wc, head, tail -------------------------------------------------------------------------------

async def _inputs(proc: Proc, operands: list[str]) -> tuple[list[tuple[str, bytes]], int]:
    """The named files' contents (``-`` or nothing: stdin), and 1 if some could not be read."""
    found, status = [], 0
    for operand in operands or ["-"]:
        if operand == "-":
            found.append((operand, await proc.stdin.read_all(proc.fs.limit_bytes)))
            continue
        try:
            found.append((operand, proc.fs.read(operand, proc.state.cwd)))
        except FsError as error:
            template = messages.SH_FILE_ERROR if proc.name == "wc" else messages.SH_CANNOT_READ
            status = await proc.complain(template.format(cmd=proc.name, path=operand,
                                                         reason=error.reason))
    return found, status


async def wc(proc: Proc) -> int:
    flags, operands = getopt(proc, "clw")
    wanted = [f for f in "lwc" if flags.get(f)] or ["l", "w", "c"]
    inputs, status = await _inputs(proc, operands)
    rows = [([_count(data, f) for f in wanted], name) for name, data in inputs]
    if len(rows) > 1:
        rows.append(([sum(row[0][i] for row in rows) for i in range(len(wanted))], "total"))
    # GNU pads every column to the widest number, except a single count of a single input.
    width = 1 if len(wanted) == 1 and len(rows) == 1 else max(
        (len(str(n)) for counts, _ in rows for n in counts), default=1)
    for counts, name in rows:
        numbers = " ".join(f"{n:>{width}}" for n in counts)
        await proc.say(numbers if name == "-" and not operands else f"{numbers} {name}")
    return status


def _count(data: bytes, what: str) -> int:
    return {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}[what]


def _amount(proc: Proc, value: str, what: str, *, signed: bool) -> tuple[int, bool]:
    """A ``-n``/``-c`` count, and whether it had a leading ``+`` (tail: from that position)."""
    plus = signed and value.startswith("+")
    digits = value[1:] if plus else value
    if not digits.isdigit():
        raise UsageError(messages.SH_INVALID_COUNT.format(cmd=proc.name, what=what, value=value))
    return int(digits), plus


def _obsolete_count(proc: Proc) -> Proc:
    """``head -3`` and ``tail -3``: the old form of ``-n 3`` that scripts still send. GNU and
    BusyBox take it as the first argument only, as here."""
    if len(proc.argv) > 1 and proc.argv[1][:1] == "-" and proc.argv[1][1:].isdigit():
        return replace(proc, argv=[proc.argv[0], "-n", proc.argv[1][1:], *proc.argv[2:]])
    return proc


async def head(proc: Proc) -> int:
    proc = _obsolete_count(proc)
    flags, operands = getopt(proc, "n:c:qv")
    by_bytes = "c" in flags
    count, _ = _amount(proc, str(flags.get("c", flags.get("n", "10"))),
                       "bytes" if by_bytes else "lines", signed=False)
    inputs, status = await _inputs(proc, operands)
    for index, (name, data) in enumerate(inputs):
        await _header(proc, index, len(inputs), name)
        if by_bytes:
            await proc.stdout.write(data[:count])
        else:
            await proc.stdout.write(b"".join(data.splitlines(keepends=True)[:count]))
    return status


async def tail(proc: Proc) -> int:
    proc = _obsolete_count(proc)
    flags, operands = getopt(proc, "n:c:qvf")
    by_bytes = "c" in flags
    count, from_start = _amount(proc, str(flags.get("c", flags.get("n", "10"))),
                                "bytes" if by_bytes else "lines", signed=True)
    inputs, status = await _inputs(proc, operands)
    for index, (name, data) in enumerate(inputs):
        await _header(proc, index, len(inputs), name)
        items: bytes | list[bytes] = data if by_bytes else data.splitlines(keepends=True)
        if from_start:
            chosen = items[max(count, 1) - 1:]
        else:
            chosen = items[len(items) - count:] if count else items[:0]
        await proc.stdout.write(chosen if isinstance(chosen, bytes) else b"".join(chosen))
    return status


async def _header(proc: Proc, index: int, total: int, name: str) -> None:
    """``==> name <==`` before each input when there are several, as head and tail do."""
    if total > 1:
        shown = messages.SH_STANDARD_INPUT if name == "-" else name
        await proc.stdout.write(("\n" if index else "").encode()
                                + messages.SH_HEAD_TAIL_HEADER.format(name=shown).encode() + b"\n")
