"""The types server-side apply walks an object with: SMD's schema atoms (scalar, list, map), made
from kube's schema of a built-in kind, from a CRD version's ``openAPIV3Schema``, or deduced from
the value when there is no schema.

What each makes of a schema follows kube-openapi's ``pkg/schemaconv`` (smd.go, openapi.go):

* a list with ``x-kubernetes-list-type`` ``atomic`` is atomic, ``set`` associative without keys,
  ``map`` associative keyed on ``x-kubernetes-list-map-keys``; without a list type, a patch
  strategy ``merge`` (or ``merge,retainKeys``) makes it associative keyed on the patch merge key
  (a set without one); anything else is atomic;
* an object with properties is a struct, granular unless ``x-kubernetes-map-type: atomic``; one
  with ``additionalProperties`` a map, likewise; ``x-kubernetes-preserve-unknown-fields`` and
  untyped nodes are deduced (maps granular, lists atomic, as SMD's ``DeducedParseableType``);
* a CRD's root ``metadata`` is the built-in ObjectMeta, as kube's CRD handler types it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from emulator.cluster.mock.registry.schema import Schema, Shape, list_meta

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

# Key fields kube's schema defaults (``// +default="TCP"`` on ContainerPort.protocol and
# ServicePort.protocol in k8s.io/api core/v1 types.go): SMD fills a missing key from the
# schema's default. The schema package the mock reads drops defaults, so they are restated here.
_BUILTIN_KEY_DEFAULTS = {"protocol": "TCP"}


class Type(Protocol):
    """A node of a schema: what SMD's ``schema.Resolve`` gives for a TypeRef."""

    def atom(self) -> Atom: ...


@dataclass(frozen=True)
class ListType:
    associative: bool  # False: atomic
    keys: tuple[str, ...]  # associative with no keys: a set of scalars
    element: Type
    key_defaults: Mapping[str, Any]


@dataclass(frozen=True)
class MapType:
    atomic: bool
    fields: Mapping[str, Type] | None  # a struct's named fields; None for a map
    element: Type  # the type of keys that are not named fields

    def field(self, name: str) -> Type:
        if self.fields is not None and name in self.fields:
            return self.fields[name]
        return self.element

    def named(self, name: str) -> bool:
        return self.fields is not None and name in self.fields


@dataclass(frozen=True)
class Atom:
    scalar: bool = False
    list: ListType | None = None
    map: MapType | None = None


class Deduced:
    """No schema: maps granular, lists atomic, anything goes (SMD's deduced type)."""

    def atom(self) -> Atom:
        return _DEDUCED_ATOM


DEDUCED = Deduced()
_DEDUCED_ATOM = Atom(scalar=True, list=ListType(False, (), DEDUCED, {}),
                     map=MapType(False, None, DEDUCED))


def _list_relationship(ext: Mapping[str, Any]) -> tuple[bool, tuple[str, ...]]:
    """kube-openapi's ``getListElementRelationship``: (associative, keys)."""
    list_type = ext.get("x-kubernetes-list-type")
    if list_type is not None:
        if list_type == "set":
            return True, ()
        if list_type == "map":
            return True, tuple(ext.get("x-kubernetes-list-map-keys") or ())
        return False, ()
    strategy = ext.get("x-kubernetes-patch-strategy")
    if strategy in ("merge", "merge,retainKeys"):
        key = ext.get("x-kubernetes-patch-merge-key")
        return True, ((key,) if isinstance(key, str) else ())
    return False, ()


class BuiltinType:
    """A field node of kube's schema of a built-in kind (``registry.schema``)."""

    def __init__(self, schema: Schema, node: Mapping[str, Any]) -> None:
        self.schema = schema
        self.node = node
        self._atom: Atom | None = None

    def atom(self) -> Atom:
        if self._atom is None:
            self._atom = self._build()
        return self._atom

    def _build(self) -> Atom:
        s, node = self.schema, self.node
        _, target = s.resolve(node)
        shape = s.shape(node)
        atomic_map = (node.get("x-kubernetes-map-type") or target.get("x-kubernetes-map-type")) == "atomic"
        if shape is Shape.OBJECT:
            fields = _LazyFields(lambda n: BuiltinType(s, n), s.properties(node))
            return Atom(map=MapType(atomic_map, fields, DEDUCED))
        if shape is Shape.MAP:
            return Atom(map=MapType(atomic_map, None, BuiltinType(s, s.values(node))))
        if shape is Shape.LIST:
            meta = list_meta(node)
            ext = {"x-kubernetes-list-type": meta.list_type, "x-kubernetes-list-map-keys": meta.map_keys,
                   "x-kubernetes-patch-strategy": ",".join(sorted(meta.patch_strategies)) or None,
                   "x-kubernetes-patch-merge-key": meta.merge_key}
            ext = {k: v for k, v in ext.items() if v is not None}
            associative, keys = _list_relationship(ext)
            defaults = {k: v for k, v in _BUILTIN_KEY_DEFAULTS.items() if k in keys}
            return Atom(list=ListType(associative, keys, BuiltinType(s, s.items(node)), defaults))
        if shape is Shape.SCALAR:
            return Atom(scalar=True)
        return _DEDUCED_ATOM


class _LazyFields(Mapping[str, Type]):
    """A struct's fields, each made into a Type when first asked for (kube's schema is large and
    one walk touches a few of its nodes)."""

    def __init__(self, make: Any, properties: Mapping[str, Any]) -> None:
        self._make = make
        self._properties = properties
        self._made: dict[str, Type] = {}

    def __getitem__(self, name: str) -> Type:
        if name not in self._made:
            self._made[name] = self._make(self._properties[name])
        return self._made[name]

    def __contains__(self, name: object) -> bool:
        return name in self._properties

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._properties)

    def __len__(self) -> int:
        return len(self._properties)


class CrdType:
    """A node of a CRD version's ``openAPIV3Schema`` (plain JSON Schema, no ``$ref``)."""

    def __init__(self, node: Mapping[str, Any], builtin: Schema | None = None,
                 root: bool = False) -> None:
        self.node = node
        self.builtin = builtin
        self.root = root
        self._atom: Atom | None = None

    def atom(self) -> Atom:
        if self._atom is None:
            self._atom = self._build()
        return self._atom

    def _child(self, node: Any) -> Type:
        return CrdType(node if isinstance(node, Mapping) else {}, self.builtin)

    def _build(self) -> Atom:
        node = self.node
        if node.get("x-kubernetes-int-or-string"):
            return Atom(scalar=True)
        kind = node.get("type")
        props = node.get("properties")
        extra = node.get("additionalProperties")
        preserve = bool(node.get("x-kubernetes-preserve-unknown-fields"))
        atomic_map = node.get("x-kubernetes-map-type") == "atomic"
        if kind == "array":
            associative, keys = _list_relationship(node)
            items = node.get("items")
            element = self._child(items)
            defaults = {}
            if isinstance(items, Mapping):
                for key in keys:
                    default = ((items.get("properties") or {}).get(key) or {}).get("default")
                    if default is not None:
                        defaults[key] = default
            return Atom(list=ListType(associative, keys, element, defaults))
        if props or node.get("x-kubernetes-embedded-resource") or self.root:
            fields: dict[str, Type] = {}
            for name, sub in (props or {}).items():
                fields[name] = self._child(sub)
            if self.root or node.get("x-kubernetes-embedded-resource"):
                # kube types a CR's (and an embedded resource's) apiVersion, kind and metadata
                # whatever the schema says of them.
                fields.setdefault("apiVersion", _SCALAR)
                fields.setdefault("kind", _SCALAR)
                if self.root and self.builtin is not None:
                    fields["metadata"] = BuiltinType(
                        self.builtin, {"$ref": "#/$defs/" + OBJECT_META})
                else:
                    fields.setdefault("metadata", DEDUCED)
            # Unknown fields (kept by x-kubernetes-preserve-unknown-fields, else pruned before
            # apply ever sees them) are deduced.
            element = self._child(extra) if isinstance(extra, Mapping) else DEDUCED
            return Atom(map=MapType(atomic_map, fields, element))
        if isinstance(extra, Mapping):
            return Atom(map=MapType(atomic_map, None, self._child(extra)))
        if kind in ("string", "integer", "number", "boolean"):
            return Atom(scalar=True)
        if kind == "object" and not preserve:
            return Atom(map=MapType(atomic_map, None, DEDUCED))
        return _DEDUCED_ATOM


class _Scalar:
    def atom(self) -> Atom:
        return Atom(scalar=True)


_SCALAR = _Scalar()


def builtin_types(schema: Schema, api_version: str, kind: str) -> Type:
    """The type of a built-in kind in one minor's schema; deduced if the minor lacks it."""
    node = schema.kind_node(api_version, kind)
    return DEDUCED if node is None else BuiltinType(schema, node)


def crd_types(open_api_v3_schema: Mapping[str, Any] | None, builtin: Schema | None = None) -> Type:
    """The type of a custom resource from its version's ``openAPIV3Schema``; ``builtin`` (the
    cluster minor's schema) types its ``metadata`` as ObjectMeta. No schema: deduced, with
    metadata still typed."""
    return CrdType(open_api_v3_schema or {"type": "object",
                                          "x-kubernetes-preserve-unknown-fields": True},
                   builtin, root=True)
