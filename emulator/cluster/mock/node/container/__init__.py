"""Sandboxed fake containers for the mock apiserver: an in-memory filesystem and a small shell.

``kubectl exec``/``attach``/``cp`` into a mock pod end up in ``execute``: the command runs as an
in-process fake over the container's ``FakeFilesystem``; nothing ever runs on, or reads from,
the host.
"""

from emulator.cluster.mock.node.container.filesystem import (
    DEFAULT_LIMIT_BYTES,
    DirNode,
    FakeFilesystem,
    FileNode,
    FsError,
    normalize,
)
from emulator.cluster.mock.node.container.shell import Container, ProcessIO, Scripted, execute

__all__ = [
    "DEFAULT_LIMIT_BYTES",
    "Container",
    "DirNode",
    "FakeFilesystem",
    "FileNode",
    "FsError",
    "ProcessIO",
    "Scripted",
    "execute",
    "normalize",
]
