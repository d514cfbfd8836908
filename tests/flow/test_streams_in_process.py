"""Streams across the three hops in-process (Starlette's WebSocket test client): scenario files
and scripted answers in the fake container, and the v4 protocol an older cluster negotiates."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.clock import FakeClock
from emulator.scenario import loader
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
