"""SMD's typed operations on JSON objects: the field set of an object, the comparison of two, the
merge of an applied configuration into a live object, and the removal of a set of fields.

Each follows sigs.k8s.io/structured-merge-diff ``typed/`` (tofieldset.go, compare.go, merge.go,
remove.go) rule for rule, including its quirks: an empty or null value on both sides is a leaf
(so the empty/null distinction survives), a granular map or list that appears or disappears is
itself added or removed (the ``".": {}`` of managedFields), an empty granular list under a named
field is owned by nobody, duplicate keys in a live list are compared as a whole.

Values are the mock's JSON (dicts, lists, scalars); ``MISSING`` is SMD's nil (no value at
all), which is not ``None`` (a JSON null).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from emulator.cluster.mock.registry.applytypes import Atom, ListType, MapType, Type
from emulator.cluster.mock.registry.fieldsets import FieldSet, Path, PathElement, freeze


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class SchemaMismatch(ValueError):
    """An object SMD cannot type (a list item without its key, duplicate keys in an applied
    list): kube answers with SMD's message."""


class _NoType:
    def atom(self) -> Atom:
        return Atom()


_NO_TYPE = _NoType()


# Scalars of one of these types are equal for SMD exactly when Python says so (a bool is only
# ever equal to a bool, and two values of one type need no 1 == 1.0 care).
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def json_equal(a: Any, b: Any) -> bool:
    """SMD's value.Equals: ``1 == 1.0`` but ``True != 1``."""
    kind = type(a)
    if kind is type(b) and kind in _PLAIN_SCALARS:
        return a is b or bool(a == b)  # most leaves: no frozen copies (a NaN is itself too)
    return freeze(a) == freeze(b)


# Path elements of field names, made once: the same few hundred names (a kind's fields, the
# usual label keys) come back on every write. User data brings names without end (a
# ConfigMap's keys), so only so many are kept.
_FIELD_ELEMENTS: dict[str, PathElement] = {}
_FIELD_ELEMENTS_KEPT = 4096


def _field_element(name: str) -> PathElement:
    element = _FIELD_ELEMENTS.get(name)
    if element is None:
        element = PathElement.field(name)
        if len(_FIELD_ELEMENTS) < _FIELD_ELEMENTS_KEPT:
            _FIELD_ELEMENTS[name] = element
    return element


def _form(value: Any) -> str | None:
    """"map", "list" or "scalar"; None for no value or null (which take the other side's)."""
    if value is MISSING or value is None:
        return None
    if isinstance(value, dict):
        return "map"
    return "list" if isinstance(value, list) else "scalar"


def _container(typ: Type, *values: Any) -> MapType | ListType | None:
    """The map or list type the present values are walked as, or None for a leaf. A null on
    one side takes the other's form; values of different forms, or of a form the schema does
    not have, are compared whole."""
    kind: str | None = None
    for value in values:
        form = _form(value)
        if form is None:
            continue
        if kind is not None and form != kind:
            return None
        kind = form
    if kind is None or kind == "scalar":
        return None
    atom = typ.atom()
    return atom.map if kind == "map" else atom.list


def _is_empty(value: Any) -> bool:
    return value is MISSING or value is None or (isinstance(value, (dict, list)) and not value)


def _go_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def item_element(list_type: ListType, item: Any) -> PathElement:
    """The path element of an item of an associative list (SMD's listItemToPathElement)."""
    if not list_type.keys:
        if isinstance(item, dict):
            raise SchemaMismatch("associative list without keys has an element that's a map type")
        if isinstance(item, list):
            raise SchemaMismatch("associative list without keys has an element that's a list type")
        return PathElement.value(item)
    if item is None:
        raise SchemaMismatch("associative list with keys may not have a null element")
    if not isinstance(item, dict):
        raise SchemaMismatch("associative list with keys may not have non-map elements")
    key: dict[str, Any] = {}
    for name in list_type.keys:
        if name in item:
            key[name] = item[name]
        elif name in list_type.key_defaults:
            key[name] = list_type.key_defaults[name]
        else:
            raise SchemaMismatch(f"associative list with keys has an element that omits key field "
                                 f"{_go_quote(name)} (and doesn't have default value)")
    return PathElement.key(key)


# -- ToFieldSet ----------------------------------------------------------------------------------


def to_field_set(value: Any, typ: Type) -> FieldSet:
    """The fields an object sets (SMD's TypedValue.ToFieldSet): what an applier owns."""
    out = FieldSet()
    _to_set(value, typ, (), out)
    return out


def _to_set(value: Any, typ: Type, path: Path, out: FieldSet) -> None:
    container = _container(typ, value)
    if isinstance(container, MapType):
        if container.atomic:
            out.insert(path)
            return
        for key, child in value.items():
            child_path = path + (_field_element(key),)
            _to_set(child, container.field(key), child_path, out)
            if child is None or child == {} or not container.named(key):
                out.insert(child_path)
        return
    if isinstance(container, ListType):
        if not container.associative:
            out.insert(path)
            return
        elements = [item_element(container, item) for item in value]
        seen: set[PathElement] = set()
        duplicates: set[PathElement] = set()
        for element in elements:
            if element in seen and element not in duplicates:
                out.insert(path + (element,))
                duplicates.add(element)
            seen.add(element)
        for element, item in zip(elements, value):
            if element in duplicates:
                continue
            _to_set(item, container.element, path + (element,), out)
            out.insert(path + (element,))
        return
    out.insert(path)


# -- Compare -------------------------------------------------------------------------------------


@dataclass
class Comparison:
    added: FieldSet = field(default_factory=FieldSet)
    modified: FieldSet = field(default_factory=FieldSet)
    removed: FieldSet = field(default_factory=FieldSet)

    def same(self) -> bool:
        return self.added.empty() and self.modified.empty() and self.removed.empty()

    def exclude(self, fields: FieldSet) -> Comparison:
        """Without ``fields`` and what lies under them (SMD's ExcludeFields)."""
        if fields.empty():
            return self
        return Comparison(self.added.recursive_difference(fields),
                          self.modified.recursive_difference(fields),
                          self.removed.recursive_difference(fields))


def compare(old: Any, new: Any, typ: Type) -> Comparison:
    """What changed from ``old`` to ``new`` (SMD's TypedValue.Compare); either may be MISSING."""
    out = Comparison()
    _compare(old, new, typ, (), out)
    return out


def _leaf_compare(lhs: Any, rhs: Any, path: Path, out: Comparison) -> None:
    if lhs is MISSING:
        out.added.insert(path)
    elif rhs is MISSING:
        out.removed.insert(path)
    elif not json_equal(lhs, rhs):
        out.modified.insert(path)


def _compare(lhs: Any, rhs: Any, typ: Type, path: Path, out: Comparison) -> None:
    container = _container(typ, lhs, rhs)
    if container is None or (_is_empty(lhs) and _is_empty(rhs)):
        _leaf_compare(lhs, rhs, path, out)
        return
    if isinstance(container, MapType):
        if container.atomic:
            _leaf_compare(lhs, rhs, path, out)
            return
        left = lhs if isinstance(lhs, dict) else {}
        right = rhs if isinstance(rhs, dict) else {}
        for key in _keys(left, right):
            _compare(left.get(key, MISSING), right.get(key, MISSING), container.field(key),
                     path + (_field_element(key),), out)
    else:
        if not container.associative:
            _leaf_compare(lhs, rhs, path, out)
            return
        _compare_items(container, lhs if isinstance(lhs, list) else [],
                       rhs if isinstance(rhs, list) else [], path, out)
    if lhs is MISSING:
        out.added.insert(path)
    elif rhs is MISSING:
        out.removed.insert(path)


def _keys(left: dict[str, Any], right: dict[str, Any]) -> list[str]:
    return list(left) + [k for k in right if k not in left]


def _compare_items(t: ListType, lhs: list[Any], rhs: list[Any], path: Path,
                   out: Comparison) -> None:
    order: list[PathElement] = []
    left: dict[PathElement, list[Any]] = {}
    right: dict[PathElement, list[Any]] = {}
    for items, index in ((lhs, left), (rhs, right)):
        for item in items:
            element = item_element(t, item)
            if element not in left and element not in right:
                order.append(element)
            index.setdefault(element, []).append(item)
    for element in order:
        ls, rs = left.get(element, []), right.get(element, [])
        child = path + (element,)
        if len(ls) <= 1 and len(rs) <= 1:
            _compare(ls[0] if ls else MISSING, rs[0] if rs else MISSING, t.element, child, out)
        elif len(ls) >= 2 and len(rs) >= 2:
            if not json_equal(ls, rs):
                out.modified.insert(child)
        elif len(ls) >= 2:
            if rs:
                _compare(MISSING, rs[0], t.element, child, out)
            out.removed.insert(child)
        else:
            if ls:
                _compare(ls[0], MISSING, t.element, child, out)
            out.added.insert(child)


# -- Merge ---------------------------------------------------------------------------------------


def merge(live: Any, config: Any, typ: Type) -> Any:
    """``config`` merged into ``live`` (SMD's TypedValue.Merge): maps and structs field by field,
    associative lists item by item (live order kept, new items placed as SMD places them), sets
    unioned, atomic values and scalars replaced."""
    return _merge(live, config, typ)


def _merge(lhs: Any, rhs: Any, typ: Type) -> Any:
    container = _container(typ, lhs, rhs)
    leaf = (container is None or (_is_empty(lhs) and _is_empty(rhs))
            or (isinstance(container, MapType) and container.atomic)
            or (isinstance(container, ListType) and not container.associative))
    if leaf:
        return rhs if rhs is not MISSING else lhs
    if isinstance(container, MapType):
        left = lhs if isinstance(lhs, dict) else {}
        right = rhs if isinstance(rhs, dict) else {}
        out = {}
        for key in _keys(left, right):
            merged = _merge(left.get(key, MISSING), right.get(key, MISSING), container.field(key))
            if merged is not MISSING:
                out[key] = merged
        return out if out else MISSING
    assert isinstance(container, ListType)
    return _merge_items(container, lhs if isinstance(lhs, list) else [],
                        rhs if isinstance(rhs, list) else [])


def _merge_items(t: ListType, lhs: list[Any], rhs: list[Any]) -> Any:
    """SMD's mergingWalker.visitListItems: live items in live order; an applied item shared with
    live is merged where live has it, unless that would break the applied order of shared items;
    new applied items go where they stand among the applied ones."""
    rhs_pes = []
    seen_rhs: dict[PathElement, Any] = {}
    for item in rhs:
        element = item_element(t, item)
        if element in seen_rhs:
            raise SchemaMismatch(f"duplicate entries for key {element.render()}")
        seen_rhs[element] = item
        rhs_pes.append(element)
    lhs_pes = []
    seen_lhs: dict[PathElement, Any] = {}
    for item in lhs:
        element = item_element(t, item)
        # Duplicated live items are not merged with the applied one (SMD makes them null).
        seen_lhs[element] = None if element in seen_lhs else item
        lhs_pes.append(element)

    shared = [pe for pe in rhs_pes if pe in seen_lhs]
    next_shared = shared.pop(0) if shared else None
    merged_rhs: set[PathElement] = set()
    out: list[Any] = []
    li = ri = 0
    while li < len(lhs_pes) or ri < len(rhs_pes):
        if li < len(lhs_pes) and ri < len(rhs_pes):
            pe = lhs_pes[li]
            if pe == rhs_pes[ri]:
                merged_rhs.add(pe)
                out.append(_merge(seen_lhs[pe], seen_rhs[pe], t.element))
                li += 1
                ri += 1
                next_shared = shared.pop(0) if shared else None
                continue
            if pe in seen_rhs and next_shared is not None and next_shared != pe:
                li += 1  # a shared item, but not the one due now
                continue
        if li < len(lhs_pes):
            pe = lhs_pes[li]
            if pe not in seen_rhs:
                out.append(_merge(lhs[li], MISSING, t.element))
                li += 1
                continue
            if pe in merged_rhs:
                li += 1
        if ri < len(rhs_pes):
            pe = rhs_pes[ri]
            merged_rhs.add(pe)
            out.append(_merge(seen_lhs.get(pe, MISSING), seen_rhs[pe], t.element))
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop(0) if shared else None
    return out if out else MISSING


# -- RemoveItems and EnsureNamedFieldsAreMembers -------------------------------------------------


def remove_items(value: Any, fields: FieldSet, typ: Type) -> Any:
    """``value`` without ``fields`` (SMD's TypedValue.RemoveItems). A map or list left empty is
    dropped from its parent (SMD leaves a null, which kube's conversion drops)."""
    container = _container(typ, value)
    if isinstance(container, MapType):
        if not value or container.atomic:
            return MISSING
        out = {}
        for key, child in value.items():
            element = _field_element(key)
            if element in fields.members:
                continue
            sub = fields.children.get(element)
            if sub is not None and not sub.empty():
                child = remove_items(child, sub, container.field(key))
                if child is MISSING:
                    continue
            out[key] = child
        return out if out else MISSING
    if isinstance(container, ListType):
        if not value or not container.associative:
            return MISSING
        items = []
        for item in value:
            element = item_element(container, item)
            if element in fields.members:
                continue
            sub = fields.children.get(element)
            if sub is not None and not sub.empty():
                item = remove_items(item, sub, container.element)
                if item is MISSING:
                    item = {}
            items.append(item)
        return items if items else MISSING
    return value


def with_named_fields(fields: FieldSet, typ: Type) -> FieldSet:
    """``fields`` plus every struct field that has owned fields under it (SMD's
    EnsureNamedFieldsAreMembers), so that pruning may remove a whole struct."""
    atom = typ.atom()
    members = set(fields.members)
    children = {}
    for element, sub in fields.children.items():
        child_type: Type = _NO_TYPE
        if element.kind == 0 and atom.map is not None:
            if atom.map.named(element.payload):
                members.add(element)
            child_type = atom.map.field(element.payload)
        elif element.kind == 1 and atom.list is not None:
            child_type = atom.list.element
        children[element] = with_named_fields(sub, child_type)
    return FieldSet(members, children)
