"""In-process, across the three hops: what reaches the cluster for a gateway request."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from emulator import messages
from emulator.app import create_app
from emulator.clock import FakeClock
from emulator.cluster.backend import ClusterRequest, ClusterResponse
from emulator.scenario import loader
from emulator.state import EmulatorState

PREFIX = "/v1/projects/123456789012/locations/global/memberships/my-cluster"
ALICE = {"Authorization": "Bearer ya29.fake-alice"}


@pytest.fixture
def state() -> EmulatorState:
    return EmulatorState(loader.load("quickstart"), FakeClock())


@pytest.fixture
def seen(state: EmulatorState) -> list[ClusterRequest]:
    """Record every request the gateway hands to my-cluster's apiserver."""
    cluster = state.membership("my-cluster").cluster
    original = cluster.handle
    requests: list[ClusterRequest] = []

    async def recording(request: ClusterRequest) -> ClusterResponse:
        requests.append(request)
        return await original(request)

    cluster.handle = recording  # type: ignore[method-assign]
    return requests


def test_request_reaches_the_cluster_as_the_agent_impersonating_the_caller(
        state: EmulatorState, seen: list[ClusterRequest]) -> None:
    client = TestClient(create_app(state))
    answer = client.get(f"{PREFIX}/api/v1/namespaces/default/pods", headers=ALICE)
    assert answer.status_code == 200
    assert [p["metadata"]["name"] for p in answer.json()["items"]] == ["web"]
    (request,) = seen
    assert request.path == "/api/v1/namespaces/default/pods"
    assert request.header("authorization") == f"Bearer {state.membership('my-cluster').transport.token}"
    assert request.header("impersonate-user") == "alice@example.com"
    assert not any("ya29.fake-alice" in value for _, value in request.headers)


def test_whoami_is_the_google_principal(state: EmulatorState) -> None:
    client = TestClient(create_app(state))
    answer = client.post(f"{PREFIX}/apis/authentication.k8s.io/v1/selfsubjectreviews",
                         headers=ALICE, json={"apiVersion": "authentication.k8s.io/v1",
                                              "kind": "SelfSubjectReview"})
    assert answer.status_code == 201
    assert answer.json()["status"]["userInfo"] == {
        "username": "alice@example.com", "groups": ["system:authenticated"]}


def test_client_impersonation_headers_are_refused_before_the_cluster(
        state: EmulatorState, seen: list[ClusterRequest]) -> None:
    client = TestClient(create_app(state))
    answer = client.get(f"{PREFIX}/api/v1/pods",
                        headers={**ALICE, "Impersonate-Group": "system:masters"})
    assert answer.status_code == 403
    assert answer.json()["message"] == messages.IMPERSONATION_HEADER_REFUSED.format(
        header="Impersonate-Group", principal="alice@example.com")
    assert seen == []


def test_unauthenticated_never_reaches_the_cluster(state: EmulatorState,
                                                   seen: list[ClusterRequest]) -> None:
    client = TestClient(create_app(state))
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic YTpi"}):
        answer = client.get(f"{PREFIX}/api", headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                 "status": "Failure", "message": messages.UNAUTHENTICATED,
                                 "reason": "Unauthorized", "code": 401}
    assert seen == []


def test_unknown_urls_are_googles_html_404_for_every_method(state: EmulatorState) -> None:
    client = TestClient(create_app(state))
    for method in ("GET", "POST", "DELETE", "PATCH"):
        answer = client.request(method, "/v1/projects/my-project/locations/global/memberships/x/api",
                                headers=ALICE)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert ("The requested URL <code>/v1/projects/my-project/locations/global/memberships/x/api"
                "</code> was not found on this server.") in answer.text


def test_no_active_connection_when_disconnected(state: EmulatorState,
                                                seen: list[ClusterRequest]) -> None:
    state.membership("my-cluster").connected = False
    answer = TestClient(create_app(state)).get(f"{PREFIX}/api", headers=ALICE)
    assert answer.status_code == 400
    assert json.loads(answer.text)["message"] == messages.NO_ACTIVE_CONNECTION.format(
        project_number="123456789012", membership="my-cluster")
    assert seen == []


def test_reset_restores_the_scenario(state: EmulatorState) -> None:
    client = TestClient(create_app(state))
    created = client.post(f"{PREFIX}/api/v1/namespaces/default/configmaps", headers=ALICE,
                          json={"metadata": {"name": "scratch"}})
    assert created.status_code == 201
    state.reset()
    again = client.get(f"{PREFIX}/api/v1/namespaces/default/configmaps/scratch", headers=ALICE)
    assert again.status_code == 404
