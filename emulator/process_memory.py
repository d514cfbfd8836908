"""Memory that comes back: large freed objects are returned to the operating system.

glibc's malloc serves a large block (a ConfigMap of a megabyte, a long list's JSON) from its own
mapping at first, but after the first such block is freed it raises that threshold, and later
large blocks come from the heap, which rarely shrinks: a server that created and deleted large
objects keeps their memory. Fixing the threshold at glibc's default keeps every large block in a
mapping of its own, unmapped when it is freed. Only the serving commands set it, since it is a
setting of the whole process; elsewhere (another libc, no libc) it does nothing. And after a big
world is replaced, ``give_back`` trims the heap, whose pages its many small objects left free.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
THRESHOLD_BYTES = 128 * 1024  # glibc's default, which it would otherwise raise as it goes


def return_large_blocks() -> bool:
    """True when the setting took effect."""
    mallopt = _glibc("mallopt")
    return mallopt is not None and bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES))


def give_back() -> bool:
    """Return the free memory at the top and in the middle of glibc's heap to the operating
    system (``malloc_trim``): after a big world is dropped, its objects' blocks are free but the
    heap keeps the pages. True when glibc did it; a few milliseconds for a heap of hundreds of
    megabytes, so only worth it after dropping much."""
    trim = _glibc("malloc_trim")
    return trim is not None and bool(trim(0))


def _glibc(function: str) -> Callable[..., int] | None:
    """One of glibc's functions; None on another libc, or none."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return getattr(ctypes.CDLL(name), function)  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc
        return None
