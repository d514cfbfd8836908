"""Server-side field validation: what kube-apiserver does with fields a kind does not have.

kube decodes every written object into its kind's Go struct, and a struct keeps only its own
fields: a typo (``imagePullPolcy``) or a field of another release is dropped, whatever the client
asks. The ``fieldValidation`` parameter decides what the client hears about it:

- ``Strict`` (``kubectl apply``, ``create`` and ``replace`` send it): the request fails;
- ``Warn``, also when the parameter is absent: it succeeds with one ``Warning`` header per field,
  which kubectl prints as ``Warning: unknown field "spec.foo"``;
- ``Ignore``: it succeeds silently.

Duplicate keys in a JSON body count the same way (``duplicate field``). Paths, wording and order
are sigs.k8s.io/json's: ``spec.containers[0].foo``, map keys joined with dots, in document order,
each once, at most 100.

A kind's fields are those of kube's published schema for the cluster's minor (schema.py), at any
depth: inside lists and maps of objects too. What a Go struct holds as raw JSON or as one of two
types is free-form and never looked into: objects without fields (RawExtension, FieldsV1),
``x-kubernetes-preserve-unknown-fields``, IntOrString and Quantity. A kind the minor's schema
lacks is kept as sent, only its duplicate keys reported.

The same walk checks each value against its Go type (godecode.py): a value Go's decoder would
refuse is the body's decode error, which no ``fieldValidation`` lets through.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from emulator import limits, messages
from emulator.cluster.mock.registry import godecode
from emulator.cluster.mock.registry import schema as kube_schema
from emulator.cluster.mock.registry.godecode import Node as GoNode
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.schema import Node, Schema, Shape
from emulator.cluster.mock.wire.status import KubeError

STRICT, WARN, IGNORE = "Strict", "Warn", "Ignore"
_MAX_PROBLEMS = 100  # sigs.k8s.io/json stops collecting there

class JSONObject(dict[str, Any]):
    """A decoded JSON object that also keeps its keys as written, duplicates included. As a dict
    the last value of a key wins, as in Go."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


def parse_json(raw: bytes | str) -> Any:
    """JSON as Go reads it: no NaN or Infinity (Python's json takes them, and reads 1e999 as
    infinity). Its objects are ``JSONObject``s, so duplicate keys are remembered, not lost. A body
    nested deeper than the emulator's limit is a ValueError (``limits.TooDeep``) before any
    recursion: every later walk of the body is then safe."""
    return limits.json_loads(raw, object_pairs_hook=JSONObject, parse_constant=_reject_constant,
                             parse_float=_finite_float)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid literal {name}")


def _finite_float(text: str) -> float:
    value = godecode.GoNumber(text)  # the literal kept: Go's type errors quote it
    if not math.isfinite(value):
        raise ValueError(messages.K8S_NUMBER_OUT_OF_RANGE.format(number=text))
    return value


@dataclass(frozen=True)
class Checked:
    obj: dict[str, Any]  # what the Go struct keeps: the body without its unknown fields
    problems: tuple[str, ...]  # 'unknown field "spec.foo"', 'duplicate field "a"', in order
    # Go's error decoding it (a value of the wrong type, godecode.py), which no fieldValidation
    # lets through; when set, ``obj`` may be incomplete.
    decode_error: str | None = None


def check(body: dict[str, Any], kind: str, *, api_version: str | None = None,
          minor: int | None = None, go_types: bool = True, converted: bool = False) -> Checked:
    """The body decoded as ``kind`` of ``api_version`` (by default the body's own) would be by
    Kubernetes 1.``minor`` (by default ``schema.DEFAULT_MINOR``); without ``go_types``, its
    values' types are not checked (an apply configuration is not decoded into Go types);
    ``converted``, they are as kube's unstructured converter checks a strategic merge patch's
    result (godecode.Decoding)."""
    schema = kube_schema.schema_for(kube_schema.DEFAULT_MINOR if minor is None else minor)
    if api_version is None and isinstance(body.get("apiVersion"), str):
        api_version = body["apiVersion"]
    name = schema.definition_for_kind(kind, api_version)
    problems: list[str] = []
    if name is None:  # a kind this minor does not publish: nothing to know its fields by
        _schemaless(body, "", problems)
        return Checked(clone(body), _distinct(problems))
    go = godecode.struct(name) if go_types else None
    decoding = godecode.Decoding(converted)
    try:
        obj = _value(body, {"$ref": kube_schema.REF_PREFIX + name}, "", problems, schema, go,
                     ("", ""), decoding)
    except godecode.Aborted as stop:
        return Checked({}, _distinct(problems), stop.text)
    return Checked(obj, _distinct(problems), decoding.error)


def duplicates(value: Any) -> tuple[str, ...]:
    """Duplicate keys anywhere in a schemaless JSON value (a merge or strategic patch body)."""
    problems: list[str] = []
    _schemaless(value, "", problems)
    return _distinct(problems)


def json_patch_problems(operations: Any) -> tuple[str, ...]:
    """A JSON patch's operations decoded strictly: each has op, path, from and value only."""
    problems: list[str] = []
    if isinstance(operations, list):
        for index, operation in enumerate(operations):
            if not isinstance(operation, dict):
                continue
            seen: set[str] = set()
            for key, _ in _pairs(operation):
                here = f"[{index}].{key}"
                if key not in ("op", "path", "from", "value"):
                    problems.append(messages.K8S_UNKNOWN_FIELD.format(path=go_quote(here)))
                elif key in seen:
                    problems.append(messages.K8S_DUPLICATE_FIELD.format(path=go_quote(here)))
                seen.add(key)
    return tuple(messages.K8S_JSON_PATCH_PROBLEM.format(problem=p) for p in _distinct(problems))


def settle(problems: Iterable[str], directive: str, warnings: list[str] | None,
           failure: Callable[[str], KubeError]) -> None:
    """Act on the problems as the directive says: raise ``failure(strict decoding message)``,
    add them to the request's warnings (if it collects any), or say nothing."""
    found = tuple(problems)
    if not found or directive == IGNORE:
        return
    if directive == STRICT:
        raise failure(messages.K8S_STRICT_DECODING.format(problems=", ".join(found)))
    if warnings is not None:
        warnings.extend(found)


def cannot_handle(kind: str, version: str, want: str) -> Callable[[str], KubeError]:
    """The failure a strict create, update or apply body gets: kube's transformDecodeError, "<kind>
    in version "<version>" cannot be handled as a <want>: <detail>"."""
    return lambda detail: KubeError(400, messages.K8S_CANNOT_HANDLE.format(
        kind=kind, version=version, want=want, detail=detail))


def invalid_patch(shown: str, detail: str) -> KubeError:
    """kube's answer to a patch whose result cannot be decoded: 422, an invalid ``patch`` field
    whose value is ``shown`` (the patch or its result, as Go prints it), Go-quoted."""
    value = go_quote(shown)
    return KubeError(422, messages.K8S_INVALID_VALUE.format(
        kind="", name="", field="patch", value=value, detail=detail), details={"causes": [
            {"reason": "FieldValueInvalid", "message": f"Invalid value: {value}: {detail}",
             "field": "patch"}]})


def warning_headers(warnings: Iterable[str]) -> list[tuple[str, str]]:
    """RFC 7234 Warning headers as kube-apiserver writes them: code 299, agent ``-``."""
    return [("warning", f"299 - {go_quote(text)}") for text in dict.fromkeys(warnings)]


def go_json(value: Any) -> str:
    """A JSON value as Go's encoding/json writes a map: keys sorted, no spaces, and <, >, &,
    U+2028 and U+2029 escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def go_value(value: Any) -> str:
    """A decoded JSON value as Go's ``%+v`` prints it (kube quotes a patch this way)."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_value(item) for item in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v", '"': '\\"', "\\": "\\\\"}


def go_quote(text: str) -> str:
    """Go's strconv.Quote: printable characters as they are, the rest escaped."""
    out = []
    for char in text:
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


# -- the walk ------------------------------------------------------------------------------------


def _pairs(value: dict[str, Any]) -> list[tuple[str, Any]]:
    return value.pairs if isinstance(value, JSONObject) else list(value.items())


def _value(value: Any, node: Node, path: str, problems: list[str], schema: Schema,
           go: GoNode | None = None, where: tuple[str, str] = ("", ""),
           decoding: godecode.Decoding | None = None) -> Any:
    """``value`` as a field of type ``node`` decodes: unknown fields dropped (and reported) at
    any depth. With ``go``, the field's Go type (godecode.py), a value Go would not take is
    noted in ``decoding`` (or raises godecode.Aborted); ``where`` names the struct and the
    field path Go's error would. A value of the wrong JSON type is kept as it is."""
    if go is not None and decoding is not None:
        if go == "bytes" and isinstance(value, list):
            godecode.enter(value, go, where, decoding)
            return godecode.as_bytes(value) if decoding.error is None else clone(value)
        go = godecode.enter(value, go, where, decoding)
    shape = schema.shape(node)
    if shape is Shape.OBJECT and isinstance(value, dict):
        return _object(value, node, path, problems, schema, go, where, decoding)
    if shape is Shape.LIST and isinstance(value, list):
        item, go_item = schema.items(node), godecode.element(go)
        return [_value(v, item, f"{path}[{index}]", problems, schema, go_item, where, decoding)
                for index, v in enumerate(value)]
    if shape is Shape.MAP and isinstance(value, dict):
        item, go_item = schema.values(node), godecode.element(go)
        out: dict[str, Any] = {}
        seen: set[str] = set()
        for key, v in _pairs(value):
            here = f"{path}.{key}" if path else key
            if key in seen:
                problems.append(messages.K8S_DUPLICATE_FIELD.format(path=go_quote(here)))
            seen.add(key)
            out[key] = _value(v, item, here, problems, schema, go_item, where, decoding)
        return out
    return clone(value)  # a scalar, a free-form value, or the wrong JSON type


def _object(value: dict[str, Any], node: Node, path: str, problems: list[str],
            schema: Schema, go: GoNode | None = None, where: tuple[str, str] = ("", ""),
            decoding: godecode.Decoding | None = None) -> dict[str, Any]:
    fields = schema.properties(node)
    go_fields = godecode.fields(go)
    go_values = godecode.element(go)  # a Go map the schema walks as an object
    struct = godecode.struct_name(go) if go_fields is not None else where[0]
    out: dict[str, Any] = {}
    seen: set[str] = set()
    for key, item in _pairs(value):
        here = f"{path}.{key}" if path else key
        field = fields.get(key)
        if field is None:
            problems.append(messages.K8S_UNKNOWN_FIELD.format(path=go_quote(here)))
            continue
        if key in seen:
            problems.append(messages.K8S_DUPLICATE_FIELD.format(path=go_quote(here)))
        seen.add(key)
        if go_fields is not None:
            go_item = go_fields.get(key)
            inner = (struct, f"{where[1]}.{key}" if where[1] else key)
        else:
            go_item, inner = go_values, where
        out[key] = _value(item, field, here, problems, schema, go_item, inner, decoding)
    return out


def _schemaless(value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _schemaless(item, f"{path}[{index}]", problems)
    elif isinstance(value, dict):
        seen: set[str] = set()
        for key, item in _pairs(value):
            here = f"{path}.{key}" if path else key
            if key in seen:
                problems.append(messages.K8S_DUPLICATE_FIELD.format(path=go_quote(here)))
            seen.add(key)
            _schemaless(item, here, problems)


def _distinct(problems: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(problems))[:_MAX_PROBLEMS]
