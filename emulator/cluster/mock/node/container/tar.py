"""``tar`` for the fake container: what ``kubectl cp`` runs, on Python's ``tarfile`` over bytes.

``kubectl cp POD:/srv/f out`` runs ``tar cf - /srv/f`` and needs members named ``srv/f``; the
other way it runs ``tar -xmf - -C DIR`` with the archive on stdin. Archives never touch the host:
they are built in and read from ``BytesIO``, and members are written through the fake filesystem
only after their names are checked, so a member can neither leave ``-C DIR`` nor be a link.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from emulator import messages
from emulator.cluster.mock.node.container.filesystem import DirNode, FsError, Node, normalize
from emulator.cluster.mock.node.container.process import Proc, UsageError

# Slack over the filesystem cap for what stdin may hold: headers, padding, the end blocks.
ARCHIVE_OVERHEAD = 1024 * 1024
_LETTERS = {"c": "create", "x": "extract", "t": "list", "z": "gzip", "v": "verbose",
            "m": "touch", "p": "same-permissions", "o": "no-same-owner", "f": "file",
            "C": "directory"}
# Long options that change nothing here: there is one user and permissions are kept anyway.
_IGNORED = {"no-same-permissions", "no-same-owner", "same-owner", "same-permissions",
            "preserve-permissions", "numeric-owner", "overwrite", "no-overwrite-dir"}
_WITH_VALUE = {"file", "directory"}
_KINDS = {tarfile.SYMTYPE: messages.SH_TAR_KIND_SYMLINK,
          tarfile.LNKTYPE: messages.SH_TAR_KIND_LINK,
          tarfile.CHRTYPE: messages.SH_TAR_KIND_DEVICE,
          tarfile.BLKTYPE: messages.SH_TAR_KIND_DEVICE,
          tarfile.FIFOTYPE: messages.SH_TAR_KIND_FIFO}


@dataclass
class _Options:
    mode: str = ""
    archive: str = "-"
    directory: str | None = None
    gzip: bool = False
    verbose: bool = False
    touch: bool = False
    names: list[str] = field(default_factory=list)
    warned: set[str] = field(default_factory=set)  # prefixes already reported as removed

    def set(self, option: str, value: str | None = None) -> None:
        if option in ("create", "extract", "list"):
            if self.mode and self.mode != option:
                raise UsageError(messages.SH_TAR_ONE_MODE)
            self.mode = option
        elif option == "file":
            self.archive = value or "-"
        elif option == "directory":
            self.directory = value
        elif option in ("gzip", "verbose", "touch"):
            setattr(self, option, True)
        elif option not in _IGNORED and option not in _LETTERS.values():
            raise UsageError(messages.SH_UNRECOGNIZED_OPTION.format(cmd="tar",
                                                                   option=f"--{option}"))


def parse(args: list[str]) -> _Options:
    """GNU tar's three option styles: old (``tar cf - P``: letters, values from the following
    words), short (``-xmf - -C D``), long (``--file=-``)."""
    options, rest = _Options(), list(args)
    if rest and not rest[0].startswith("-"):
        for letter in rest.pop(0):
            _letter(options, letter, rest, "")
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            options.names += rest
            break
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if name in _WITH_VALUE and not eq:
                value = _next_value(rest, name)
            options.set(name, value if name in _WITH_VALUE else None)
        elif arg.startswith("-") and arg != "-":
            letters = arg[1:]
            for index, letter in enumerate(letters):
                if _letter(options, letter, rest, letters[index + 1:]):
                    break
        else:
            options.names.append(arg)
    if not options.mode:
        raise UsageError(messages.SH_TAR_NO_MODE)
    return options


def _letter(options: _Options, letter: str, rest: list[str], attached: str) -> bool:
    """Apply one option letter; True when it took the ``attached`` rest of its word as value."""
    if letter not in _LETTERS:
        raise UsageError(messages.SH_INVALID_OPTION.format(cmd="tar", option=letter))
    option = _LETTERS[letter]
    if option not in _WITH_VALUE:
        options.set(option)
        return False
    options.set(option, attached or _next_value(rest, letter))
    return bool(attached)


def _next_value(rest: list[str], option: str) -> str:
    if not rest:
        raise UsageError(messages.SH_OPTION_NEEDS_VALUE.format(cmd="tar", option=option))
    return rest.pop(0)


async def tar(proc: Proc) -> int:
    options = parse(proc.argv[1:])
    base = proc.state.cwd
    if options.directory is not None:
        base = normalize(options.directory, proc.state.cwd)
        if not proc.fs.is_dir(base):
            reason = messages.SH_ENOTDIR if proc.fs.exists(base) else messages.SH_ENOENT
            await proc.complain(messages.SH_TAR_CANNOT.format(
                name=options.directory, action="open", reason=reason))
            return await proc.complain(messages.SH_TAR_NOT_RECOVERABLE, 2)
    if options.mode == "create":
        return await _create(proc, options, base)
    return await _read(proc, options, base)


# --- create ---------------------------------------------------------------------------------------

async def _create(proc: Proc, options: _Options, base: str) -> int:
    if not options.names:
        return await proc.complain(messages.SH_TAR_EMPTY_ARCHIVE, 2)
    buffer, failed = io.BytesIO(), False
    # GNU tar lists names on stdout, or on stderr when stdout carries the archive.
    listing = proc.stderr if options.archive == "-" else proc.stdout
    with _writer(buffer, options.gzip) as archive:
        for name in options.names:
            path = normalize(name, base)
            if not proc.fs.exists(path):
                failed = True
                await proc.complain(messages.SH_TAR_CANNOT.format(name=name, action="stat",
                                                                  reason=messages.SH_ENOENT))
                continue
            prefix, stripped = _member_prefix(name)
            if stripped and stripped not in options.warned:
                options.warned.add(stripped)
                await proc.complain(messages.SH_TAR_REMOVING_LEADING.format(prefix=stripped))
            for member_path, node in proc.fs.walk(path):
                member = _join(prefix, member_path[len(path):].lstrip("/"))
                if member:
                    _add(archive, member, node)
                    if options.verbose:
                        await listing.write(f"{_shown(member, node)}\n".encode())
    return await _finish_create(proc, options, buffer.getvalue(), failed)


async def _finish_create(proc: Proc, options: _Options, data: bytes, failed: bool) -> int:
    if options.archive == "-":
        await proc.stdout.write(data)
    else:
        try:
            proc.fs.write(options.archive, data, cwd=proc.state.cwd)
        except FsError as error:
            return await proc.complain(messages.SH_TAR_CANNOT.format(
                name=options.archive, action="open", reason=error.reason), 2)
    if failed:
        return await proc.complain(messages.SH_TAR_FAILED_STATUS, 2)
    return 0


def _writer(buffer: io.BytesIO, gzip: bool) -> tarfile.TarFile:
    # GNU format, as GNU tar writes by default; kubectl reads GNU and PAX alike.
    if gzip:
        return tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT)
    return tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT)


def _member_prefix(name: str) -> tuple[str, str]:
    """The member name for an operand, and the leading ``/`` or ``../`` GNU tar strips from it
    (``/srv/f`` → ``srv/f``: the name ``kubectl cp`` insists on)."""
    parts = [part for part in name.split("/") if part not in ("", ".")]
    dots = 0
    while dots < len(parts) and parts[dots] == "..":
        dots += 1
    stripped = "../" * dots if dots else ("/" if name.startswith("/") else "")
    kept = parts[dots:]
    return "/".join(kept) or ("." if not stripped else ""), stripped


def _join(prefix: str, rest: str) -> str:
    if not prefix:
        return rest
    return f"{prefix}/{rest}" if rest else prefix


def _add(archive: tarfile.TarFile, name: str, node: Node) -> None:
    info = tarfile.TarInfo(name)
    info.mode, info.mtime = node.mode, int(node.mtime)
    info.uname = info.gname = "root"
    if isinstance(node, DirNode):
        info.type = tarfile.DIRTYPE
        archive.addfile(info)
        return
    info.size = len(node.data)
    archive.addfile(info, io.BytesIO(node.data))


def _shown(name: str, node: Node) -> str:
    return f"{name}/" if isinstance(node, DirNode) and not name.endswith("/") else name


# --- extract and list -----------------------------------------------------------------------------

async def _read(proc: Proc, options: _Options, base: str) -> int:
    try:
        if options.archive == "-":
            data = await proc.stdin.read_all(proc.fs.limit_bytes + ARCHIVE_OVERHEAD)
        else:
            data = proc.fs.read(options.archive, proc.state.cwd)
    except FsError as error:
        await proc.complain(messages.SH_TAR_CANNOT.format(name=options.archive, action="read",
                                                          reason=error.reason))
        return await proc.complain(messages.SH_TAR_NOT_RECOVERABLE, 2)
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except tarfile.TarError:
        await proc.complain(messages.SH_TAR_NOT_AN_ARCHIVE)
        return await proc.complain(messages.SH_TAR_FAILED_STATUS, 2)
    with archive:
        failed = False
        try:
            for member in _members(archive):
                if options.mode == "list":
                    await _list(proc, member, options.verbose)
                elif not await _extract(proc, archive, member, base, options):
                    failed = True
        except tarfile.TarError:
            await proc.complain(messages.SH_TAR_UNEXPECTED_EOF)
            failed = True
    if failed:
        return await proc.complain(messages.SH_TAR_FAILED_STATUS, 2)
    return 0


def _members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Members one by one, so a truncated archive still yields what came before the break."""
    while (member := archive.next()) is not None:
        yield member


async def _list(proc: Proc, member: tarfile.TarInfo, verbose: bool) -> None:
    name = f"{member.name}/" if member.isdir() else member.name
    if verbose:
        when = datetime.fromtimestamp(member.mtime, UTC).strftime("%Y-%m-%d %H:%M")
        kind = "d" if member.isdir() else "-"
        owner = f"{member.uname or member.uid}/{member.gname or member.gid}"
        name = f"{kind}{_rwx(member.mode)} {owner} {member.size:>8} {when} {name}"
    await proc.say(name)


def _rwx(mode: int) -> str:
    return "".join(letter if mode & (1 << (8 - i)) else "-" for i, letter in enumerate("rwx" * 3))


async def _extract(proc: Proc, archive: tarfile.TarFile, member: tarfile.TarInfo, base: str,
                   options: _Options) -> bool:
    """Write one member under ``base``; False (after saying why) when it was refused."""
    name = member.name
    if any(part == ".." for part in name.split("/")):
        return await _refuse(proc, messages.SH_TAR_DOT_DOT.format(name=name))
    if member.type in _KINDS or not (member.isreg() or member.isdir()):
        kind = _KINDS.get(member.type, messages.SH_TAR_KIND_OTHER)
        return await _refuse(proc, messages.SH_TAR_UNSUPPORTED.format(name=name, kind=kind))
    if name.startswith("/") and "/" not in options.warned:
        # GNU tar extracts absolute names relative to -C, after saying so once.
        options.warned.add("/")
        await proc.complain(messages.SH_TAR_REMOVING_LEADING.format(prefix="/"))
    relative = name.lstrip("/")
    target = normalize(relative, base)
    mtime = proc.fs.now() if options.touch else float(member.mtime)
    try:
        if member.isdir():
            proc.fs.mkdir(target, parents=True, mode=member.mode)
            proc.fs.set_attributes(target, mode=member.mode, mtime=mtime)
        else:
            _write_member(proc, archive, member, target, mtime, relative)
    except FsError as error:
        action = "write" if error.reason == messages.SH_ENOSPC else "open"
        return await _refuse(proc, messages.SH_TAR_CANNOT.format(name=relative, action=action,
                                                                 reason=error.reason))
    if options.verbose:
        await proc.say(_shown(relative, DirNode()) if member.isdir() else relative)
    return True


async def _refuse(proc: Proc, text: str) -> bool:
    """Say why a member was skipped; False marks the run as failed (GNU tar exits 2 at the end)."""
    await proc.complain(text)
    return False


def _write_member(proc: Proc, archive: tarfile.TarFile, member: tarfile.TarInfo, target: str,
                  mtime: float, shown: str) -> None:
    # Refuse before reading: a gzip member may claim far more than the container can hold.
    if member.size > proc.fs.free_bytes:
        raise FsError(messages.SH_ENOSPC, shown)
    source = archive.extractfile(member)
    data = source.read() if source is not None else b""
    if "/" in target.strip("/"):
        proc.fs.mkdir(target.rsplit("/", 1)[0], parents=True)
    proc.fs.write(target, data, mode=member.mode, mtime=mtime)
