"""Reading protobuf request bodies into the JSON dicts the mock stores.

kubectl 1.32+ sends the bodies of ``kubectl create <generator>`` and of its typed clients (``auth
whoami``, ``auth can-i``, ``create token``, ``debug node``) as ``application/vnd.kubernetes.protobuf``:
the magic ``k8s\\0`` then a ``runtime.Unknown`` envelope {1: typeMeta {1: apiVersion, 2: kind},
2: raw, 3: contentEncoding, 4: contentType} whose raw bytes are the object's own message.
(``kubectl run``, ``expose``, ``apply``, ``replace`` and deletes still send JSON.)

The object is decoded by the message table of protobuf_table (data generated from k8s.io/api: every
built-in kind of every group and version; and the served kinds defined elsewhere,
CustomResourceDefinition and APIService) into exactly the dict that the JSON encoding of the same
Go object gives, so the rest of the mock cannot tell which encoding a client used. A field number
the table does not know (one newer than the table's release) is refused with 415 naming it, never
dropped: a half-read object stored as if whole would be worse than a clear refusal.
"""

from __future__ import annotations

import base64
import functools
import math
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator import limits, messages
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.wire.protobuf_table import Field, Shape, short_name, table
from emulator.cluster.mock.wire.status import KubeError

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
REVIEW_KINDS = frozenset({"SelfSubjectReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview"})

# Protobuf wire types.
VARINT, FIXED64, LEN, FIXED32 = 0, 1, 2, 5
_SCALAR_WIRE = {"string": LEN, "bytes": LEN, "int": VARINT, "bool": VARINT, "double": FIXED64}
# What Go's encoding/json writes for a field that has no omitempty and never came on the wire:
# the zero scalar (a zero double is written 0, see _json_number), and null for a nil []byte.
_ABSENT = {"string": "", "int": 0, "bool": False, "double": 0, "bytes": None}
# A map entry with no value field holds the zero value, an empty (not nil) []byte included.
_ENTRY_ZERO = {"string": "", "int": 0, "bool": False, "double": 0, "bytes": b""}
# Messages inside one another that a body may nest. A JSON level is at most two message levels
# (a CRD schema's ``items`` is a JSONSchemaProps in a JSONSchemaPropsOrArray), so no object
# within the JSON nesting limit is refused; and the decoder's three frames a level stay far from
# Python's recursion limit. The decoded object's own depth is then checked against that limit.
_MAX_MESSAGE_DEPTH = 2 * limits.MAX_NESTING_DEPTH


# --- wire format ----------------------------------------------------------------------------------


def _fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of one message; LEN and fixed-width values stay bytes."""
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if number == 0:
            raise ValueError("field number 0")
        if wire_type == VARINT:
            value, pos = _varint(data, pos)
            yield number, wire_type, value
            continue
        if wire_type == LEN:
            length, pos = _varint(data, pos)
        elif wire_type in (FIXED64, FIXED32):
            length = 8 if wire_type == FIXED64 else 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        if pos + length > len(data):
            raise ValueError("truncated field")
        yield number, wire_type, data[pos:pos + length]
        pos += length


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


def _signed(value: int) -> int:
    """int32 and int64 are two's complement in 64 bits on the wire (negative int32 sign-extended)."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _scalar(kind: str, wire_type: int, value: int | bytes, path: str) -> Any:
    if wire_type != _SCALAR_WIRE[kind]:
        raise ValueError(f"{path}: wire type {wire_type} cannot hold a {kind}")
    if isinstance(value, int):
        return value != 0 if kind == "bool" else _signed(value)
    if kind == "double":
        return _json_number(struct.unpack("<d", value)[0], path)
    if kind == "string":
        return value.decode("utf-8", "replace")  # Go's encoding/json writes bad UTF-8 as U+FFFD
    return bytes(value)


def _json_number(value: float, path: str) -> float | int:
    """A double as it reads back from the text Go's encoding/json writes for it: an integral
    value under 1e21 has no fraction or exponent there (``maximum: 10``, not 10.0), so it is the
    int a JSON body would have given. NaN and infinities, which Go refuses to write, are refused."""
    if not math.isfinite(value):
        raise ValueError(f"{path}: {value} is not a JSON number")
    return int(value) if value.is_integer() and abs(value) < 1e21 else value


def _packed(kind: str, data: bytes, path: str) -> list[Any]:
    """A packed repeated int/bool/double field (proto2 k8s sends them unpacked; both are valid)."""
    if kind == "double":
        return [_json_number(struct.unpack("<d", data[i:i + 8])[0], path)
                for i in range(0, len(data) - 7, 8)]
    values: list[Any] = []
    pos = 0
    while pos < len(data):
        value, pos = _varint(data, pos)
        values.append(_signed(value) if kind == "int" else value != 0)
    return values


def _length_delimited(wire_type: int, value: int | bytes, path: str) -> bytes:
    if wire_type != LEN or not isinstance(value, bytes):
        raise ValueError(f"{path}: wire type {wire_type} cannot hold a message")
    return value


# --- envelope -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    api_version: str
    kind: str
    raw: bytes
    content_encoding: str
    content_type: str


def _envelope(body: bytes) -> Envelope:
    """The runtime.Unknown after the magic; ValueError when it is not one."""
    parts: dict[int, bytes] = {}
    for number, wire_type, value in _fields(body[len(MAGIC):]):
        if number not in (1, 2, 3, 4):
            raise ValueError(f"unknown envelope field {number}")
        parts[number] = _length_delimited(wire_type, value, "envelope")
    type_meta: dict[int, str] = {}
    for number, wire_type, value in _fields(parts.get(1, b"")):
        if number not in (1, 2):
            raise ValueError(f"unknown typeMeta field {number}")
        type_meta[number] = _scalar("string", wire_type, value, "typeMeta")
    return Envelope(type_meta.get(1, ""), type_meta.get(2, ""), parts.get(2, b""),
                    parts.get(3, b"").decode(), parts.get(4, b"").decode())


def kind_of(body: bytes) -> str:
    """The envelope's kind, for messages; "unknown" when the body is not a k8s envelope."""
    if not body.startswith(MAGIC):
        return "unknown"
    try:
        return _envelope(body).kind or "unknown"
    except (ValueError, UnicodeDecodeError):
        return "unknown"


# --- objects --------------------------------------------------------------------------------------


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON dict of a protobuf body of any supported kind: 400 malformed, 415 unsupported."""
    if not body.startswith(MAGIC):
        raise KubeError(400, messages.K8S_PROTOBUF_DECODE_ERROR.format(
            detail=messages.K8S_PROTOBUF_NOT_PROTOBUF))
    try:
        envelope = _envelope(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise KubeError(400, messages.K8S_PROTOBUF_DECODE_ERROR.format(detail=exc)) from None
    message = table().message_for(envelope.api_version, envelope.kind)
    if message is None:
        raise KubeError(415, messages.K8S_PROTOBUF_UNSUPPORTED.format(
            kind=envelope.kind or "unknown"))
    if envelope.content_encoding or envelope.content_type not in ("", MEDIA_TYPE):
        raise KubeError(415, messages.K8S_PROTOBUF_ENVELOPE_UNSUPPORTED.format(
            kind=envelope.kind, encoding=envelope.content_encoding,
            content_type=envelope.content_type))
    try:
        fields = _Reader(envelope.kind).message(envelope.raw, message, envelope.kind)
        # As deep as a JSON body may be (the recursive messages of a CRD's schema, raw JSON
        # inside an object), measured without recursion.
        limits.check_depth(fields)
    except (ValueError, OverflowError) as exc:
        raise KubeError(400, messages.K8S_PROTOBUF_DECODE_ERROR.format(detail=exc)) from None
    return {"kind": envelope.kind, "apiVersion": envelope.api_version, **fields}


@functools.lru_cache(maxsize=256)
def _zero(api_version: str, kind: str) -> dict[str, Any] | None:
    message = table().message_for(api_version, kind)
    if message is None:
        return None
    return {"kind": kind, "apiVersion": api_version, **_Reader(kind).message(b"", message, kind)}


def zero_object(api_version: str, kind: str) -> dict[str, Any] | None:
    """Go's zero value of a kind as encoding/json writes it (non-pointer structs present and
    empty, nil pointers and unset omitempty fields absent), or None for a kind k8s.io/api lacks.
    Server-side apply compares a created object with it, as kube's field manager does."""
    zero = _zero(api_version, kind)
    return None if zero is None else clone(zero)


def decode_review(body: bytes) -> dict[str, Any]:
    """A review object from a protobuf body; any other readable kind is 415, as it was before
    decode_object existed; a body that is not an envelope is 400 from decode_object."""
    kind = kind_of(body)
    if kind != "unknown" and kind not in REVIEW_KINDS:
        raise KubeError(415, messages.K8S_PROTOBUF_UNSUPPORTED.format(kind=kind))
    return decode_object(body)


class _Reader:
    """Decodes messages of one request; knows the kind only to name it in refusals."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.schema = table().messages
        self.forms = table().forms
        self.depth = 0

    def message(self, data: bytes, name: str, path: str) -> Any:
        """The JSON value of one message: a dict, or a special type's own form."""
        if self.depth >= _MAX_MESSAGE_DEPTH:
            raise limits.TooDeep()
        self.depth += 1
        try:
            found = self._collect(data, name, path)
            form = self.forms.get(name)
            if form is None:
                return self._emit(self.schema[name], found, path)
            for number, field in self.schema[name].items():
                if number in found and field.shape is Shape.ONE and field.is_message:
                    found[number] = self.message(found[number], field.type, path)  # its JSON
            return _FORMS[form](data, found)
        finally:
            self.depth -= 1

    def _collect(self, data: bytes, name: str, path: str) -> dict[int, Any]:
        """Field number -> value as on the wire: scalars, lists, dicts, or a message's bytes."""
        schema = self.schema[name]
        found: dict[int, Any] = {}
        for number, wire_type, value in _fields(data):
            field = schema.get(number)
            if field is None:
                raise KubeError(415, messages.K8S_PROTOBUF_UNKNOWN_FIELD.format(
                    kind=self.kind, number=number, message=short_name(name), path=path))
            where = _join(path, field.json)
            if field.shape is Shape.LIST:
                items = found.setdefault(number, [])
                items.extend(self._elements(field, wire_type, value, f"{where}[{len(items)}]"))
            elif field.shape is Shape.MAP:
                key, item = self._entry(field, _length_delimited(wire_type, value, where), where)
                found.setdefault(number, {})[key] = item
            elif field.is_message:
                # A message field sent twice is merged, which for protobuf is concatenation.
                found[number] = found.get(number, b"") + _length_delimited(wire_type, value, where)
            else:
                found[number] = _scalar(field.type, wire_type, value, where)  # last one wins
        return found

    def _elements(self, field: Field, wire_type: int, value: int | bytes, path: str) -> list[Any]:
        if field.is_message:
            return [self.message(_length_delimited(wire_type, value, path), field.type, path)]
        if wire_type == LEN and field.type in ("int", "bool", "double"):
            return _packed(field.type, _length_delimited(wire_type, value, path), path)
        return [_scalar(field.type, wire_type, value, path)]

    def _entry(self, field: Field, data: bytes, path: str) -> tuple[str, Any]:
        """One map entry {1: key, 2: value}; keys of the served types' maps are all strings."""
        key, value = "", None
        for number, wire_type, item in _fields(data):
            if number == 1:
                key = _scalar("string", wire_type, item, path)
            elif number == 2:
                value = (wire_type, item)
            else:
                raise KubeError(415, messages.K8S_PROTOBUF_UNKNOWN_FIELD.format(
                    kind=self.kind, number=number, message=f"the {field.json} entry", path=path))
        where = f"{path}[{key}]"
        if field.is_message:
            raw = b"" if value is None else _length_delimited(*value, where)
            return key, self.message(raw, field.type, where)
        return key, _ENTRY_ZERO[field.type] if value is None else _scalar(field.type, *value, where)

    def _emit(self, schema: dict[int, Field], found: dict[int, Any], path: str) -> dict[str, Any]:
        """The JSON object Go's encoding/json would write for these fields (see protobuf_table)."""
        out: dict[str, Any] = {}
        for number, field in schema.items():
            where = _join(path, field.json)
            if number in found:
                value = found[number]
                if field.shape is Shape.ONE and field.is_message:
                    value = self.message(value, field.type, where)
                elif field.omitempty and not field.pointer and not value:
                    continue  # a zero scalar under omitempty
            elif field.shape is Shape.ONE and field.is_message and not field.pointer:
                value = self.message(b"", field.type, where)  # structs are never omitted
            elif field.omitempty:
                continue
            elif field.pointer or field.shape is not Shape.ONE:
                value = None  # nil pointer, slice or map without omitempty
            else:
                value = _ABSENT[field.type]
            if field.json:
                out[field.json] = _base64(value) if field.type == "bytes" else value
            else:
                out.update(value)  # an embedded struct's fields are the parent's
        return out


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if name else path


def _base64(value: Any) -> Any:
    """[]byte is base64 in k8s JSON, alone, in lists and as map values; nil stays null."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, list):
        return [_base64(item) for item in value]
    if isinstance(value, dict):
        return {key: _base64(item) for key, item in value.items()}
    return value


# --- types with JSON forms of their own -----------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)  # time.Time{}: JSON null, like a nil *Time


def _moment(seconds: int, microseconds: int = 0) -> datetime:
    return _EPOCH + timedelta(seconds=seconds, microseconds=microseconds)


def _time(data: bytes, found: dict[int, Any]) -> str | None:
    """metav1.Time: whole seconds (its protobuf reader drops nanos) as RFC 3339 in UTC."""
    moment = _moment(found.get(1, 0)) if data else _GO_ZERO_TIME
    if moment == _GO_ZERO_TIME:
        return None
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _micro_time(data: bytes, found: dict[int, Any]) -> str | None:
    """metav1.MicroTime: RFC 3339 with six fraction digits, nanos truncated to microseconds."""
    nanos = found.get(2, 0)
    micros = -(-nanos // 1000) if nanos < 0 else nanos // 1000  # Go truncates toward zero
    moment = _moment(found.get(1, 0), micros) if data else _GO_ZERO_TIME
    if moment == _GO_ZERO_TIME:
        return None
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _int_or_string(data: bytes, found: dict[int, Any]) -> int | str:
    """intstr.IntOrString: type 0 is the int, type 1 the string; the zero value is 0."""
    kind = found.get(1, 0)
    if kind not in (0, 1):
        raise ValueError(f"IntOrString type {kind} is neither int (0) nor string (1)")
    return found.get(3, "") if kind == 1 else found.get(2, 0)


def _quantity(data: bytes, found: dict[int, Any]) -> str:
    """resource.Quantity: Go writes its canonical string, which is also its JSON; zero is "0"."""
    return found.get(1) or "0"


def _fields_v1(data: bytes, found: dict[int, Any]) -> Any:
    """metav1.FieldsV1: its raw bytes are the JSON itself; nil raw is null. Nested past the
    emulator's limit, it is refused (a ValueError) before the recursive JSON decoder runs."""
    raw = found.get(1)
    return None if raw is None else limits.json_loads(raw)


def _raw_extension(data: bytes, found: dict[int, Any]) -> Any:
    """runtime.RawExtension: raw bytes that are JSON are that JSON; nil raw is null. Go turns CBOR
    raw bytes into JSON too; the mock refuses them (400), as Go refuses anything else."""
    raw = found.get(1)
    if raw is None:
        return None
    try:
        return limits.json_loads(raw)
    except limits.TooDeep:
        raise
    except ValueError:
        raise ValueError("an embedded object (runtime.RawExtension) that is not JSON") from None


def _string_list(data: bytes, found: dict[int, Any]) -> list[str] | None:
    """A Go ``[]string`` kept in a message of its own (ExtraValue): the list; nil is null."""
    return found.get(1)


# apiextensions.k8s.io/v1's JSON-schema types (a CRD's openAPIV3Schema). Their message fields
# come here decoded already: a JSONSchemaProps is its JSON object.


def _raw_json(data: bytes, found: dict[int, Any]) -> Any:
    """apiextensions' JSON (``default``, ``example``, ``enum`` values): its raw bytes are any JSON
    value, written as they are; empty raw is null. Go's encoding/json refuses raw bytes that are
    not JSON (NaN and Infinity included), and so does the mock (400); a number too large for a
    float, which Go would copy, is refused too, as in JSON bodies."""
    raw = found.get(1)
    if not raw:
        return None
    try:
        return limits.json_loads(raw, parse_constant=_not_json, parse_float=_finite)
    except limits.TooDeep:
        raise
    except ValueError:
        raise ValueError("a JSON value (apiextensions JSON) that is not JSON") from None


def _not_json(name: str) -> Any:
    raise ValueError(f"invalid literal {name}")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _schema_or_array(data: bytes, found: dict[int, Any]) -> Any:
    """JSONSchemaPropsOrArray (``items``): its list of schemas when not empty, else its schema;
    neither is null."""
    return found.get(2) or found.get(1)


def _schema_or_bool(data: bytes, found: dict[int, Any]) -> Any:
    """JSONSchemaPropsOrBool (``additionalProperties``, ``additionalItems``): its schema when it
    has one, else the bool ``allows`` (false when absent)."""
    return found[2] if 2 in found else found.get(1, False)


def _schema_or_string_array(data: bytes, found: dict[int, Any]) -> Any:
    """JSONSchemaPropsOrStringArray (``dependencies`` values): its property names when there are
    any, else its schema; neither is null."""
    return found.get(2) or found.get(1)


# The own JSON forms the data's ``forms`` name, by name.
_FORMS: dict[str, Callable[[bytes, dict[int, Any]], Any]] = {
    "Time": _time,
    "MicroTime": _micro_time,
    "IntOrString": _int_or_string,
    "Quantity": _quantity,
    "FieldsV1": _fields_v1,
    "RawExtension": _raw_extension,
    "StringList": _string_list,
    "JSON": _raw_json,
    "JSONSchemaPropsOrArray": _schema_or_array,
    "JSONSchemaPropsOrBool": _schema_or_bool,
    "JSONSchemaPropsOrStringArray": _schema_or_string_array,
}
