"""OpenAPI v3 documents of the mock apiserver (/openapi/v3 and /openapi/v3/<group-version>).

kubectl 1.29+ reads these for three things (k8s-streaming.md §7.3):

* ``apply``/``create`` with the default ``--validate=strict`` look for a PATCH operation tagged
  with the object's ``x-kubernetes-group-version-kind`` that takes a ``fieldValidation`` query
  parameter. Finding it, kubectl leaves validation to the server. The check stops at the first
  PATCH operation with that GVK, so every one of them carries the parameter.
* ``explain`` finds a path for the resource, takes the GVK from its operations, then renders the
  ``components.schemas`` entry whose GVK *list* contains it.
* ``apply`` (update path) computes its strategic merge patch from these schemas when a PATCH
  operation lists ``application/strategic-merge-patch+json``. See ``PATCH_CONTENT_TYPES``.

The schemas are intentionally loose; the mock decodes and validates bodies itself.
``/openapi/v2``, which kubectl 1.27/1.28 read instead, is made from these paths (openapi_v2.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from emulator import messages
from emulator.cluster.mock.resources import REGISTRY, ResourceType
from emulator.cluster.mock.status import path_not_found

META = "io.k8s.apimachinery.pkg.apis.meta.v1"
OBJECT_META = f"{META}.ObjectMeta"
LIST_META = f"{META}.ListMeta"
STATUS = f"{META}.Status"
DELETE_OPTIONS = f"{META}.DeleteOptions"
PATCH = f"{META}.Patch"

# Deliberately without application/strategic-merge-patch+json, although the mock accepts it.
# When a PATCH operation lists it, kubectl 1.29+ `apply` computes its patch from these schemas
# (apply/patcher.go, buildStrategicMergePatchFromOpenAPIV3); any changed field the loose schema
# does not spell out (spec.template of a Deployment, say) then prints
# `warning: error calculating patch from openapi v3 spec: unable to find api field ...`.
# Without it kubectl silently uses its compiled-in types, which know every built-in kind's merge
# keys, and still sends a strategic merge patch. Server-side apply is not supported at all.
PATCH_CONTENT_TYPES = ("application/json-patch+json", "application/merge-patch+json")

_MUTATION_PARAMS = ("dryRun", "fieldManager", "fieldValidation")
_LIST_PARAMS = ("continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
                "resourceVersionMatch", "timeoutSeconds", "watch")
_DELETE_PARAMS = ("dryRun", "gracePeriodSeconds", "propagationPolicy")
_INTEGER_PARAMS = frozenset({"limit", "timeoutSeconds", "gracePeriodSeconds"})
_BOOLEAN_PARAMS = frozenset({"watch"})

# Top-level fields of kinds that do not follow the spec/status shape, with their OpenAPI types.
_KIND_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ConfigMap": (("data", "map"), ("binaryData", "map"), ("immutable", "boolean")),
    "Secret": (("data", "map"), ("stringData", "map"), ("type", "string"),
               ("immutable", "boolean")),
    "ServiceAccount": (("secrets", "array"), ("imagePullSecrets", "array"),
                       ("automountServiceAccountToken", "boolean")),
    "Event": (("involvedObject", "object"), ("reason", "string"), ("message", "string"),
              ("source", "object"), ("type", "string"), ("count", "integer"),
              ("firstTimestamp", "string"), ("lastTimestamp", "string"),
              ("eventTime", "string"), ("series", "object"), ("action", "string"),
              ("related", "object"), ("reportingComponent", "string"),
              ("reportingInstance", "string")),
    "Role": (("rules", "array"),),
    "ClusterRole": (("rules", "array"), ("aggregationRule", "object")),
    "RoleBinding": (("roleRef", "object"), ("subjects", "array")),
    "ClusterRoleBinding": (("roleRef", "object"), ("subjects", "array")),
}
_DEFAULT_FIELDS: tuple[tuple[str, str], ...] = (("spec", "object"), ("status", "object"))


# --- index ----------------------------------------------------------------------------------------


def group_version_path(group: str, version: str) -> str:
    """The key of a group-version in the index: ``api/v1`` or ``apis/apps/v1``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def served_paths() -> list[str]:
    """Every served group-version, core first, then groups in discovery order."""
    groups = ["", *REGISTRY.groups()]
    return [group_version_path(g, v) for g in groups for v in REGISTRY.group_versions(g)]


def index() -> dict[str, Any]:
    """GET /openapi/v3. The hash changes whenever a document's content does, so kubectl's
    cache (keyed by URL) never serves a stale document."""
    return {"paths": {path: {"serverRelativeURL": f"/openapi/v3/{path}?hash={_hash(path)}"}
                      for path in served_paths()}}


def document(path: str) -> dict[str, Any]:
    """GET /openapi/v3/<path> for ``api/v1`` or ``apis/<group>/<version>``."""
    return json.loads(_document_json(path.strip("/")))


def _hash(path: str) -> str:
    # kube-apiserver uses an upper-case hex SHA-512 of the document; any stable digest works.
    return hashlib.sha512(_document_json(path).encode()).hexdigest().upper()


@functools.cache
def _document_json(path: str) -> str:
    """The document as canonical JSON, built once: REGISTRY never changes at run time, and
    callers get a fresh copy from ``document`` so they cannot alter the cached one."""
    if path not in served_paths():
        raise path_not_found()
    resources = [r for r in REGISTRY.resources if group_version_path(r.group, r.version) == path]
    body = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "unversioned"},
        "paths": _paths(resources),
        "components": {"schemas": _schemas(resources)},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


# --- paths and operations -------------------------------------------------------------------------


def _paths(resources: list[ResourceType]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for resource in resources:
        for url, item in _resource_paths(resource).items():
            if any(method in item for method in ("get", "post", "put", "patch", "delete")):
                paths[url] = item
    return paths


def _resource_paths(resource: ResourceType) -> dict[str, dict[str, Any]]:
    verbs = set(resource.verbs)
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
        coll["get"] = _operation(resource, "list", f"list{{}}{scope}{resource.kind}", _LIST_PARAMS)
    if "create" in verbs:
        coll["post"] = _operation(resource, "post", f"create{{}}{scope}{resource.kind}",
                                  _MUTATION_PARAMS, _body({"*/*": _ref(resource)}))
    if "deletecollection" in verbs:
        coll["delete"] = _operation(resource, "deletecollection",
                                    f"delete{{}}Collection{scope}{resource.kind}",
                                    _DELETE_PARAMS + _LIST_PARAMS)
    if "get" in verbs:
        item["get"] = _operation(resource, "get", f"read{{}}{scope}{resource.kind}", ())
    if "update" in verbs:
        item["put"] = _operation(resource, "put", f"replace{{}}{scope}{resource.kind}",
                                 _MUTATION_PARAMS, _body({"*/*": _ref(resource)}))
    if "patch" in verbs:
        patch_body = _body({ct: {"$ref": f"#/components/schemas/{PATCH}"}
                            for ct in PATCH_CONTENT_TYPES})
        item["patch"] = _operation(resource, "patch", f"patch{{}}{scope}{resource.kind}",
                                   _MUTATION_PARAMS, patch_body)
    if "delete" in verbs:
        item["delete"] = _operation(resource, "delete", f"delete{{}}{scope}{resource.kind}",
                                    _DELETE_PARAMS)
    paths = {collection: coll, f"{collection}/{{name}}": item}
    if resource.namespaced and "list" in verbs:
        # The all-namespaces list; `kubectl explain` looks here first.
        paths[f"{resource.base_path}/{resource.plural}"] = {"get": _operation(
            resource, "list", f"list{{}}{resource.kind}ForAllNamespaces", _LIST_PARAMS)}
    return paths


def _operation(resource: ResourceType, action: str, operation_id: str,
               query_params: tuple[str, ...], request_body: dict[str, Any] | None = None,
               ) -> dict[str, Any]:
    """One operation. ``action`` uses kube-apiserver's names (post/put rather than
    create/update); ``operation_id`` has a ``{}`` where the group-version tag goes."""
    op: dict[str, Any] = {
        "operationId": operation_id.format(_tag(resource)),
        "parameters": [_query_param(name) for name in query_params],
        "responses": _responses(resource, action),
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": _gvk(resource),
    }
    if request_body is not None:
        op["requestBody"] = request_body
    return op


def _responses(resource: ResourceType, action: str) -> dict[str, Any]:
    if action == "list":
        ok = _content(f"#/components/schemas/{_schema_name(resource)}List")
    elif action == "deletecollection":
        ok = _content(f"#/components/schemas/{STATUS}")
    else:
        ok = _content(f"#/components/schemas/{_schema_name(resource)}")
    responses: dict[str, Any] = {"200": {"description": "OK", **ok},
                                 "401": {"description": "Unauthorized"}}
    if action in ("post", "put"):
        responses["201"] = {"description": "Created", **ok}
    if action in ("post", "delete"):
        responses["202"] = {"description": "Accepted", **ok}
    return responses


def _content(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": ref}}}}


def _body(content: dict[str, Any]) -> dict[str, Any]:
    return {"content": {ct: {"schema": schema} for ct, schema in content.items()},
            "required": True}


def _ref(resource: ResourceType) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{_schema_name(resource)}"}


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


def _schema_name(resource: ResourceType) -> str:
    """``io.k8s.api.core.v1.ConfigMap``: built-in groups are named by their first label."""
    package = resource.group.split(".")[0] if resource.group else "core"
    return f"io.k8s.api.{package}.{resource.version}.{resource.kind}"


def _schemas(resources: list[ResourceType]) -> dict[str, Any]:
    schemas: dict[str, Any] = {
        OBJECT_META: _object_meta_schema(),
        LIST_META: _loose_object(),
        STATUS: {**_loose_object(), "x-kubernetes-group-version-kind": [
            {"group": "", "version": "v1", "kind": "Status"}]},
        DELETE_OPTIONS: _loose_object(),
        PATCH: {"type": "object"},
    }
    for resource in resources:
        schemas[_schema_name(resource)] = _kind_schema(resource)
        if not resource.virtual:
            schemas[f"{_schema_name(resource)}List"] = _list_schema(resource)
    return schemas


def _kind_schema(resource: ResourceType) -> dict[str, Any]:
    fields = _KIND_FIELDS.get(resource.kind, _DEFAULT_FIELDS)
    properties = {
        "apiVersion": _field("apiVersion", "string"),
        "kind": _field("kind", "string"),
        "metadata": {"allOf": [{"$ref": f"#/components/schemas/{OBJECT_META}"}],
                     "default": {}, "description": messages.OPENAPI_FIELD_DESCRIPTIONS["metadata"]},
    }
    properties.update({name: _field(name, kind) for name, kind in fields})
    description = messages.OPENAPI_KIND_DESCRIPTIONS.get(
        resource.kind,
        messages.OPENAPI_KIND_DESCRIPTION.format(kind=resource.kind,
                                                 api_version=resource.api_version))
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        # Schemas carry a *list* of GVKs (operations carry one); kubectl explain matches the list.
        "x-kubernetes-group-version-kind": [_gvk(resource)],
    }


def _list_schema(resource: ResourceType) -> dict[str, Any]:
    return {
        "type": "object",
        "description": messages.OPENAPI_LIST_DESCRIPTION.format(kind=resource.kind),
        "required": ["items"],
        "properties": {
            "apiVersion": _field("apiVersion", "string"),
            "kind": _field("kind", "string"),
            "metadata": {"allOf": [{"$ref": f"#/components/schemas/{LIST_META}"}],
                         "default": {},
                         "description": messages.OPENAPI_FIELD_DESCRIPTIONS["listMetadata"]},
            "items": {"type": "array", "items": _ref(resource),
                      "description": messages.OPENAPI_FIELD_DESCRIPTIONS["items"]},
        },
        "x-kubernetes-group-version-kind": [_gvk(resource, resource.list_kind)],
    }


def _object_meta_schema() -> dict[str, Any]:
    properties = {
        "name": _field("name", "string"),
        "namespace": _field("namespace", "string"),
        "labels": _field("labels", "map"),
        "annotations": _field("annotations", "map"),
    }
    return {**_loose_object(), "properties": properties}


def _field(name: str, kind: str) -> dict[str, Any]:
    """A top-level field. Objects and array items keep unknown fields, so no valid manifest is
    ever rejected by the schema."""
    if kind == "map":
        schema: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
    elif kind == "object":
        schema = _loose_object()
    elif kind == "array":
        schema = {"type": "array", "items": _loose_object()}
    else:
        schema = {"type": kind}
    description = messages.OPENAPI_FIELD_DESCRIPTIONS.get(name)
    if description:
        schema["description"] = description
    return schema


def _loose_object() -> dict[str, Any]:
    return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
