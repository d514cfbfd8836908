"""The two front-door commands as a user runs them: ``serve`` in a process, then ``kubeconfig``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from emulator import messages
from emulator.control.client import ControlClient
from emulator.scenario import loader
from tests import realclients
from tests.cliprocesses import CLI, wait_for

pytestmark = pytest.mark.contract


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    state_dir = tmp_path / "state"
    process = subprocess.Popen([*CLI, "serve", "--port", "0", "--state-dir", str(state_dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(state_dir / "url", process)
    yield process, state_dir
    if process.poll() is None:
        process.kill()
        process.communicate(timeout=10)


def test_serve_publishes_url_and_ca_then_kubectl_works(
        serving: tuple[subprocess.Popen[str], Path], tmp_path: Path) -> None:
    process, state_dir = serving
    url = (state_dir / "url").read_text().strip()
    assert url.startswith("https://127.0.0.1:")
    assert (state_dir / "ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")

    kubeconfig = tmp_path / "kubeconfig"
    wrote = run_cli("kubeconfig", "my-cluster", "--as", "alice@example.com", "--state-dir",
                    str(state_dir), "--output", str(kubeconfig))
    assert wrote.returncode == 0, wrote.stderr
    config = yaml.safe_load(kubeconfig.read_text())
    assert config["current-context"] == "connectgateway_my-project_global_my-cluster"
    assert config["clusters"][0]["cluster"]["server"] == (
        f"{url}/v1/projects/123456789012/locations/global/memberships/my-cluster")

    kubectls = realclients.kubectls()
    if not kubectls:
        pytest.skip("no kubectl.1.NN on this machine")
    env = {**os.environ, "HOME": str(tmp_path), "KUBECONFIG": str(kubeconfig),
           "KUBECACHEDIR": str(tmp_path / "cache")}
    result = subprocess.run([str(kubectls[-1].path), "get", "ns", "-o", "name"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "namespace/gke-connect" in result.stdout.split()
    bad = kubeconfig.read_text().replace("ya29.fake-alice", "ya29.unknown")
    (tmp_path / "bad-kubeconfig").write_text(bad)
    refused = subprocess.run([str(kubectls[-1].path), "get", "ns"], capture_output=True, text=True,
                             env={**env, "KUBECONFIG": str(tmp_path / "bad-kubeconfig"),
                                  "KUBECACHEDIR": str(tmp_path / "cache2")}, timeout=60)
    assert refused.returncode == 1

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    # Refusals are answers, not server errors: nothing is logged as a traceback.
    assert "Traceback" not in err and "Unhandled exception" not in err, err
    lines = out.splitlines()
    assert lines[0] == messages.CLI_SERVING.format(
        url=url, scenario="quickstart", state_dir=state_dir)
    assert lines[1] == messages.CLI_IAM_MODE.format(mode="enforce")
    assert lines[2].startswith("real-host proxy: http://127.0.0.1:"), lines[2]
    assert not (state_dir / "proxy").exists()  # withdrawn with url
    # one audit line per request: kubectl's namespace list among them
    assert any(" alice@example.com v1 my-cluster GET /api/v1/namespaces iam=gkehub.gateway.get:"
               "allowed rbac=allowed -> 200" in line for line in lines), out
    assert not (state_dir / "url").exists()


def test_kubeconfig_beta_track_gke_membership_with_namespace(
        serving: tuple[subprocess.Popen[str], Path]) -> None:
    _, state_dir = serving
    result = run_cli("kubeconfig", "gke-cluster", "--as", "bob@example.com", "--track", "v1beta1",
                     "--namespace", "team-a", "--state-dir", str(state_dir))
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    context = config["contexts"][0]
    assert context["name"] == "connectgateway_my-project_us-central1_gke-cluster_ns-team-a"
    assert context["context"]["namespace"] == "team-a"
    assert config["clusters"][0]["cluster"]["server"].endswith(
        "/v1beta1/projects/123456789012/locations/us-central1/gkeMemberships/gke-cluster")
    assert config["users"][0]["user"] == {"token": "ya29.fake-bob"}


def test_sigint_stops_serve_cleanly(serving: tuple[subprocess.Popen[str], Path]) -> None:
    process, state_dir = serving
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "Traceback" not in err


def test_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [messages.CLI_PORT_IN_USE.format(
        host="127.0.0.1", port=port, reason="Address already in use")]
    assert not (tmp_path / "url").exists()


def test_invalid_scenario_is_file_line_and_exit_2(tmp_path: Path) -> None:
    scenario = tmp_path / "broken.yaml"
    scenario.write_text("project: {id: p, number: '123456789012'}\nmemberships: []\nbogus: 1\n")
    result = run_cli("serve", "--scenario", str(scenario), "--port", "0", "--state-dir",
                     str(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {scenario}:3: unknown key 'bogus'")


def test_unknown_scenario_name_and_unreadable_file(tmp_path: Path) -> None:
    named = run_cli("serve", "--scenario", "no-such-scenario", "--state-dir", str(tmp_path))
    assert named.returncode == 2
    assert named.stderr.strip() == "error: " + messages.SCENARIO_NOT_FOUND.format(
        name="no-such-scenario", known=", ".join(loader.builtin_names()))
    missing = run_cli("serve", "--scenario", str(tmp_path / "absent.yaml"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == "error: " + messages.SCENARIO_UNREADABLE.format(
        path=tmp_path / "absent.yaml", reason="No such file or directory")


@pytest.mark.parametrize("args", [
    ["serve", "--port", "eighty"],
    ["serve", "--no-such-flag"],
    ["kubeconfig", "my-cluster"],  # --as is required
    ["kubeconfig", "my-cluster", "--as", "a@b", "--track", "v2"],
    [],
    ["serve", "--stream-timeout", "nan"],
    ["serve", "--stream-timeout", "inf"],
    ["serve", "--stream-timeout", "0"],
    ["serve", "--active-streams-quota", "-1"],
    ["serve", "--active-streams-quota", "99999999"],
])
def test_bad_flags_are_one_line_and_exit_2(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")


def test_non_loopback_host_needs_allow_remote(tmp_path: Path) -> None:
    result = run_cli("serve", "--host", "0.0.0.0", "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == messages.CLI_NON_LOOPBACK.format(host="0.0.0.0")


def test_kubeconfig_without_a_running_emulator(tmp_path: Path) -> None:
    result = run_cli("kubeconfig", "my-cluster", "--as", "alice@example.com", "--state-dir",
                     str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == messages.CLI_NOT_RUNNING.format(state_dir=tmp_path)


@pytest.mark.parametrize("command", [["kubeconfig", "my-cluster", "--as", "alice@example.com"],
                                     ["env", "--as", "alice@example.com"]])
def test_a_killed_server_is_noticed(serving: tuple[subprocess.Popen[str], Path],
                                    command: list[str]) -> None:
    """After kill -9, serve's files stay behind; kubeconfig and env must not write its dead URL."""
    process, state_dir = serving
    url = (state_dir / "url").read_text().strip()
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert (state_dir / "url").exists()  # what kill -9 leaves behind
    result = run_cli(*command, "--state-dir", str(state_dir))
    assert (result.returncode, result.stdout) == (2, "")
    prefix = messages.CLI_NOT_ANSWERING.split("{reason}")[0].format(url=url,
                                                                    state_dir=state_dir)
    assert result.stderr.startswith(prefix), result.stderr
    assert "Connection refused" in result.stderr


def test_kubeconfig_unknown_membership_or_principal(
        serving: tuple[subprocess.Popen[str], Path]) -> None:
    _, state_dir = serving
    membership = run_cli("kubeconfig", "nope", "--as", "alice@example.com", "--state-dir",
                         str(state_dir))
    assert membership.returncode == 2
    assert membership.stderr.strip() == messages.CLI_UNKNOWN_MEMBERSHIP.format(
        name="nope", known="my-cluster, old-cluster, gke-cluster, aws-cluster, azure-cluster")
    principal = run_cli("kubeconfig", "my-cluster", "--as", "mallory@example.com", "--state-dir",
                        str(state_dir))
    assert principal.returncode == 2
    assert "mallory@example.com" in principal.stderr and len(principal.stderr.splitlines()) == 1


def test_kubeconfig_sees_the_world_the_control_api_changed(
        serving: tuple[subprocess.Popen[str], Path]) -> None:
    _, state_dir = serving
    control = ControlClient.from_state_dir(state_dir)
    control.load_builtin("rbac-denied")  # its only principal is ivan; alice is gone
    ivan = run_cli("kubeconfig", "my-cluster", "--as", "ivan@example.com", "--state-dir",
                   str(state_dir))
    assert ivan.returncode == 0, ivan.stderr
    alice = run_cli("kubeconfig", "my-cluster", "--as", "alice@example.com", "--state-dir",
                    str(state_dir))
    assert (alice.returncode, alice.stderr.strip()) == (2, messages.CLI_UNKNOWN_PRINCIPAL.format(
        email="alice@example.com", known="ivan@example.com"))
    control.add_principal("newcomer@example.com", token="ya29.newcomer")
    newcomer = run_cli("kubeconfig", "my-cluster", "--as", "newcomer@example.com",
                       "--state-dir", str(state_dir))
    assert newcomer.returncode == 0, newcomer.stderr
    assert yaml.safe_load(newcomer.stdout)["users"][0]["user"]["token"] == "ya29.newcomer"


def test_serve_without_the_default_proxy_port_still_serves(tmp_path: Path) -> None:
    # The proxy's default port (one above --port) is taken: serve goes on without the proxy and
    # says so; only `env --real-hosts` needs it. Asked for by name, the same port is an error.
    with socket.socket() as taken:
        port = _free_pair_start(taken)
        state_dir = tmp_path / "state"
        process = subprocess.Popen([*CLI, "serve", "--port", str(port), "--state-dir",
                                    str(state_dir), "--quiet"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        try:
            wait_for(state_dir / "url", process)
            assert not (state_dir / "proxy").exists()
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert out.splitlines()[2].startswith(
            f"real-host proxy: not started, 127.0.0.1:{port + 1} is taken"), out
        named = subprocess.run([*CLI, "serve", "--port", "0", "--proxy-port", str(port + 1),
                                "--state-dir", str(tmp_path / "named")], capture_output=True,
                               text=True, timeout=30)
        assert named.returncode != 0
        assert named.stderr.strip().startswith(
            f"error: cannot listen on 127.0.0.1:{port + 1} for the proxy"), named.stderr


def _free_pair_start(taken: socket.socket) -> int:
    """A free port whose next port ``taken`` now holds (listening)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            taken.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        taken.listen()
        return port
    raise AssertionError("no two adjacent free ports on 127.0.0.1")
