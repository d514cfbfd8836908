"""The Kubernetes API schema of one minor: every built-in type's fields, descriptions, list and
patch metadata, as kube-apiserver publishes them in its OpenAPI.

Source: the ``kubernetes-validate`` package ships, per minor from 1.25, kube's OpenAPI
definitions rewritten as JSON Schema, in
``kubernetes_validate/kubernetes-json-schema/v1.NN.0-local/_definitions.json``: ``$defs`` keyed
like ``io.k8s.api.apps.v1.Deployment``, with kube's descriptions, ``required``, the
``x-kubernetes-*`` extensions (group-version-kind, list type and map keys, patch strategy and merge
key) and ``$ref: "#/$defs/..."``. Two rewrites of that generator are undone where it matters:
types are written nullable (``["string", "null"]``; ``type_of`` gives the one type), and kinds'
``apiVersion``/``kind`` carry an ``enum`` that kube does not publish.

One ``Schema`` per minor, loaded on first use and shared by every cluster of that minor (the
document is read-only: nothing here copies or expands it). A minor outside the package's range
uses the nearest one it has.

Nodes are the document's own dicts. A *field node* is a property as written (it may be a ``$ref``
beside a description and list extensions); ``resolve`` follows its ``$ref`` to the type.
"""

from __future__ import annotations

import enum
import functools
import importlib.util
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SOURCE_PACKAGE = "kubernetes_validate"
_FOLDER = "kubernetes-json-schema"
_MINOR_FOLDER = re.compile(r"v1\.(\d+)\.0-local")
_DEFINITIONS_FILE = "_definitions.json"
REF_PREFIX = "#/$defs/"
GVK_EXTENSION = "x-kubernetes-group-version-kind"
# The minor of a caller that does not name one: the mock's default cluster version (1.30).
DEFAULT_MINOR = 30

Node = Mapping[str, Any]


class Shape(enum.Enum):
    """What a JSON value of a type looks like, for walking a body against it."""

    OBJECT = "object"  # named fields: anything else is unknown
    MAP = "map"  # any keys, every value of one type (``additionalProperties``)
    LIST = "list"  # items of one type
    FREE = "free"  # anything at all: RawExtension, FieldsV1, IntOrString, Quantity, preserved
    SCALAR = "scalar"


@dataclass(frozen=True)
class ListMeta:
    """How a list field is identified and patched (kube's list and patch extensions)."""

    list_type: str | None = None  # x-kubernetes-list-type: atomic, set or map
    map_keys: tuple[str, ...] = ()  # x-kubernetes-list-map-keys
    patch_strategies: frozenset[str] = frozenset()  # x-kubernetes-patch-strategy, split on ","
    merge_key: str | None = None  # x-kubernetes-patch-merge-key

    @property
    def merges(self) -> bool:
        """A strategic merge patch merges this list (patchStrategy ``merge``) instead of
        replacing it."""
        return "merge" in self.patch_strategies

    @property
    def replaces(self) -> bool:
        return "replace" in self.patch_strategies

    @property
    def retains_keys(self) -> bool:
        return "retainKeys" in self.patch_strategies


NO_LIST_META = ListMeta()


@dataclass(frozen=True)
class Field:
    """A field found by ``Schema.field``: its node as written and the type it resolves to."""

    path: tuple[str, ...]
    node: Node  # the property (or list item / map value) as written
    target: Node  # ``node`` with its ``$ref`` followed
    definition: str | None  # the name of the definition ``target`` is, if any

    @property
    def description(self) -> str:
        return str(self.node.get("description") or self.target.get("description") or "")

    @property
    def type(self) -> str | None:
        """The OpenAPI type: string, integer, number, boolean, object or array (None for
        IntOrString and Quantity, which may be either of two)."""
        return type_of(self.node) or type_of(self.target)

    @property
    def list_meta(self) -> ListMeta:
        return list_meta(self.node)


def type_of(node: Node) -> str | None:
    """The node's one type: ``["string", "null"]`` is ``string``."""
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if kinds else None
    return kind if isinstance(kind, str) else None


def list_meta(node: Node) -> ListMeta:
    """The list and patch extensions written on a field node."""
    strategy = node.get("x-kubernetes-patch-strategy") or ""
    if not (strategy or "x-kubernetes-list-type" in node or "x-kubernetes-patch-merge-key" in node):
        return NO_LIST_META
    return ListMeta(node.get("x-kubernetes-list-type"),
                    tuple(node.get("x-kubernetes-list-map-keys") or ()),
                    frozenset(s for s in strategy.split(",") if s),
                    node.get("x-kubernetes-patch-merge-key"))


def ref_name(ref: str) -> str:
    """``io.k8s.api.core.v1.Pod`` for ``#/$defs/io.k8s.api.core.v1.Pod``."""
    return ref.removeprefix(REF_PREFIX)


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


class Schema:
    """The definitions of one Kubernetes minor. Read-only; shared (``schema_for``)."""

    def __init__(self, minor: int, definitions: Mapping[str, Node]) -> None:
        self.minor = minor
        self.definitions = definitions
        self._by_gvk: dict[tuple[str, str, str], str] | None = None
        self._refs: dict[str, frozenset[str]] = {}

    # -- definitions by name and by kind ----------------------------------------------------------

    def definition(self, name: str) -> Node | None:
        return self.definitions.get(name)

    def gvks(self, name: str) -> list[tuple[str, str, str]]:
        """The (group, version, kind)s a definition is published as."""
        node = self.definitions.get(name) or {}
        return [(g.get("group", ""), g.get("version", ""), g.get("kind", ""))
                for g in node.get(GVK_EXTENSION) or ()]

    def definition_name(self, api_version: str, kind: str) -> str | None:
        """``io.k8s.api.apps.v1.Deployment`` for ("apps/v1", "Deployment"), found by the
        definitions' ``x-kubernetes-group-version-kind``; None if this minor has no such kind."""
        group, version = split_api_version(api_version)
        return self._gvk_index().get((group, version, kind))

    def definition_for_kind(self, kind: str, api_version: str | None = None) -> str | None:
        """The definition of ``kind`` in ``api_version``; without one, of the kind's most
        stable version (core before named groups): for a body that does not say."""
        if api_version:
            return self.definition_name(api_version, kind)
        found = [(gvk, name) for gvk, name in self._gvk_index().items() if gvk[2] == kind]
        if not found:
            return None
        return min(found, key=lambda item: (_version_rank(item[0][1]), item[0][0] != "",
                                             item[0][0]))[1]

    def _gvk_index(self) -> dict[tuple[str, str, str], str]:
        if self._by_gvk is None:
            index: dict[tuple[str, str, str], str] = {}
            for name in self.definitions:
                for gvk in self.gvks(name):
                    index.setdefault(gvk, name)
            self._by_gvk = index
        return self._by_gvk

    # -- nodes -----------------------------------------------------------------------------------

    def resolve(self, node: Node | str) -> tuple[str | None, Node]:
        """Follow a ``$ref`` (a node carrying one, or the reference string itself) to the
        definition: (its name, its node). A node without one is its own type: (None, node).
        A dangling reference resolves to an empty node, which accepts anything."""
        name: str | None = None
        seen = 0
        while True:
            ref = node if isinstance(node, str) else node.get("$ref")
            if not isinstance(ref, str):
                assert not isinstance(node, str)
                return name, node
            name = ref_name(ref)
            node = self.definitions.get(name, {})
            seen += 1
            if seen > 32:  # a reference loop: no such thing in kube's schema
                return name, {}

    def shape(self, node: Node) -> Shape:
        """What a value of this (field) node's type looks like."""
        _, target = self.resolve(node)
        if target.get("x-kubernetes-preserve-unknown-fields") or node.get(
                "x-kubernetes-preserve-unknown-fields"):
            return Shape.FREE
        kind = type_of(target)
        if "properties" in target:
            return Shape.OBJECT
        if kind == "array":
            return Shape.LIST if isinstance(target.get("items"), Mapping) else Shape.FREE
        extra = target.get("additionalProperties")
        if isinstance(extra, Mapping):
            return Shape.MAP
        if kind in ("string", "integer", "number", "boolean"):
            return Shape.SCALAR
        # An object without fields (RawExtension, FieldsV1, JSON), additionalProperties: true,
        # or one of several types (IntOrString, Quantity).
        return Shape.FREE

    def properties(self, node: Node) -> Mapping[str, Node]:
        """The named fields of an OBJECT node's type."""
        _, target = self.resolve(node)
        return target.get("properties") or {}

    def property(self, node: Node, name: str) -> Node | None:
        return self.properties(node).get(name)

    def items(self, node: Node) -> Node:
        """The item node of a LIST node's type."""
        _, target = self.resolve(node)
        items = target.get("items")
        return items if isinstance(items, Mapping) else {}

    def values(self, node: Node) -> Node:
        """The value node of a MAP node's type."""
        _, target = self.resolve(node)
        extra = target.get("additionalProperties")
        return extra if isinstance(extra, Mapping) else {}

    # -- fields by path --------------------------------------------------------------------------

    def kind_node(self, api_version: str, kind: str) -> Node | None:
        """A field node standing for a whole object of the kind (a reference to its
        definition), the start of every walk; None if this minor lacks the kind."""
        name = self.definition_name(api_version, kind)
        return None if name is None else {"$ref": REF_PREFIX + name}

    def field(self, api_version: str, kind: str, path: str | Iterable[str]) -> Field | None:
        """The field at ``path`` of a kind, as ``kubectl explain`` names it:
        ``spec.template.spec.containers.image`` (lists are stepped through; ``[0]`` is also
        accepted). None if the kind or a step of the path does not exist."""
        root = self.kind_node(api_version, kind)
        return None if root is None else self.walk(root, path)

    def walk(self, node: Node, path: str | Iterable[str]) -> Field | None:
        steps = _steps(path)
        current: Node = node
        for step in steps:
            while self.shape(current) is Shape.LIST:
                current = self.items(current)
            if self.shape(current) is Shape.MAP and step not in self.properties(current):
                current = self.values(current)
                continue
            found = self.property(current, step)
            if found is None:
                return None
            current = found
        name, target = self.resolve(current)
        return Field(steps, current, target, name)

    # -- reachability ----------------------------------------------------------------------------

    def references(self, name: str) -> frozenset[str]:
        """The definitions one definition refers to directly."""
        if name not in self._refs:
            found: set[str] = set()
            _collect_refs(self.definitions.get(name, {}), found)
            self._refs[name] = frozenset(found)
        return self._refs[name]

    def closure(self, names: Iterable[str]) -> list[str]:
        """``names`` and every definition they refer to, transitively, sorted."""
        seen: set[str] = set()
        pending = [n for n in names if n in self.definitions]
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            pending.extend(r for r in self.references(name)
                           if r not in seen and r in self.definitions)
        return sorted(seen)


def _collect_refs(node: Any, found: set[str]) -> None:
    """The references of a schema node and of the nodes inside it (fields, items, values,
    alternatives); extensions and property names are not nodes."""
    if not isinstance(node, Mapping):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        found.add(ref_name(ref))
    for key in ("items", "additionalProperties"):
        _collect_refs(node.get(key), found)
    for key in ("allOf", "anyOf", "oneOf"):
        for part in node.get(key) or ():
            _collect_refs(part, found)
    for field in (node.get("properties") or {}).values():
        _collect_refs(field, found)


def _steps(path: str | Iterable[str]) -> tuple[str, ...]:
    parts = path.split(".") if isinstance(path, str) else list(path)
    return tuple(re.sub(r"\[[^\]]*\]$", "", p) for p in parts if p)


def _version_rank(version: str) -> tuple[int, int, int]:
    """v1 < v2 < v1beta1 < v1alpha1, as kube orders versions by stability."""
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not match:
        return (3, 0, 0)
    stability = {"": 0, "beta": 1, "alpha": 2}[match.group(2) or ""]
    return (stability, -int(match.group(1)), -int(match.group(3) or 0))


# -- one schema per minor ------------------------------------------------------------------------

_SCHEMAS: dict[tuple[int, bool], Schema] = {}
_LOCK = threading.Lock()


@functools.cache
def _folder() -> Path:
    """The package's schema folder, found without importing the package (which would import
    jsonschema, some 60 ms, for nothing the mock uses)."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{SOURCE_PACKAGE} is not installed", name=SOURCE_PACKAGE)
    return Path(next(iter(spec.submodule_search_locations))) / _FOLDER


@functools.cache
def available_minors() -> tuple[int, ...]:
    """The minors the package has schemas for, ascending (25 … 37 in kubernetes-validate 1.37)."""
    minors = {int(m.group(1)) for entry in _folder().iterdir()
              if (m := _MINOR_FOLDER.fullmatch(entry.name))}
    return tuple(sorted(minors))


def nearest_minor(minor: int) -> int:
    """``minor`` if the package has it, else the closest one it has (older minors clamp up to
    the oldest, newer ones down to the newest)."""
    have = available_minors()
    return min(have, key=lambda m: (abs(m - minor), m))


def schema_for(minor: int, *, documented: bool = False) -> Schema:
    """The schema of Kubernetes 1.``minor``, loaded once per process, minor and form.

    Validation and patching never read descriptions, which are half the document, so the plain
    form leaves them out and a world's clusters stay small; OpenAPI (``kubectl explain``) asks
    for the ``documented`` form, loaded the first time a client wants it."""
    minor = nearest_minor(minor)
    found = _SCHEMAS.get((minor, documented))
    if found is not None:
        return found
    with _LOCK:
        if (minor, documented) not in _SCHEMAS:
            path = _folder() / f"v1.{minor}.0-local" / _DEFINITIONS_FILE
            hook = None if documented else _without_description
            document = json.loads(path.read_bytes(), object_hook=hook)
            _SCHEMAS[(minor, documented)] = Schema(minor, _shared(document["$defs"], documented))
        return _SCHEMAS[(minor, documented)]


# Definitions already loaded, by (form, name): most definitions are the same in neighbouring
# minors, and a world's clusters are of several (quickstart: 1.29, 1.30, 1.31).
_LOADED: dict[tuple[bool, str], list[Node]] = {}


def _shared(definitions: dict[str, Node], documented: bool) -> dict[str, Node]:
    """``definitions``, each replaced by an equal one another minor loaded before, if any, so a
    second minor costs only what changed."""
    for name, node in definitions.items():
        earlier = _LOADED.setdefault((documented, name), [])
        same = next((e for e in earlier if e == node), None)
        if same is None:
            earlier.append(node)
        else:
            definitions[name] = same
    return definitions


def _without_description(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node without its prose. Only a text is dropped: a field that is itself named
    "description" (PriorityClass's, a CRD schema's) is an object under ``properties`` and stays."""
    if isinstance(node.get("description"), str):
        del node["description"]
    return node
