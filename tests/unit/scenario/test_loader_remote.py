"""Memberships fronting a real apiserver (``kubeconfig:``), and ``serve --cluster`` names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from emulator import messages
from emulator.clock import FakeClock
from emulator.cluster.remote.backend import AgentCredentials, RemoteCluster
from emulator.scenario import loader
from emulator.scenario.model import RemoteSpec
from emulator.state import EmulatorState
from tests.unit.scenario.test_loader import VALID

# Line numbers below count from the start of VALID: the membership item is line 6.
MEMBERSHIP_LINE = 6
AGENT_USER = "system:serviceaccount:gke-connect:connect-agent-sa"


def with_fields(*lines: str) -> str:
    """VALID with ``lines`` added to its membership (from line 8 on)."""
    return VALID + "".join(f"    {line}\n" for line in lines)


def parse(text: str, path: Path = Path("s.yaml")) -> loader.Scenario:
    return loader.parse(text, path)


def error_of(text: str) -> str:
    with pytest.raises(loader.ScenarioError) as caught:
        parse(text)
    return str(caught.value)


def invalid(line: int, reason: str) -> str:
    return messages.SCENARIO_INVALID.format(path="s.yaml", line=line, reason=reason)


def test_relative_kubeconfig_is_resolved_against_the_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "worlds" / "s.yaml"
    (membership,) = parse(with_fields("kubeconfig: kube/config"), path).memberships
    assert membership.remote == RemoteSpec(tmp_path / "worlds" / "kube" / "config", None,
                                           "kubeconfig")


def test_absolute_kubeconfig_is_kept() -> None:
    (membership,) = parse(with_fields("kubeconfig: /etc/kind/config",
                                      "context: kind-dev",
                                      "agent_credentials: service-account"),
                          Path("/elsewhere/s.yaml")).memberships
    assert membership.remote == RemoteSpec(Path("/etc/kind/config"), "kind-dev",
                                           "service-account")


def test_home_in_kubeconfig_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (membership,) = parse(with_fields("kubeconfig: ~/.kube/config"),
                          Path("/elsewhere/s.yaml")).memberships
    assert membership.remote is not None
    assert membership.remote.kubeconfig == tmp_path / ".kube" / "config"


def test_membership_without_kubeconfig_is_the_mock() -> None:
    (membership,) = parse(VALID).memberships
    assert membership.remote is None


def test_bad_agent_credentials() -> None:
    text = with_fields("kubeconfig: k", "agent_credentials: token")
    assert error_of(text) == invalid(9, messages.SCENARIO_BAD_VALUE.format(
        key="agent_credentials", where="a membership", value="token",
        hint=messages.SCENARIO_HINT_AGENT_CREDENTIALS))


def test_kubeconfig_must_be_text() -> None:
    assert error_of(with_fields("kubeconfig: [a, b]")) == invalid(
        8, messages.SCENARIO_EXPECTED_STRING.format(key="kubeconfig", where="a membership"))


@pytest.mark.parametrize("seed", [
    ["objects:", "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: default}}"],
    ["pod_logs:", "  default/web/main: [hello]"],
    ["pod_files:", "  default/web/main: {/srv/a.txt: hi}"],
    ["scripted:", "  default/web/main: {nginx -v: {stdout: x}}"],
], ids=["objects", "pod_logs", "pod_files", "scripted"])
def test_seeds_on_a_remote_membership_are_refused(seed: list[str]) -> None:
    assert error_of(with_fields("kubeconfig: k", *seed)) == invalid(
        MEMBERSHIP_LINE, messages.SCENARIO_REMOTE_SEEDS.format(name="c1"))


@pytest.mark.parametrize("field", ["context: kind-dev", "agent_credentials: service-account"])
def test_remote_only_fields_without_kubeconfig_are_refused(field: str) -> None:
    key = field.partition(":")[0]
    assert error_of(with_fields("connected: true", field)) == invalid(
        9, messages.SCENARIO_REMOTE_ONLY.format(key=key))


def test_state_puts_a_remote_backend_behind_the_membership(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kube" / "config"
    kubeconfig.parent.mkdir()
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "k", "cluster": {"server": "https://127.0.0.1:6443",
                                               "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "dev", "context": {"cluster": "k", "user": "u"}}],
        "current-context": "dev"}), encoding="utf-8")
    scenario = parse(with_fields("kubeconfig: kube/config", "agent_credentials: service-account"),
                     tmp_path / "s.yaml")
    membership = EmulatorState(scenario, FakeClock()).membership("c1")
    assert membership is not None
    cluster = membership.cluster
    assert isinstance(cluster, RemoteCluster)
    assert (cluster.upstream.server, cluster.upstream.context, cluster.credentials) == (
        "https://127.0.0.1:6443", "dev", AgentCredentials.SERVICE_ACCOUNT)
    assert membership.transport.user.name == AGENT_USER


def test_clusters_naming_an_unknown_membership() -> None:
    scenario = loader.load("quickstart")
    with pytest.raises(loader.ScenarioError) as caught:
        EmulatorState(scenario, FakeClock(),
                      clusters={"nosuch": RemoteSpec(Path("/nowhere/kubeconfig"))})
    assert str(caught.value) == messages.SCENARIO_UNKNOWN_CLUSTER_MEMBERSHIP.format(
        path=scenario.path, names="nosuch",
        known=", ".join(m.name for m in scenario.memberships))
    assert "nosuch" in str(caught.value)


def test_clusters_with_a_missing_kubeconfig(tmp_path: Path) -> None:
    scenario = loader.load("quickstart")
    missing = tmp_path / "kubeconfig"
    with pytest.raises(loader.ScenarioError) as caught:
        EmulatorState(scenario, FakeClock(), clusters={"my-cluster": RemoteSpec(missing)})
    assert str(caught.value) == messages.SCENARIO_REMOTE_UNUSABLE.format(
        path=scenario.path, membership="my-cluster",
        reason=messages.REMOTE_NO_KUBECONFIG.format(path=missing))


def test_clusters_with_a_kubeconfig_that_is_not_yaml(tmp_path: Path) -> None:
    scenario = loader.load("quickstart")
    broken = tmp_path / "kubeconfig"
    broken.write_text("clusters: [\n  - name: k\n    cluster: {server: : }\n", encoding="utf-8")
    with pytest.raises(loader.ScenarioError) as caught:
        EmulatorState(scenario, FakeClock(), clusters={"my-cluster": RemoteSpec(broken)})
    assert str(caught.value).startswith(messages.SCENARIO_REMOTE_UNUSABLE.format(
        path=scenario.path, membership="my-cluster",
        reason=messages.REMOTE_BAD_KUBECONFIG.format(path=broken, reason="")))
