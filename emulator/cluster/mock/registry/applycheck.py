"""What server-side apply refuses of a configuration before it merges anything.

kube types the apply configuration with structured-merge-diff (``ObjectToTyped`` in
structuredmerge.go, typed/validate.go) and refuses it whole when a value does not fit its
schema, listing every problem by its field path:

    failed to create typed patch object (default/web; apps/v1, Kind=Deployment):
    .spec.replicas: expected numeric (int or float), got string

- a scalar is numeric (``integer``, ``number``), a string, a boolean, or untyped (IntOrString,
  Quantity, ``x-kubernetes-int-or-string``: any scalar); a value that is not is printed as SMD
  prints its unstructured value: ``%T`` for numeric, Go syntax for string
  (``&value.valueUnstructured{Value:8080}``), ``%v`` for the others (``&{yes}``);
- a struct or map takes an object, a list a list (``expected map, got &{x}``);
- an associative list's items must carry their keys (``element 0: associative list with keys
  has an element that omits key field "name" (and doesn't have default value)``) and be
  unique (``duplicate entries for key [name="c"]``); path elements are SMD's
  (``.spec.template.spec.containers[name="c"].env[name="A"].value``).

The apply body reaches SMD through YAML and Go's JSON decoder, so every number is a float64 and
printed as Go prints one (``5``, ``3e+09``). kube answers these with a 500 (its error is not an
API status; kubernetes/kubernetes#139253); the mock answers 400 BadRequest with the same
message, as no client mistake gets a 500 here. Several problems come in Go's map order, which
is random; the mock lists them in the configuration's order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry.applymerge import SchemaMismatch, item_element
from emulator.cluster.mock.registry.applytypes import BuiltinType, CrdType, Type
from emulator.cluster.mock.registry.fieldvalidation import go_quote, go_value
from emulator.cluster.mock.registry.schema import type_of
from emulator.cluster.mock.wire.gojson import go_number
from emulator.cluster.mock.wire.status import KubeError


# structured-merge-diff v4.4 (Kubernetes 1.29) began to refuse a list or map as an untyped scalar
UNTYPED_CHECKED_FROM = 29


def check(config: Mapping[str, Any], types: Type, gvk: str, minor: int | None = None) -> None:
    """Raise kube's refusal (as a 400) of an apply configuration SMD cannot type, as
    Kubernetes 1.``minor`` (by default the newest) refuses it."""
    problems: list[str] = []
    _walk(config, types, "", problems, minor is None or minor >= UNTYPED_CHECKED_FROM)
    if not problems:
        return
    meta = config.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    listed = problems[0] if len(problems) == 1 else "\n".join(
        [messages.SMD_ERRORS, *("  " + p for p in problems)])
    raise KubeError(400, messages.SSA_TYPED_PATCH.format(
        namespace=_text(meta.get("namespace")), name=_text(meta.get("name")), gvk=gvk,
        errors=listed))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _walk(value: Any, typ: Type, path: str, problems: list[str], untyped: bool) -> None:
    if value is None:
        return  # null fits any type
    atom = typ.atom()
    one_of = _one_of(typ)
    has_map = atom.map is not None and not one_of
    has_list = atom.list is not None and not one_of
    scalar = "untyped" if one_of else (_scalar_kind(typ) if atom.scalar else None)
    # SMD's deduceAtom: the part of the type the value is; if none, the first of map, scalar
    # and list the type has (handleAtom's order), which then refuses it
    if isinstance(value, (str, bool, int, float)) and scalar is not None:
        pick = "scalar"
    elif isinstance(value, list) and has_list:
        pick = "list"
    elif isinstance(value, dict) and has_map:
        pick = "map"
    else:
        pick = "map" if has_map else "scalar" if scalar is not None else "list"
    if pick == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: " + messages.SMD_EXPECTED_MAP.format(value=_v(value)))
            return
        assert atom.map is not None
        for key, item in value.items():
            _walk(item, atom.map.field(key), f"{path}.{key}", problems, untyped)
    elif pick == "scalar":
        problem = _scalar_problem(value, scalar or "untyped", untyped)
        if problem is not None:
            problems.append(f"{path}: {problem}")
    elif not isinstance(value, list):
        problems.append(f"{path}: " + messages.SMD_EXPECTED_LIST.format(value=_v(value)))
    else:
        assert atom.list is not None
        _walk_list(value, atom.list, path, problems, untyped)


def _walk_list(items: list[Any], list_type: Any, path: str, problems: list[str],
               untyped: bool) -> None:
    seen: set[Any] = set()
    for index, item in enumerate(items):
        if not list_type.associative:
            element = f"[{index}]"
        else:
            try:
                found = item_element(list_type, item)
            except SchemaMismatch as error:
                problems.append(f"{path}: " + messages.SMD_ELEMENT.format(index=index,
                                                                          error=error))
                return  # SMD stops reading the list there
            element = found.render()
            if found in seen:
                problems.append(f"{path}: " + messages.SMD_DUPLICATE.format(key=element))
            seen.add(found)
        _walk(item, list_type.element, path + element, problems, untyped)


def _one_of(typ: Type) -> bool:
    """IntOrString and Quantity (one of two types in kube's schema): SMD's untyped scalar."""
    if isinstance(typ, BuiltinType):
        _, target = typ.schema.resolve(typ.node)
        return "oneOf" in target
    return isinstance(typ, CrdType) and bool(typ.node.get("x-kubernetes-int-or-string"))


def _scalar_kind(typ: Type) -> str:
    """A scalar type's SMD kind (an IntOrString or Quantity is sorted out before)."""
    if isinstance(typ, BuiltinType):
        _, target = typ.schema.resolve(typ.node)
        kind = type_of(typ.node) or type_of(target)
    elif isinstance(typ, CrdType):
        kind = typ.node.get("type") if isinstance(typ.node.get("type"), str) else None
    else:
        return "untyped"  # deduced: anything goes
    return {"integer": "numeric", "number": "numeric", "string": "string",
            "boolean": "boolean"}.get(kind or "", "untyped")


def _scalar_problem(value: Any, kind: str, untyped: bool) -> str | None:
    """SMD's validateScalar; ``untyped``: whether an untyped scalar is checked at all."""
    is_bool = isinstance(value, bool)
    is_number = isinstance(value, (int, float)) and not is_bool
    if kind == "numeric" and not is_number:
        return messages.SMD_EXPECTED_NUMERIC.format(type=_go_type(value))
    if kind == "string" and not isinstance(value, str):
        return messages.SMD_EXPECTED_STRING.format(value=_sharp_v(value))
    if kind == "boolean" and not is_bool:
        return messages.SMD_EXPECTED_BOOLEAN.format(value=_v(value))
    if kind == "untyped" and untyped and not (is_bool or is_number or isinstance(value, str)):
        return messages.SMD_EXPECTED_SCALAR.format(value=_v(value))
    return None


def _go_type(value: Any) -> str:
    """Go's ``%T`` of an unstructured value from Go's JSON decoder."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "[]interface {}" if isinstance(value, list) else "map[string]interface {}"


def _v(value: Any) -> str:
    """Go's ``%v`` of SMD's value (a pointer to a struct holding it)."""
    return "&{" + _plain(value) + "}"


def _sharp_v(value: Any) -> str:
    """Go's ``%#v`` of SMD's value."""
    return "&value.valueUnstructured{Value:" + _syntax(value) + "}"


def _plain(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return go_value(value)
    if isinstance(value, (int, float)):
        return go_number(float(value), json_style=False)
    if isinstance(value, list):
        return "[" + " ".join(_plain(v) for v in value) + "]"
    return "map[" + " ".join(f"{k}:{_plain(value[k])}" for k in sorted(value)) + "]"


def _syntax(value: Any) -> str:
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return go_number(float(value), json_style=False)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_syntax(v) for v in value) + "}"
    return "map[string]interface {}{" + ", ".join(
        f"{go_quote(k)}:{_syntax(value[k])}" for k in sorted(value)) + "}"
