"""PATCH bodies: JSON patch, merge patch, strategic merge patch and their errors.

A strategic merge patch follows the kind's schema (Kubernetes 1.30's unless said), so each list
is patched where it lives in its kind: env in a Deployment's container, ports in a Service's
spec, and so on.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.registry.patch import (
    JSON_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    apply_patch,
    decode_patch,
)
from emulator.cluster.mock.registry.schema import schema_for
from emulator.cluster.mock.wire.status import KubeError

CONFIGMAP: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "settings", "namespace": "default", "labels": {"app": "web"}},
    "data": {"k": "v1", "other": "x"},
}


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "finalizers": ["a", "b"]},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": "nginx:1",
                            "args": ["--a", "--b"],
                            "ports": [{"containerPort": 80, "protocol": "TCP"},
                                      {"containerPort": 443, "protocol": "TCP"}],
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                        },
                        {"name": "sidecar", "image": "busybox:1"},
                    ],
                    "volumes": [{"name": "data", "emptyDir": {}}],
                    "tolerations": [{"key": "x", "operator": "Exists"}],
                },
            },
        },
    }


def patch(obj: dict[str, Any], body: Any, content_type: str = STRATEGIC_MERGE_PATCH,
          kind: str = "Deployment") -> dict[str, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return apply_patch(obj, decode_patch(raw, content_type), content_type, kind=kind)


def failure(obj: dict[str, Any], body: Any, content_type: str = STRATEGIC_MERGE_PATCH,
            kind: str = "Deployment") -> KubeError:
    with pytest.raises(KubeError) as caught:
        patch(obj, body, content_type, kind)
    return caught.value


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def containers_patch(containers: list[Any], **extra: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": {"containers": containers, **extra}}}}


def in_container(**fields: Any) -> dict[str, Any]:
    """A Deployment (or a patch of one) whose container "main" has ``fields``."""
    return containers_patch([{"name": "main", **fields}])


def container_field(obj: dict[str, Any], name: str) -> Any:
    return pod_spec(obj)["containers"][0][name]


# Where each list lives: (kind, its path in the kind, the object or patch holding it there).
Place = tuple[str, str, Any]
PLACES: dict[str, Place] = {
    "container": ("Deployment", "spec.template.spec.containers",
                  lambda field, value: in_container(**{field: value})),
    "pod": ("Deployment", "spec.template.spec",
            lambda field, value: {"spec": {"template": {"spec": {field: value}}}}),
    "status": ("Deployment", "status", lambda field, value: {"status": {field: value}}),
    "metadata": ("Deployment", "metadata", lambda field, value: {"metadata": {field: value}}),
    "service": ("Service", "spec", lambda field, value: {"spec": {field: value}}),
    "binding": ("RoleBinding", "", lambda field, value: {field: value}),
}
API_VERSIONS = {"Deployment": "apps/v1", "Service": "v1",
                "RoleBinding": "rbac.authorization.k8s.io/v1"}


def merge_key(where: str, field: str) -> str | None:
    kind, path, _ = PLACES[where]
    found = schema_for(30).field(API_VERSIONS[kind], kind, f"{path}.{field}".lstrip("."))
    assert found is not None, (kind, path, field)
    meta = found.list_meta
    return meta.merge_key if meta.merges else None


# --- Content types -------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [
    "application/merge-patch+json",
    "Application/Merge-Patch+JSON",
    "application/merge-patch+json; charset=utf-8",
    " application/merge-patch+json ;charset=UTF-8",
])
def test_content_type_is_case_insensitive_and_ignores_parameters(content_type: str) -> None:
    result = patch(CONFIGMAP, {"data": {"k": "v2"}}, content_type)
    assert result["data"] == {"k": "v2", "other": "x"}


def test_an_apply_body_is_not_a_patch_this_module_applies() -> None:
    # Server-side apply merges by ownership (registry/apply.py), never as a plain patch.
    with pytest.raises(KubeError) as caught:
        apply_patch(CONFIGMAP, {"data": {}}, "application/apply-patch+yaml", kind="ConfigMap")
    assert (caught.value.code, caught.value.reason) == (415, "UnsupportedMediaType")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "", "application/yaml"])
def test_unknown_content_type_is_415(content_type: str) -> None:
    error = failure(CONFIGMAP, {"data": {}}, content_type)
    assert error.code == 415
    assert error.message == messages.K8S_UNSUPPORTED_MEDIA_TYPE.format(
        accepted="application/json-patch+json, application/merge-patch+json, "
                 "application/strategic-merge-patch+json, application/apply-patch+yaml")


@pytest.mark.parametrize("content_type", [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH])
@pytest.mark.parametrize("body", [b"", b"{", b"{'a': 1}", b"\xff\xfe", b'{"a": NaN}', b"[1,]"])
def test_malformed_json_is_400(content_type: str, body: bytes) -> None:
    error = failure(CONFIGMAP, body, content_type)
    assert error.code == 400
    assert error.message.startswith(messages.PATCH_INVALID_JSON.format(detail=""))


@pytest.mark.parametrize("content_type", [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH])
def test_deeply_nested_body_is_400(content_type: str) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    error = failure(CONFIGMAP, body, content_type)
    assert (error.code, error.message) == (400, messages.PATCH_TOO_DEEP)


@pytest.mark.parametrize(("content_type", "body"), [
    (JSON_PATCH, [{"op": "replace", "path": "/data/k", "value": "changed"}]),
    (MERGE_PATCH, {"data": {"k": "changed"}, "metadata": {"labels": None}}),
    (STRATEGIC_MERGE_PATCH,
     {"data": {"k": "changed"}, "metadata": {"labels": {"$patch": "delete"}}}),
])
def test_original_is_never_mutated(content_type: str, body: Any) -> None:
    original = copy.deepcopy(CONFIGMAP)
    result = patch(original, body, content_type, kind="ConfigMap")
    assert original == CONFIGMAP
    assert result["data"]["k"] == "changed"
    result["metadata"]["name"] = "other"
    assert original["metadata"]["name"] == "settings"


# --- JSON patch ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("operations", "expected_data"), [
    ([{"op": "add", "path": "/data/new", "value": "n"}], {"k": "v1", "other": "x", "new": "n"}),
    ([{"op": "replace", "path": "/data/k", "value": "v2"}], {"k": "v2", "other": "x"}),
    ([{"op": "remove", "path": "/data/other"}], {"k": "v1"}),
    ([{"op": "move", "from": "/data/other", "path": "/data/moved"}], {"k": "v1", "moved": "x"}),
    ([{"op": "copy", "from": "/data/k", "path": "/data/copy"}],
     {"k": "v1", "other": "x", "copy": "v1"}),
    ([{"op": "test", "path": "/data/k", "value": "v1"},
      {"op": "replace", "path": "/data/k", "value": "v3"}], {"k": "v3", "other": "x"}),
    ([], {"k": "v1", "other": "x"}),
])
def test_json_patch_operations(operations: list[dict[str, Any]],
                               expected_data: dict[str, str]) -> None:
    assert patch(CONFIGMAP, operations, JSON_PATCH)["data"] == expected_data


def test_json_patch_on_list_items() -> None:
    result = patch(deployment(), [
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:2"},
        {"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "third"}},
    ], JSON_PATCH)
    assert [c["image"] if "image" in c else c["name"] for c in pod_spec(result)["containers"]] == [
        "nginx:2", "busybox:1", "third"]


@pytest.mark.parametrize("body", [
    {"op": "add", "path": "/a", "value": 1},
    [1],
    ["add"],
    [None],
])
def test_json_patch_must_be_a_list_of_objects(body: Any) -> None:
    error = failure(CONFIGMAP, body, JSON_PATCH)
    assert (error.code, error.message) == (400, messages.PATCH_JSON_PATCH_NOT_LIST)


@pytest.mark.parametrize("operation", [
    {"op": "bogus", "path": "/a"},
    {"path": "/a", "value": 1},
    {"op": "add", "value": 1},
    {"op": "add", "path": "no-slash", "value": 1},
    {"op": "add", "path": 5, "value": 1},
    {"op": "add", "path": "/a"},  # no value
    {"op": "move", "path": "/a"},  # no from
])
def test_malformed_json_patch_operation_is_400(operation: dict[str, Any]) -> None:
    error = failure(CONFIGMAP, [operation], JSON_PATCH)
    assert error.code == 400
    assert error.message.startswith(messages.PATCH_JSON_PATCH_INVALID.format(detail=""))


@pytest.mark.parametrize("operation", [
    {"op": "test", "path": "/data/k", "value": "nope"},
    {"op": "remove", "path": "/data/missing"},
    {"op": "replace", "path": "/data/missing", "value": "x"},
    {"op": "add", "path": "/data/k/deeper", "value": "x"},
    {"op": "add", "path": "/spec/template/spec/containers/9", "value": {}},
    {"op": "add", "path": "/spec/template/spec/containers/x", "value": {}},
    {"op": "copy", "from": "/nowhere", "path": "/data/x"},
])
def test_json_patch_that_does_not_apply_is_422(operation: dict[str, Any]) -> None:
    obj = {**CONFIGMAP, "spec": deployment()["spec"]}
    error = failure(obj, [operation], JSON_PATCH)
    assert (error.code, error.reason) == (422, "Invalid")
    assert error.message.startswith(messages.K8S_PATCH_FAILED.format(detail=""))


def test_json_patch_replacing_the_root_with_a_non_object_is_422() -> None:
    error = failure(CONFIGMAP, [{"op": "replace", "path": "", "value": [1]}], JSON_PATCH,
                    kind="ConfigMap")
    assert error.code == 422
    assert error.message == messages.K8S_PATCH_FAILED.format(
        detail=messages.PATCH_RESULT_NOT_OBJECT.format(kind="ConfigMap"))


# --- JSON merge patch (RFC 7386 appendix A) ------------------------------------------------------

@pytest.mark.parametrize(("target", "body", "expected"), [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ({"a": "foo"}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
])
def test_merge_patch_rfc7386(target: dict[str, Any], body: Any, expected: dict[str, Any]) -> None:
    assert patch(target, body, MERGE_PATCH) == expected


def test_merge_patch_replaces_keyed_lists_whole() -> None:
    result = patch(deployment(), containers_patch([{"name": "main", "image": "nginx:2"}]),
                   MERGE_PATCH)
    assert pod_spec(result)["containers"] == [{"name": "main", "image": "nginx:2"}]


@pytest.mark.parametrize("body", [[{"a": 1}], "text", 3, None])
def test_merge_patch_that_is_not_an_object_is_422(body: Any) -> None:
    error = failure(CONFIGMAP, body, MERGE_PATCH, kind="ConfigMap")
    assert error.code == 422
    assert error.message == messages.K8S_PATCH_FAILED.format(
        detail=messages.PATCH_RESULT_NOT_OBJECT.format(kind="ConfigMap"))


# --- Strategic merge patch -----------------------------------------------------------------------

def test_kubectl_apply_configmap_patch() -> None:
    applied = json.dumps({"apiVersion": "v1", "data": {"k": "v2"}, "kind": "ConfigMap"})
    annotations = {"kubectl.kubernetes.io/last-applied-configuration": applied}
    body = {"data": {"k": "v2"}, "metadata": {"annotations": annotations}}
    result = patch(CONFIGMAP, body, kind="ConfigMap")
    assert result["data"] == {"k": "v2", "other": "x"}
    assert result["metadata"] == {
        "name": "settings", "namespace": "default", "labels": {"app": "web"},
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": applied},
    }


def test_kubectl_apply_deployment_patch_merges_containers_by_name() -> None:
    body = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "main"}, {"name": "sidecar"}],
        "containers": [{"image": "nginx:2", "name": "main"}]}}}}
    original = deployment()
    result = patch(original, body)
    main, sidecar = pod_spec(result)["containers"]
    assert main == {**pod_spec(original)["containers"][0], "image": "nginx:2"}
    assert sidecar == {"name": "sidecar", "image": "busybox:1"}
    assert result["spec"]["replicas"] == 2
    assert not any(k.startswith("$") for k in pod_spec(result))
    assert pod_spec(original)["containers"][0]["image"] == "nginx:1"


def test_kubectl_apply_removing_a_container_and_an_env_var() -> None:
    body = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "main"}],
        "containers": [
            {"name": "main", "$setElementOrder/env": [{"name": "B"}],
             "env": [{"name": "A", "$patch": "delete"}]},
            {"name": "sidecar", "$patch": "delete"},
        ]}}}}
    result = patch(deployment(), body)
    assert [c["name"] for c in pod_spec(result)["containers"]] == ["main"]
    assert pod_spec(result)["containers"][0]["env"] == [{"name": "B", "value": "2"}]


@pytest.mark.parametrize(("where", "field", "items", "patch_items", "expected"), [
    ("container", "env", [{"name": "A", "value": "1"}],
     [{"name": "A", "value": "2"}, {"name": "C", "value": "3"}],
     [{"name": "A", "value": "2"}, {"name": "C", "value": "3"}]),
    ("container", "ports", [{"containerPort": 80, "protocol": "TCP"}],
     [{"containerPort": 80, "name": "http"}],
     [{"containerPort": 80, "protocol": "TCP", "name": "http"}]),
    ("service", "ports", [{"port": 80, "targetPort": 8080}], [{"port": 80, "targetPort": 9090}],
     [{"port": 80, "targetPort": 9090}]),
    ("container", "volumeMounts", [{"name": "a", "mountPath": "/a"}],
     [{"name": "b", "mountPath": "/a"}], [{"name": "b", "mountPath": "/a"}]),
    ("pod", "volumes", [{"name": "v", "emptyDir": {}}],
     [{"name": "v", "emptyDir": None, "secret": {}}], [{"name": "v", "secret": {}}]),
    ("pod", "imagePullSecrets", [{"name": "a"}], [{"name": "b"}], [{"name": "a"}, {"name": "b"}]),
    ("status", "conditions",
     [{"type": "Ready", "status": "False"}, {"type": "Synced", "status": "True"}],
     [{"type": "Ready", "status": "True"}],
     [{"type": "Ready", "status": "True"}, {"type": "Synced", "status": "True"}]),
    ("metadata", "ownerReferences", [{"uid": "1", "name": "a"}], [{"uid": "2", "name": "a"}],
     [{"uid": "1", "name": "a"}, {"uid": "2", "name": "a"}]),
    ("pod", "hostAliases", [{"ip": "1.1.1.1", "hostnames": ["a"]}],
     [{"ip": "1.1.1.1", "hostnames": ["b"]}],
     [{"ip": "1.1.1.1", "hostnames": ["b"]}]),
    ("pod", "initContainers", [{"name": "i", "image": "a"}], [{"name": "i", "image": "b"}],
     [{"name": "i", "image": "b"}]),
])
def test_lists_merge_by_key(where: str, field: str, items: list[Any], patch_items: list[Any],
                            expected: list[Any]) -> None:
    kind, _, place = PLACES[where]
    assert merge_key(where, field) is not None
    assert patch(place(field, items), place(field, patch_items), kind=kind) == place(
        field, expected)


@pytest.mark.parametrize(("where", "field", "items", "patch_items"), [
    ("container", "args", ["--a", "--b"], ["--c"]),
    ("pod", "tolerations", [{"key": "x", "operator": "Exists"}],
     [{"key": "y", "operator": "Exists"}]),
    ("container", "envFrom", [{"configMapRef": {"name": "a"}}], [{"secretRef": {"name": "b"}}]),
    ("binding", "subjects", [{"kind": "User", "name": "a"}], [{"kind": "User", "name": "b"}]),
    ("pod", "tolerations", [{"key": "x"}], []),
])
def test_lists_without_merge_key_are_replaced(where: str, field: str, items: list[Any],
                                               patch_items: list[Any]) -> None:
    kind, _, place = PLACES[where]
    assert merge_key(where, field) is None
    assert patch(place(field, items), place(field, patch_items), kind=kind) == place(
        field, patch_items)


def test_patch_items_without_their_merge_key_replace_the_list() -> None:
    result = patch(in_container(env=[{"name": "A"}]),
                   in_container(env=[{"value": "x"}, {"name": "B"}]))
    assert container_field(result, "env") == [{"value": "x"}, {"name": "B"}]


def test_empty_patch_list_leaves_a_keyed_list_alone() -> None:
    result = patch(in_container(env=[{"name": "A"}]), in_container(env=[]))
    assert container_field(result, "env") == [{"name": "A"}]


def test_replace_directive_in_a_list_replaces_it() -> None:
    result = patch(in_container(env=[{"name": "A"}, {"name": "B"}]),
                   in_container(env=[{"$patch": "replace"}, {"name": "C", "value": None}]))
    assert container_field(result, "env") == [{"name": "C"}]


def test_delete_directive_in_a_list_removes_the_item() -> None:
    result = patch(deployment(), containers_patch([{"name": "main", "ports": [
        {"containerPort": 443, "$patch": "delete"}]}]))
    assert pod_spec(result)["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_delete_directive_without_merge_key_is_400() -> None:
    error = failure(in_container(env=[{"name": "A"}]), in_container(env=[{"$patch": "delete"}]))
    assert error.code == 400
    assert error.message == messages.PATCH_DELETE_WITHOUT_KEY.format(field="env", key="name")


@pytest.mark.parametrize(("body", "expected"), [
    ({"metadata": {"labels": {"$patch": "delete"}}}, {"name": "settings", "namespace": "default"}),
    ({"metadata": {"labels": {"$patch": "replace", "tier": "db"}}},
     {"name": "settings", "namespace": "default", "labels": {"tier": "db"}}),
    ({"metadata": {"labels": {"$patch": "merge", "tier": "db"}}},
     {"name": "settings", "namespace": "default", "labels": {"app": "web", "tier": "db"}}),
    ({"metadata": {"labels": {"app": None}}},
     {"name": "settings", "namespace": "default", "labels": {}}),
    ({"metadata": {"namespace": None, "annotations": {"a": None, "b": "1"}}},
     {"name": "settings", "labels": {"app": "web"}, "annotations": {"b": "1"}}),
])
def test_map_directives_and_nulls(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert patch(CONFIGMAP, body, kind="ConfigMap")["metadata"] == expected


def test_delete_directive_at_the_top_empties_the_object() -> None:
    assert patch(CONFIGMAP, {"$patch": "delete"}, kind="ConfigMap") == {}


def test_new_items_lose_their_directives_and_nulls() -> None:
    result = patch({"spec": {"containers": []}}, {"spec": {"containers": [
        {"name": "new", "image": None,
         "resources": {"$patch": "replace", "limits": {"cpu": "1"}}}]}}, kind="Pod")
    assert result == {"spec": {"containers": [
        {"name": "new", "resources": {"limits": {"cpu": "1"}}}]}}


@pytest.mark.parametrize(("body", "expected"), [
    ({"metadata": {"finalizers": ["c", "a", "c"]}}, ["a", "b", "c"]),
    ({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}, ["b"]),
    ({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a", "zzz"], "finalizers": ["d"]}},
     ["b", "d"]),
    ({"metadata": {"$setElementOrder/finalizers": ["b", "a"]}}, ["b", "a"]),
    ({"metadata": {"finalizers": None}}, None),
])
def test_finalizers_are_a_set(body: dict[str, Any], expected: list[str] | None) -> None:
    assert patch(deployment(), body)["metadata"].get("finalizers") == expected


def test_the_schema_not_the_field_name_decides() -> None:
    # metadata.finalizers merges as a set; a Namespace's spec.finalizers is atomic: replaced.
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"finalizers": ["a"]},
                 "spec": {"finalizers": ["kubernetes"]}}
    result = patch(namespace, {"metadata": {"finalizers": ["b"]}, "spec": {"finalizers": ["x"]}},
                   kind="Namespace")
    assert (result["metadata"]["finalizers"], result["spec"]["finalizers"]) == (["a", "b"], ["x"])


def test_a_map_with_the_replace_strategy_is_replaced() -> None:
    # PodDisruptionBudgetSpec.selector: x-kubernetes-patch-strategy "replace".
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}}
    result = patch(pdb, {"spec": {"selector": {"matchExpressions": [
        {"key": "tier", "operator": "Exists"}]}}}, kind="PodDisruptionBudget")
    assert result["spec"] == {"minAvailable": 1, "selector": {"matchExpressions": [
        {"key": "tier", "operator": "Exists"}]}}


def test_lists_of_unknown_fields_are_replaced() -> None:
    result = patch(in_container(envv=[{"name": "A"}]), in_container(envv=[{"name": "B"}]))
    assert container_field(result, "envv") == [{"name": "B"}]


def test_the_minor_decides_which_lists_merge() -> None:
    # spec.resourceClaims (merged by name) is in PodSpec from Kubernetes 1.26.
    def claims(minor: int) -> Any:
        pod = {"apiVersion": "v1", "kind": "Pod", "spec": {"resourceClaims": [{"name": "a"}]}}
        raw = json.dumps({"spec": {"resourceClaims": [{"name": "b"}]}}).encode()
        return apply_patch(pod, decode_patch(raw, STRATEGIC_MERGE_PATCH), STRATEGIC_MERGE_PATCH,
                           kind="Pod", minor=minor)["spec"]["resourceClaims"]

    assert claims(26) == [{"name": "a"}, {"name": "b"}]
    assert claims(25) == [{"name": "b"}]


def test_set_element_order_reorders_keyed_items() -> None:
    body = containers_patch([{"name": "new"}],
                            **{"$setElementOrder/containers": [
                                {"name": "new"}, {"name": "sidecar"}, {"name": "main"}]})
    result = patch(deployment(), body)
    assert [c["name"] for c in pod_spec(result)["containers"]] == ["new", "sidecar", "main"]


def test_set_element_order_keeps_server_only_items_in_place() -> None:
    # "injected" is not in the order list (a webhook added it): it keeps its place before "b".
    original = in_container(env=[{"name": "a"}, {"name": "injected"}, {"name": "b"}])
    body = in_container(**{"$setElementOrder/env": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                           "env": [{"name": "c"}]})
    assert [e["name"] for e in container_field(patch(original, body), "env")] == [
        "a", "injected", "b", "c"]


def test_set_element_order_for_service_ports() -> None:
    original = {"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]}}
    body = {"spec": {"$setElementOrder/ports": [{"port": 443}, {"port": 80}],
                     "ports": [{"port": 80, "targetPort": 8080}]}}
    assert patch(original, body, kind="Service")["spec"]["ports"] == [
        {"port": 443, "name": "https"}, {"port": 80, "name": "http", "targetPort": 8080}]


def test_retain_keys_clears_other_fields() -> None:
    original = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    body = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
                                  "rollingUpdate": None}}}
    assert patch(original, body) == {"spec": {"strategy": {"type": "Recreate"}}}


def test_retain_keys_must_cover_the_patch() -> None:
    error = failure({"spec": {"strategy": {}}},
                    {"spec": {"strategy": {"$retainKeys": ["type"], "other": 1}}})
    assert error.code == 422
    assert error.message == messages.K8S_PATCH_FAILED.format(
        detail=messages.PATCH_RETAIN_KEYS_MISMATCH)


@pytest.mark.parametrize(("body", "directive"), [
    ({"$setElementOrder/containers": {"name": "main"}}, "$setElementOrder/containers"),
    ({"$deleteFromPrimitiveList/finalizers": "a"}, "$deleteFromPrimitiveList/finalizers"),
    ({"strategy": {"$retainKeys": "type"}}, "$retainKeys"),
    ({"strategy": {"$retainKeys": [1]}}, "$retainKeys"),
])
def test_directives_must_be_lists(body: dict[str, Any], directive: str) -> None:
    error = failure(deployment(), body)
    assert error.code == 400
    assert error.message == messages.PATCH_DIRECTIVE_NOT_LIST.format(directive=directive)


@pytest.mark.parametrize("value", ["remove", "", 1])
def test_unknown_patch_directive_is_400(value: Any) -> None:
    error = failure(CONFIGMAP, {"metadata": {"$patch": value}}, kind="ConfigMap")
    assert error.code == 400
    assert error.message == messages.PATCH_INVALID_DIRECTIVE.format(value=value)


@pytest.mark.parametrize("body", [[{"op": "add"}], "x", 1, None])
def test_strategic_patch_must_be_an_object(body: Any) -> None:
    error = failure(CONFIGMAP, body)
    assert (error.code, error.message) == (400, messages.PATCH_STRATEGIC_NOT_OBJECT)


def test_unknown_dollar_keys_are_dropped() -> None:
    assert patch({"a": 1}, {"$unknown": 1, "b": 2}) == {"a": 1, "b": 2}


def test_strategic_patch_too_deep_to_merge_is_400() -> None:
    depth = 900  # decodes, but merging it recursively exceeds Python's default recursion limit
    body = ('{"a":' * depth + "1" + "}" * depth).encode()
    error = failure({}, body)
    assert (error.code, error.message) == (400, messages.PATCH_TOO_DEEP)
