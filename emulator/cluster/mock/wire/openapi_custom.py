"""The OpenAPI definitions of a custom resource, as kube-apiserver publishes each served version
of a CRD (apiextensions-apiserver controller/openapi/builder).

A custom kind is named like a built-in one, from its group read backwards
(``com.example.stable.v1.CronTab``), and its list ``...CronTabList``. Its schema is the
version's ``openAPIV3Schema`` as kube holds it once structural (only the keywords a structural
schema keeps; empty and false values dropped as Go omits them), with int-or-string fields
unfolded into ``anyOf: [integer, string]``, then kube's additions: ``apiVersion`` and ``kind``
as TypeMeta describes them, ``metadata`` pointing at ObjectMeta, the same three on every
``x-kubernetes-embedded-resource`` object, and the kind's ``x-kubernetes-group-version-kind``.
A version without a schema is an object with nothing else known.

For Swagger 2.0 kube first turns the schema into one v2 clients can read: no
``allOf``/``anyOf``/``oneOf``/``not``; a nullable field loses its type and its items or
properties (and leaves its parent's ``required``); a field that keeps unknown fields loses its
items and properties, and its type if an object; an array left without items loses its type;
and defaults are pruned. A root that keeps unknown fields is published as a bare object.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import schema as kube_schema
from emulator.cluster.mock.registry.resources import ResourceType

META = "io.k8s.apimachinery.pkg.apis.meta.v1"
OBJECT_META = f"{META}.ObjectMeta"
LIST_META = f"{META}.ListMeta"
_V3_PREFIX = "#/components/schemas/"
_V2_PREFIX = "#/definitions/"

# The keywords of a structural schema node (kube's Structural and its value validations); the
# rest of JSONSchemaProps ($ref, definitions, patternProperties, ...) is not kept.
_KEPT = frozenset({
    "description", "type", "format", "title", "default", "nullable", "example", "externalDocs",
    "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
    "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf", "enum", "maxProperties",
    "minProperties", "required", "items", "properties", "additionalProperties",
    "allOf", "anyOf", "oneOf", "not",
    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type",
    "x-kubernetes-map-type", "x-kubernetes-validations",
})
# Pointers in Go's types: written whenever set, zero included.
_POINTERS = frozenset({"maximum", "minimum", "maxLength", "minLength", "maxItems", "minItems",
                       "multipleOf", "maxProperties", "minProperties", "x-kubernetes-list-type",
                       "x-kubernetes-map-type", "additionalProperties"})
_JUNCTORS = ("allOf", "anyOf", "oneOf")
_INT_OR_STRING = [{"type": "integer"}, {"type": "string"}]
_PRESERVE = "x-kubernetes-preserve-unknown-fields"


def model_name(group: str, version: str, kind: str) -> str:
    """kube's definition name of a custom kind: ``com.example.stable.v1.CronTab``."""
    return ".".join([*reversed(group.split(".")), version, kind])


def kind_name(resource: ResourceType) -> str:
    return model_name(resource.group, resource.version, resource.kind)


def list_name(resource: ResourceType) -> str:
    return model_name(resource.group, resource.version, resource.list_kind)


def definitions(resource: ResourceType, openapi_version: int,
                type_meta: dict[str, Any]) -> dict[str, Any]:
    """The kind's and its list's definitions, for OpenAPI v3 (``3``) or Swagger 2.0 (``2``).
    ``type_meta`` holds kube's ``apiVersion`` and ``kind`` properties in that version."""
    return {kind_name(resource): _kind(resource, openapi_version, type_meta),
            list_name(resource): _list(resource, openapi_version, type_meta)}


def _gvk(resource: ResourceType, kind: str) -> list[dict[str, str]]:
    return [{"group": resource.group, "version": resource.version, "kind": kind}]


def _ref(name: str, openapi_version: int, description: str) -> dict[str, Any]:
    """A reference with a description beside it: kube's v3 documents wrap such a reference in
    ``allOf`` (a v3 ``$ref`` may have no siblings); Swagger 2.0 keeps it plain."""
    if openapi_version == 2:
        return {"$ref": _V2_PREFIX + name, "description": description}
    return {"allOf": [{"$ref": _V3_PREFIX + name}], "description": description}


def _kind(resource: ResourceType, openapi_version: int,
          type_meta: dict[str, Any]) -> dict[str, Any]:
    written = resource.custom.schema if resource.custom else None
    v2 = openapi_version == 2
    if written is None or (v2 and written.get(_PRESERVE) is True):
        node: dict[str, Any] = {"type": "object"}
    else:
        node = _unfold(structural(written))
        if v2:
            node = _to_v2(node)
        properties = node.setdefault("properties", {})
        properties["metadata"] = _ref(OBJECT_META, openapi_version,
                                      messages.CRD_OBJECT_META_DESCRIPTION)
        properties["apiVersion"] = copy.deepcopy(type_meta["apiVersion"])
        properties["kind"] = copy.deepcopy(type_meta["kind"])
        _embed(node, openapi_version, type_meta)
        if v2:
            _prune_defaults(node)
    node[kube_schema.GVK_EXTENSION] = _gvk(resource, resource.kind)
    return node


def _list(resource: ResourceType, openapi_version: int,
          type_meta: dict[str, Any]) -> dict[str, Any]:
    prefix = _V2_PREFIX if openapi_version == 2 else _V3_PREFIX
    return {
        "type": "object",
        "description": messages.CRD_LIST_DESCRIPTION.format(list_kind=resource.list_kind,
                                                            kind=resource.kind),
        "required": ["items"],
        "properties": {
            "apiVersion": copy.deepcopy(type_meta["apiVersion"]),
            "items": {"type": "array", "items": {"$ref": prefix + kind_name(resource)},
                      "description": messages.CRD_LIST_ITEMS_DESCRIPTION.format(
                          plural=resource.plural)},
            "kind": copy.deepcopy(type_meta["kind"]),
            "metadata": _ref(LIST_META, openapi_version, messages.CRD_LIST_META_DESCRIPTION),
        },
        kube_schema.GVK_EXTENSION: _gvk(resource, resource.list_kind),
    }


# --- the structural schema ------------------------------------------------------------------------


def structural(node: Any) -> dict[str, Any]:
    """A copy of a schema node with the keywords kube keeps, as Go writes them back (empty
    strings, false flags and empty lists or maps are omitted)."""
    if not isinstance(node, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _KEPT:
            continue
        if key == "properties" and isinstance(value, dict):
            value = {name: structural(child) for name, child in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties"
                                         and isinstance(value, dict)):
            value = structural(value)
        elif key in _JUNCTORS and isinstance(value, list):
            value = [structural(part) for part in value]
        else:
            value = copy.deepcopy(value)
        if key in _POINTERS or key in ("default", "example"):
            if value is not None:
                out[key] = value
        elif not (value is None or value is False or value in ("", [], {})):
            out[key] = value
    return out


def _children(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The structural nodes directly under ``node`` (not those inside its junctors)."""
    out = [child for child in (node.get("properties") or {}).values() if isinstance(child, dict)]
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            out.append(node[key])
    return out


def _walk(root: dict[str, Any]) -> list[dict[str, Any]]:
    """Every structural node, each parent before its children (kube's Visitor order)."""
    out: list[dict[str, Any]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(_children(node)))
    return out


def _unfold(root: dict[str, Any]) -> dict[str, Any]:
    """kube's Unfold: an int-or-string node states its two types, unless it already does."""
    for node in _walk(root):
        if node.get("x-kubernetes-int-or-string") is not True:
            continue
        any_of = node.get("anyOf")
        all_of = node.get("allOf") or []
        if any_of == _INT_OR_STRING or (all_of and all_of[0].get("anyOf") == _INT_OR_STRING):
            continue
        if any_of is None:
            node["anyOf"] = copy.deepcopy(_INT_OR_STRING)
        else:
            node["allOf"] = [{"anyOf": copy.deepcopy(_INT_OR_STRING)}, *all_of]
    return root


def _to_v2(root: dict[str, Any]) -> dict[str, Any]:
    """kube's ToStructuralOpenAPIV2, in place, parents first (their children are still as
    written when the parent's ``required`` is trimmed)."""
    stack = [root]
    while stack:
        node = stack.pop()
        for key in (*_JUNCTORS, "not"):
            node.pop(key, None)
        if node.pop("nullable", False):
            for key in ("type", "items", "properties"):
                node.pop(key, None)
        if node.get(_PRESERVE) is True:
            node.pop("items", None)
            node.pop("properties", None)
        if "items" not in node and node.get("type") == "array":
            node.pop("type")
        if node.get(_PRESERVE) is True and node.get("type") == "object":
            node.pop("type")
        nullable = [name for name, child in (node.get("properties") or {}).items()
                    if isinstance(child, dict) and child.get("nullable")]
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra.get("nullable"):
            node.pop("required", None)
        elif nullable and "required" in node:
            kept = [name for name in node["required"] if name not in nullable]
            if kept:
                node["required"] = kept
            else:
                node.pop("required")
        stack.extend(reversed(_children(node)))
    return root


def _embed(root: dict[str, Any], openapi_version: int, type_meta: dict[str, Any]) -> None:
    """kube's addEmbeddedProperties: an embedded object is a whole kube object, so it gets
    apiVersion, kind and metadata, the first two required (in v2, not where unknown fields
    are kept: those lost their properties)."""
    for node in _walk(root):
        if openapi_version == 2 and node.get(_PRESERVE) is True:
            continue
        if node.get("x-kubernetes-embedded-resource") is not True:
            continue
        properties = node.setdefault("properties", {})
        properties["apiVersion"] = {**copy.deepcopy(type_meta["apiVersion"]),
                                    "description": messages.CRD_EMBEDDED_API_VERSION_DESCRIPTION}
        properties["kind"] = {**copy.deepcopy(type_meta["kind"]),
                              "description": messages.CRD_EMBEDDED_KIND_DESCRIPTION}
        properties["metadata"] = _ref(OBJECT_META, openapi_version,
                                      messages.CRD_OBJECT_META_DESCRIPTION)
        required = list(node.get("required") or [])
        required += [name for name in ("kind", "apiVersion") if name not in required]
        node["required"] = required


def _prune_defaults(root: dict[str, Any]) -> None:
    """Swagger 2.0 definitions carry no defaults (kube prunes them before merging)."""
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        node.pop("default", None)
        stack.extend((node.get("properties") or {}).values())
        for key in ("items", "additionalProperties", "not"):
            stack.append(node.get(key))
        for key in _JUNCTORS:
            stack.extend(node.get(key) or [])
