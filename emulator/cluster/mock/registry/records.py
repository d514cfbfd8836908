"""Stored objects as the JSON bytes kube-apiserver would answer with, decoded only when read.

A record is written once per change and never changed after, so the store, its watch history,
its snapshots and every list page share it without copying. Held as bytes, an object costs
about its JSON's size (a decoded pod costs several times that, all of it traced by the garbage
collector), a list answers by joining records, and a read decodes a fresh copy in C (faster
than copying the dict it replaces).

A record is the object's Go JSON (``wire/gojson.py``: the bytes of an answer, without the
newline) behind a short header that says where ``metadata``'s JSON lies in it, for Table rows
that carry only the metadata, and where up to two of ``spec``'s fields lie that no Table row
reads (a pod's volumes and tolerations: two fifths of an admitted pod's spec), so that a row
decodes the object without them. A packed record holds that JSON compressed, at about half its
size, for kinds written much and read little (the store says which). Decoding gives back the
object exactly: an object that its JSON would not give back (a lone surrogate, which Go writes
as U+FFFD; a NaN; an integer past 64 bits, which orjson would read as a float; nesting past
orjson's limit) is kept as an ``_Exact`` record with a private copy beside its JSON.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import orjson

from emulator.cluster.mock.registry.jsoncopy import clone, weigh
from emulator.cluster.mock.wire import gojson

# Where metadata's JSON starts and ends within the body, then two spans of the body a Table row
# may leave out (a spec field, its key and one comma); (0, 0) for each that is not there.
_HEADER = struct.Struct("<IIIIII")
_SKIP = _HEADER.size
_METADATA_KEY = b'"metadata":'


class _Packed(bytes):
    """A record's header, then its body compressed (zlib's fastest level: a write pays about
    what encoding the object costs, a read a little less than decoding it)."""

    __slots__ = ()


class _Exact:
    """A record whose JSON does not decode back to the object (see the module's docstring)."""

    __slots__ = ("data", "obj")

    def __init__(self, data: bytes | None, obj: dict[str, Any]) -> None:
        self.data = data  # header and body; None when the object has no JSON at all (a NaN)
        self.obj = obj  # a private copy, never handed out


Record = bytes | _Exact  # a _Packed record is bytes too


def freeze(obj: dict[str, Any], *, packed: bool = False,
           unprinted: tuple[str, ...] = ()) -> Record:
    """``obj`` as a record (``obj`` itself is not kept: the caller may go on changing it).
    ``unprinted``: at most two fields of ``spec`` that no Table row of the kind reads."""
    try:
        try:
            data = _encoded(obj, unprinted=unprinted)
        except UnicodeEncodeError:  # a lone surrogate: Go writes U+FFFD, the object keeps it
            return _Exact(_encoded(obj, exact=False), clone(obj))
    except (ValueError, TypeError, RecursionError):  # no JSON: answering it fails as before
        return _Exact(None, clone(obj))
    try:
        # orjson decodes what it encodes: an integer or a depth it refuses here would not come
        # back as it went in.
        orjson.dumps(obj)
    except (orjson.JSONEncodeError, TypeError):
        return _Exact(data, clone(obj))
    if packed:
        return _Packed(data[:_SKIP] + zlib.compress(memoryview(data)[_SKIP:], 1))
    return data


def _encoded(obj: dict[str, Any], *, exact: bool = True,
             unprinted: tuple[str, ...] = ()) -> bytes:
    """Header and body. The header locates metadata's JSON by finding it in the body as the
    value of a "metadata" key: an earlier match (the same key and value nested further in)
    would hold the same bytes, and a key cannot match inside a string, where quotes are
    escaped."""
    body = gojson.finished(gojson.text(obj), exact=exact)
    span = (0, 0)
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        written = gojson.finished(gojson.text(meta), exact=exact)
        found = body.find(_METADATA_KEY + written)
        if found >= 0:
            start = found + len(_METADATA_KEY)
            span = (start, start + len(written))
    spec = obj.get("spec")
    cuts = [_cut(body, spec, key, span[1], exact) for key in unprinted
            if isinstance(spec, dict) and key in spec]
    cuts = sorted(cut for cut in cuts if cut is not None)[:2]
    cuts += [(0, 0)] * (2 - len(cuts))
    return _HEADER.pack(*span, *cuts[0], *cuts[1]) + body


def _cut(body: bytes, spec: dict[str, Any], key: str, after: int,
         exact: bool) -> tuple[int, int] | None:
    """Where ``spec[key]`` lies in the body past ``after``, with its key and the comma before
    it: leaving that out leaves JSON, and two such spans never share a comma. spec's first
    field has no comma before it and is not left out. The last match is taken: spec follows
    every other top-level field but status, and status has no such key."""
    field = b',"' + key.encode() + b'":' + gojson.finished(gojson.text(spec[key]), exact=exact)
    found = body.rfind(field, after)
    return (found, found + len(field)) if found >= 0 else None


def opened(record: Record) -> Record:
    """The record unpacked (itself, unless packed): for a caller that reads it several ways."""
    if type(record) is _Packed:
        return record[:_SKIP] + zlib.decompress(memoryview(record)[_SKIP:])
    return record


def thaw(record: Record) -> dict[str, Any]:
    """A fresh copy of the stored object, the caller's to change."""
    if type(record) is bytes:
        found: dict[str, Any] = orjson.loads(memoryview(record)[_SKIP:])
    elif type(record) is _Packed:
        found = orjson.loads(zlib.decompress(memoryview(record)[_SKIP:]))
    else:
        assert isinstance(record, _Exact)
        found = clone(record.obj)
    return found


def body(record: Record) -> bytes | memoryview:
    """The object's Go JSON, as an answer holds it (without the newline)."""
    if type(record) is bytes:
        return memoryview(record)[_SKIP:]
    if type(record) is _Packed:
        return zlib.decompress(memoryview(record)[_SKIP:])
    assert isinstance(record, _Exact)
    if record.data is None:
        return gojson.fragment(record.obj)  # raises as encoding the answer always did
    return memoryview(record.data)[_SKIP:]


def metadata(record: Record) -> bytes | memoryview | None:
    """The Go JSON of the object's ``metadata`` (None when it has none)."""
    data = _data(record)
    if data is None:
        return None
    start, end = _HEADER.unpack_from(data)[:2]
    if not end:
        return None
    return memoryview(data)[_SKIP + start:_SKIP + end]


def printed(record: Record, prefix: bytes, *,
            whole: bool = True) -> tuple[dict[str, Any], memoryview | None] | None:
    """For a Table row, in one step: the object decoded and its metadata's JSON, when the
    record is plain and its JSON begins with ``prefix``; else None. Not ``whole``: the object
    without the spec fields no row reads (see ``freeze``), for cells only."""
    if type(record) is not bytes or not record.startswith(prefix, _SKIP):
        return None
    start, end, a_start, a_end, b_start, b_end = _HEADER.unpack_from(record)
    view = memoryview(record)
    meta = view[_SKIP + start:_SKIP + end] if end else None
    if whole or not a_end:
        return orjson.loads(view[_SKIP:]), meta
    pieces = [view[_SKIP:_SKIP + a_start], view[_SKIP + a_end:_SKIP + (b_start or len(view))]]
    if b_end:
        pieces.append(view[_SKIP + b_end:])
    return orjson.loads(b"".join(pieces)), meta


def begins_with(record: Record, prefix: bytes) -> bool:
    """Whether the object's JSON begins with ``prefix``."""
    data = _data(record)
    return data is not None and data.startswith(prefix, _SKIP)


def member(name: str, value: Any) -> bytes:
    """How a record writes the member ``name: value`` of an object (a label, say)."""
    return gojson.fragment(name) + b":" + gojson.fragment(value)


def holds(record: Record, needles: tuple[bytes, ...]) -> bool:
    """Whether the object's JSON may hold every one of ``needles``: False only when it surely
    does not (a packed or exact record is not searched)."""
    if type(record) is not bytes:
        return True
    return all(needle in record for needle in needles)


def _data(record: Record) -> bytes | None:
    """Header and body, uncompressed."""
    if type(record) is bytes:
        return record
    if type(record) is _Packed:
        return opened(record)
    assert isinstance(record, _Exact)
    return record.data


def size(record: Record) -> int:
    """About what the record holds, in bytes: its (compressed) JSON's length, weighed for the
    watch history's budget. An exact record's copy is weighed as its JSON too."""
    if isinstance(record, bytes):
        return len(record)
    return len(record.data) if record.data is not None else weigh(record.obj)
