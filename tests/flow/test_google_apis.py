"""The Google control-plane APIs gcloud calls, in-process: shapes, IAM and errors."""

from __future__ import annotations

import base64

import pytest
import yaml
from starlette.testclient import TestClient

from emulator import messages
from emulator.app import create_app
from emulator.clock import FakeClock
from emulator.scenario import loader
from emulator.state import EmulatorState

SA = "ci-bot@my-project.iam.gserviceaccount.com"


@pytest.fixture
def state() -> EmulatorState:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    state.ca_pem = b"-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"
    return state


@pytest.fixture
def api(state: EmulatorState) -> TestClient:
    return TestClient(create_app(state), base_url="https://127.0.0.1:8443")


def as_user(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer ya29.fake-{name}"}


def test_list_pages_and_locations(api: TestClient) -> None:
    first = api.get("/v1beta/projects/my-project/locations/-/memberships?pageSize=2",
                    headers=as_user("alice")).json()
    assert [m["name"].rsplit("/", 1)[1] for m in first["resources"]] == ["my-cluster",
                                                                         "old-cluster"]
    second = api.get(f"/v1beta/projects/my-project/locations/-/memberships?pageSize=2"
                     f"&pageToken={first['nextPageToken']}", headers=as_user("alice")).json()
    assert [m["name"].rsplit("/", 1)[1] for m in second["resources"]] == ["gke-cluster",
                                                                          "aws-cluster"]
    third = api.get(f"/v1beta/projects/my-project/locations/-/memberships?pageSize=2"
                    f"&pageToken={second['nextPageToken']}", headers=as_user("alice")).json()
    assert [m["name"].rsplit("/", 1)[1] for m in third["resources"]] == ["azure-cluster"]
    assert "nextPageToken" not in third
    regional = api.get("/v1/projects/my-project/locations/us-central1/memberships",
                       headers=as_user("alice")).json()["resources"]
    assert [m["endpoint"]["gkeCluster"]["resourceLink"] for m in regional] == [
        "//container.googleapis.com/projects/my-project/locations/us-central1/clusters/gke-cluster"]


def test_get_membership_and_not_found(api: TestClient) -> None:
    found = api.get("/v1alpha/projects/my-project/locations/global/memberships/old-cluster",
                    headers=as_user("alice"))
    assert found.json()["endpoint"]["kubernetesMetadata"]["kubernetesApiServerVersion"] == "v1.29.8"
    missing = api.get("/v1/projects/my-project/locations/global/memberships/nosuch",
                      headers=as_user("alice"))
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert (error["status"], error["message"]) == ("NOT_FOUND", messages.GOOGLE_RESOURCE_NOT_FOUND.format(
        resource="projects/my-project/locations/global/memberships/nosuch"))


def test_permission_denied_has_error_info(api: TestClient) -> None:
    denied = api.get("/v1/projects/my-project/locations/-/memberships", headers=as_user("bob"))
    assert denied.status_code == 403
    error = denied.json()["error"]
    assert error["details"] == [{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
        "domain": "gkehub.googleapis.com",
        "metadata": {"permission": "gkehub.memberships.list",
                     "resource": "projects/my-project/locations/-/memberships"}}]


def test_unauthenticated_is_googles_401(api: TestClient) -> None:
    answer = api.get("/v1/projects/my-project")
    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"


def test_project_number_and_test_iam_permissions(api: TestClient) -> None:
    assert api.get("/v1/projects/my-project", headers=as_user("alice")).json()[
        "projectNumber"] == "123456789012"
    asked = {"permissions": ["gkehub.gateway.get", "gkehub.gateway.stream", "gkehub.memberships.get"]}
    assert api.post("/v1/projects/my-project:testIamPermissions", json=asked,
                    headers=as_user("bob")).json() == {
        "permissions": ["gkehub.gateway.get", "gkehub.memberships.get"]}
    # carol is a Fleet Viewer: no gateway permission at all.
    assert api.post("/v1/projects/my-project:testIamPermissions", json=asked,
                    headers=as_user("carol")).json() == {"permissions": ["gkehub.memberships.get"]}
    assert api.post("/v1/projects/my-project:testIamPermissions",
                    json={"permissions": ["gkehub.gateway.get"]},
                    headers=as_user("carol")).json() == {}


@pytest.mark.parametrize("permissions", [2, "gkehub.gateway.get", [1], [None], {"a": "b"}])
def test_test_iam_permissions_takes_a_list_of_strings(api: TestClient, permissions: object) -> None:
    answer = api.post("/v1/projects/my-project:testIamPermissions",
                      json={"permissions": permissions}, headers=as_user("alice"))
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == messages.GOOGLE_BAD_ARGUMENT.format(
        detail="permissions")


def test_generate_credentials_kubeconfig(api: TestClient, state: EmulatorState) -> None:
    answer = api.get("/v1beta1/projects/123456789012/locations/us-central1/memberships/"
                     "gke-cluster:generateCredentials?alt=json&forceUseAgent=False"
                     "&kubernetesNamespace=team-a", headers=as_user("bob"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    config = yaml.safe_load(base64.urlsafe_b64decode(body["kubeconfig"]))
    name = "connectgateway_my-project_us-central1_gke-cluster_ns-team-a"
    server = ("https://127.0.0.1:8443/v1beta1/projects/123456789012/locations/us-central1/"
              "gkeMemberships/gke-cluster")
    assert config["current-context"] == name
    assert config["contexts"] == [{"name": name, "context": {
        "cluster": name, "user": name, "namespace": "team-a"}}]
    assert config["clusters"][0]["cluster"] == {
        "server": server,
        "certificate-authority-data": base64.b64encode(state.ca_pem).decode()}
    assert config["users"][0]["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert body["endpoint"] == server


@pytest.mark.parametrize(("query", "status"), [
    ("forceUseAgent=maybe", 400), ("bogus=1", 400), ("forceUseAgent=True", 200)])
def test_generate_credentials_arguments(api: TestClient, query: str, status: int) -> None:
    answer = api.get("/v1/projects/123456789012/locations/global/memberships/my-cluster"
                     f":generateCredentials?{query}", headers=as_user("alice"))
    assert answer.status_code == status


def test_generate_credentials_needs_the_permission_and_the_membership(api: TestClient) -> None:
    assert api.get("/v1/projects/123456789012/locations/global/memberships/my-cluster"
                   ":generateCredentials", headers=as_user("carol")).status_code == 403
    missing = api.get("/v1/projects/123456789012/locations/global/memberships/nope"
                      ":generateCredentials", headers=as_user("alice"))
    assert missing.json()["error"]["message"] == messages.GOOGLE_MEMBERSHIP_NOT_FOUND.format(
        name="projects/123456789012/locations/global/memberships/nope")


def test_generate_access_token_acts_as_the_service_account(api: TestClient,
                                                           state: EmulatorState) -> None:
    path = f"/v1/projects/-/serviceAccounts/{SA}:generateAccessToken"
    body = {"delegates": None, "scope": ["https://www.googleapis.com/auth/cloud-platform"],
            "lifetime": "3600s"}
    assert api.post(path, json=body, headers=as_user("bob")).json()["error"]["message"] == (
        messages.GOOGLE_GET_ACCESS_TOKEN_DENIED)
    minted = api.post(path, json=body, headers=as_user("alice")).json()
    assert minted["expireTime"] == "2026-01-01T01:00:00Z"
    whoami = api.post("/v1/projects/123456789012/locations/global/memberships/my-cluster"
                      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                      headers={"Authorization": f"Bearer {minted['accessToken']}"},
                      json={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    assert whoami.json()["status"]["userInfo"]["username"] == SA
    assert api.post(path, json={**body, "lifetime": "99999s"},
                    headers=as_user("alice")).status_code == 400
    state.reset()  # minted tokens end with the world
    assert api.get("/v1/projects/my-project",
                   headers={"Authorization": f"Bearer {minted['accessToken']}"}
                   ).status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({"scope": 2}, "scope"), ({"scope": [1]}, "scope"), ({}, "scope"), ([1], "body"),
    ("x", "body"), ({"scope": ["s"], "delegates": "d"}, "delegates"),
    ({"scope": ["s"], "lifetime": ["3600s"]}, "lifetime")])
def test_generate_access_token_refuses_malformed_bodies(api: TestClient, body: object,
                                                       field: str) -> None:
    answer = api.post(f"/v1/projects/-/serviceAccounts/{SA}:generateAccessToken", json=body,
                      headers=as_user("alice"))
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == messages.GOOGLE_BAD_ARGUMENT.format(detail=field)


def test_service_usage_reports_enabled(api: TestClient) -> None:
    answer = api.get("/v1/projects/my-project/services/connectgateway.googleapis.com",
                     headers=as_user("alice")).json()
    assert (answer["state"], answer["config"]["title"]) == ("ENABLED", "Connect Gateway API")
