"""Copying and weighing JSON data (dicts, lists, scalars): a plain recursive copy does what
``copy.deepcopy`` does at a fraction of its cost, which matters: the verbs copy the objects they
work on at every write. (The store itself keeps objects as their JSON, ``records.py``, and
decodes a fresh copy for every read.)"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def clone(value: T) -> T:
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [clone(v) for v in value]  # type: ignore[return-value]
    return value


def weigh(value: object) -> int:
    """About how many bytes the object's JSON takes: its texts, plus a little per other value.
    Cheap enough for every write; exact enough to budget memory by."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, dict):
        return sum(len(k) + 4 + weigh(v) for k, v in value.items()) + 2
    if isinstance(value, list):
        return sum(weigh(v) + 1 for v in value) + 2
    return 8


