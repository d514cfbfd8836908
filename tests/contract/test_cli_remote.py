"""The issue #7 commands as a user runs them: ``apiserver`` (a standalone mock cluster),
``serve --cluster`` in front of it, and ``agent-rbac`` applied with kubectl to let the agent in."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

from emulator import messages, tls
from emulator.agent.gateway_rbac import RbacRequest, parse_role, render
from emulator.control.client import ControlClient
from emulator.scenario import loader
from emulator.standalone.server import StandaloneApiserver
from tests.cliprocesses import Processes, start_apiserver, wait_for
from tests.contract.test_cli import run_cli
from tests.harness import KubectlRunner

pytestmark = pytest.mark.contract

AGENT = "system:serviceaccount:gke-connect:connect-agent-sa"



def start_gateway(processes: Processes, directory: Path, upstream: Path,
                  scenario: str = "quickstart") -> subprocess.Popen[str]:
    process = processes.start("serve", "--port", "0", "--state-dir", str(directory),
                              "--scenario", scenario, "--cluster", f"my-cluster={upstream}",
                              "--agent-credentials", "service-account")
    wait_for(directory / "url", process)
    return process


def gateway_kubeconfig(directory: Path, principal: str) -> Path:
    path = directory / f"kubeconfig-{principal.partition('@')[0]}"
    wrote = run_cli("kubeconfig", "my-cluster", "--as", principal, "--state-dir", str(directory),
                    "--output", str(path))
    assert wrote.returncode == 0, wrote.stderr
    return path


def audit_events(directory: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (directory / "audit.log").read_text().splitlines()]


def test_apiserver_serves_kubectl_directly_as_its_admin(
        processes: Processes, newest: KubectlRunner, tmp_path: Path) -> None:
    directory = tmp_path / "apiserver"
    process = start_apiserver(processes, directory)
    kubeconfig = directory / "kubeconfig"
    config = yaml.safe_load(kubeconfig.read_text())
    assert config["current-context"] == "mock-my-cluster"
    assert config["clusters"][0]["cluster"]["server"].startswith("https://127.0.0.1:")

    whoami = newest.run(kubeconfig, "auth", "whoami", "-o", "json")
    assert whoami.returncode == 0, whoami.stderr
    assert json.loads(whoami.stdout)["status"]["userInfo"]["username"] == "kubernetes-admin"
    pods = newest.run(kubeconfig, "get", "pods", "-n", "gke-connect", "-o", "name")
    assert pods.returncode == 0, pods.stderr
    assert pods.stdout.startswith("pod/gke-connect-agent-")
    # Impersonation through RBAC, as the agent does it: allowed for alice, refused for a stranger.
    as_alice = newest.run(kubeconfig, "get", "pods", "--as", "alice@example.com")
    assert as_alice.returncode == 0, as_alice.stderr
    # As on kind: kube-root-ca.crt holds the CA the admin's kubeconfig trusts.
    published = newest.run(kubeconfig, "get", "configmap", "kube-root-ca.crt", "-o",
                           r"jsonpath={.data.ca\.crt}")
    assert published.returncode == 0, published.stderr
    trusted = config["clusters"][0]["cluster"]["certificate-authority-data"]
    assert published.stdout == base64.b64decode(trusted).decode()
    # A pod's mounted token is its service account's: kubectl authenticates with it.
    made = newest.run(kubeconfig, "run", "holder", "--image=busybox", "--", "sleep", "3600")
    assert made.returncode == 0, made.stderr
    read = newest.run(kubeconfig, "exec", "holder", "--", "cat",
                      "/var/run/secrets/kubernetes.io/serviceaccount/token")
    assert read.returncode == 0, read.stderr
    as_pod = newest.run(kubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}",
                        f"--token={read.stdout}")
    assert (as_pod.returncode, as_pod.stdout) == (0, "system:serviceaccount:default:default")

    out, err = processes.stop(process)
    assert process.returncode == 0 and "Traceback" not in err
    assert out.splitlines()[0].startswith(messages.CLI_APISERVER_SERVING.split("{url}")[0])
    assert "200 get /api/v1/namespaces/gke-connect/pods?limit=500 by kubernetes-admin" in out
    events = audit_events(directory)
    assert all(e["kind"] == "Event" and e["apiVersion"] == "audit.k8s.io/v1" for e in events)
    impersonated = [e for e in events if "impersonatedUser" in e]
    assert impersonated and all(
        e["impersonatedUser"]["username"] == "alice@example.com"  # type: ignore[index]
        and e["user"]["username"] == "kubernetes-admin" for e in impersonated)  # type: ignore[index]


def test_serve_cluster_fronts_the_apiserver_as_the_agent(
        processes: Processes, newest: KubectlRunner, tmp_path: Path) -> None:
    upstream_dir, gateway_dir = tmp_path / "apiserver", tmp_path / "gateway"
    start_apiserver(processes, upstream_dir)
    gateway = start_gateway(processes, gateway_dir, upstream_dir / "kubeconfig")
    result = newest.run(gateway_kubeconfig(gateway_dir, "alice@example.com"), "get", "pods")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[5:8] == ["web", "1/1", "Running"]
    server = yaml.safe_load((upstream_dir / "kubeconfig").read_text())["clusters"][0]["cluster"][
        "server"]
    shown = ControlClient.from_state_dir(gateway_dir).world()["memberships"]
    assert [m["cluster"] for m in shown] == [
        {"backend": "remote", "server": server, "context": "mock-my-cluster",
         "agent_identity": messages.REMOTE_IDENTITY_SERVICE_ACCOUNT.format(user=AGENT)},
        *[{"backend": "embedded"}] * 4]

    out, err = processes.stop(gateway)
    assert gateway.returncode == 0 and "Traceback" not in err
    assert messages.CLI_REMOTE_CLUSTER.format(
        membership="my-cluster", server=server, context="mock-my-cluster",
        identity=messages.REMOTE_IDENTITY_SERVICE_ACCOUNT.format(user=AGENT)) in out.splitlines()
    assert messages.CLI_REMOTE_SEEDS_SKIPPED.format(membership="my-cluster") in out.splitlines()
    assert messages.CLI_REMOTE_REACHABLE.format(membership="my-cluster",
                                                version="v1.30.5") in out.splitlines()
    listed = [e for e in audit_events(upstream_dir)
              if e["requestURI"] == "/api/v1/namespaces/default/pods?limit=500"]
    assert [(e["user"]["username"], e["impersonatedUser"]["username"])  # type: ignore[index]
            for e in listed] == [(AGENT, "alice@example.com")]


def test_agent_rbac_output_lets_the_agent_impersonate(
        processes: Processes, newest: KubectlRunner, tmp_path: Path) -> None:
    """agent-not-authorized over the network, then fixed the way the product page says: apply
    the impersonation policy (here, the YAML `agent-rbac` prints) to the cluster."""
    upstream_dir, gateway_dir = tmp_path / "apiserver", tmp_path / "gateway"
    start_apiserver(processes, upstream_dir, "agent-not-authorized")
    start_gateway(processes, gateway_dir, upstream_dir / "kubeconfig", "agent-not-authorized")
    grace = gateway_kubeconfig(gateway_dir, "grace@example.com")
    # Discovery as alice first (shared cache), so grace's denial is printed, not discovery's.
    warmed = newest.run(gateway_kubeconfig(gateway_dir, "alice@example.com"), "get", "ns")
    assert warmed.returncode == 0, warmed.stderr
    denied = newest.run(grace, "get", "pods")
    assert denied.returncode == 1
    assert denied.stderr.strip().endswith(messages.K8S_IMPERSONATE_FORBIDDEN.format(
        resource="users", name="grace@example.com", user=AGENT, scope=messages.K8S_SCOPE_CLUSTER))

    printed = run_cli("agent-rbac", "--users", "grace@example.com", "--project", "my-project",
                      "--membership", "my-cluster")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == render(RbacRequest("my-project", "my-cluster",
                                                ("grace@example.com",), (), None))
    rbac = tmp_path / "rbac.yaml"
    rbac.write_text(printed.stdout)
    applied = newest.run(upstream_dir / "kubeconfig", "apply", "-f", str(rbac))
    assert applied.returncode == 0, applied.stderr
    allowed = newest.run(grace, "get", "pods")
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["serve", "--cluster", "my-cluster"],
     messages.CLI_BAD_CLUSTER_FLAG.format(flag="--cluster", value="my-cluster")),
    (["serve", "--cluster", "my-cluster=/nonexistent/kubeconfig"],
     messages.CLI_SCENARIO_ERROR.format(detail=messages.SCENARIO_REMOTE_UNUSABLE.format(
         path=Path("scenarios/quickstart.yaml").resolve(), membership="my-cluster",
         reason=messages.REMOTE_NO_KUBECONFIG.format(path="/nonexistent/kubeconfig")))),
    (["agent-rbac", "--role", "admin", "--users", "a@example.com"],
     messages.CLI_SCENARIO_ERROR.format(detail=messages.RBAC_ERR_ROLE_FORMAT.format(role="admin"))),
    (["agent-rbac"], messages.CLI_SCENARIO_ERROR.format(detail=messages.RBAC_ERR_NO_IDENTITIES)),
    (["apiserver", "--membership", "nosuch", "--port", "0"],
     messages.CLI_SCENARIO_ERROR.format(detail=messages.APISERVER_UNKNOWN_MEMBERSHIP.format(
         path=Path("scenarios/quickstart.yaml").resolve(), name="nosuch",
         known="my-cluster, old-cluster, gke-cluster, aws-cluster, azure-cluster"))),
])
def test_bad_remote_flags_are_one_line_and_exit_2(args: list[str], expected: str,
                                                  tmp_path: Path) -> None:
    result = run_cli(*args, "--state-dir", str(tmp_path)) if args[0] != "agent-rbac" else run_cli(
        *args)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [expected]


def test_agent_rbac_with_a_role_prints_the_permission_binding() -> None:
    result = run_cli("agent-rbac", "--users", "alice@example.com", "--role",
                     "clusterrole/cluster-admin", "--project", "my-project", "--membership",
                     "alpha")
    assert result.returncode == 0, result.stderr
    assert result.stdout == render(RbacRequest("my-project", "alpha", ("alice@example.com",), (),
                                               parse_role("clusterrole/cluster-admin")))
    names = [d["metadata"]["name"] for d in yaml.safe_load_all(result.stdout) if d]
    assert "gateway-permission-my-project_alice_alpha" in names


def test_serve_says_when_the_apiserver_does_not_answer_yet(
        processes: Processes, newest: KubectlRunner, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens here once the socket is closed
    standalone = StandaloneApiserver(loader.load("quickstart"), "my-cluster")
    upstream = tmp_path / "upstream-kubeconfig"
    upstream.write_text(yaml.safe_dump(standalone.kubeconfig(f"https://127.0.0.1:{port}",
                                                             tls.generate().ca_pem)))
    gateway_dir = tmp_path / "gateway"
    gateway = start_gateway(processes, gateway_dir, upstream)
    alice = gateway_kubeconfig(gateway_dir, "alice@example.com")
    other = newest.run(gateway_kubeconfig(gateway_dir, "alice@example.com"), "get", "ns",
                       "--server", yaml.safe_load(alice.read_text())["clusters"][0]["cluster"][
                           "server"].replace("/my-cluster", "/old-cluster"))
    assert other.returncode == 0, other.stderr  # the other memberships are served as usual
    # Discovery is kubectl's first request: it prints the generic text, -v=9 the gateway's body.
    failed = newest.run(alice, "get", "pods", "-v=9")
    assert failed.returncode == 1
    assert messages.CLUSTER_ERROR in failed.stderr
    out, _ = processes.stop(gateway)
    cause = messages.REMOTE_CAUSE_REFUSED.format(address=f"127.0.0.1:{port}")
    assert messages.CLI_REMOTE_UNREACHABLE.format(membership="my-cluster",
                                                  cause=cause) in out.splitlines()
