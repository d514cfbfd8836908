"""The in-memory filesystem of one fake container.

Nothing here touches the host: the tree is a dict of nodes, and every path a command names is
normalised lexically inside it, so ``..`` at the root stays at the root (as the kernel does) and no
path can leave the tree. There are only directories and regular files; symlinks, devices and hard
links do not exist, which is what makes the lexical normalisation exact.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from emulator import messages

DEFAULT_LIMIT_BYTES = 64 * 1024 * 1024
# A cap on the number of entries too: a million empty files cost memory but no bytes.
DEFAULT_MAX_ENTRIES = 100_000
# Writes to /dev/null vanish and reads give nothing; it is the only special file.
DEV_NULL = "/dev/null"


class FsError(Exception):
    """A failed filesystem call; ``reason`` is the strerror text commands print after the path."""

    def __init__(self, reason: str, path: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason
        self.path = path


@dataclass
class FileNode:
    # A bytearray once appended to, so `cat chunk... > f` grows it in place instead of copying.
    data: bytes | bytearray = b""
    mode: int = 0o644
    mtime: float = 0.0


@dataclass
class DirNode:
    children: dict[str, Node] = field(default_factory=dict)
    mode: int = 0o755
    mtime: float = 0.0


Node = FileNode | DirNode


def normalize(path: str, cwd: str = "/") -> str:
    """The absolute path ``path`` names from ``cwd``, with ``.``, ``..`` and ``//`` resolved.

    Purely lexical (there are no symlinks to follow); ``..`` above the root is the root.
    """
    parts: list[str] = []
    for part in (path if path.startswith("/") else f"{cwd}/{path}").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def _split(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakeFilesystem:
    """Directories and regular files (bytes) with mode bits and mtimes, under a size cap.

    Every method takes a path and an optional ``cwd`` the path is relative to. Operations are
    atomic under one lock: two execs into one container may run on different threads.
    """

    def __init__(self, *, limit_bytes: int = DEFAULT_LIMIT_BYTES,
                 max_entries: int = DEFAULT_MAX_ENTRIES,
                 now: Callable[[], datetime] = _utc_now) -> None:
        self.limit_bytes = limit_bytes
        self.max_entries = max_entries
        self._now = now
        self._root = DirNode(mtime=self._stamp())
        self._used = 0
        self._entries = 1
        self._lock = threading.RLock()

    @classmethod
    def with_default_tree(cls, hostname: str, *, limit_bytes: int = DEFAULT_LIMIT_BYTES,
                          now: Callable[[], datetime] = _utc_now) -> FakeFilesystem:
        """``/``, ``/root``, ``/tmp``, ``/dev/null``, ``/etc/hostname`` and ``/etc/os-release``."""
        fs = cls(limit_bytes=limit_bytes, now=now)
        fs.mkdir("/root", mode=0o700)
        fs.mkdir("/tmp", mode=0o1777)
        fs.mkdir("/dev")
        fs.write(DEV_NULL, b"", mode=0o666)
        fs.seed({"/etc/hostname": f"{hostname}\n", "/etc/os-release": messages.SH_OS_RELEASE})
        return fs

    # --- reading ----------------------------------------------------------------------------------

    @property
    def used_bytes(self) -> int:
        return self._used

    @property
    def free_bytes(self) -> int:
        return max(self.limit_bytes - self._used, 0)

    def node(self, path: str, cwd: str = "/") -> Node | None:
        """The node at ``path``, or None when nothing is there."""
        current: Node = self._root
        for part in _split(normalize(path, cwd)):
            if not isinstance(current, DirNode) or part not in current.children:
                return None
            current = current.children[part]
        return current

    def is_dir(self, path: str, cwd: str = "/") -> bool:
        return isinstance(self.node(path, cwd), DirNode)

    def is_file(self, path: str, cwd: str = "/") -> bool:
        return isinstance(self.node(path, cwd), FileNode)

    def exists(self, path: str, cwd: str = "/") -> bool:
        return self.node(path, cwd) is not None

    def read(self, path: str, cwd: str = "/") -> bytes:
        node = self._existing(path, cwd)
        if isinstance(node, DirNode):
            raise FsError(messages.SH_EISDIR, path)
        return bytes(node.data)

    def listdir(self, path: str, cwd: str = "/") -> list[str]:
        """Entry names of a directory, sorted bytewise (the C locale's ``ls`` order)."""
        node = self._existing(path, cwd)
        if not isinstance(node, DirNode):
            raise FsError(messages.SH_ENOTDIR, path)
        return sorted(node.children)

    def walk(self, path: str, cwd: str = "/") -> Iterator[tuple[str, Node]]:
        """``(absolute path, node)`` for ``path`` and, below a directory, everything in it."""
        start = normalize(path, cwd)
        node = self._existing(path, cwd)
        with self._lock:
            # Snapshot first, so a caller may write into the tree while iterating.
            found = list(self._walk(start, node))
        yield from found

    def _walk(self, path: str, node: Node) -> Iterator[tuple[str, Node]]:
        yield path, node
        if isinstance(node, DirNode):
            for name in sorted(node.children):
                yield from self._walk(f"{path.rstrip('/')}/{name}", node.children[name])

    # --- writing ----------------------------------------------------------------------------------

    def write(self, path: str, data: bytes, *, cwd: str = "/", append: bool = False,
              mode: int | None = None, mtime: float | None = None) -> None:
        """Create or replace (or append to) a regular file; its directory must exist."""
        target = normalize(path, cwd)
        if target == DEV_NULL and self.exists(DEV_NULL):
            return
        with self._lock:
            parent, name = self._parent(target, path)
            old = parent.children.get(name)
            if isinstance(old, DirNode):
                raise FsError(messages.SH_EISDIR, path)
            before = len(old.data) if old is not None else 0
            after = before + len(data) if append else len(data)
            self._reserve(after - before, 0 if old is not None else 1, path)
            if old is None:
                old = parent.children[name] = FileNode(mode=0o644 if mode is None else mode)
                parent.mtime = self._stamp()
            if append:
                if not isinstance(old.data, bytearray):
                    old.data = bytearray(old.data)
                old.data += data
            else:
                old.data = bytes(data)
            old.mode = old.mode if mode is None else mode & 0o7777
            old.mtime = self._stamp() if mtime is None else mtime

    def mkdir(self, path: str, *, cwd: str = "/", parents: bool = False, mode: int = 0o755,
              mtime: float | None = None) -> None:
        """``mkdir``; with ``parents`` also every missing ancestor, and an existing dir is fine."""
        target = normalize(path, cwd)
        if target == "/":
            if parents:
                return
            raise FsError(messages.SH_EEXIST, path)
        with self._lock:
            if parents:
                self._make_ancestors(target, path)
            parent, name = self._parent(target, path)
            existing = parent.children.get(name)
            if existing is not None:
                if parents and isinstance(existing, DirNode):
                    return
                raise FsError(messages.SH_EEXIST, path)
            self._reserve(0, 1, path)
            stamp = self._stamp() if mtime is None else mtime
            parent.children[name] = DirNode(mode=mode & 0o7777, mtime=stamp)
            parent.mtime = self._stamp()

    def _make_ancestors(self, target: str, shown: str) -> None:
        current = self._root
        for part in _split(target)[:-1]:
            child = current.children.get(part)
            if child is None:
                self._reserve(0, 1, shown)
                child = current.children[part] = DirNode(mtime=self._stamp())
            if not isinstance(child, DirNode):
                raise FsError(messages.SH_ENOTDIR, shown)
            current = child

    def remove(self, path: str, *, cwd: str = "/", recursive: bool = False) -> None:
        """Delete a file, or a directory when ``recursive`` (or when it is empty and recursive)."""
        target = normalize(path, cwd)
        if target == "/":
            raise FsError(messages.SH_EBUSY, path)
        with self._lock:
            parent, name = self._parent(target, path)
            node = parent.children.get(name)
            if node is None:
                raise FsError(messages.SH_ENOENT, path)
            if isinstance(node, DirNode) and not recursive:
                raise FsError(messages.SH_EISDIR, path)
            size, entries = self._usage(node)
            del parent.children[name]
            self._used -= size
            self._entries -= entries
            parent.mtime = self._stamp()

    def set_attributes(self, path: str, *, cwd: str = "/", mode: int | None = None,
                       mtime: float | None = None) -> None:
        node = self._existing(path, cwd)
        with self._lock:
            if mode is not None:
                node.mode = mode & 0o7777
            if mtime is not None:
                node.mtime = mtime

    def touch(self, path: str, cwd: str = "/") -> None:
        """Create an empty file, or give an existing entry the current time."""
        node = self.node(path, cwd)
        if node is None:
            self.write(path, b"", cwd=cwd)
        else:
            self.set_attributes(path, cwd=cwd, mtime=self._stamp())

    def seed(self, files: Mapping[str, str | bytes]) -> None:
        """Files a scenario puts in the container, creating their directories."""
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            target = normalize(path)
            with self._lock:
                self._make_ancestors(target, path)
                self.write(target, data)

    def now(self) -> float:
        """The current time as a file timestamp (what ``tar -m`` and ``touch`` give files)."""
        return self._stamp()

    # --- internals --------------------------------------------------------------------------------

    def _stamp(self) -> float:
        return self._now().timestamp()

    def _existing(self, path: str, cwd: str) -> Node:
        node = self.node(path, cwd)
        if node is None:
            raise FsError(self._missing_reason(normalize(path, cwd)), path)
        return node

    def _missing_reason(self, target: str) -> str:
        """ENOENT, or ENOTDIR when a file stands where a directory is needed (the kernel's way)."""
        current: Node = self._root
        for part in _split(target):
            if not isinstance(current, DirNode):
                return messages.SH_ENOTDIR
            if part not in current.children:
                return messages.SH_ENOENT
            current = current.children[part]
        return messages.SH_ENOENT

    def _parent(self, target: str, shown: str) -> tuple[DirNode, str]:
        """The directory that holds ``target`` and the entry's name in it."""
        parts = _split(target)
        if not parts:
            raise FsError(messages.SH_EISDIR, shown)
        parent = self.node("/" + "/".join(parts[:-1]))
        if parent is None:
            raise FsError(self._missing_reason(target), shown)
        if not isinstance(parent, DirNode):
            raise FsError(messages.SH_ENOTDIR, shown)
        return parent, parts[-1]

    def _reserve(self, extra_bytes: int, extra_entries: int, shown: str) -> None:
        """Account for a change, or refuse it with ENOSPC when it would pass a cap."""
        if (self._used + extra_bytes > self.limit_bytes
                or self._entries + extra_entries > self.max_entries):
            raise FsError(messages.SH_ENOSPC, shown)
        self._used += extra_bytes
        self._entries += extra_entries

    def _usage(self, node: Node) -> tuple[int, int]:
        if isinstance(node, FileNode):
            return len(node.data), 1
        size, entries = 0, 1
        for child in node.children.values():
            child_size, child_entries = self._usage(child)
            size, entries = size + child_size, entries + child_entries
        return size, entries
