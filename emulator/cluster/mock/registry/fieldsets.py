"""Field sets: which fields of an object a manager owns, as sigs.k8s.io/structured-merge-diff
(SMD) ``fieldpath`` models them, and their ``FieldsV1`` JSON form (``metadata.managedFields``).

A path is a tuple of path elements; an element is a field name (``f:spec``), the key of an item
of an associative list (``k:{"name":"nginx"}``), the value of an item of a set
(``v:"finalizer"``) or an index (``i:0``). A ``FieldSet`` is a trie: ``members`` are the paths
that end here, ``children`` the sets under an element. Elements order as SMD's
``PathElement.Compare`` does (field < key < value < index; values: numbers < strings < bools <
lists < maps < null), which is the order ``FieldsV1`` is written in, so a set read from kube's
bytes and written again gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from emulator.cluster.mock.wire import gojson

FIELD, KEY, VALUE, INDEX = 0, 1, 2, 3

# Value ranks, in SMD's value.Compare order.
_NUMBER, _STRING, _BOOL, _LIST, _MAP, _NULL = range(6)

Frozen = tuple  # a JSON value in comparable, hashable form: (rank, payload)


def freeze(value: Any) -> Frozen:
    """A JSON value as a hashable tuple that sorts like SMD's ``value.Compare`` and is equal
    exactly when SMD's ``value.Equals`` is (``True`` is never ``1``, ``1`` is ``1.0``)."""
    if value is None:
        return (_NULL,)
    if isinstance(value, bool):
        return (_BOOL, value)
    if isinstance(value, (int, float)):
        return (_NUMBER, value)
    if isinstance(value, str):
        return (_STRING, value)
    if isinstance(value, list):
        return (_LIST, tuple(freeze(v) for v in value))
    if isinstance(value, Mapping):
        return (_MAP, tuple(sorted((k, freeze(v)) for k, v in value.items())))
    raise TypeError(f"not a JSON value: {value!r}")


def thaw(frozen: Frozen) -> Any:
    rank = frozen[0]
    if rank == _NULL:
        return None
    if rank == _LIST:
        return [thaw(v) for v in frozen[1]]
    if rank == _MAP:
        return {k: thaw(v) for k, v in frozen[1]}
    return frozen[1]


def _go_json(value: Any) -> str:
    """``value`` as SMD writes it inside a key (jsoniter, standard-library compatible: compact,
    HTML-escaped)."""
    return gojson.encode(value)[:-1].decode("utf-8")


def _go_value_string(frozen: Frozen) -> str:
    """SMD's ``value.ToString``: strings quoted (Go ``%q``), other scalars bare."""
    rank = frozen[0]
    if rank == _NULL:
        return "null"
    if rank == _STRING:
        return json.dumps(frozen[1], ensure_ascii=False)
    if rank == _BOOL:
        return "true" if frozen[1] else "false"
    if rank == _NUMBER:
        number = frozen[1]
        return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)
    if rank == _LIST:
        return "[" + ",".join(_go_value_string(v) for v in frozen[1]) + "]"
    return "".join(f"{k}={_go_value_string(v)}" for k, v in frozen[1])


class PathElement(NamedTuple):
    """One step of a path. A plain tuple (kind, payload), so that tuple order is SMD's order:
    the payload of a key is ((name, frozen value), ...) sorted by name."""

    kind: int
    payload: Any

    @classmethod
    def field(cls, name: str) -> PathElement:
        return cls(FIELD, name)

    @classmethod
    def key(cls, fields: Mapping[str, Any]) -> PathElement:
        return cls(KEY, tuple(sorted((k, freeze(v)) for k, v in fields.items())))

    @classmethod
    def value(cls, value: Any) -> PathElement:
        return cls(VALUE, freeze(value))

    @classmethod
    def index(cls, index: int) -> PathElement:
        return cls(INDEX, index)

    def serialize(self) -> str:
        """The element as a ``FieldsV1`` key (SMD's ``SerializePathElement``)."""
        if self.kind == FIELD:
            return "f:" + self.payload
        if self.kind == KEY:
            return "k:" + _go_json({name: thaw(v) for name, v in self.payload})
        if self.kind == VALUE:
            return "v:" + _go_json(thaw(self.payload))
        return f"i:{self.payload}"

    def render(self) -> str:
        """The element as SMD's ``PathElement.String`` writes it in conflict messages."""
        if self.kind == FIELD:
            return "." + self.payload
        if self.kind == KEY:
            return "[" + ",".join(f"{n}={_go_value_string(v)}" for n, v in self.payload) + "]"
        if self.kind == VALUE:
            return f"[={_go_value_string(self.payload)}]"
        return f"[{self.payload}]"


Path = tuple[PathElement, ...]


def render_path(path: Path) -> str:
    """``.spec.containers[name="nginx"].image``, as conflict messages name a field."""
    return "".join(element.render() for element in path)


def make_path(*names: str) -> Path:
    return tuple(PathElement.field(n) for n in names)


class UnknownPathElement(ValueError):
    """A ``FieldsV1`` key of no known kind: SMD skips it."""


def parse_path_element(text: str) -> PathElement:
    """SMD's ``DeserializePathElement``."""
    if len(text) < 2:
        raise ValueError("key must be 2 characters long:")
    if text[1] != ":":
        raise ValueError(f"missing colon: {text}")
    kind, rest = text[0], text[2:]
    if kind == "f":
        return PathElement.field(rest)
    if kind == "v":
        return PathElement.value(json.loads(rest))
    if kind == "k":
        fields = json.loads(rest)
        if not isinstance(fields, dict):
            raise ValueError(f"key is not an object: {text}")
        return PathElement.key(fields)
    if kind == "i":
        return PathElement.index(int(rest))
    raise UnknownPathElement(text)


@dataclass
class FieldSet:
    """A set of paths (SMD's ``fieldpath.Set``). Never holds empty children."""

    members: set[PathElement] = field(default_factory=set)
    children: dict[PathElement, FieldSet] = field(default_factory=dict)

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def of(cls, paths: Iterable[Path]) -> FieldSet:
        out = cls()
        for path in paths:
            out.insert(path)
        return out

    def insert(self, path: Path) -> None:
        """Add one path; its parents are not added. The empty path (the whole object) is never
        tracked, as in SMD."""
        if not path:
            return
        node = self
        for element in path[:-1]:
            node = node.children.setdefault(element, FieldSet())
        node.members.add(path[-1])

    def copy(self) -> FieldSet:
        return FieldSet(set(self.members), {pe: c.copy() for pe, c in self.children.items()})

    # -- questions -------------------------------------------------------------------------------

    def empty(self) -> bool:
        return not self.members and all(c.empty() for c in self.children.values())

    def has(self, path: Path) -> bool:
        if not path:
            return False
        node = self
        for element in path[:-1]:
            child = node.children.get(element)
            if child is None:
                return False
            node = child
        return path[-1] in node.members

    def with_prefix(self, element: PathElement) -> FieldSet:
        return self.children.get(element) or FieldSet()

    def paths(self, prefix: Path = ()) -> Iterator[Path]:
        """Every path, in SMD's iteration order (members of a node, then its children)."""
        for element in sorted(self.members):
            yield prefix + (element,)
        for element in sorted(self.children):
            yield from self.children[element].paths(prefix + (element,))

    def __len__(self) -> int:
        return len(self.members) + sum(len(c) for c in self.children.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSet):
            return NotImplemented
        return (self.members == other.members
                and self._nonempty_children() == other._nonempty_children())

    def _nonempty_children(self) -> dict[PathElement, FieldSet]:
        return {pe: c for pe, c in self.children.items() if not c.empty()}

    # -- algebra ---------------------------------------------------------------------------------

    def union(self, other: FieldSet) -> FieldSet:
        children = {pe: c.copy() for pe, c in self.children.items()}
        for pe, c in other.children.items():
            children[pe] = children[pe].union(c) if pe in children else c.copy()
        return FieldSet(self.members | other.members, children)

    def intersection(self, other: FieldSet) -> FieldSet:
        children = {}
        for pe, c in self.children.items():
            if pe in other.children:
                common = c.intersection(other.children[pe])
                if not common.empty():
                    children[pe] = common
        return FieldSet(self.members & other.members, children)

    def difference(self, other: FieldSet) -> FieldSet:
        """Paths of ``self`` not in ``other``; a member of ``other`` does not remove the
        children under it (SMD's ``Difference``)."""
        children = {}
        for pe, c in self.children.items():
            rest = c.difference(other.children[pe]) if pe in other.children else c.copy()
            if not rest.empty():
                children[pe] = rest
        return FieldSet(self.members - other.members, children)

    def recursive_difference(self, other: FieldSet) -> FieldSet:
        """Like ``difference``, but a member of ``other`` also removes everything under it
        (SMD's ``RecursiveDifference``: how ignored and reset fields are left out)."""
        children = {}
        for pe, c in self.children.items():
            if pe in other.members:
                continue
            rest = c.recursive_difference(other.children[pe]) if pe in other.children else c.copy()
            if not rest.empty():
                children[pe] = rest
        return FieldSet(self.members - other.members, children)


# -- FieldsV1 ------------------------------------------------------------------------------------


def to_fields_v1(fields: FieldSet) -> dict[str, Any]:
    """The set as kube writes ``fieldsV1`` (SMD's ``Set.ToJSON``): elements in order, a member
    as ``{}``, a node that is both a member and a parent with ``".": {}`` first."""
    return _emit(fields, include_self=False)


def _emit(node: FieldSet, include_self: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    children = {pe: c for pe, c in node.children.items() if not c.empty()}
    if include_self and (node.members or children):
        out["."] = {}
    for element in sorted(node.members | children.keys()):
        child = children.get(element)
        if child is None:
            out[element.serialize()] = {}
        else:
            out[element.serialize()] = _emit(child, include_self=element in node.members)
    return out


def from_fields_v1(fields: Mapping[str, Any]) -> FieldSet:
    """A ``fieldsV1`` object as a set (SMD's ``Set.FromJSON``): keys of unknown kinds are
    skipped; a malformed key raises ValueError."""
    if not isinstance(fields, Mapping):
        raise ValueError("fieldsV1 must be a JSON object")
    found, _ = _read(fields)
    return found or FieldSet()


def _read(node: Any) -> tuple[FieldSet | None, bool]:
    if not isinstance(node, Mapping):
        raise ValueError("fieldsV1 entries must be JSON objects")
    children: FieldSet | None = None
    is_member = False
    for key, value in node.items():
        if key == ".":
            is_member = True
            continue
        try:
            element = parse_path_element(key)
        except UnknownPathElement:
            continue
        grandchildren, child_is_member = _read(value)
        if child_is_member:
            children = children or FieldSet()
            children.members.add(element)
        if grandchildren is not None:
            children = children or FieldSet()
            if element in children.children:
                children.children[element] = children.children[element].union(grandchildren)
            else:
                children.children[element] = grandchildren
    if children is None:
        is_member = True
    return children, is_member
