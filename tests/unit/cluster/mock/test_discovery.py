"""Discovery documents and the aggregated-discovery Accept negotiation."""

from __future__ import annotations

import re

import pytest

from emulator import messages
from emulator.cluster.mock.wire import discovery
from emulator.cluster.mock.registry.resources import Registry

REGISTRY = Registry.for_version("1.30")
from emulator.cluster.mock.wire.status import KubeError

# The exact Accept headers observed from kubectl (k8s-streaming.md §7.1, gcloud-wire.md §6.3).
ACCEPT_1_27 = ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
               "application/json")
ACCEPT_1_30 = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
               "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
               "application/json")
ACCEPT_LEGACY = "application/json, */*"


# --- negotiation ----------------------------------------------------------------------------------


def test_kubectl_1_27_gets_v2beta1() -> None:
    assert discovery.negotiate_aggregated(ACCEPT_1_27) == "v2beta1"


def test_kubectl_1_30_gets_v2() -> None:
    assert discovery.negotiate_aggregated(ACCEPT_1_30) == "v2"


def test_plain_json_accept_gets_legacy_discovery() -> None:
    assert discovery.negotiate_aggregated(ACCEPT_LEGACY) is None
    assert discovery.negotiate_aggregated("") is None


def test_negotiation_tolerates_spaces_and_parameter_order() -> None:
    accept = "application/json; as=APIGroupDiscoveryList; v=v2beta1; g=apidiscovery.k8s.io , */*"
    assert discovery.negotiate_aggregated(accept) == "v2beta1"


def test_unsupported_aggregated_version_is_skipped() -> None:
    accept = ("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")
    assert discovery.negotiate_aggregated(accept) == "v2beta1"
    assert discovery.negotiate_aggregated(
        "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList") is None


def test_plain_json_listed_first_wins_over_aggregated() -> None:
    accept = "application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    assert discovery.negotiate_aggregated(accept) is None


def test_q_values_order_the_clauses() -> None:
    accept = ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList;q=0.5,"
              "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.9,"
              "application/json;q=0.1")
    assert discovery.negotiate_aggregated(accept) == "v2"


def test_q_zero_means_not_acceptable() -> None:
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0,*/*"
    assert discovery.negotiate_aggregated(accept) is None


def test_other_as_kinds_do_not_count_as_plain_json() -> None:
    accept = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
              "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
    assert discovery.negotiate_aggregated(accept) == "v2"


# --- /api -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "version"), [(ACCEPT_1_27, "v2beta1"), (ACCEPT_1_30, "v2")])
def test_core_api_aggregated_content_type_and_api_version(accept: str, version: str) -> None:
    content_type, body = discovery.core_api(REGISTRY, accept, "127.0.0.1:6443")
    assert content_type == (
        f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList")
    assert body["kind"] == "APIGroupDiscoveryList"
    assert body["apiVersion"] == f"apidiscovery.k8s.io/{version}"
    assert body["metadata"] == {}


def _aggregated_resource(body: dict, version: str, plural: str) -> dict:
    for item in body["items"]:
        for entry in item["versions"]:
            if entry["version"] == version:
                for resource in entry["resources"]:
                    if resource["resource"] == plural:
                        return resource
    raise AssertionError(f"{plural} not in discovery")


def test_core_api_aggregated_pods_entry() -> None:
    _, body = discovery.core_api(REGISTRY, ACCEPT_1_30, "127.0.0.1:6443")
    [item] = body["items"]
    assert item["metadata"] == {"creationTimestamp": None}
    assert [v["version"] for v in item["versions"]] == ["v1"]
    assert item["versions"][0]["freshness"] == "Current"
    pods = _aggregated_resource(body, "v1", "pods")
    assert pods["responseKind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert pods["scope"] == "Namespaced"
    assert pods["singularResource"] == "pod"
    assert pods["shortNames"] == ["po"]
    assert pods["categories"] == ["all"]
    assert "watch" in pods["verbs"]
    exec_entry = next(s for s in pods["subresources"] if s["subresource"] == "exec")
    assert exec_entry == {"subresource": "exec",
                          "responseKind": {"group": "", "version": "v1", "kind": "PodExecOptions"},
                          "verbs": ["create", "get"]}


def test_core_api_aggregated_namespaces_are_cluster_scoped() -> None:
    _, body = discovery.core_api(REGISTRY, ACCEPT_1_27, "127.0.0.1:6443")
    namespaces = _aggregated_resource(body, "v1", "namespaces")
    assert namespaces["scope"] == "Cluster"
    assert "categories" not in namespaces  # empty lists are omitted


def test_core_api_plain() -> None:
    content_type, body = discovery.core_api(REGISTRY, ACCEPT_LEGACY, "10.1.2.3:443")
    assert content_type == "application/json"
    assert body == {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                    "serverAddress": "10.1.2.3:443"}]}


# --- /apis ----------------------------------------------------------------------------------------


def test_named_apis_aggregated_lists_every_group_and_version() -> None:
    content_type, body = discovery.named_apis(REGISTRY, ACCEPT_1_27)
    assert content_type.endswith(";v=v2beta1;as=APIGroupDiscoveryList")
    names = [item["metadata"]["name"] for item in body["items"]]
    assert names == REGISTRY.groups()
    assert "" not in names
    auth = next(i for i in body["items"] if i["metadata"]["name"] == "authentication.k8s.io")
    assert [v["version"] for v in auth["versions"]] == ["v1", "v1beta1"]  # preferred first
    assert all(v["freshness"] == "Current" for v in auth["versions"])


def test_named_apis_aggregated_deployments_scale_answers_autoscaling() -> None:
    _, body = discovery.named_apis(REGISTRY, ACCEPT_1_30)
    deployments = _aggregated_resource(body, "v1", "deployments")
    scale = next(s for s in deployments["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}


def test_every_registry_resource_is_discoverable() -> None:
    _, core = discovery.core_api(REGISTRY, ACCEPT_1_30, "x")
    _, named = discovery.named_apis(REGISTRY, ACCEPT_1_30)
    for resource in REGISTRY.resources:
        body = named if resource.group else core
        entry = _aggregated_resource(body, resource.version, resource.plural)
        assert entry["responseKind"]["kind"] == resource.kind
        assert entry["responseKind"]["group"] == resource.group


def test_named_apis_plain() -> None:
    content_type, body = discovery.named_apis(REGISTRY, ACCEPT_LEGACY)
    assert content_type == "application/json"
    assert body["kind"] == "APIGroupList"
    assert body["apiVersion"] == "v1"
    apps = next(g for g in body["groups"] if g["name"] == "apps")
    assert apps["versions"] == [{"groupVersion": "apps/v1", "version": "v1"}]
    assert apps["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    auth = next(g for g in body["groups"] if g["name"] == "authentication.k8s.io")
    assert auth["preferredVersion"]["version"] == "v1"
    assert len(auth["versions"]) == 2


def test_group() -> None:
    body = discovery.group(REGISTRY, "rbac.authorization.k8s.io")
    assert body["kind"] == "APIGroup"
    assert body["name"] == "rbac.authorization.k8s.io"
    assert body["preferredVersion"] == {"groupVersion": "rbac.authorization.k8s.io/v1",
                                        "version": "v1"}


@pytest.mark.parametrize("name", ["", "extensions", "metrics.k8s.io"])
def test_unknown_group_is_404(name: str) -> None:
    with pytest.raises(KubeError) as caught:
        discovery.group(REGISTRY, name)
    assert caught.value.code == 404
    assert caught.value.message == messages.K8S_PATH_NOT_FOUND


# --- resource lists -------------------------------------------------------------------------------


def _entry(body: dict, name: str) -> dict:
    return next(r for r in body["resources"] if r["name"] == name)


def test_core_resource_list_pods_and_pods_exec() -> None:
    body = discovery.resource_list(REGISTRY, "", "v1")
    assert body["kind"] == "APIResourceList"
    assert body["groupVersion"] == "v1"
    assert "apiVersion" not in body
    assert _entry(body, "pods") == {
        "name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
        "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update",
                  "watch"],
        "shortNames": ["po"], "categories": ["all"]}
    assert _entry(body, "pods/exec") == {"name": "pods/exec", "singularName": "",
                                         "namespaced": True, "kind": "PodExecOptions",
                                         "verbs": ["create", "get"]}
    assert _entry(body, "pods/log")["kind"] == "Pod"
    names = [r["name"] for r in body["resources"]]
    assert names.index("pods") < names.index("pods/attach") < names.index("pods/exec")


def test_core_resource_list_cluster_scoped_namespaces() -> None:
    body = discovery.resource_list(REGISTRY, "", "v1")
    namespaces = _entry(body, "namespaces")
    assert namespaces["namespaced"] is False
    assert namespaces["shortNames"] == ["ns"]
    assert "deletecollection" not in namespaces["verbs"]


def test_named_resource_list_names_foreign_subresource_group() -> None:
    body = discovery.resource_list(REGISTRY, "apps", "v1")
    assert body["apiVersion"] == "v1"
    assert body["groupVersion"] == "apps/v1"
    scale = _entry(body, "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    status = _entry(body, "deployments/status")
    assert "group" not in status and status["kind"] == "Deployment"


def test_service_account_token_names_authentication_group() -> None:
    token = _entry(discovery.resource_list(REGISTRY, "", "v1"), "serviceaccounts/token")
    assert (token["group"], token["version"], token["kind"]) == (
        "authentication.k8s.io", "v1", "TokenRequest")


def test_resource_list_matches_registry() -> None:
    for group in ["", *REGISTRY.groups()]:
        for version in REGISTRY.group_versions(group):
            body = discovery.resource_list(REGISTRY, group, version)
            top = {r["name"] for r in body["resources"] if "/" not in r["name"]}
            assert top == {r.plural for r in REGISTRY.in_group_version(group, version)}


@pytest.mark.parametrize(("group", "version"), [("", "v2"), ("apps", "v1beta1"), ("batch", "v1beta1")])
def test_unknown_group_version_is_404(group: str, version: str) -> None:
    with pytest.raises(KubeError) as caught:
        discovery.resource_list(REGISTRY, group, version)
    assert caught.value.code == 404
    assert caught.value.message == messages.K8S_PATH_NOT_FOUND


# --- /version -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("git_version", "major", "minor"), [
    ("v1.30.5", "1", "30"),
    ("v1.27.16-gke.1500", "1", "27"),
    ("v1.33.1+k3s1", "1", "33"),
])
def test_version_info(git_version: str, major: str, minor: str) -> None:
    info = discovery.version_info(git_version)
    assert (info["major"], info["minor"], info["gitVersion"]) == (major, minor, git_version)
    assert re.fullmatch(r"[0-9a-f]{40}", info["gitCommit"])
    assert info["gitTreeState"] == "clean"
    assert info["compiler"] == "gc"
    assert info["platform"] == "linux/amd64"
    assert info["goVersion"].startswith("go")
    assert info["buildDate"].endswith("Z")
