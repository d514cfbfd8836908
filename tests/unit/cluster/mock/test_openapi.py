"""OpenAPI v3 index and documents, checked the way kubectl 1.29+ reads them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock import openapi
from emulator.cluster.mock.resources import REGISTRY
from emulator.cluster.mock.status import KubeError

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
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


# --- index ----------------------------------------------------------------------------------------


def test_index_lists_every_served_group_version() -> None:
    paths = openapi.index()["paths"]
    expected = {f"apis/{r.group}/{r.version}" if r.group else f"api/{r.version}"
                for r in REGISTRY.resources}
    assert set(paths) == expected
    assert list(paths)[0] == "api/v1"


def test_index_urls_carry_a_stable_content_hash() -> None:
    paths = openapi.index()["paths"]
    for path, entry in paths.items():
        match = re.fullmatch(rf"/openapi/v3/{re.escape(path)}\?hash=([0-9A-F]+)",
                             entry["serverRelativeURL"])
        assert match, entry
    assert openapi.index() == {"paths": paths}
    hashes = [entry["serverRelativeURL"].split("hash=")[1] for entry in paths.values()]
    assert len(set(hashes)) == len(hashes)


# --- documents ------------------------------------------------------------------------------------


def test_document_header() -> None:
    doc = openapi.document("api/v1")
    assert doc["openapi"] == "3.0.0"
    assert doc["info"]["title"]
    assert doc["paths"] and doc["components"]["schemas"]


@pytest.mark.parametrize("path", ["api/v2", "apis/apps/v2", "apis/batch/v1", "apis/apps", ""])
def test_unknown_document_is_404(path: str) -> None:
    with pytest.raises(KubeError) as caught:
        openapi.document(path)
    assert caught.value.code == 404
    assert caught.value.message == messages.K8S_PATH_NOT_FOUND


def test_document_accepts_surrounding_slashes() -> None:
    assert openapi.document("/apis/apps/v1/") == openapi.document("apis/apps/v1")


def test_documents_are_independent_copies() -> None:
    doc = openapi.document("api/v1")
    doc["paths"].clear()
    assert openapi.document("api/v1")["paths"]


@pytest.mark.parametrize(("path", "item", "gvk"), [
    ("api/v1", CONFIGMAP_ITEM, {"group": "", "version": "v1", "kind": "ConfigMap"}),
    ("apis/apps/v1", DEPLOYMENT_ITEM, {"group": "apps", "version": "v1", "kind": "Deployment"}),
])
def test_patch_operation_advertises_field_validation(path: str, item: str,
                                                     gvk: dict[str, str]) -> None:
    patch = openapi.document(path)["paths"][item]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == gvk
    assert patch["x-kubernetes-action"] == "patch"
    assert {"fieldValidation", "fieldManager", "dryRun"} <= _query_names(patch)
    field_validation = next(p for p in patch["parameters"] if p["name"] == "fieldValidation")
    assert field_validation["in"] == "query"
    content = patch["requestBody"]["content"]
    assert {"application/json-patch+json", "application/merge-patch+json"} <= set(content)
    assert "application/apply-patch+yaml" not in content


def test_patch_does_not_invite_client_side_strategic_merge_from_loose_schemas() -> None:
    # kubectl 1.29+ would compute apply patches from these schemas and warn on unknown fields.
    patch = openapi.document("apis/apps/v1")["paths"][DEPLOYMENT_ITEM]["patch"]
    assert "application/strategic-merge-patch+json" not in patch["requestBody"]["content"]


def test_every_patch_operation_has_field_validation() -> None:
    # kubectl's verifier stops at the first PATCH with the GVK it finds, in map order.
    for path in openapi.served_paths():
        for _, method, operation in _operations(openapi.document(path)):
            if method == "patch":
                assert "fieldValidation" in _query_names(operation)


def test_mutating_operations_carry_gvk_and_query_parameters() -> None:
    doc = openapi.document("api/v1")
    for _, method, operation in _operations(doc):
        assert set(operation["x-kubernetes-group-version-kind"]) == {"group", "version", "kind"}
        if method in ("post", "put", "patch"):
            assert {"fieldValidation", "fieldManager", "dryRun"} <= _query_names(operation)
            assert operation["requestBody"]["required"] is True


def test_actions_follow_kube_apiserver_names() -> None:
    paths = openapi.document("api/v1")["paths"]
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
    paths = openapi.document("api/v1")["paths"]
    namespaces = paths["/api/v1/namespaces"]
    assert "delete" not in namespaces  # namespaces have no deletecollection verb
    assert {"get", "post"} <= set(namespaces)
    assert paths["/api/v1/namespaces/{name}"]["parameters"] == [
        {"name": "name", "in": "path", "required": True,
         "schema": {"type": "string", "uniqueItems": True}}]


def test_create_only_resources_have_only_post() -> None:
    paths = openapi.document("apis/authorization.k8s.io/v1")["paths"]
    access = paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]
    assert [m for m in METHODS if m in access] == ["post"]
    assert not any(url.endswith("{name}") for url in paths)


def test_all_namespaces_list_path_exists_for_namespaced_resources() -> None:
    paths = openapi.document("apis/apps/v1")["paths"]
    operation = paths["/apis/apps/v1/deployments"]["get"]
    assert operation["x-kubernetes-action"] == "list"
    assert operation["operationId"] == "listAppsV1DeploymentForAllNamespaces"


def test_operation_ids_use_kube_group_tags() -> None:
    paths = openapi.document("apis/rbac.authorization.k8s.io/v1")["paths"]
    operation = paths["/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}"]["patch"]
    assert operation["operationId"] == "patchRbacAuthorizationV1ClusterRole"


def test_every_ref_resolves() -> None:
    for path in openapi.served_paths():
        doc = openapi.document(path)
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
    schema = openapi.document(path)["components"]["schemas"][name]
    assert schema["type"] == "object"
    group, version, kind = gvk
    # On schemas the extension is a list, as kube-apiserver writes it and kubectl explain reads it.
    assert schema["x-kubernetes-group-version-kind"] == [
        {"group": group, "version": version, "kind": kind}]


def test_configmap_schema_explains_its_fields() -> None:
    schema = openapi.document("api/v1")["components"]["schemas"]["io.k8s.api.core.v1.ConfigMap"]
    assert schema["description"] == messages.OPENAPI_KIND_DESCRIPTIONS["ConfigMap"]
    properties = schema["properties"]
    assert {"apiVersion", "kind", "metadata", "data", "binaryData", "immutable"} <= set(properties)
    assert properties["data"]["additionalProperties"] == {"type": "string"}
    assert all(properties[name].get("description") for name in properties)


def test_spec_and_status_keep_unknown_fields() -> None:
    schemas = openapi.document("apis/apps/v1")["components"]["schemas"]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]["properties"]
    for name in ("spec", "status"):
        assert deployment[name]["type"] == "object"
        assert deployment[name]["x-kubernetes-preserve-unknown-fields"] is True


def test_kubectl_explain_can_resolve_configmaps() -> None:
    # Mirrors kubectl's explain template: GVK from an operation on the resource's path, then the
    # schema whose GVK list contains it.
    doc = openapi.document("api/v1")
    gvk = doc["paths"]["/api/v1/configmaps"]["get"]["x-kubernetes-group-version-kind"]
    matches = [name for name, schema in doc["components"]["schemas"].items()
               if gvk in schema.get("x-kubernetes-group-version-kind", [])]
    assert matches == ["io.k8s.api.core.v1.ConfigMap"]


def test_every_resource_kind_has_a_schema() -> None:
    for resource in REGISTRY.resources:
        path = (f"apis/{resource.group}/{resource.version}" if resource.group
                else f"api/{resource.version}")
        schemas = openapi.document(path)["components"]["schemas"]
        assert any({"group": resource.group, "version": resource.version, "kind": resource.kind}
                   in s.get("x-kubernetes-group-version-kind", []) for s in schemas.values())
