"""The protobuf messages of every built-in kind, read once from data/protobuf-messages.json.

The data is generated from upstream (tools/kubedata/protobuf_messages.py; data/NOTICE says from
which release): field numbers, names and types are the facts of k8s.io/api's and
k8s.io/apimachinery's ``generated.proto`` (and, for the served kinds defined elsewhere,
CustomResourceDefinition and APIService, of k8s.io/apiextensions-apiserver's and
k8s.io/kube-aggregator's); JSON names and the marks below are those of the Go structs' ``json``
tags, because the mock stores what the same object's JSON encoding would be.

The file holds ``kinds`` (apiVersion -> kind -> message), ``forms`` (the messages whose JSON is a
form of their own, see below) and ``messages``. A message is named as in OpenAPI
(``io.k8s.api.rbac.v1.Subject``, ``io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta``) and is
``{field number: [json name, kind]}``, its fields in Go struct order. A kind is a type, maybe
wrapped, maybe marked:

- type: ``string``, ``int`` (int32 and int64 are both varints), ``bool``, ``bytes`` (base64 in
  JSON), ``double``, or a message: by its short name when in the same package as the message that
  has the field (``PolicyRule``), else by its full name;
- ``[type]`` is a repeated field; ``{type}`` a map from string keys (on the wire, repeated entries
  ``{1: key, 2: value}``);
- ``?``: the Go field is a pointer, so a field present on the wire is written even when zero
  (``replicas: 0``, ``immutable: false``) and an absent one is left out;
- ``!``: the Go field has no ``omitempty``, so it is written even when zero or absent (the zero
  scalar; ``null`` for an absent list, map or pointer);
- no mark: ``omitempty``, so zero scalars and empty lists and maps are left out. A message that is
  not a pointer is always written, decoded from nothing when absent, because Go's encoding/json
  never omits a struct: that is why every ``metadata`` carries ``creationTimestamp: null``.

JSON name ``""`` is an embedded Go struct (``json:",inline"``) whose fields join the parent's.
The messages of ``forms`` (Time, MicroTime, IntOrString, Quantity, FieldsV1, RawExtension,
ExtraValue, a ``[]string`` in Go, and the JSON, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool and
JSONSchemaPropsOrStringArray of a CRD's schema) have JSON forms of their own, made by protobuf.py;
their fields carry the proto names and are marked ``?`` only so that it sees which ones were
present.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from importlib.resources import files
from typing import Any

DATA_PACKAGE = "emulator.cluster.mock.registry.data"
DATA_FILE = "protobuf-messages.json"

SCALARS = frozenset({"string", "int", "bool", "bytes", "double"})


class Shape(Enum):
    ONE = "one"
    LIST = "list"
    MAP = "map"


@dataclass(frozen=True)
class Field:
    json: str  # "" for an embedded struct
    type: str  # a scalar name or a message's full name
    shape: Shape
    pointer: bool
    omitempty: bool

    @property
    def is_message(self) -> bool:
        return self.type not in SCALARS


_KIND = re.compile(
    r"(?:\[(?P<list>[\w.]+)\]|\{(?P<map>[\w.]+)\}|(?P<one>[\w.]+))(?P<ptr>\?)?(?P<bang>!)?")


def parse_field(json_name: str, kind: str, package: str = "") -> Field:
    """One field as a Field, a short message name taken as one of ``package``; ValueError when
    the kind is not in the notation."""
    match = _KIND.fullmatch(kind)
    if match is None:
        raise ValueError(f"bad kind {kind!r} for {json_name!r}")
    shape = Shape.LIST if match["list"] else Shape.MAP if match["map"] else Shape.ONE
    type_name = match["list"] or match["map"] or match["one"]
    if package and type_name not in SCALARS and "." not in type_name:
        type_name = f"{package}.{type_name}"
    field = Field(json_name, type_name, shape, bool(match["ptr"]), not match["bang"])
    if field.pointer and shape is not Shape.ONE:
        raise ValueError(f"{json_name!r}: only a single field can be a pointer")
    if not json_name and not (field.is_message and shape is Shape.ONE and not field.pointer):
        raise ValueError("only a non-pointer message can be embedded")
    return field


def short_name(message: str) -> str:
    """``Container`` for ``io.k8s.api.core.v1.Container``: how refusals name a message."""
    return message.rpartition(".")[2]


def _compile(name: str, fields: Mapping[Any, Any]) -> dict[int, Field]:
    package = name.rpartition(".")[0]
    return {int(number): parse_field(json_name, kind, package)
            for number, (json_name, kind) in fields.items()}


class Schema(Mapping[str, dict[int, Field]]):
    """Message name -> {field number: Field}, each message parsed when first asked for."""

    def __init__(self, raw: Mapping[str, Mapping[Any, Any]]) -> None:
        self._raw = raw
        self._parsed: dict[str, dict[int, Field]] = {}

    @property
    def raw(self) -> Mapping[str, Mapping[Any, Any]]:
        """The messages as the data file writes them, for ``compile_table``."""
        return self._raw

    def __getitem__(self, name: str) -> dict[int, Field]:
        parsed = self._parsed.get(name)
        if parsed is None:
            parsed = self._parsed[name] = _compile(name, self._raw[name])
        return parsed

    def __contains__(self, name: object) -> bool:
        return name in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass(frozen=True)
class MessageTable:
    source: dict[str, str]  # module -> the upstream version the data was generated from
    kinds: dict[tuple[str, str], str]  # (apiVersion, kind) -> message
    forms: dict[str, str]  # message -> the name of its own JSON form
    messages: Schema

    def message_for(self, api_version: str, kind: str) -> str | None:
        """The message of a top-level kind; None for a kind the table lacks (a custom one)."""
        return self.kinds.get((api_version, kind))


def from_data(data: Mapping[str, Any]) -> MessageTable:
    kinds = {(api_version, kind): message
             for api_version, by_kind in data["kinds"].items()
             for kind, message in by_kind.items()}
    return MessageTable(dict(data["source"]), kinds, dict(data["forms"]),
                        Schema(data["messages"]))


@functools.cache
def table() -> MessageTable:
    """The packaged table, read on first use (one JSON parse; messages parsed as they are used)."""
    return from_data(json.loads((files(DATA_PACKAGE) / DATA_FILE).read_bytes()))


def compile_table(messages: Mapping[str, Mapping[Any, Any]]) -> dict[str, dict[int, Field]]:
    """Every message parsed at once, checking that every message a field refers to is defined:
    a ValueError otherwise. The packaged data is checked so by the tests."""
    schema = {name: _compile(name, fields) for name, fields in messages.items()}
    for name, fields in schema.items():
        for number, field in fields.items():
            if field.is_message and field.type not in schema:
                raise ValueError(f"{name} field {number} refers to unknown message {field.type}")
    return schema
