"""Streams across the three hops in-process (Starlette's WebSocket test client): scenario files
and scripted answers in the fake container, the v4 protocol an older cluster negotiates, a
malformed resize that the process survives, and an apiserver the agent cannot reach."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from emulator import messages
from emulator.app import create_app
from emulator.clock import FakeClock
from emulator.cluster.backend import ClusterUnreachable
from emulator.scenario import loader
from emulator.scenario.model import RemoteSpec
from emulator.state import EmulatorState

POD = "/api/v1/namespaces/default/pods/web/exec"
ALICE = {"Authorization": "Bearer ya29.fake-alice"}


def prefix(membership: str) -> str:
    return f"/v1beta1/projects/123456789012/locations/global/memberships/{membership}"


def exec_frames(state: EmulatorState, membership: str, query: str,
                offer: list[str]) -> tuple[str | None, list[bytes]]:
    client = TestClient(create_app(state))
    frames: list[bytes] = []
    with client.websocket_connect(f"{prefix(membership)}{POD}?{query}", subprotocols=offer,
                                  headers=dict(ALICE)) as socket:  # the client adds to it
        protocol = socket.accepted_subprotocol
        while True:
            message = socket.receive()
            if message["type"] == "websocket.close":
                break
            frames.append(message["bytes"])
    return protocol, frames


def quickstart_with(extra: str) -> EmulatorState:
    text = loader.builtin_dir().joinpath("quickstart.yaml").read_text().replace(
        "    kubernetes_version: v1.30.5\n", "    kubernetes_version: v1.30.5\n" + extra, 1)
    return EmulatorState(loader.parse(text, Path("q.yaml")), FakeClock())


def test_scenario_files_and_scripted_answers_reach_the_container() -> None:
    state = quickstart_with("""    pod_files:
      default/web/main:
        /usr/share/nginx/html/index.html: "<h1>hello</h1>\\n"
    scripted:
      default/web/main:
        nginx -v: {stderr: "nginx version: nginx/1.27.0\\n"}
""")
    _, frames = exec_frames(state, "my-cluster",
                            "command=cat&command=/usr/share/nginx/html/index.html&container=main"
                            "&stdout=true", ["v5.channel.k8s.io"])
    assert frames[0] == b"\x01<h1>hello</h1>\n"
    assert json.loads(frames[-1][1:]) == {"metadata": {}, "status": "Success"}
    _, frames = exec_frames(state, "my-cluster", "command=nginx&command=-v&container=main"
                            "&stderr=true&stdout=true", ["v5.channel.k8s.io"])
    assert frames[0] == b"\x02nginx version: nginx/1.27.0\n"


def test_an_older_cluster_speaks_v4_to_a_client_that_offers_it() -> None:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    protocol, frames = exec_frames(state, "old-cluster",
                                   "command=echo&command=v4&container=main&stdout=true",
                                   ["v5.channel.k8s.io", "v4.channel.k8s.io"])
    assert protocol == "v4.channel.k8s.io"
    assert frames[0] == b"\x01v4\n"


def test_the_quota_slot_is_released_after_the_stream() -> None:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    exec_frames(state, "my-cluster", "command=true&container=main&stdout=true",
                ["v5.channel.k8s.io"])
    assert state.quota.active("123456789012") == 0
    record = state.audit.records()[-1]
    assert (record.status, record.quota) == (101, "active_streams 1/10 (taken)")


def test_a_malformed_resize_during_cat_is_ignored() -> None:
    """Channel 4 with a width of 1e999, then deep nesting: the kubelet's decoder refuses both and
    the process runs on; it echoes stdin and ends with its exit status and a normal close."""
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    client = TestClient(create_app(state))
    frames: list[bytes] = []
    with client.websocket_connect(
            f"{prefix('my-cluster')}{POD}?command=cat&container=main&stdin=true&stdout=true"
            "&stderr=true", subprotocols=["v5.channel.k8s.io"], headers=dict(ALICE)) as socket:
        socket.send_bytes(b'\x04{"Width":1e999,"Height":1}')
        socket.send_bytes(b'\x04{"Width":' + b"[" * 5000 + b"]" * 5000 + b',"Height":1}')
        socket.send_bytes(b"\x00still here\n")
        socket.send_bytes(b"\xff\x00")  # v5: stdin is closed
        while True:
            message = socket.receive()
            if message["type"] == "websocket.close":
                close_code = message["code"]
                break
            frames.append(message["bytes"])
    assert frames[:-1] == [b"\x01still here\n"]
    assert json.loads(frames[-1][1:]) == {"metadata": {}, "status": "Success"}
    assert close_code == 1000
    assert state.quota.active("123456789012") == 0
    assert state.audit.records()[-1].status == 101


def test_an_apiserver_that_cannot_be_reached_fails_the_stream_after_the_upgrade(
        tmp_path: Path) -> None:
    """A membership fronting an apiserver on a port where nothing listens: the agent's WebSocket
    cannot be made, and the client gets the agent-side failure on the status channel."""
    with socket.socket() as probe:  # a loopback port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "gone",
        "clusters": [{"name": "gone", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "gone", "user": {"token": "upstream-token"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "gone"}}]}))
    state = EmulatorState(loader.load("quickstart"), FakeClock(),
                          clusters={"my-cluster": RemoteSpec(kubeconfig)})
    protocol, frames = exec_frames(state, "my-cluster",
                                   "command=hostname&container=main&stdout=true",
                                   ["v5.channel.k8s.io"])
    assert protocol == "v5.channel.k8s.io"
    assert json.loads(frames[-1][1:])["message"] == messages.CLUSTER_ERROR
    record = state.audit.records()[-1]
    assert (record.status, record.error_id) == (101, "cluster-unreachable")
    assert state.quota.active("123456789012") == 0


class _FailingSession:
    """A cluster session whose reads fail the way ``raised`` says."""

    def __init__(self, raised: Exception) -> None:
        self.raised, self.subprotocol, self.close_code = raised, "v5.channel.k8s.io", None

    async def send(self, message: object) -> None:
        pass

    async def receive(self) -> None:
        raise self.raised

    async def close(self) -> None:
        pass


def _failing_stream(state: EmulatorState, raised: Exception) -> None:
    membership = state.membership("my-cluster")
    assert membership is not None

    async def open_stream(*args: object, **kwargs: object) -> _FailingSession:
        return _FailingSession(raised)

    membership.cluster.open_stream = open_stream  # type: ignore[method-assign]


def test_a_lost_upstream_mid_stream_is_the_agent_side_failure() -> None:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    _failing_stream(state, ClusterUnreachable("unexpected EOF"))
    _, frames = exec_frames(state, "my-cluster", "command=hostname&container=main&stdout=true",
                            ["v5.channel.k8s.io"])
    assert json.loads(frames[-1][1:])["message"] == messages.AGENT_UPSTREAM_INTERRUPTED
    record = state.audit.records()[-1]
    assert (record.status, record.error_id) == (101, "cluster-unreachable")
    assert state.quota.active("123456789012") == 0


def test_a_relay_that_fails_inside_the_emulator_ends_the_stream_and_says_so(
        caplog: pytest.LogCaptureFixture) -> None:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    _failing_stream(state, KeyError("a bug"))
    with caplog.at_level(logging.ERROR, logger="emulator"):
        _, frames = exec_frames(state, "my-cluster",
                                "command=hostname&container=main&stdout=true",
                                ["v5.channel.k8s.io"])
    assert json.loads(frames[-1][1:])["message"] == messages.CLUSTER_ERROR
    record = state.audit.records()[-1]
    assert (record.status, record.error_id) == (101, "")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        messages.STREAM_RELAY_FAILED.format(path=record.path)]
    assert state.quota.active("123456789012") == 0
