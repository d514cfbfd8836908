"""The product page's "Troubleshooting kubectl exec/cp/attach" cases, one by one, with real kubectl
(the newest on the machine; the per-version matrix is test_streams.py) and the Python client."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kubernetes import client, config
from kubernetes.stream import stream
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect as ws_connect

from emulator import messages
from emulator.runner import serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from tests.harness import KubectlRunner, Served, wait_until

pytestmark = pytest.mark.contract




def beta(gateway: Served, user: str = "alice", membership: str = "my-cluster") -> Path:
    return gateway.kubeconfig(membership, token=f"ya29.fake-{user}", track="v1beta1")


def stream_record(served: Served, suffix: str = "/exec"):  # noqa: ANN201 - an AuditRecord
    """The newest stream's record. It is written when the stream ends on the server, which may
    be a moment after kubectl has exited."""
    found: list[object] = []

    def present() -> bool:
        found[:] = [r for r in served.state.audit.records() if r.k8s_path.endswith(suffix)]
        return bool(found)
    wait_until(present)
    return found[-1]


def test_exit_code_and_separate_streams(gateway: Served, newest: KubectlRunner) -> None:
    result = newest.run(beta(gateway), "exec", "web", "--", "sh", "-c",
                        "echo to-stdout; echo to-stderr >&2; exit 3")
    assert result.returncode == 3
    assert result.stdout == "to-stdout\n"
    assert result.stderr == "to-stderr\ncommand terminated with exit code 3\n"


def test_missing_stream_permission(gateway: Served, newest: KubectlRunner) -> None:
    # bob is a gatewayReader: no gkehub.gateway.stream.
    result = newest.run(beta(gateway, "bob"), "exec", "web", "--", "ls")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "error: error reading from error stream")
    assert messages.STREAM_PERMISSION_DENIED.format(member="user:bob@example.com") in result.stderr
    record = stream_record(gateway)
    assert (record.error_id, record.iam_result) == ("stream-permission", "denied")


def test_gke_clusters_are_not_in_the_preview(gateway: Served, newest: KubectlRunner) -> None:
    result = newest.run(beta(gateway, membership="gke-cluster"), "exec", "web", "--", "ls")
    assert result.returncode == 1
    assert result.stderr.strip() == "Error from server (BadRequest): " + messages.GKE_PREVIEW.format(
        membership="gke-cluster")


def test_cluster_older_than_1_30(gateway: Served, newest: KubectlRunner) -> None:
    config_path = beta(gateway, membership="old-cluster")
    result = newest.run(config_path, "exec", "web", "--", "ls")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {messages.CLUSTER_ERROR}"
    record = stream_record(gateway)
    assert (record.error_id, record.quota) == ("cluster-too-old", "active_streams 1/10 (taken)")
    assert "failed to create the websocket connection: websocket: bad handshake (403 Forbidden)" \
        in gateway.agent_log(newest, config_path, "old-cluster")


def test_exec_without_rbac(world: Callable[[str], Served], newest: KubectlRunner) -> None:
    served = world("exec-rbac")
    config_path = beta(served, "olga")
    result = newest.run(config_path, "exec", "web", "--", "ls")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {messages.CLUSTER_ERROR}"
    assert stream_record(served).error_id == "exec-rbac"
    assert ('failed to create the websocket connection: websocket: bad handshake (403 Forbidden): '
            'pods "web" is forbidden: User "olga@example.com" cannot get resource "pods/exec" in '
            'API group "" in the namespace "default"') in served.agent_log(newest, config_path)


def test_agent_log_is_also_in_the_control_api(gateway: Served, newest: KubectlRunner) -> None:
    newest.run(beta(gateway, membership="old-cluster"), "exec", "web", "--", "ls")
    with urllib.request.urlopen(f"{gateway.url}/_emulator/memberships/old-cluster/agent-log",
                                context=gateway.tls_context()) as answer:
        lines = json.load(answer)["lines"]
    assert any("failed to create the websocket connection" in line for line in lines)


@pytest.fixture
def other_project() -> Iterator[Served]:
    """A second emulator whose fleet host project is another one."""
    text = loader.builtin_dir().joinpath("quickstart.yaml").read_text().replace(
        '"123456789012"', '"222222222222"')
    state = EmulatorState(loader.parse(text, Path("other-project.yaml")))
    server = serve_emulator(state)
    yield Served(state, server, Path(tempfile.mkdtemp()))
    server.stop()


def test_active_streams_quota(gateway: Served, newest: KubectlRunner,
                              other_project: Served) -> None:
    config_path = beta(gateway)
    sleepers = [newest.popen(config_path, "exec", "web", "--", "sleep", "120")
                for _ in range(10)]
    try:
        wait_until(lambda: gateway.state.quota.active("123456789012") == 10)
        eleventh = newest.run(config_path, "exec", "web", "--", "echo", "one too many")
        assert eleventh.returncode == 1
        assert eleventh.stderr.strip() == "error: " + messages.QUOTA_EXHAUSTED.format(
            limit=10, project="my-project")
        wait_until(lambda: any(r.quota == "active_streams 10/10 (exhausted)"
                               for r in gateway.state.audit.records()))
        # Another fleet host project has its own quota.
        elsewhere = newest.run(other_project.kubeconfig(track="v1beta1"), "exec", "web", "--",
                               "echo", "other project")
        assert (elsewhere.returncode, elsewhere.stdout) == (0, "other project\n")
    finally:
        for sleeper in sleepers:
            sleeper.send_signal(signal.SIGKILL)
        for sleeper in sleepers:
            sleeper.communicate(timeout=10)
    wait_until(lambda: gateway.state.quota.active("123456789012") == 0)


def test_python_client_stream_exec(gateway: Served) -> None:
    api = config.new_client_from_config(config_file=str(beta(gateway)))
    core = client.CoreV1Api(api)
    output = stream(core.connect_get_namespaced_pod_exec, "web", "default",
                    command=["sh", "-c", "echo from python; hostname"],
                    stderr=True, stdin=False, stdout=True, tty=False)
    assert output == "from python\nweb\n"
    session = stream(core.connect_get_namespaced_pod_exec, "web", "default",
                     command=["sh", "-c", "cat; exit 7"], stderr=True, stdin=True, stdout=True,
                     tty=False, _preload_content=False)
    session.write_stdin("piped in\n")
    session.close_channel(0)  # the v5 stdin close signal
    session.run_forever(timeout=10)
    assert session.read_stdout() == "piped in\n"
    assert session.returncode == 7
    session.close()
    api.close()


def test_python_client_to_a_disconnected_agent(gateway: Served) -> None:
    gateway.state.membership("my-cluster").connected = False
    api = config.new_client_from_config(config_file=str(beta(gateway)))
    session = stream(client.CoreV1Api(api).connect_get_namespaced_pod_exec, "web", "default",
                     command=["ls"], stderr=True, stdin=False, stdout=True, tty=False,
                     _preload_content=False)
    session.run_forever(timeout=10)
    assert messages.AGENT_CONNECT_FAILED.format(
        project_number="123456789012", membership="my-cluster") in session.read_channel(3)
    session.close()
    api.close()
    # The stream's record is finished a moment after the client has its answer.
    wait_until(lambda: stream_record(gateway).error_id == "agent-stream-failure",
               "the stream's record never named agent-stream-failure")


def test_stream_timeout_from_serve(tmp_path: Path, newest: KubectlRunner) -> None:
    state_dir = tmp_path / "state"
    process = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0",
                                "--state-dir", str(state_dir), "--stream-timeout", "2",
                                "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        wait_until(lambda: (state_dir / "url").exists())
        kubeconfig = tmp_path / "kubeconfig"
        wrote = subprocess.run([sys.executable, "-m", "emulator", "kubeconfig", "my-cluster",
                                "--as", "alice@example.com", "--track", "v1beta1",
                                "--state-dir", str(state_dir), "--output", str(kubeconfig)],
                               capture_output=True, text=True, timeout=30)
        assert wrote.returncode == 0, wrote.stderr
        started = time.monotonic()
        result = newest.run(kubeconfig, "exec", "web", "--", "sleep", "30")
        assert result.returncode == 1
        assert result.stderr.strip() == "error: " + messages.AGENT_STREAM_INTERRUPTED.format(
            seconds="2")
        assert time.monotonic() - started < 20
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)


# -- WebSocket subprotocols -------------------------------------------------------------------------

EXEC_HOSTNAME = "/api/v1/namespaces/default/pods/web/exec?command=hostname&container=main&stdout=true"


def raw_exec(gateway: Served, offer: list[str], membership: str = "my-cluster"
             ) -> tuple[str | None, list[bytes]]:
    """A WebSocket exec that offers exactly ``offer``: the protocol the 101 named, and the frames
    until the close. A refused upgrade raises ``InvalidStatus``."""
    url = gateway.url.replace("https://", "wss://") + gateway.server_path(
        membership, "v1beta1") + EXEC_HOSTNAME
    with ws_connect(url, ssl=gateway.tls_context(), subprotocols=offer,  # type: ignore[arg-type]
                    additional_headers={"Authorization": "Bearer ya29.fake-alice"},
                    open_timeout=20) as socket:
        received: list[bytes] = []
        with contextlib.suppress(ConnectionClosed):
            while True:
                message = socket.recv(timeout=20)
                assert isinstance(message, bytes)
                received.append(message)
        return socket.subprotocol, received


@pytest.mark.parametrize("offer", [["garbage"], [], ["base64.channel.k8s.io", "v3.channel.k8s.io"]],
                         ids=["garbage", "none", "uncarried"])
def test_an_unsupported_subprotocol_is_refused_before_the_upgrade(gateway: Served,
                                                                  offer: list[str]) -> None:
    """Not the cluster-too-old diagnosis: the cluster is 1.30, the client offered no channel
    protocol the gateway carries. A 400 Status names what was offered and what the gateway
    carries, and the upgrade never reaches the agent."""
    log_before = list(gateway.state.membership("my-cluster").agent_log.lines())
    with pytest.raises(InvalidStatus) as refused:
        raw_exec(gateway, offer)
    answer = refused.value.response
    assert answer.status_code == 400
    status = json.loads(answer.body)
    carried = "v5.channel.k8s.io v4.channel.k8s.io"
    assert (status["kind"], status["reason"], status["code"], status["message"]) == (
        "Status", "BadRequest", 400, messages.UNSUPPORTED_SUBPROTOCOLS.format(
            offered=" ".join(offer), supported=carried))
    record = stream_record(gateway)
    assert (record.status, record.error_id, record.explanation) == (
        400, "", messages.AUDIT_UNSUPPORTED_SUBPROTOCOLS.format(offered=" ".join(offer),
                                                                supported=carried))
    assert gateway.state.membership("my-cluster").agent_log.lines() == log_before
    assert gateway.state.quota.active("123456789012") == 0


def test_a_carried_subprotocol_among_unknown_ones_is_the_one_agreed(gateway: Served) -> None:
    protocol, received = raw_exec(gateway, ["garbage", "v5.channel.k8s.io"])
    assert protocol == "v5.channel.k8s.io"
    assert received[0] == b"\x01web\n"
    assert json.loads(received[-1][1:]) == {"metadata": {}, "status": "Success"}


def test_v5_alone_to_an_old_cluster_is_still_cluster_too_old(gateway: Served) -> None:
    """The raw form of test_cluster_older_than_1_30: the 101 names v5 (which the client
    offered), then the agent-side failure; while v4, which every kubelet serves, works."""
    protocol, received = raw_exec(gateway, ["v5.channel.k8s.io"], "old-cluster")
    assert protocol == "v5.channel.k8s.io"
    assert json.loads(received[-1][1:])["message"] == messages.CLUSTER_ERROR
    assert stream_record(gateway).error_id == "cluster-too-old"
    protocol, received = raw_exec(gateway, ["v4.channel.k8s.io"], "old-cluster")
    assert (protocol, received[0]) == ("v4.channel.k8s.io", b"\x01web\n")
