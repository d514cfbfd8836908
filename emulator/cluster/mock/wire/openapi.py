"""OpenAPI v3 documents of the mock apiserver (/openapi/v3 and /openapi/v3/<group-version>).

kubectl 1.27+ reads these for three things (k8s-streaming.md §7.3):

* ``apply``/``create`` with the default ``--validate=strict`` look for a PATCH operation tagged
  with the object's ``x-kubernetes-group-version-kind`` that takes a ``fieldValidation`` query
  parameter. Finding it, kubectl leaves validation to the server. The check stops at the first
  PATCH operation with that GVK, so every one of them carries the parameter.
* ``explain`` finds a path for the resource, takes the GVK from its operations, then renders the
  ``components.schemas`` entry whose GVK *list* contains it, following ``$ref``/``allOf`` down to
  any depth (``kubectl explain deployment.spec.template.spec.containers.image``).
* ``apply`` (update path) computes its strategic merge patch from these schemas when a PATCH
  operation lists ``application/strategic-merge-patch+json``. See ``PATCH_CONTENT_TYPES``.

The schemas are kube's own, for the cluster's minor (``schema.py``): every kind the cluster's
registry serves, and every definition those refer to, with kube's descriptions and
``x-kubernetes-*`` extensions, written the OpenAPI v3 way (a ``$ref`` beside a description
becomes ``allOf: [{$ref}]``, as kube-apiserver writes it). A served kind the minor's schema lacks
gets a loose schema of its own. A custom resource's schema comes from its CRD
(openapi_custom.py); ObjectMeta and the other meta definitions it names still come from kube's.
Documents are built on first request and kept per minor and group-version (and the kinds served
there, schemas included), so every cluster of a minor shares them and a changed CRD gets a new
document and a new hash in the index.
``/openapi/v2``, which kubectl 1.27/1.28 and ``explain --output=plaintext-openapiv2`` read, is
made from the same paths and definitions (openapi_v2.py).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import schema as kube_schema
from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.wire import openapi_custom
from emulator.cluster.mock.wire.status import path_not_found

META = "io.k8s.apimachinery.pkg.apis.meta.v1"
OBJECT_META = f"{META}.ObjectMeta"
LIST_META = f"{META}.ListMeta"
STATUS = f"{META}.Status"
DELETE_OPTIONS = f"{META}.DeleteOptions"
PATCH = f"{META}.Patch"
V3_REF_PREFIX = "#/components/schemas/"

# What a PATCH operation consumes, in kube-apiserver's order (the v2 document keeps it):
# JSON patch, merge patch, strategic merge patch, server-side apply. Strategic merge is listed
# only for kinds with kube's schema, as kube lists it only for built-in kinds (never for custom
# resources): kubectl 1.29+ `apply` then computes its patch from these schemas
# (apply/patcher.go, buildStrategicMergePatchFromOpenAPIV3), which carry kube's merge keys and
# strategies. For a loose schema it would find no field to merge by.
PATCH_CONTENT_TYPES = ("application/json-patch+json", "application/merge-patch+json")
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_ORDER = (*PATCH_CONTENT_TYPES, STRATEGIC_MERGE_PATCH, APPLY_PATCH)

_MUTATION_PARAMS = ("dryRun", "fieldManager", "fieldValidation")
_PATCH_PARAMS = (*_MUTATION_PARAMS, "force")  # PatchOptions: force takes over apply conflicts
_LIST_PARAMS = ("continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
                "resourceVersionMatch", "timeoutSeconds", "watch")
_DELETE_PARAMS = ("dryRun", "gracePeriodSeconds", "propagationPolicy")
_INTEGER_PARAMS = frozenset({"limit", "timeoutSeconds", "gracePeriodSeconds"})
_BOOLEAN_PARAMS = frozenset({"watch", "force"})
# Definitions every group-version document names in its operations.
COMMON_DEFINITIONS = (STATUS, DELETE_OPTIONS, PATCH)
# How many (minor, group-version, kinds) documents are kept: far more than a process serves.
_KEPT_DOCUMENTS = 256


# --- index ----------------------------------------------------------------------------------------


def group_version_path(group: str, version: str) -> str:
    """The key of a group-version in the index: ``api/v1`` or ``apis/apps/v1``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def served(registry: Registry) -> dict[str, tuple[ResourceType, ...]]:
    """Every served group-version's path and kinds: core first, then groups in discovery
    order."""
    groups = ["", *(g for g in registry.groups() if g)]
    return {group_version_path(g, v): tuple(registry.in_group_version(g, v))
            for g in groups for v in registry.group_versions(g)}


def served_paths(registry: Registry) -> list[str]:
    return list(served(registry))


def index(registry: Registry) -> dict[str, Any]:
    """GET /openapi/v3. The hash changes whenever a document's content does, so kubectl's
    cache (keyed by URL) never serves a stale document."""
    minor = kube_schema.nearest_minor(registry.minor)
    return {"paths": {path: {"serverRelativeURL":
                             f"/openapi/v3/{path}?hash={_hash(minor, path, resources)}"}
                      for path, resources in served(registry).items()}}


def document(registry: Registry, path: str) -> dict[str, Any]:
    """GET /openapi/v3/<path> for ``api/v1`` or ``apis/<group>/<version>``, as a fresh copy."""
    return json.loads(document_bytes(registry, path))


def document_bytes(registry: Registry, path: str) -> bytes:
    """The document as served: canonical JSON, built once per minor and group-version."""
    path = path.strip("/")
    resources = served(registry).get(path)
    if not resources:
        raise path_not_found()
    return built_document(kube_schema.nearest_minor(registry.minor), path, resources)


@functools.lru_cache(maxsize=_KEPT_DOCUMENTS)
def _hash(minor: int, path: str, resources: tuple[ResourceType, ...]) -> str:
    # kube-apiserver uses an upper-case hex SHA-512 of the document; any stable digest works.
    return hashlib.sha512(built_document(minor, path, resources)).hexdigest().upper()


@functools.lru_cache(maxsize=_KEPT_DOCUMENTS)
def built_document(minor: int, path: str, resources: tuple[ResourceType, ...]) -> bytes:
    """The document of the group-version at ``path`` serving ``resources``, for a minor the
    package has (``schema.nearest_minor``): built once, shared by every cluster of the minor."""
    schema = kube_schema.schema_for(minor, documented=True)
    names = Names.of(schema, resources)
    body = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "unversioned"},
        "paths": _paths(resources, names),
        "components": {"schemas": _schemas(schema, resources, names)},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Names:
    """The schema names of a document's kinds and lists: kube's definition names, or, for a kind
    the minor's schema lacks, a name of the same form for its loose schema, or, for a custom
    resource, the name kube gives its CRD's schema."""

    kinds: dict[ResourceType, str]
    lists: dict[ResourceType, str]
    loose: frozenset[str]  # the names above that have no definition in the schema
    custom: frozenset[str] = frozenset()  # the names above that a CRD defines

    def kube_names(self) -> list[str]:
        """The kinds' and lists' names that kube's schema defines."""
        return [n for n in (*self.kinds.values(), *self.lists.values())
                if n not in self.loose and n not in self.custom]

    @property
    def needs_meta(self) -> bool:
        """Whether schemas made here (loose or custom) refer to ObjectMeta and ListMeta."""
        return bool(self.loose or self.custom)

    @classmethod
    def of(cls, schema: kube_schema.Schema, resources: tuple[ResourceType, ...]) -> "Names":
        kinds: dict[ResourceType, str] = {}
        lists: dict[ResourceType, str] = {}
        loose: set[str] = set()
        custom: set[str] = set()
        for resource in resources:
            if resource.custom is not None:
                kinds[resource] = openapi_custom.kind_name(resource)
                lists[resource] = openapi_custom.list_name(resource)
                custom.update((kinds[resource], lists[resource]))
                continue
            name = schema.definition_name(resource.api_version, resource.kind)
            kinds[resource] = name or _loose_name(resource)
            if name is None:
                loose.add(kinds[resource])
            if resource.virtual:  # create-only: never listed
                continue
            list_name = schema.definition_name(resource.api_version, resource.list_kind)
            lists[resource] = list_name or f"{kinds[resource]}List"
            if list_name is None:
                loose.add(lists[resource])
        return cls(kinds, lists, frozenset(loose), frozenset(custom))


# --- paths and operations -------------------------------------------------------------------------


def _paths(resources: tuple[ResourceType, ...], names: Names) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for resource in resources:
        for url, item in _resource_paths(resource, names).items():
            if any(method in item for method in ("get", "post", "put", "patch", "delete")):
                paths[url] = item
    return paths


def _resource_paths(resource: ResourceType, names: Names) -> dict[str, dict[str, Any]]:
    verbs = set(resource.verbs)
    kind_ref = {"$ref": V3_REF_PREFIX + names.kinds[resource]}
    kind_content = _content(names.kinds[resource])
    scope = "Namespaced" if resource.namespaced else ""
    if resource.namespaced:
        collection = f"{resource.base_path}/namespaces/{{namespace}}/{resource.plural}"
        owner_params = [_path_param("namespace")]
    else:
        collection = f"{resource.base_path}/{resource.plural}"
        owner_params = []
    coll: dict[str, Any] = {"parameters": owner_params}
    item: dict[str, Any] = {"parameters": [_path_param("name"), *owner_params]}
    if "list" in verbs:
        coll["get"] = _operation(resource, "list", f"list{{}}{scope}{resource.kind}", _LIST_PARAMS,
                                 _content(names.lists[resource]))
    if "create" in verbs:
        coll["post"] = _operation(resource, "post", f"create{{}}{scope}{resource.kind}",
                                  _MUTATION_PARAMS, kind_content, _body({"*/*": kind_ref}))
    if "deletecollection" in verbs:
        coll["delete"] = _operation(resource, "deletecollection",
                                    f"delete{{}}Collection{scope}{resource.kind}",
                                    _DELETE_PARAMS + _LIST_PARAMS, _content(STATUS))
    if "get" in verbs:
        item["get"] = _operation(resource, "get", f"read{{}}{scope}{resource.kind}", (),
                                 kind_content)
    if "update" in verbs:
        item["put"] = _operation(resource, "put", f"replace{{}}{scope}{resource.kind}",
                                 _MUTATION_PARAMS, kind_content, _body({"*/*": kind_ref}))
    if "patch" in verbs:
        strategic = (names.kinds[resource] not in names.loose
                     and names.kinds[resource] not in names.custom)
        consumed = [ct for ct in PATCH_ORDER if strategic or ct != STRATEGIC_MERGE_PATCH]
        patch_body = _body({ct: {"$ref": V3_REF_PREFIX + PATCH} for ct in consumed})
        item["patch"] = _operation(resource, "patch", f"patch{{}}{scope}{resource.kind}",
                                   _PATCH_PARAMS, kind_content, patch_body)
    if "delete" in verbs:
        # kube's CRD handler answers a delete with a Status.
        deleted = _content(STATUS) if resource.custom is not None else kind_content
        item["delete"] = _operation(resource, "delete", f"delete{{}}{scope}{resource.kind}",
                                    _DELETE_PARAMS, deleted)
    paths = {collection: coll, f"{collection}/{{name}}": item}
    if resource.namespaced and "list" in verbs:
        # The all-namespaces list; `kubectl explain` looks here first.
        paths[f"{resource.base_path}/{resource.plural}"] = {"get": _operation(
            resource, "list", f"list{{}}{resource.kind}ForAllNamespaces", _LIST_PARAMS,
            _content(names.lists[resource]))}
    return paths


def _operation(resource: ResourceType, action: str, operation_id: str,
               query_params: tuple[str, ...], ok: dict[str, Any],
               request_body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One operation. ``action`` uses kube-apiserver's names (post/put rather than
    create/update); ``operation_id`` has a ``{}`` where the group-version tag goes; ``ok`` is
    the content of its successful answers."""
    op: dict[str, Any] = {
        "operationId": operation_id.format(_tag(resource)),
        "parameters": [_query_param(name) for name in query_params],
        "responses": _responses(action, ok),
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": _gvk(resource),
    }
    if request_body is not None:
        op["requestBody"] = request_body
    return op


def _responses(action: str, ok: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", **ok},
                                 "401": {"description": "Unauthorized"}}
    if action in ("post", "put"):
        responses["201"] = {"description": "Created", **ok}
    if action in ("post", "delete"):
        responses["202"] = {"description": "Accepted", **ok}
    return responses


def _content(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": V3_REF_PREFIX + name}}}}


def _body(content: dict[str, Any]) -> dict[str, Any]:
    return {"content": {ct: {"schema": schema} for ct, schema in content.items()},
            "required": True}


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string", "uniqueItems": True}}


def _query_param(name: str) -> dict[str, Any]:
    kind = "integer" if name in _INTEGER_PARAMS else "boolean" if name in _BOOLEAN_PARAMS \
        else "string"
    return {"name": name, "in": "query", "schema": {"type": kind, "uniqueItems": True}}


def _gvk(resource: ResourceType, kind: str | None = None) -> dict[str, str]:
    return {"group": resource.group, "version": resource.version, "kind": kind or resource.kind}


def _tag(resource: ResourceType) -> str:
    """``CoreV1``, ``AppsV1``, ``RbacAuthorizationV1``: kube's operationId prefix."""
    group = resource.group.removesuffix(".k8s.io") if resource.group else "core"
    words = group.replace("-", ".").split(".")
    return "".join(w[:1].upper() + w[1:] for w in words) + resource.version.capitalize()


# --- schemas --------------------------------------------------------------------------------------


def _schemas(schema: kube_schema.Schema, resources: tuple[ResourceType, ...],
             names: Names) -> dict[str, Any]:
    """kube's definitions of the served kinds, their lists and what the operations name, with
    every definition they refer to; loose schemas for kinds the minor lacks; custom resources'
    schemas from their CRDs."""
    roots = [*names.kube_names(), *COMMON_DEFINITIONS]
    if names.needs_meta:
        roots += [OBJECT_META, LIST_META]
    schemas = {name: definition(schema, name, 3) for name in schema.closure(roots)}
    for resource in resources:
        schemas.update(loose_schemas(schema, resource, names, 3))
        schemas.update(custom_schemas(schema, resource, 3))
    return schemas


def definition(schema: kube_schema.Schema, name: str, openapi_version: int) -> dict[str, Any]:
    """A definition of the schema as kube-apiserver publishes it in OpenAPI v3 (``3``) or
    Swagger 2.0 (``2``): one type per node, ``$ref`` into the document's own section, and
    without the ``enum`` the JSON Schema generator put on kinds' ``apiVersion`` and ``kind``."""
    node = _convert(schema.definitions[name], openapi_version)
    if kube_schema.GVK_EXTENSION in node:
        for field in ("apiVersion", "kind"):
            node.get("properties", {}).get(field, {}).pop("enum", None)
    return node


_V2_REF_PREFIX = "#/definitions/"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"


def _convert(node: Any, openapi_version: int) -> Any:
    """A schema node converted (a new one: the schema is shared and never changed)."""
    if not isinstance(node, dict):
        return copy.deepcopy(node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$ref", "type", "oneOf"):
            continue
        if key == "properties":
            out[key] = {name: _convert(field, openapi_version) for name, field in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = _convert(value, openapi_version)
        elif key in ("allOf", "anyOf"):
            out[key] = [_convert(part, openapi_version) for part in value]
        else:
            out[key] = copy.deepcopy(value)
    kind = kube_schema.type_of(node)
    if kind is not None:
        out["type"] = kind
    if "oneOf" in node:
        if openapi_version == 3:
            out["oneOf"] = [_convert(part, openapi_version) for part in node["oneOf"]]
        else:  # Swagger 2.0 has one type: kube writes IntOrString and Quantity as strings
            kinds = [kube_schema.type_of(part) for part in node["oneOf"]]
            out["type"] = "string" if "string" in kinds else next(k for k in kinds if k)
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = kube_schema.ref_name(ref)
        if openapi_version == 2:
            out["$ref"] = _V2_REF_PREFIX + name
        elif out:  # kube-apiserver's v3: a reference beside anything else is an allOf
            out["allOf"] = [{"$ref": V3_REF_PREFIX + name}]
        else:
            out["$ref"] = V3_REF_PREFIX + name
    return out


def v2_definition(schema: kube_schema.Schema, name: str) -> dict[str, Any]:
    """``definition`` for Swagger 2.0, where IntOrString also says so in its format."""
    node = definition(schema, name, 2)
    if name == _INT_OR_STRING:
        node["format"] = "int-or-string"
    return node


def loose_schemas(schema: kube_schema.Schema, resource: ResourceType, names: Names,
                  openapi_version: int) -> dict[str, Any]:
    """The loose schemas of a served kind the minor's schema lacks (and of its list)."""
    out: dict[str, Any] = {}
    if names.kinds[resource] in names.loose:
        out[names.kinds[resource]] = _loose_kind(schema, resource, openapi_version)
    if names.lists.get(resource) in names.loose:
        out[names.lists[resource]] = _loose_list(schema, resource, names, openapi_version)
    return out


def custom_schemas(schema: kube_schema.Schema, resource: ResourceType,
                   openapi_version: int) -> dict[str, Any]:
    """A custom resource's kind and list definitions (none for a built-in kind)."""
    if resource.custom is None:
        return {}
    return openapi_custom.definitions(resource, openapi_version,
                                      _type_meta(schema, openapi_version))


def _loose_name(resource: ResourceType) -> str:
    """``io.k8s.api.core.v1.ConfigMap``: built-in groups are named by their first label."""
    package = resource.group.split(".")[0] if resource.group else "core"
    return f"io.k8s.api.{package}.{resource.version}.{resource.kind}"


def _type_meta(schema: kube_schema.Schema, openapi_version: int) -> dict[str, Any]:
    """apiVersion and kind as kube describes them (on its Status)."""
    status = definition(schema, STATUS, openapi_version)["properties"]
    return {"apiVersion": status["apiVersion"], "kind": status["kind"]}


def _meta_ref(name: str, openapi_version: int) -> dict[str, Any]:
    if openapi_version == 2:
        return {"$ref": _V2_REF_PREFIX + name}
    return {"allOf": [{"$ref": V3_REF_PREFIX + name}], "default": {}}


def _loose_kind(schema: kube_schema.Schema, resource: ResourceType,
                openapi_version: int) -> dict[str, Any]:
    return {
        "type": "object",
        "description": messages.OPENAPI_KIND_DESCRIPTION.format(
            kind=resource.kind, api_version=resource.api_version),
        "properties": {**_type_meta(schema, openapi_version),
                       "metadata": _meta_ref(OBJECT_META, openapi_version)},
        # Nothing the kind has is known: every field is kept.
        "x-kubernetes-preserve-unknown-fields": True,
        # Schemas carry a *list* of GVKs (operations carry one); kubectl explain matches the list.
        kube_schema.GVK_EXTENSION: [_gvk(resource)],
    }


def _loose_list(schema: kube_schema.Schema, resource: ResourceType, names: Names,
                openapi_version: int) -> dict[str, Any]:
    prefix = V3_REF_PREFIX if openapi_version == 3 else _V2_REF_PREFIX
    return {
        "type": "object",
        "description": messages.OPENAPI_LIST_DESCRIPTION.format(kind=resource.kind),
        "required": ["items"],
        "properties": {**_type_meta(schema, openapi_version),
                       "metadata": _meta_ref(LIST_META, openapi_version),
                       "items": {"type": "array",
                                 "items": {"$ref": prefix + names.kinds[resource]}}},
        kube_schema.GVK_EXTENSION: [_gvk(resource, resource.list_kind)],
    }
