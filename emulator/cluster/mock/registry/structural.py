"""A custom resource against its CRD version's ``openAPIV3Schema``: defaulting, pruning and the
OpenAPI validation, as apiextensions-apiserver does them (pkg/apiserver/schema/{defaulting,
pruning,objectmeta,listtype}, pkg/apiserver/validation) with kube-openapi's validators
(pkg/validation/validate) and their wording (pkg/validation/errors/schema.go).

A request's order is kube's: ``default`` on decode, ``prune`` (whose paths feed fieldValidation's
``unknown field "spec.foo"``), then ``validate``. kube-openapi walks Go maps, so kube's error order
is random; here it follows the schema's ``properties`` order, which keeps messages stable.
The object's root ``apiVersion``, ``kind`` and ``metadata`` are left to ObjectMeta validation.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import namechecks
from emulator.cluster.mock.registry.fielderrors import FieldError

Schema = dict[str, Any]
_ROOT_META = ("apiVersion", "kind", "metadata")
# metav1.ObjectMeta's JSON fields: what an embedded resource's (or the root's) metadata keeps.
OBJECT_META_FIELDS = frozenset((
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "annotations", "ownerReferences", "finalizers", "managedFields"))
_INT32 = (-(2 ** 31), 2 ** 31 - 1)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def json_type(value: Any) -> str:
    """The JSON type kube-openapi infers from a decoded value (schemaInfoForType)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _types(s: Schema) -> list[str]:
    if s.get("x-kubernetes-int-or-string"):
        return ["integer", "string"]
    return [s["type"]] if s.get("type") else []


# -- defaulting ----------------------------------------------------------------------------------


def _non_nullable_null(value: Any, s: Schema | None) -> bool:
    return value is None and s is not None and not s.get("nullable", False)


def default(schema: Schema, obj: Any) -> None:
    """structuraldefaulting.Default: absent fields (and non-nullable nulls) of objects take their
    property's default; null items and map values take the items' or values' default."""
    if not isinstance(schema, dict):
        return
    if isinstance(obj, dict):
        props = schema.get("properties") or {}
        for name, prop in props.items():
            if "default" in prop and prop["default"] is not None and (
                    name not in obj or _non_nullable_null(obj[name], prop)):
                obj[name] = copy.deepcopy(prop["default"])
        extra = schema.get("additionalProperties")
        for name in list(obj):
            if name in props:
                default(props[name], obj[name])
            elif isinstance(extra, dict):
                if _non_nullable_null(obj[name], extra):
                    obj[name] = copy.deepcopy(extra.get("default"))
                default(extra, obj[name])
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        items = schema["items"]
        for i, value in enumerate(obj):
            if _non_nullable_null(value, items):
                obj[i] = copy.deepcopy(items.get("default"))
            default(items, obj[i])


# -- pruning -------------------------------------------------------------------------------------


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _prune(x: Any, s: Schema | None, path: str, out: list[str], preserve: bool = False) -> None:
    """pruning.prune (``preserve`` is its skipPrune): unknown fields dropped and recorded."""
    if s is not None and s.get("x-kubernetes-preserve-unknown-fields") and not preserve:
        _prune(x, s, path, out, preserve=True)
        return
    if isinstance(x, dict):
        if s is None:
            for name in list(x):
                out.append(_join(path, name))
                del x[name]
            return
        embedded = bool(s.get("x-kubernetes-embedded-resource"))
        props, extra = s.get("properties") or {}, s.get("additionalProperties")
        for name in list(x):
            if embedded and name in _ROOT_META:
                if name == "metadata":
                    _coerce_meta(x, _join(path, name), out)
                continue
            if name in props:
                _prune(x[name], props[name], _join(path, name), out)
            elif extra is not None:
                _prune(x[name], extra if isinstance(extra, dict) else None, _join(path, name),
                       out)
            elif not preserve:
                out.append(_join(path, name))
                del x[name]
    elif isinstance(x, list):
        items = s.get("items") if s is not None else None
        for i, value in enumerate(x):
            _prune(value, items, f"{path}[{i}]", out, preserve and items is not None)


def _coerce_meta(x: dict[str, Any], path: str, out: list[str]) -> None:
    """objectmeta.Coerce: metadata keeps ObjectMeta's fields only."""
    meta = x.get("metadata")
    if isinstance(meta, dict):
        for name in [n for n in meta if n not in OBJECT_META_FIELDS]:
            out.append(f"{path}.{name}")
            del meta[name]


def _prune_nulls(x: Any, s: Schema | None) -> None:
    """PruneNonNullableNullsWithoutDefaults."""
    if isinstance(x, dict):
        for name in list(x):
            sub = None
            if s is not None:
                extra = s.get("additionalProperties")
                sub = (s.get("properties") or {}).get(name, extra if isinstance(extra, dict)
                                                        else None)
            if x[name] is None and sub is not None and not sub.get("nullable") and \
                    sub.get("default") is None:
                del x[name]
            else:
                _prune_nulls(x[name], sub)
    elif isinstance(x, list):
        for value in x:
            _prune_nulls(value, s.get("items") if s is not None else None)


def prune(schema: Schema, obj: dict[str, Any]) -> list[str]:
    """Drop, in place, what the schema does not specify; return the dropped paths, sorted, as
    fieldValidation reports them (``spec.foo``, ``spec.list[0].bar``, ``metadata.foo``). The root
    is an embedded resource: its apiVersion and kind stay, its metadata keeps ObjectMeta's fields.
    """
    root = dict(schema or {})
    root["x-kubernetes-embedded-resource"] = True
    out: list[str] = []
    _prune(obj, root, "", out)
    _prune_nulls(obj, schema)
    return sorted(out)


# -- validation ----------------------------------------------------------------------------------


class _Walk:
    def __init__(self, minor: int) -> None:
        self.minor = minor
        self.errors: list[FieldError] = []

    def add(self, error: FieldError) -> None:
        self.errors.append(error)

    # kube-openapi's Path is dotted ("spec.list[0]"); kube trims a leading "." off it.
    def node(self, s: Schema, value: Any, path: str) -> None:
        types = _types(s)
        if value is None:
            if types and not s.get("nullable"):
                self._type_error(path, ",".join(types), "null")
            self._enum(s, value, path)
            return
        kind = json_type(value)
        self._type(s, types, kind, value, path)
        for sub in s.get("allOf") or []:
            if isinstance(sub, dict):
                self.node(sub, value, path)
        if kind == "string":
            self._string(s, value, path)
            fmt = s.get("format", "")
            check = _format_check(fmt, self.minor) if types in ([], ["string"]) else None
            if check is not None and not check(value):
                self._type_error(path, fmt, value)
        elif kind in ("integer", "number"):
            self._number(s, types, value, path)
        elif kind == "array":
            self._array(s, value, path)
        self._enum(s, value, path)
        if kind == "object":
            self._object(s, value, path)

    def _type_error(self, path: str, type_name: str, value: str) -> None:
        text = messages.CR_TYPE_FAIL.format(path=path, type=type_name, value=fe.go_quote(value))
        self.add(fe.type_invalid(path, value, text, self.minor))

    def _type(self, s: Schema, types: list[str], kind: str, value: Any, path: str) -> None:
        if not types:
            return
        integral_float = kind == "number" and float(value).is_integer() and "integer" in types
        if kind in types or integral_float or (kind == "integer" and "number" in types):
            return
        self._type_error(path, ",".join(types), kind)

    def _string(self, s: Schema, value: str, path: str) -> None:
        if "maxLength" in s and len(value) > s["maxLength"]:
            self.add(fe.too_long(path, s["maxLength"], self.minor))
        elif "minLength" in s and len(value) < s["minLength"]:
            self.add(fe.invalid_value(path, value, messages.CR_TOO_SHORT.format(
                path=path, limit=s["minLength"]), self.minor))
        elif s.get("pattern") and not re.search(s["pattern"], value):
            self.add(fe.invalid_value(path, value, messages.CR_PATTERN_FAIL.format(
                path=path, pattern=s["pattern"]), self.minor))

    def _number(self, s: Schema, types: list[str], value: Any, path: str) -> None:
        fmt = s.get("format") if len(types) == 1 else None
        if types == ["integer"] and fmt == "int32" and isinstance(value, int):
            if not _INT32[0] <= value <= _INT32[1]:
                # a plain error, not a Validation: kube reports it at the nil path with "".
                self.add(fe.invalid_value("", "", messages.CR_OUT_OF_FORMAT.format(
                    type="integer", format="int32", path=path), self.minor))
        as_int = isinstance(value, int)

        def show(bound: float) -> str:
            return str(int(bound)) if as_int else fe.go_float(float(bound))

        def bound(bound: float) -> float:
            return int(bound) if as_int else bound

        if "multipleOf" in s and s["multipleOf"] > 0:
            factor = bound(s["multipleOf"])
            if factor and (value % factor != 0 if as_int else
                           not float(value / factor).is_integer()):
                self.add(fe.invalid_value(path, value, messages.CR_MULTIPLE_OF.format(
                    path=path, factor=show(s["multipleOf"])), self.minor))
        for key, exclusive_key, inc, exc, below in (
                ("minimum", "exclusiveMinimum", messages.CR_MIN_INC, messages.CR_MIN_EXC, True),
                ("maximum", "exclusiveMaximum", messages.CR_MAX_INC, messages.CR_MAX_EXC, False)):
            if key not in s:
                continue
            limit, exclusive = bound(s[key]), bool(s.get(exclusive_key))
            bad = (value <= limit if exclusive else value < limit) if below else \
                (value >= limit if exclusive else value > limit)
            if bad:
                text = (exc if exclusive else inc).format(path=path, limit=show(s[key]))
                self.add(fe.invalid_value(path, value, text, self.minor))

    def _array(self, s: Schema, value: list[Any], path: str) -> None:
        items = s.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                self.node(items, item, f"{path}[{i}]")
        if "minItems" in s and len(value) < s["minItems"]:
            self.add(fe.invalid_value(path, len(value), messages.CR_MIN_ITEMS.format(
                path=path, limit=s["minItems"]), self.minor))
        if "maxItems" in s and len(value) > s["maxItems"]:
            self.add(fe.too_many(path, len(value), s["maxItems"], self.minor))
        if s.get("uniqueItems") and len({fe.go_json(v) for v in value}) < len(value):
            self.add(fe.invalid_value(path, "", messages.CR_UNIQUE.format(path=path),
                                      self.minor))

    def _enum(self, s: Schema, value: Any, path: str) -> None:
        enum = s.get("enum")
        if not enum or any(_same(value, e) for e in enum):
            return
        valid = [e if isinstance(e, str) else fe.go_json(e) for e in enum]
        self.add(fe.not_supported(path, value, valid, self.minor))

    def _object(self, s: Schema, value: dict[str, Any], path: str) -> None:
        props, extra = s.get("properties") or {}, s.get("additionalProperties")
        if "minProperties" in s and len(value) < s["minProperties"]:
            self.add(fe.invalid_value(path, len(value), messages.CR_MIN_PROPERTIES.format(
                path=path, limit=s["minProperties"]), self.minor))
        if "maxProperties" in s and len(value) > s["maxProperties"]:
            self.add(fe.too_many(path, len(value), s["maxProperties"], self.minor))
        root = path == ""
        if extra is False:
            for name in value:
                if name not in props:
                    self.add(fe.invalid_value(path, name, messages.CR_FORBIDDEN_PROPERTY.format(
                        path=path, key=name), self.minor))
        elif isinstance(extra, dict):
            for name, item in value.items():
                if name not in props:
                    self.node(extra, item, _join(path, name))
        for name, prop in props.items():
            if name in value and not (root and name in _ROOT_META) and isinstance(prop, dict):
                self.node(prop, value[name], _join(path, name))
        for name in s.get("required") or []:
            if name not in value:
                self.add(fe.required(_join(path, name)))


def _same(value: Any, enum_value: Any) -> bool:
    """Go's DeepEqual after conversion: numbers compare across int and float; bools and strings
    only with their own kind."""
    if isinstance(value, bool) or isinstance(enum_value, bool):
        return isinstance(value, bool) and isinstance(enum_value, bool) and value == enum_value
    if isinstance(value, (int, float)) and isinstance(enum_value, (int, float)):
        return float(value) == float(enum_value)
    return type(value) is type(enum_value) and value == enum_value


def validate(schema: Schema, obj: Any, old: Any = None, *,
             minor: int = fe.LATEST_MINOR) -> list[FieldError]:
    """The OpenAPI validation of a custom resource, then embedded resources' apiVersion, kind and
    metadata, then x-kubernetes-list-type set/map uniqueness (the strategy's order). ``old`` is
    accepted for symmetry with CEL; ratcheting is not modelled, so it is unused."""
    walk = _Walk(minor)
    walk.node(schema or {}, obj, "")
    errors = walk.errors
    errors += _embedded(schema or {}, obj, "", minor, root=True)
    errors += _list_types(schema or {}, obj, "", minor)
    return errors


# -- formats (apiserver/validation/formats.go; checks as kube-openapi's strfmt makes them) ---------

_UUID = r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?%s[0-9a-f]{3}-?%s[0-9a-f]{3}-?[0-9a-f]{12}$"
_FORMAT_RES = {
    "bsonobjectid": r"^[0-9a-fA-F]{24}$",
    "uuid": _UUID % ("[0-9a-f]", "[0-9a-f]"), "uuid3": _UUID % ("3", "[0-9a-f]"),
    "uuid4": _UUID % ("4", "[89ab]"), "uuid5": _UUID % ("5", "[89ab]"),
    "hostname": r"^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?\.)*"
                r"[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?\.?$",
    "email": r"^[^@\s<>]+@[^@\s<>]+$",
    "mac": r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$",
    "hexcolor": r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$",
    "rgbcolor": r"^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$",
    "ssn": r"^\d{3}[- ]?\d{2}[- ]?\d{4}$",
    "byte": r"^[A-Za-z0-9+/]*={0,2}$",
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "datetime": r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$",
    "duration": r"^(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$",
    "uri": r"^([a-zA-Z][a-zA-Z0-9+.-]*:|/)\S*$",
    "k8s-short-name": r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
    "k8s-long-name": r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
}


def _ip(version: int, cidr: bool) -> Any:
    import ipaddress

    def check(value: str) -> bool:
        try:
            made = ipaddress.ip_network(value, strict=False) if cidr else \
                ipaddress.ip_address(value)
        except ValueError:
            return False
        return cidr or made.version == version or (version == 6 and ":" in value)
    return check


def _format_check(name: str, minor: int) -> Any:
    """The check of a string format kube keeps at ``minor``, or None: formats kube does not
    recognise are stripped from the schema, never checked (password checks nothing)."""
    normal = name.replace("-", "") if not name.startswith("k8s-") else name
    if normal.startswith("k8s-") and minor < 34:
        return None
    if normal in ("ipv4", "ipv6", "cidr"):
        return _ip(4 if normal == "ipv4" else 6, normal == "cidr")
    pattern = _FORMAT_RES.get(normal)
    return re.compile(pattern).search if pattern else None


# -- embedded resources (schema/objectmeta/validation.go) -------------------------------------------


def _embedded(s: Schema, x: Any, path: str, minor: int, root: bool = False) -> list[FieldError]:
    errors: list[FieldError] = []
    if isinstance(x, dict) and s.get("x-kubernetes-embedded-resource") and not root:
        errors += _embedded_meta(x, path, minor)
    for sub, value, at in _children(s, x, path):
        errors += _embedded(sub, value, at, minor)
    return errors


def _children(s: Schema, x: Any, path: str) -> Iterator[tuple[Schema, Any, str]]:
    """Each value under ``x`` that its schema describes, with that schema and its path: an
    object's properties (or additionalProperties), a list's items."""
    if isinstance(x, dict):
        props, extra = s.get("properties") or {}, s.get("additionalProperties")
        for name, value in x.items():
            if name in props:
                yield props[name], value, fe.child(path, name)
            elif isinstance(extra, dict):
                yield extra, value, fe.key(path, name)
    elif isinstance(x, list) and isinstance(s.get("items"), dict):
        for i, value in enumerate(x):
            yield s["items"], value, fe.index(path, i)


def _embedded_meta(x: dict[str, Any], path: str, minor: int) -> list[FieldError]:
    errors = [fe.required(fe.child(path, k)) for k in ("apiVersion", "kind") if k not in x]
    for name in ("apiVersion", "kind"):
        if name not in x:
            continue
        value, at = x[name], fe.child(path, name)
        if not isinstance(value, str):
            errors.append(fe.invalid_value(at, value, messages.CR_MUST_BE_STRING, minor))
        elif not value:
            errors.append(fe.invalid_value(at, value, messages.CR_MUST_NOT_BE_EMPTY, minor))
        elif name == "apiVersion" and value.count("/") > 1:
            errors.append(fe.invalid_value(at, value, messages.CR_GROUP_VERSION.format(
                value=value), minor))
        elif name == "kind" and not (len(value) <= 63 and _DNS1035.match(value.lower())):
            detail = messages.DNS1035_LABEL_FORMAT if len(value) <= 63 else \
                messages.DNS_MAX_LENGTH.format(limit=63)
            errors.append(fe.invalid_value(at, value, messages.CR_MIXED_CASE.format(
                errors=detail), minor))
    meta = x.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("name"), str):
        name, at = meta["name"], fe.child(fe.child(path, "metadata"), "name")
        errors += [fe.invalid_value(at, name, text, minor)
                   for text in namechecks.path_segment_name(name)]
    return errors


# -- list types (schema/listtype/validation.go) ---------------------------------------------------


def _list_types(s: Schema, x: Any, path: str, minor: int) -> list[FieldError]:
    errors: list[FieldError] = []
    if isinstance(x, list):
        kind = s.get("x-kubernetes-list-type")
        if kind == "set":
            errors += [fe.duplicate(fe.index(path, i), x[i], minor) for i in _repeats(x)]
        elif kind == "map":
            errors += _list_map(s, x, path, minor)
    for sub, value, at in _children(s, x, path):
        errors += _list_types(sub, value, at, minor)
    return errors


def _repeats(values: list[Any]) -> list[int]:
    """Indices of each value's second occurrence (validateListSet)."""
    seen: dict[str, int] = {}
    out = []
    for i, value in enumerate(values):
        token = json_type(value) + fe.go_json(value)
        seen[token] = seen.get(token, 0) + 1
        if seen[token] == 2:
            out.append(i)
    return out


def _list_map(s: Schema, x: list[Any], path: str, minor: int) -> list[FieldError]:
    for i, item in enumerate(x):
        if item is not None and not isinstance(item, dict):
            return [fe.invalid_value(fe.index(path, i), item, messages.CR_LIST_MAP_ITEM, minor)]
    keys = s.get("x-kubernetes-list-map-keys") or []
    found = [{k: item[k] for k in keys if k in item} if isinstance(item, dict) else {}
             for item in x]
    return [fe.duplicate(fe.index(path, i), found[i], minor) for i in _repeats(found)]
