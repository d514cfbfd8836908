"""Reading the few protobuf request bodies typed clients send to the mock.

kubectl's typed clients (``auth whoami``, ``auth can-i``) POST review objects as
``application/vnd.kubernetes.protobuf``: the magic ``k8s\\0`` then a ``runtime.Unknown`` envelope
holding the type and the object's own protobuf bytes. Reviews are tiny and their field numbers are
fixed by k8s.io/api's generated.proto, so a wire-format reader is enough; any other protobuf body
is refused with 415 rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator import messages
from emulator.cluster.mock.status import KubeError

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

# Field numbers from k8s.io/api {authentication,authorization}/v1 generated.proto.
_RESOURCE_ATTRIBUTES = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource",
                        6: "subresource", 7: "name"}
_NON_RESOURCE_ATTRIBUTES = {1: "path", 2: "verb"}


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) pairs of one message; length-delimited values stay bytes."""
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            value, pos = _varint(data, pos)
            yield number, value
        elif wire_type == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ValueError("truncated field")
            yield number, data[pos:pos + length]
            pos += length
        elif wire_type in (1, 5):
            pos += 8 if wire_type == 1 else 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _strings(data: bytes, names: dict[int, str]) -> dict[str, str]:
    return {names[n]: v.decode() for n, v in _fields(data) if n in names and isinstance(v, bytes)}


def decode_review(body: bytes) -> dict[str, Any]:
    """A review object (apiVersion, kind, spec) from a protobuf body, or 415/400."""
    if not body.startswith(MAGIC):
        raise KubeError(400, messages.K8S_DECODE_ERROR.format(detail="missing protobuf magic"))
    try:
        envelope = dict(_fields(body[len(MAGIC):]))
        type_meta = _strings(envelope.get(1, b""), {1: "apiVersion", 2: "kind"})  # type: ignore[arg-type]
        raw = envelope.get(2, b"")
        obj: dict[str, Any] = {**type_meta, "metadata": {}}
        kind = type_meta.get("kind", "")
        top = dict(_fields(raw)) if isinstance(raw, bytes) else {}
        spec = top.get(2, b"")
        if kind == "SelfSubjectReview":
            return obj
        if kind == "SelfSubjectAccessReview" and isinstance(spec, bytes):
            parts = dict(_fields(spec))
            obj["spec"] = {}
            if isinstance(parts.get(1), bytes):
                obj["spec"]["resourceAttributes"] = _strings(parts[1], _RESOURCE_ATTRIBUTES)  # type: ignore[arg-type]
            if isinstance(parts.get(2), bytes):
                obj["spec"]["nonResourceAttributes"] = _strings(parts[2], _NON_RESOURCE_ATTRIBUTES)  # type: ignore[arg-type]
            return obj
        if kind == "SelfSubjectRulesReview" and isinstance(spec, bytes):
            obj["spec"] = _strings(spec, {1: "namespace"})
            return obj
    except (ValueError, UnicodeDecodeError) as exc:
        raise KubeError(400, messages.K8S_DECODE_ERROR.format(detail=exc)) from None
    raise KubeError(415, messages.K8S_PROTOBUF_UNSUPPORTED.format(kind=kind or "unknown"))
