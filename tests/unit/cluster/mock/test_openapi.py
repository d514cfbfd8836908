"""OpenAPI v3 index and documents, checked the way kubectl 1.27+ reads them: kube's schemas for the
cluster's minor, for every kind its registry serves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock
from emulator.cluster.mock.wire import openapi
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.registry.schema import schema_for
from emulator.cluster.mock.wire.status import KubeError


def cluster_registry(version: str) -> Registry:
    """The registry a cluster of ``version`` serves."""
    return MockApiserver("openapi-test", version, FakeClock()).registry


REGISTRY = cluster_registry("v1.30.5")

CONFIGMAP_ITEM = "/api/v1/namespaces/{namespace}/configmaps/{name}"
DEPLOYMENT_ITEM = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for url, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield url, method, item[method]


def _query_names(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation["parameters"] if p["in"] == "query"}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):  # not a field named "$ref"
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


# --- index ----------------------------------------------------------------------------------------


def test_index_lists_every_served_group_version() -> None:
    paths = openapi.index(REGISTRY)["paths"]
    expected = {f"apis/{r.group}/{r.version}" if r.group else f"api/{r.version}"
                for r in REGISTRY.resources}
    assert set(paths) == expected
    assert list(paths)[0] == "api/v1"


def test_index_urls_carry_a_stable_content_hash() -> None:
    paths = openapi.index(REGISTRY)["paths"]
    for path, entry in paths.items():
        match = re.fullmatch(rf"/openapi/v3/{re.escape(path)}\?hash=([0-9A-F]+)",
                             entry["serverRelativeURL"])
        assert match, entry
    assert openapi.index(REGISTRY) == {"paths": paths}
    hashes = [entry["serverRelativeURL"].split("hash=")[1] for entry in paths.values()]
    assert len(set(hashes)) == len(hashes)


# --- documents ------------------------------------------------------------------------------------


def test_document_header() -> None:
    doc = openapi.document(REGISTRY, "api/v1")
    assert doc["openapi"] == "3.0.0"
    assert doc["info"]["title"]
    assert doc["paths"] and doc["components"]["schemas"]


@pytest.mark.parametrize("path", ["api/v2", "apis/apps/v2", "apis/batch/v1beta1", "apis/apps", "",
                                  "apis/example.com/v1"])
def test_unknown_document_is_404(path: str) -> None:
    with pytest.raises(KubeError) as caught:
        openapi.document(REGISTRY, path)
    assert caught.value.code == 404
    assert caught.value.message == messages.K8S_PATH_NOT_FOUND


def test_document_accepts_surrounding_slashes() -> None:
    assert openapi.document(REGISTRY, "/apis/apps/v1/") == openapi.document(REGISTRY,
                                                                              "apis/apps/v1")


def test_documents_are_independent_copies() -> None:
    doc = openapi.document(REGISTRY, "api/v1")
    doc["paths"].clear()
    assert openapi.document(REGISTRY, "api/v1")["paths"]


@pytest.mark.parametrize(("path", "item", "gvk"), [
    ("api/v1", CONFIGMAP_ITEM, {"group": "", "version": "v1", "kind": "ConfigMap"}),
    ("apis/apps/v1", DEPLOYMENT_ITEM, {"group": "apps", "version": "v1", "kind": "Deployment"}),
])
def test_patch_operation_advertises_field_validation(path: str, item: str,
                                                     gvk: dict[str, str]) -> None:
    patch = openapi.document(REGISTRY, path)["paths"][item]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == gvk
    assert patch["x-kubernetes-action"] == "patch"
    assert {"fieldValidation", "fieldManager", "dryRun"} <= _query_names(patch)
    field_validation = next(p for p in patch["parameters"] if p["name"] == "fieldValidation")
    assert field_validation["in"] == "query"
    content = patch["requestBody"]["content"]
    # kube lists server-side apply for every kind, and PatchOptions' force beside it.
    assert {"application/json-patch+json", "application/merge-patch+json",
            "application/apply-patch+yaml"} <= set(content)
    assert "force" in _query_names(patch)


def test_patch_offers_strategic_merge_for_kinds_with_kubes_schema() -> None:
    # kubectl 1.29+ apply then computes its patch from these schemas, as against kube.
    patch = openapi.document(REGISTRY, "apis/apps/v1")["paths"][DEPLOYMENT_ITEM]["patch"]
    assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]


def test_every_patch_operation_has_field_validation() -> None:
    # kubectl's verifier stops at the first PATCH with the GVK it finds, in map order.
    for path in openapi.served_paths(REGISTRY):
        for _, method, operation in _operations(openapi.document(REGISTRY, path)):
            if method == "patch":
                assert "fieldValidation" in _query_names(operation)


def test_mutating_operations_carry_gvk_and_query_parameters() -> None:
    doc = openapi.document(REGISTRY, "api/v1")
    for _, method, operation in _operations(doc):
        assert set(operation["x-kubernetes-group-version-kind"]) == {"group", "version", "kind"}
        if method in ("post", "put", "patch"):
            assert {"fieldValidation", "fieldManager", "dryRun"} <= _query_names(operation)
            assert operation["requestBody"]["required"] is True


def test_actions_follow_kube_apiserver_names() -> None:
    paths = openapi.document(REGISTRY, "api/v1")["paths"]
    collection = paths["/api/v1/namespaces/{namespace}/configmaps"]
    item = paths[CONFIGMAP_ITEM]
    assert collection["get"]["x-kubernetes-action"] == "list"
    assert collection["post"]["x-kubernetes-action"] == "post"
    assert collection["delete"]["x-kubernetes-action"] == "deletecollection"
    assert item["get"]["x-kubernetes-action"] == "get"
    assert item["put"]["x-kubernetes-action"] == "put"
    assert item["delete"]["x-kubernetes-action"] == "delete"
    assert item["get"]["operationId"] == "readCoreV1NamespacedConfigMap"


def test_operations_follow_verbs() -> None:
    paths = openapi.document(REGISTRY, "api/v1")["paths"]
    namespaces = paths["/api/v1/namespaces"]
    assert "delete" not in namespaces  # namespaces have no deletecollection verb
    assert {"get", "post"} <= set(namespaces)
    assert paths["/api/v1/namespaces/{name}"]["parameters"] == [
        {"name": "name", "in": "path", "required": True,
         "schema": {"type": "string", "uniqueItems": True}}]


def test_create_only_resources_have_only_post() -> None:
    paths = openapi.document(REGISTRY, "apis/authorization.k8s.io/v1")["paths"]
    access = paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]
    assert [m for m in METHODS if m in access] == ["post"]
    assert not any(url.endswith("{name}") for url in paths)


def test_all_namespaces_list_path_exists_for_namespaced_resources() -> None:
    paths = openapi.document(REGISTRY, "apis/apps/v1")["paths"]
    operation = paths["/apis/apps/v1/deployments"]["get"]
    assert operation["x-kubernetes-action"] == "list"
    assert operation["operationId"] == "listAppsV1DeploymentForAllNamespaces"


def test_operation_ids_use_kube_group_tags() -> None:
    paths = openapi.document(REGISTRY, "apis/rbac.authorization.k8s.io/v1")["paths"]
    operation = paths["/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}"]["patch"]
    assert operation["operationId"] == "patchRbacAuthorizationV1ClusterRole"


def test_every_ref_resolves() -> None:
    for path in openapi.served_paths(REGISTRY):
        doc = openapi.document(REGISTRY, path)
        for ref in _refs(doc):
            assert ref.startswith("#/components/schemas/")
            assert ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"]


# --- schemas --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "name", "gvk"), [
    ("api/v1", "io.k8s.api.core.v1.ConfigMap", ("", "v1", "ConfigMap")),
    ("api/v1", "io.k8s.api.core.v1.PodList", ("", "v1", "PodList")),
    ("apis/apps/v1", "io.k8s.api.apps.v1.Deployment", ("apps", "v1", "Deployment")),
    ("apis/rbac.authorization.k8s.io/v1", "io.k8s.api.rbac.v1.ClusterRole",
     ("rbac.authorization.k8s.io", "v1", "ClusterRole")),
    ("apis/authentication.k8s.io/v1beta1", "io.k8s.api.authentication.v1beta1.SelfSubjectReview",
     ("authentication.k8s.io", "v1beta1", "SelfSubjectReview")),
])
def test_schema_names_and_gvk_lists(path: str, name: str, gvk: tuple[str, str, str]) -> None:
    schema = openapi.document(REGISTRY, path)["components"]["schemas"][name]
    assert schema["type"] == "object"
    group, version, kind = gvk
    # On schemas the extension is a list, as kube-apiserver writes it and kubectl explain reads it.
    assert schema["x-kubernetes-group-version-kind"] == [
        {"group": group, "version": version, "kind": kind}]


def test_configmap_schema_is_kubes() -> None:
    schema = openapi.document(REGISTRY, "api/v1")["components"]["schemas"][
        "io.k8s.api.core.v1.ConfigMap"]
    kube = schema_for(30, documented=True).definition("io.k8s.api.core.v1.ConfigMap")
    assert kube is not None
    assert schema["description"] == kube["description"]
    properties = schema["properties"]
    assert set(properties) == set(kube["properties"])
    assert properties["data"]["additionalProperties"] == {"type": "string"}
    assert properties["kind"] == {"type": "string",
                                  "description": kube["properties"]["kind"]["description"]}
    assert all(properties[name].get("description") for name in properties)


def test_references_beside_a_description_are_all_of_as_kube_writes_them() -> None:
    schemas = openapi.document(REGISTRY, "apis/apps/v1")["components"]["schemas"]
    spec = schemas["io.k8s.api.apps.v1.Deployment"]["properties"]["spec"]
    assert spec["allOf"] == [{"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}]
    assert spec["description"] and "$ref" not in spec
    strategy = schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["strategy"]
    assert strategy["x-kubernetes-patch-strategy"] == "retainKeys"
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    assert (containers["x-kubernetes-patch-merge-key"], containers["x-kubernetes-list-type"]) == (
        "name", "map")


def test_types_are_single_and_kinds_carry_no_enum() -> None:
    for path in openapi.served_paths(REGISTRY):
        for name, schema in openapi.document(REGISTRY, path)["components"]["schemas"].items():
            for node in _nodes(schema):
                assert not isinstance(node.get("type"), list), name
            if "x-kubernetes-group-version-kind" in schema:
                assert "enum" not in schema.get("properties", {}).get("kind", {}), name


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for key in ("items", "additionalProperties"):
            yield from _nodes(node.get(key))
        for key in ("allOf", "oneOf"):
            for part in node.get(key, ()):
                yield from _nodes(part)
        for field in node.get("properties", {}).values():
            yield from _nodes(field)


def _explain(doc: dict[str, Any], name: str, path: str) -> dict[str, Any]:
    """The schema of a field as kubectl explain finds it: through $ref, allOf and list items."""
    schemas = doc["components"]["schemas"]

    def resolved(node: dict[str, Any]) -> dict[str, Any]:
        while True:
            if "$ref" in node:
                node = schemas[node["$ref"].removeprefix("#/components/schemas/")]
            elif "allOf" in node and "properties" not in node:
                node = node["allOf"][0]
            elif node.get("type") == "array":
                node = node["items"]
            else:
                return node

    node: dict[str, Any] = schemas[name]
    for step in path.split("."):
        node = resolved(node)["properties"][step]
    return node


@pytest.mark.parametrize(("path", "name", "field", "definition", "property_name"), [
    ("apis/apps/v1", "io.k8s.api.apps.v1.Deployment", "spec.template.spec.containers.image",
     "io.k8s.api.core.v1.Container", "image"),
    ("api/v1", "io.k8s.api.core.v1.Pod", "spec.containers.resources.limits",
     "io.k8s.api.core.v1.ResourceRequirements", "limits"),
    ("api/v1", "io.k8s.api.core.v1.Pod", "metadata.ownerReferences.uid",
     "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference", "uid"),
])
def test_fields_at_any_depth_carry_kubes_description(path: str, name: str, field: str,
                                                      definition: str,
                                                      property_name: str) -> None:
    kube = schema_for(30, documented=True).definition(definition)
    assert kube is not None
    found = _explain(openapi.document(REGISTRY, path), name, field)
    assert found["description"] == kube["properties"][property_name]["description"]


def test_documents_are_built_once_per_minor_and_shared() -> None:
    again = cluster_registry("v1.30.1")
    assert openapi.document_bytes(again, "api/v1") is openapi.document_bytes(REGISTRY, "api/v1")
    older = cluster_registry("v1.29.4")
    assert openapi.index(older)["paths"]["api/v1"] != openapi.index(REGISTRY)["paths"]["api/v1"]


def test_a_kind_the_minor_lacks_gets_a_loose_schema() -> None:
    widget = ResourceType("example.com", "v1", "Widget", "widgets", "widget", True)

    class OneKind:
        minor = 30
        resources = (widget,)

        def groups(self) -> list[str]:
            return ["example.com"]

        def group_versions(self, group: str) -> list[str]:
            return ["v1"] if group == "example.com" else []

        def in_group_version(self, group: str, version: str) -> list[ResourceType]:
            return [widget] if (group, version) == ("example.com", "v1") else []

    doc = openapi.document(OneKind(), "apis/example.com/v1")  # type: ignore[arg-type]
    schemas = doc["components"]["schemas"]
    kind = schemas["io.k8s.api.example.v1.Widget"]
    assert kind["x-kubernetes-preserve-unknown-fields"] is True
    assert kind["description"] == messages.OPENAPI_KIND_DESCRIPTION.format(
        kind="Widget", api_version="example.com/v1")
    assert kind["x-kubernetes-group-version-kind"] == [
        {"group": "example.com", "version": "v1", "kind": "Widget"}]
    assert schemas["io.k8s.api.example.v1.WidgetList"]["x-kubernetes-group-version-kind"] == [
        {"group": "example.com", "version": "v1", "kind": "WidgetList"}]
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in schemas
    patch = doc["paths"]["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]["patch"]
    # No strategic merge without kube's merge keys; server-side apply, as kube lists it.
    assert set(patch["requestBody"]["content"]) == {"application/json-patch+json",
                                                    "application/merge-patch+json",
                                                    "application/apply-patch+yaml"}
    for ref in _refs(doc):
        assert ref.removeprefix("#/components/schemas/") in schemas


def test_kubectl_explain_can_resolve_configmaps() -> None:
    # Mirrors kubectl's explain template: GVK from an operation on the resource's path, then the
    # schema whose GVK list contains it.
    doc = openapi.document(REGISTRY, "api/v1")
    gvk = doc["paths"]["/api/v1/configmaps"]["get"]["x-kubernetes-group-version-kind"]
    matches = [name for name, schema in doc["components"]["schemas"].items()
               if gvk in schema.get("x-kubernetes-group-version-kind", [])]
    assert matches == ["io.k8s.api.core.v1.ConfigMap"]


def test_every_resource_kind_has_a_schema() -> None:
    for resource in REGISTRY.resources:
        path = (f"apis/{resource.group}/{resource.version}" if resource.group
                else f"api/{resource.version}")
        schemas = openapi.document(REGISTRY, path)["components"]["schemas"]
        assert any({"group": resource.group, "version": resource.version, "kind": resource.kind}
                   in s.get("x-kubernetes-group-version-kind", []) for s in schemas.values())
