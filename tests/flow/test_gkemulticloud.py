"""The GKE Multi-Cloud API (gkemulticloud v1) in-process: quickstart's AWS, Azure and attached
clusters, their node pools and server configs, IAM and Google's errors."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from emulator import messages
from emulator.app import create_app
from emulator.clock import FakeClock
from emulator.scenario import loader
from emulator.state import EmulatorState

BASE = "/v1/projects/my-project/locations"
FLEET = "projects/123456789012/locations/global/memberships"


@pytest.fixture(scope="module")
def api() -> TestClient:
    return TestClient(create_app(EmulatorState(loader.load("quickstart"), FakeClock())),
                      base_url="https://127.0.0.1:8443")


def as_user(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer ya29.fake-{name}"}


def get(api: TestClient, path: str, who: str = "alice") -> dict:
    answer = api.get(path + ("&" if "?" in path else "?") + "alt=json", headers=as_user(who))
    assert answer.status_code == 200, answer.text
    return answer.json()


def error(api: TestClient, path: str, who: str, code: int) -> dict:
    answer = api.get(path, headers=as_user(who))
    assert answer.status_code == code, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    return answer.json()["error"]


@pytest.mark.parametrize(("kind", "location", "name", "version_field", "version"), [
    ("aws", "us-east4", "aws-cluster", ("controlPlane", "version"), "1.30.5-gke.100"),
    ("azure", "us-east4", "azure-cluster", ("controlPlane", "version"), "1.31.2-gke.100"),
    ("attached", "us-west1", "my-cluster", ("platformVersion",), "1.30.0-gke.1"),
])
def test_get_cluster(api: TestClient, kind: str, location: str, name: str,
                     version_field: tuple[str, ...], version: str) -> None:
    cluster = get(api, f"{BASE}/{location}/{kind}Clusters/{name}")
    assert cluster["name"] == f"projects/my-project/locations/{location}/{kind}Clusters/{name}"
    assert cluster["state"] == "RUNNING"
    assert cluster["fleet"] == {"project": "projects/123456789012",
                                "membership": f"{FLEET}/{name}"}
    value = cluster
    for key in version_field:
        value = value[key]
    assert value == version
    # By number as well as by ID, as Google accepts either.
    by_number = get(api, f"/v1/projects/123456789012/locations/{location}/{kind}Clusters/{name}")
    assert by_number["name"] == (f"projects/123456789012/locations/{location}/{kind}Clusters/"
                                 f"{name}")
    assert by_number["fleet"] == cluster["fleet"]


def test_kind_specific_fields(api: TestClient) -> None:
    aws = get(api, f"{BASE}/us-east4/awsClusters/aws-cluster")
    assert (aws["awsRegion"], aws["controlPlane"]["instanceType"]) == ("us-east-1", "t3.medium")
    assert aws["endpoint"]
    azure = get(api, f"{BASE}/us-east4/azureClusters/azure-cluster")
    assert (azure["azureRegion"], azure["controlPlane"]["vmSize"]) == ("eastus", "Standard_D2s_v3")
    attached = get(api, f"{BASE}/us-west1/attachedClusters/my-cluster")
    assert (attached["kubernetesVersion"], attached["distribution"]) == ("1.30.5", "generic")
    assert "controlPlane" not in attached


@pytest.mark.parametrize(("kind", "location", "names"), [
    ("aws", "us-east4", ["aws-cluster"]), ("azure", "us-east4", ["azure-cluster"]),
    ("attached", "us-west1", ["my-cluster"]), ("aws", "us-west1", []),
    ("attached", "us-east4", []),
])
def test_list_clusters_by_location(api: TestClient, kind: str, location: str,
                                   names: list[str]) -> None:
    listed = get(api, f"{BASE}/{location}/{kind}Clusters?pageSize=100")
    assert [c["name"].rsplit("/", 1)[1] for c in listed[f"{kind}Clusters"]] == names
    assert "nextPageToken" not in listed


def test_old_cluster_and_gke_cluster_are_not_multicloud_clusters(api: TestClient) -> None:
    for location in ("global", "us-west1", "us-central1"):
        for kind in ("aws", "azure", "attached"):
            names = [c["name"] for c in get(api, f"{BASE}/{location}/{kind}Clusters")[
                f"{kind}Clusters"]]
            assert not any(n.endswith(("/old-cluster", "/gke-cluster")) for n in names)


@pytest.mark.parametrize("path", [
    f"{BASE}/us-east4/awsClusters/nosuch",
    f"{BASE}/us-west1/awsClusters/aws-cluster",  # a location other than the cluster's
    f"{BASE}/us-east4/azureClusters/aws-cluster",  # another kind
    f"{BASE}/us-east4/attachedClusters/my-cluster",
    f"{BASE}/us-west1/attachedClusters/old-cluster",  # a fleet membership, not in gkemulticloud
    f"{BASE}/us-east4/awsClusters/nosuch/awsNodePools",
])
def test_not_found_is_googles(api: TestClient, path: str) -> None:
    cluster = path.removeprefix("/v1/").removesuffix("/awsNodePools")
    found = error(api, path, "alice", 404)
    assert (found["status"], found["message"]) == (
        "NOT_FOUND", messages.GOOGLE_RESOURCE_NOT_FOUND.format(resource=cluster))
    assert found["details"] == [{"@type": "type.googleapis.com/google.rpc.ResourceInfo",
                                 "resourceName": cluster}]


@pytest.mark.parametrize(("path", "permission", "resource"), [
    (f"{BASE}/us-east4/awsClusters/aws-cluster", "gkemulticloud.awsClusters.get",
     "projects/my-project/locations/us-east4/awsClusters/aws-cluster"),
    (f"{BASE}/us-east4/azureClusters", "gkemulticloud.azureClusters.list",
     "projects/my-project/locations/us-east4"),
    (f"{BASE}/us-west1/attachedClusters/my-cluster", "gkemulticloud.attachedClusters.get",
     "projects/my-project/locations/us-west1/attachedClusters/my-cluster"),
    # IAM first: bob learns nothing of a cluster that does not exist either.
    (f"{BASE}/us-east4/awsClusters/nosuch", "gkemulticloud.awsClusters.get",
     "projects/my-project/locations/us-east4/awsClusters/nosuch"),
    (f"{BASE}/us-east4/awsClusters/aws-cluster/awsNodePools", "gkemulticloud.awsNodePools.list",
     "projects/my-project/locations/us-east4/awsClusters/aws-cluster"),
    (f"{BASE}/us-east4/azureServerConfig", "gkemulticloud.azureServerConfigs.get",
     "projects/my-project/locations/us-east4/azureServerConfig"),
])
def test_bob_is_denied(api: TestClient, path: str, permission: str, resource: str) -> None:
    denied = error(api, path, "bob", 403)
    assert (denied["status"], denied["message"]) == (
        "PERMISSION_DENIED", messages.GOOGLE_PERMISSION_DENIED.format(
            permission=permission, resource=resource))
    assert denied["details"] == [{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
        "domain": "gkemulticloud.googleapis.com",
        "metadata": {"permission": permission, "resource": resource}}]


@pytest.mark.parametrize("who", ["carol", "dave", "erin", "ci-bot"])
def test_the_viewers_read(api: TestClient, who: str) -> None:
    assert get(api, f"{BASE}/us-east4/awsClusters/aws-cluster", who)["state"] == "RUNNING"


def test_unknown_project_and_unauthenticated(api: TestClient) -> None:
    other = error(api, "/v1/projects/other-project/locations/us-east4/awsClusters", "alice", 403)
    assert other["message"] == messages.GOOGLE_PERMISSION_DENIED.format(
        permission="gkemulticloud.awsClusters.list",
        resource="projects/other-project/locations/us-east4")
    assert api.get(f"{BASE}/us-east4/awsClusters").json()["error"]["status"] == "UNAUTHENTICATED"


def test_node_pools(api: TestClient) -> None:
    cluster = "projects/my-project/locations/us-east4/azureClusters/azure-cluster"
    pools = get(api, f"{BASE}/us-east4/azureClusters/azure-cluster/azureNodePools?pageSize=1")
    assert [p["name"] for p in pools["azureNodePools"]] == [f"{cluster}/azureNodePools/pool-0"]
    pool = get(api, f"{BASE}/us-east4/azureClusters/azure-cluster/azureNodePools/pool-0")
    assert (pool["version"], pool["state"], pool["config"]) == (
        "1.31.2-gke.100", "RUNNING", {"vmSize": "Standard_D2s_v3"})
    missing = error(api, f"{BASE}/us-east4/azureClusters/azure-cluster/azureNodePools/nope",
                    "alice", 404)
    assert missing["message"] == messages.GOOGLE_RESOURCE_NOT_FOUND.format(
        resource=f"{cluster}/azureNodePools/nope")
    # Node pools of one kind under a cluster of the other, or of an attached cluster, are no
    # API path at all: Google's front end answers its HTML 404.
    for path in (f"{BASE}/us-east4/awsClusters/aws-cluster/azureNodePools",
                 f"{BASE}/us-west1/attachedClusters/my-cluster/attachedNodePools"):
        answer = api.get(path, headers=as_user("alice"))
        assert answer.status_code == 404
        assert "The requested URL" in answer.text


def test_server_configs_hold_the_worlds_versions(api: TestClient) -> None:
    aws = get(api, f"{BASE}/us-east4/awsServerConfig")
    assert aws["validVersions"] == [{"version": "1.30.5-gke.100", "enabled": True,
                                     "endOfLife": False}]
    assert aws["supportedAwsRegions"] == ["us-east-1"]
    assert get(api, f"{BASE}/us-east4/azureServerConfig")["supportedAzureRegions"] == ["eastus"]
    assert get(api, f"{BASE}/us-west1/attachedServerConfig")["validVersions"] == [
        {"version": "1.30.0-gke.1"}]


def test_paging(api: TestClient) -> None:
    first = get(api, f"{BASE}/us-east4/awsClusters/aws-cluster/awsNodePools?pageSize=0")
    assert len(first["awsNodePools"]) == 1
    bad = error(api, f"{BASE}/us-east4/awsClusters?pageToken=%%%", "alice", 400)
    assert bad["message"] == messages.GOOGLE_BAD_ARGUMENT.format(detail="pageToken")


def test_the_fleet_membership_links_its_multicloud_cluster(api: TestClient) -> None:
    membership = get(api, "/v1/projects/my-project/locations/global/memberships/aws-cluster")
    assert membership["endpoint"]["multiCloudCluster"] == {"resourceLink": (
        "//gkemulticloud.googleapis.com/projects/123456789012/locations/us-east4/awsClusters/"
        "aws-cluster")}
    old = get(api, "/v1/projects/my-project/locations/global/memberships/old-cluster")
    assert "multiCloudCluster" not in old["endpoint"]
