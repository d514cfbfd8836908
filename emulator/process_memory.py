"""Memory that comes back: large freed objects are returned to the operating system.

glibc's malloc serves a large block (a ConfigMap of a megabyte, a long list's JSON) from its own
mapping at first, but after the first such block is freed it raises that threshold, and later
large blocks come from the heap, which rarely shrinks: a server that created and deleted large
objects keeps their memory. Fixing the threshold at glibc's default keeps every large block in a
mapping of its own, unmapped when it is freed. Only the serving commands set it, since it is a
setting of the whole process; elsewhere (another libc, no libc) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
THRESHOLD_BYTES = 128 * 1024  # glibc's default, which it would otherwise raise as it goes


def return_large_blocks() -> bool:
    """True when the setting took effect."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES))
