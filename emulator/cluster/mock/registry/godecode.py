"""What kube's typed decoding refuses: a JSON value of the wrong type for its Go field.

kube-apiserver decodes a built-in kind's body into its Go struct (sigs.k8s.io/json, a fork of
encoding/json), which takes no string for an ``int32`` and no number for a ``string``:

    Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string
    into Go struct field DeploymentSpec.spec.replicas of type int32

whatever ``fieldValidation`` says. The Go types are data (``data/go-types.json``, written by
tools/kubedata/go_types.py from k8s.io/api); this module says what Go's decoder does with them,
as fieldvalidation.py walks a body:

- a value of the wrong JSON type is remembered, and the walk goes on; the first one is the error
  (Go's ``saveError``), named by the innermost struct and the path of JSON field names from the
  root, without list indexes or map keys (Go's ``errorContext``);
- a number is ``number`` for a string, bool, struct, list or map, and ``number 1.5`` (the literal
  as written) for an integer it is not or that overflows;
- ``[]byte`` takes base64 (``illegal base64 data at input byte N``), or a list of numbers
  0-255, which is stored as its base64 (Go keeps the bytes);
- a type with its own ``UnmarshalJSON`` ends the decoding at its first error: a Quantity with
  apimachinery's parse error, an IntOrString with ``int32``'s, a Time with its string's or Go's
  time parse error; RawExtension and the CRD schema's JSON forms take anything.
- ``null`` is taken anywhere.
"""

from __future__ import annotations

import base64
import binascii
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import gotime, quantities
from emulator.cluster.mock.wire.gojson import go_number

Node = Any  # str | list, in go_types.py's notation

_INT_RANGES = {"int32": (-2**31, 2**31), "int64": (-2**63, 2**63), "int": (-2**63, 2**63),
               "uint8": (0, 2**8)}  # uint8: a []byte given as a list of numbers
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_TIMES = {_META + "Time": gotime.RFC3339, _META + "MicroTime": gotime.RFC3339_MICRO}
# Forms whose UnmarshalJSON keeps any JSON (RawExtension, FieldsV1, apiextensions' JSON) or that
# the mock's own CRD checks read (the schema's OrBool/OrArray/OrStringArray forms).
_ANYTHING = frozenset({
    "io.k8s.apimachinery.pkg.runtime.RawExtension", "io.k8s.apimachinery.pkg.runtime.Unknown",
    _META + "FieldsV1", *(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1." + name
        for name in ("JSON", "JSONSchemaPropsOrArray", "JSONSchemaPropsOrBool",
                     "JSONSchemaPropsOrStringArray"))})


class Aborted(Exception):
    """An ``UnmarshalJSON`` failed: Go stops decoding there and answers its error."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Decoding:
    """One body's decoding: the first type error found (Go's savedError), if any. A
    ``converted`` one is apimachinery's DefaultUnstructuredConverter turning a strategic merge
    patch's result into the Go struct: it stops at its first error, in its own words."""

    __slots__ = ("error", "converted")

    def __init__(self, converted: bool = False) -> None:
        self.error: str | None = None
        self.converted = converted

    def save(self, text: str) -> None:
        if self.error is None:
            self.error = text


class GoNumber(float):
    """A JSON number that is not an integer, with its literal as written: Go's errors quote
    it (``number 1.50``, ``number 1e3``)."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> GoNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number


@lru_cache(maxsize=1)
def _structs() -> dict[str, dict[str, Node]]:
    data = files("emulator.cluster.mock.registry.data").joinpath("go-types.json").read_bytes()
    structs: dict[str, dict[str, Node]] = json.loads(data)["structs"]
    return structs


def struct(definition: str) -> Node | None:
    """The node of a built-in kind's definition (an OpenAPI name), None for one Go's types lack."""
    return definition if definition in _structs() else None


def fields(node: Node) -> dict[str, Node] | None:
    """A struct node's fields by JSON name; None for any other node."""
    return _structs().get(node) if isinstance(node, str) else None


def element(node: Node) -> Node | None:
    """A slice's element or a map's value node; None for any other node."""
    return node[2] if isinstance(node, list) else None


def struct_name(node: Node) -> str:
    """A struct's Go name, as Go's error names the struct that holds the field."""
    return str(node).rsplit(".", 1)[-1]


def go_type(node: Node) -> str:
    """A node's Go type as reflect prints it: ``v1.Container``, ``[]string``, ``int32``."""
    if isinstance(node, list):
        return str(node[1])
    if node.startswith("io."):
        return ".".join(node.rsplit(".", 2)[-2:])
    kind, _, name = node.partition(" ")
    return name or ("[]uint8" if kind == "bytes" else kind)


def enter(value: Any, node: Node, where: tuple[str, str], decoding: Decoding) -> Node | None:
    """Check ``value`` against ``node`` at ``where`` (the struct and field path Go's error would
    name). Returns the node to walk the value's contents with (a struct, slice or map the
    value matches), or None when there is nothing more to check in it. Raises Aborted."""
    if value is None:
        return None
    if decoding.converted:
        return _convert(value, node)
    if node.__class__ is str:  # the common case first: a string, a bool, a struct as it should be
        plain = _PLAIN.get(node)
        if plain is None:
            plain = _PLAIN[node] = _plain_type(node)
        if value.__class__ is plain:
            return node if plain is dict else None
    if isinstance(node, list):
        wanted: type = list if node[0] == "[]" else dict
        if isinstance(value, wanted):
            return node
        decoding.save(_mismatch(value, node, where))
        return None
    if node in _ANYTHING:
        return None
    if node in _structs():
        if isinstance(value, dict):
            return node
        decoding.save(_mismatch(value, node, where))
        return None
    if node == _QUANTITY:
        _quantity(value)
    elif node == _INT_OR_STRING:
        if not isinstance(value, str) and (problem := _scalar(value, "int32")) is not None:
            raise Aborted(_type_error(problem, "int32", where))
    elif node in _TIMES:
        if not isinstance(value, str):
            raise Aborted(_type_error(_json_name(value), "string", where))
        if (problem := gotime.parse_error(value, _TIMES[node])) is not None:
            raise Aborted(problem)
    elif isinstance(node, str) and not node.startswith("io."):
        kind = node.split(" ", 1)[0]
        if kind == "bytes" and isinstance(value, str):
            offset = base64_error(value)
            if offset is not None:
                decoding.save(messages.K8S_GO_BASE64.format(offset=offset))
        elif kind == "bytes" and isinstance(value, list):  # a slice of uint8, one by one
            for item in value:
                if item is not None and (problem := _scalar(item, "uint8")) is not None:
                    decoding.save(_type_error(problem, "uint8", where))
        elif (problem := _scalar(value, kind)) is not None:
            decoding.save(_type_error(problem, go_type(node), where))
    return None


_PLAIN: dict[str, type] = {}


def _plain_type(node: str) -> type:
    """The Python type a node takes as it is, whatever the value: dict for a struct, str for a
    string kind, bool for a bool; NoneType (no value) for the rest, which are looked into."""
    if node in _structs():
        return dict
    return {"string": str, "bool": bool}.get(node.split(" ", 1)[0], type(None))


def _convert(value: Any, node: Node) -> Node | None:
    """enter() for the unstructured converter (runtime/converter.go's fromUnstructured): a
    number is an int64 or a float64, a struct takes a map, a slice a list, a map a map; the
    types with an UnmarshalJSON get the value's JSON, without Go's field context."""
    if isinstance(node, list):
        wanted: type = list if node[0] == "[]" else dict
        if isinstance(value, wanted):
            return node
        raise Aborted(messages.K8S_CONVERT_RESTORE.format(
            what="slice" if node[0] == "[]" else "map", kind=_go_kind(value)))
    if node in _ANYTHING:
        return None
    if node in _structs():
        if isinstance(value, dict):
            return node
        raise Aborted(messages.K8S_CONVERT_STRUCT.format(kind=_go_kind(value)))
    if node == _QUANTITY or node == _INT_OR_STRING or node in _TIMES:
        enter(value, node, ("", ""), Decoding())  # no context: UnmarshalJSON of its JSON
        return None
    kind = node.split(" ", 1)[0]
    if kind == "bytes":
        if isinstance(value, str):
            offset = base64_error(value)
            if offset is not None:
                raise Aborted(messages.K8S_CONVERT_JSON.format(
                    detail=messages.K8S_GO_BASE64.format(offset=offset)))
            return None
        raise Aborted(messages.K8S_CONVERT_RESTORE.format(what="slice", kind=_go_kind(value)))
    source = _go_kind(value)
    numeric = kind in _INT_RANGES or kind == "float64"
    if (source == kind == "string" or source == kind == "bool"
            or (source == "int64" and numeric)
            or (source == "float64" and (kind == "float64" or (numeric and value.is_integer())))):
        return None  # assignable or convertible (an int64 is cut to an int32 without a word)
    if (source == "int64" and kind == "string") or (source == "float64" and numeric):
        raise Aborted(messages.K8S_CONVERT_CANNOT.format(source=source, type=go_type(node)))
    raise Aborted(messages.K8S_CONVERT_UNRECOGNIZED.format(kind=kind))


def _go_kind(value: Any) -> str:
    """The reflect kind of a decoded unstructured value (apimachinery's JSON reads whole
    numbers as int64)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int) or (isinstance(value, float) and not isinstance(value, GoNumber)
                                  and value.is_integer()):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "slice" if isinstance(value, list) else "map"


def as_bytes(value: list[Any]) -> str:
    """A []byte given as a list of numbers (which enter() took), as kube writes it back."""
    return base64.b64encode(bytes(item or 0 for item in value)).decode()


def _scalar(value: Any, kind: str) -> str | None:
    """What Go's error calls ``value`` when a ``kind`` cannot take it; None when it can."""
    if kind in _INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _json_name(value)
        low, high = _INT_RANGES[kind]
        if isinstance(value, int) and low <= value < high:
            return None
        return "number " + number_text(value)
    if kind == "float64":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None if abs(value) <= 1.7976931348623157e308 else (
                "number " + number_text(value))
        return _json_name(value)
    wanted = {"string": str, "bool": bool, "bytes": str}[kind]
    if isinstance(value, wanted) and (kind != "string" or not isinstance(value, bool)):
        return None
    return _json_name(value)


def _mismatch(value: Any, node: Node, where: tuple[str, str]) -> str:
    return _type_error(_json_name(value), go_type(node), where)


def _type_error(found: str, go: str, where: tuple[str, str]) -> str:
    struct_, field = where
    if struct_ or field:
        return messages.K8S_GO_UNMARSHAL_TYPE.format(value=found, struct=struct_, field=field,
                                                     type=go)
    return messages.K8S_GO_UNMARSHAL_VALUE.format(value=found, type=go)


def _json_name(value: Any) -> str:
    """What Go's UnmarshalTypeError calls a JSON value (a number without its literal)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def number_text(value: int | float) -> str:
    """A number as its JSON literal: as written for a GoNumber; else as Go writes a float64
    (a YAML body's ``1.5`` reaches kube as the JSON Go's YAML converter writes)."""
    if isinstance(value, GoNumber):
        return value.text
    if isinstance(value, int):
        return str(value)
    return go_number(value, json_style=True)


def _quantity(value: Any) -> None:
    """resource.Quantity's UnmarshalJSON: the JSON text, unquoted when a string, parsed."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = number_text(value)
    else:
        text = "{" if isinstance(value, dict) else "["  # what matters: not a number
    problem = quantities.parse_error(text.strip())
    if problem is not None:
        raise Aborted(problem)


def base64_error(text: str) -> int | None:
    """Where Go's base64.StdEncoding.Decode stops on ``text`` (the byte offset its
    ``illegal base64 data at input byte N`` names); None when it decodes. Go skips CR and LF
    anywhere and wants padding to a multiple of four."""
    data = text.encode()
    if len(data) % 4 == 0 and b"\r" not in data and b"\n" not in data and (
            b"=" not in data[:-2]):
        try:
            base64.b64decode(data, validate=True)
            return None
        except (binascii.Error, ValueError):
            pass
    return _base64_offset(data)


_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _base64_offset(src: bytes) -> int | None:
    """Go's decodeQuantum, quantum by quantum, for the offset of the first error."""
    at, end = 0, len(src)
    while at < end:
        got = 0
        while got < 4:
            if at == end:
                if got == 0:
                    return None
                return at - got
            char = src[at]
            at += 1
            if char in _ALPHABET:
                got += 1
                continue
            if char in (0x0A, 0x0D):
                continue
            if char != 0x3D or got < 2:  # not "=", or padding too early
                return at - 1
            if got == 2:  # "==" expected: the second "=" after any newlines
                while at < end and src[at] in (0x0A, 0x0D):
                    at += 1
                if at == end:
                    return end
                if src[at] != 0x3D:
                    return at - 1
                at += 1
            while at < end and src[at] in (0x0A, 0x0D):
                at += 1
            return at if at < end else None
    return None
