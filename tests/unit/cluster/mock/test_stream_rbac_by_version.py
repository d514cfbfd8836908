"""Which RBAC verbs a stream's WebSocket upgrade needs, by the cluster's minor: "get" up to 1.34;
"get" and "create" from 1.35 (kube's AuthorizePodWebsocketUpgradeCreatePermission)."""

from __future__ import annotations

import pytest

from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.auth.identity import UserInfo
from emulator.cluster.mock.node.streams import ChannelSession
from emulator.cluster.backend import ClusterResponse

from .conftest import ADMIN, ADMIN_TOKEN, create, pod, request, run

PODS = "/api/v1/namespaces/default/pods"
OLGA = UserInfo("olga@example.com")


def cluster_where_olga_may(version: str, verbs: list[str]) -> MockApiserver:
    api = MockApiserver("c", version, FakeClock())
    api.authenticator.add(ADMIN_TOKEN, ADMIN)
    api.authenticator.add("olga", OLGA)
    create(api, PODS, pod("web", "main"))
    create(api, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", {
        "metadata": {"name": "stream-role"},
        "rules": [{"apiGroups": ["*"], "resources": ["pods/exec", "pods/attach"],
                   "verbs": verbs}]})
    create(api, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", {
        "metadata": {"name": "stream-rolebinding"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                    "name": "stream-role"},
        "subjects": [{"kind": "User", "name": "olga@example.com"}]})
    return api


def open_exec(api: MockApiserver) -> ChannelSession | ClusterResponse:
    return run(api.open_stream(
        request("GET", f"{PODS}/web/exec", "command=hostname&stdout=true", token="olga"),
        ["v5.channel.k8s.io"]))


@pytest.mark.parametrize("version", ["v1.30.5", "v1.34.1"])
def test_get_alone_opens_a_stream_before_1_35(version: str) -> None:
    assert isinstance(open_exec(cluster_where_olga_may(version, ["get"])), ChannelSession)


def test_from_1_35_the_upgrade_also_needs_create() -> None:
    answer = open_exec(cluster_where_olga_may("v1.35.0", ["get"]))
    assert isinstance(answer, ClusterResponse)
    assert answer.status == 403
    assert b'cannot create resource \\"pods/exec\\"' in answer.body
    both = open_exec(cluster_where_olga_may("v1.35.0", ["get", "create"]))
    assert isinstance(both, ChannelSession)
