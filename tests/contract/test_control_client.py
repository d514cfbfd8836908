"""The control API over real HTTPS: ``ControlClient`` against the served emulator, curl as any
language would use it, and an injected fault cutting a real kubectl exec (issue #6)."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator import messages, statedir
from emulator.control.client import ControlClient, ControlError
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

ADMIN = "roles/gkehub.gatewayAdmin"
CAROL = "user:carol@example.com"
NAMESPACES = "/api/v1/namespaces"


@pytest.fixture
def control(gateway: Served) -> Iterator[ControlClient]:
    yield ControlClient(gateway.url, gateway.server.ca_pem)
    # Limits outlast a world reload (like serve's flags); the next test must get the defaults.
    gateway.state.restore_limits()



def gateway_get(gateway: Served, user: str, path: str = NAMESPACES,
                membership: str = "my-cluster") -> tuple[int, dict[str, Any]]:
    """A plain Kubernetes request through the gateway over HTTPS, as ``user``."""
    request = urllib.request.Request(gateway.url + gateway.server_path(membership) + path,
                                     headers={"Authorization": f"Bearer ya29.fake-{user}"})
    context = ssl.create_default_context(cadata=gateway.server.ca_pem.decode())
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def nth_exec_record(control: ControlClient, nth: int) -> dict[str, Any]:
    """The audit record of this test's ``nth`` exec (1-based). A stream's record is written once
    the server has finished with it, which may be a moment after kubectl exited."""
    deadline = time.monotonic() + 20
    while True:
        found = [r for r in control.audit() if r["k8s_path"].endswith("/exec")]
        if len(found) >= nth or time.monotonic() > deadline:
            assert len(found) >= nth, f"{len(found)} exec(s) in the audit trail, wanted {nth}"
            return found[nth - 1]
        time.sleep(0.05)


def test_world_over_https(control: ControlClient) -> None:
    world = control.world()
    assert world["project"] == {"id": "my-project", "number": "123456789012"}
    assert "token" not in world["principals"][0]
    alice = next(p for p in control.world(tokens=True)["principals"]
                 if p["email"] == "alice@example.com")
    assert alice["token"] == "ya29.fake-alice"


def test_grant_and_revoke_reach_the_gateway(gateway: Served, control: ControlClient) -> None:
    assert gateway_get(gateway, "carol")[0] == 403
    assert control.grant(ADMIN, CAROL) == {"role": ADMIN, "member": CAROL, "resource": ""}
    assert gateway_get(gateway, "carol")[0] == 200
    control.revoke(ADMIN, CAROL)
    status, body = gateway_get(gateway, "carol")
    assert status == 403 and "gkehub.gateway.get" in body["message"]
    assert control.audit()[-1]["error_id"] == "iam-denied"


def test_error_answers_raise_control_error(control: ControlClient) -> None:
    with pytest.raises(ControlError) as not_granted:
        control.revoke(ADMIN, CAROL)
    assert (not_granted.value.code, not_granted.value.status, not_granted.value.message) == (
        404, "NOT_FOUND", messages.CONTROL_NOT_GRANTED.format(
            member=CAROL, role=ADMIN, where=messages.CONTROL_WHERE_PROJECT))
    with pytest.raises(ControlError) as unknown_role:
        control.grant("roles/gkehub.gatewayGod", CAROL)
    assert (unknown_role.value.code, unknown_role.value.status) == (400, "INVALID_ARGUMENT")
    with pytest.raises(ControlError) as duplicate:
        control.add_principal("alice@example.com")
    assert (duplicate.value.code, duplicate.value.status) == (409, "ALREADY_EXISTS")
    with pytest.raises(ControlError) as no_builtin:
        control.load_builtin("no-such-scenario")
    assert no_builtin.value.code == 404


def test_scenarios_and_reset(gateway: Served, control: ControlClient) -> None:
    assert control.load_builtin("iam-denied") == "iam-denied"
    assert gateway.state.scenario.name == "iam-denied"
    text = (Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml").read_text()
    assert control.load_scenario(text) == messages.CONTROL_POSTED_SCENARIO
    with pytest.raises(ControlError) as bad:
        control.load_scenario(text.replace("kubernetes_version: v1.30.5",
                                           "kubernetes_version: 1.30.5", 1))
    assert bad.value.code == 400
    assert bad.value.message.startswith(f"{messages.CONTROL_POSTED_SCENARIO}:")
    control.grant(ADMIN, CAROL)
    assert control.reset() == messages.CONTROL_POSTED_SCENARIO
    assert gateway_get(gateway, "carol")[0] == 403  # the grant went with the reset


def test_principals_tokens_and_groups(gateway: Served, control: ControlClient) -> None:
    added = control.add_principal("ops@my-project.iam.gserviceaccount.com",
                                  kind="serviceAccount")
    assert (added["kind"], added["token"]) == ("serviceAccount", "ya29.fake-ops")
    minted = control.mint_token("ops@my-project.iam.gserviceaccount.com", lifetime_seconds=120)
    assert minted["token"].startswith("ya29.minted-")
    assert gateway_get(gateway, "carol")[0] == 403
    control.set_group("sre@example.com", ["group:oncall@example.com", CAROL])
    assert gateway_get(gateway, "carol")[0] == 200  # sre holds gatewayEditor
    assert {"group": "sre@example.com", "members": ["group:oncall@example.com", CAROL]} in (
        control.world()["groups"])


def test_limits(control: ControlClient) -> None:
    assert control.set_limits(active_streams=2, stream_timeout_seconds=30) == {
        "active_streams": 2, "stream_timeout_seconds": 30.0}
    assert control.set_limits(stream_timeout_seconds=None)["stream_timeout_seconds"] is None
    assert control.set_limits()["active_streams"] == 2  # nothing asked, nothing changed
    assert control.reset_limits() == {"active_streams": 10, "stream_timeout_seconds": None}


def test_disconnect_connect_and_the_agent_log(gateway: Served, control: ControlClient) -> None:
    assert control.disconnect("my-cluster") == {"membership": "my-cluster", "connected": False}
    status, body = gateway_get(gateway, "alice")
    assert (status, body["message"]) == (400, messages.NO_ACTIVE_CONNECTION.format(
        project_number="123456789012", membership="my-cluster"))
    assert control.agent_log("my-cluster")[-1].endswith(messages.AGENT_LOG_DISCONNECTED)
    control.connect("my-cluster")
    assert gateway_get(gateway, "alice")[0] == 200


def test_faults_over_https(gateway: Served, control: ControlClient) -> None:
    control.inject_faults("my-cluster", latency_ms=5, cluster_status=503)
    status, body = gateway_get(gateway, "alice")
    assert (status, body["kind"], body["message"]) == (
        503, "Status", messages.FAULT_CLUSTER_STATUS.format(status=503))
    assert control.audit()[-1]["fault"] == ", ".join([
        messages.FAULT_NOTE_LATENCY.format(ms=5),
        messages.FAULT_NOTE_CLUSTER_STATUS.format(status=503)])
    assert control.clear_faults() == {"faults": {}}
    assert gateway_get(gateway, "alice")[0] == 200


def test_from_state_dir(gateway: Served, tmp_path: Path) -> None:
    statedir.publish(tmp_path, gateway.url, gateway.server.ca_pem, gateway.state.scenario)
    assert ControlClient.from_state_dir(tmp_path).world()["scenario"] == "quickstart"
    statedir.withdraw(tmp_path)
    with pytest.raises(ControlError) as stopped:
        ControlClient.from_state_dir(tmp_path)
    assert (stopped.value.code, stopped.value.message) == (
        503, messages.CONTROL_CLIENT_NOT_SERVING.format(directory=tmp_path))


def test_an_unreachable_emulator_is_a_control_error(gateway: Served) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nobody listens there
    with pytest.raises(ControlError) as unreachable:
        ControlClient(f"https://127.0.0.1:{port}", gateway.server.ca_pem).world()
    assert (unreachable.value.code, unreachable.value.status) == (503, "UNAVAILABLE")


def test_curl_is_enough(gateway: Served, tmp_path: Path) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("no curl on this machine")
    ca = tmp_path / "ca.pem"
    ca.write_bytes(gateway.server.ca_pem)
    disconnect = subprocess.run(
        [curl, "-sS", "--cacert", str(ca), "-X", "POST",
         f"{gateway.url}/_emulator/memberships/my-cluster/disconnect"],
        capture_output=True, text=True, timeout=30)
    assert json.loads(disconnect.stdout) == {"membership": "my-cluster", "connected": False}
    assert gateway.state.membership("my-cluster").connected is False  # type: ignore[union-attr]
    grant = subprocess.run(
        [curl, "-sS", "--cacert", str(ca), "-H", "Content-Type: application/json",
         "-w", "\n%{http_code}", "--data", json.dumps({"role": "roles/nope", "member": CAROL}),
         f"{gateway.url}/_emulator/iam/grant"], capture_output=True, text=True, timeout=30)
    body, status = grant.stdout.rsplit("\n", 1)
    assert status == "400"
    assert json.loads(body)["error"]["status"] == "INVALID_ARGUMENT"


def test_a_dropped_stream_cuts_a_real_kubectl_exec(gateway: Served, control: ControlClient,
                                                   newest: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig(track="v1beta1")
    whole = newest.run(kubeconfig, "exec", "web", "--", "cat", "/etc/os-release")
    assert (whole.returncode, whole.stdout) == (0, messages.SH_OS_RELEASE)
    control.inject_faults("my-cluster", drop_stream_after_bytes=40)
    cut = newest.run(kubeconfig, "exec", "web", "--", "cat", "/etc/os-release")
    assert cut.returncode == 1
    assert cut.stdout == messages.SH_OS_RELEASE[:39]  # 40 bytes: the channel byte, then output
    assert cut.stderr.strip() == "error: " + messages.AGENT_STREAM_DROPPED.format(bytes=40)
    record = nth_exec_record(control, 2)
    assert (record["error_id"], record["fault"]) == (
        "agent-stream-failure", messages.FAULT_NOTE_DROP.format(bytes=40))
