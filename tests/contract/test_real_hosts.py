"""Google's real host names, no overrides (docs/real-hosts.md): the real gcloud,
gke-gcloud-auth-plugin and kubectl with ``eval "$(connect-gateway-emulator env --real-hosts)"``,
against ``connect-gateway-emulator serve``; then all of them inside a network namespace that has
only loopback, which proves that nothing they do needs anything outside the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from emulator import messages
from tests import realclients
from tests.cliprocesses import CLI, Processes, wait_for

pytestmark = pytest.mark.contract

GA_SERVER = "https://connectgateway.googleapis.com/v1/projects/123456789012/locations/global/memberships/my-cluster"
BETA_SERVER = GA_SERVER.replace("/v1/", "/v1beta1/")
# gcloud's RegionalGatewayEndpoint: `<location>-` before the global name, for a regional membership.
GKE_SERVER = ("https://us-central1-connectgateway.googleapis.com/v1/projects/123456789012/"
              "locations/us-central1/gkeMemberships/gke-cluster")
NOT_EMULATED = "compute.googleapis.com is not emulated by connect-gateway-emulator"
ROBOT = "ci-bot@my-project.iam.gserviceaccount.com"
# The product page's other get-credentials commands: (kind, cluster, location), quickstart's.
MULTICLOUD = [("aws", "aws-cluster", "us-east4"), ("azure", "azure-cluster", "us-east4"),
              ("attached", "my-cluster", "us-west1")]
OVERRIDE_WARNING = "`connectgateway` endpoint override"


def _clients() -> list[realclients.Kubectl]:
    kubectls = realclients.kubectls()
    if not kubectls or shutil.which("gcloud") is None:
        if realclients.required():
            pytest.fail("gcloud or kubectl missing")
        pytest.skip("gcloud or kubectl missing")
    return kubectls


# The page's commands, run by one Python script: in the test's own process tree for the first
# test, under `unshare -n` for the second. It prints one JSON object of what each command did.
SCRIPT = r'''
import json, os, socket, subprocess, sys, time
from pathlib import Path

import yaml

work, kubectls = Path(sys.argv[1]), json.loads(sys.argv[2])
MULTICLOUD = json.loads(sys.argv[3])
ROBOT = "ci-bot@my-project.iam.gserviceaccount.com"
cli = [sys.executable, "-m", "emulator"]
state = work / "state"
results = {}
try:
    socket.create_connection(("8.8.8.8", 53), timeout=2).close()
    results["outside"] = "reachable"
except OSError as error:
    results["outside"] = f"unreachable: {error}"
server = subprocess.Popen([*cli, "serve", "--port", "0", "--state-dir", str(state), "--quiet"],
                          stdout=open(work / "serve.out", "w"), stderr=subprocess.STDOUT)
try:
    deadline = time.monotonic() + 30
    while not (state / "url").exists():
        assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
        time.sleep(0.05)
    printed = subprocess.run([*cli, "env", "--real-hosts", "--format", "json", "--state-dir",
                              str(state)], capture_output=True, text=True, check=True)
    env = {**os.environ, **json.loads(printed.stdout)}
    results["env"] = json.loads(printed.stdout)

    def run(name, *command, home="gcloud"):
        # Each kubectl run has its own HOME and discovery cache.
        (work / home).mkdir(exist_ok=True)
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=180,
                              env={**env, "HOME": str(work / home),
                                   "KUBECACHEDIR": str(work / home / "cache")})
        results[name] = {"rc": done.returncode, "out": done.stdout, "err": done.stderr}

    def kubeconfig_servers(name):
        config = yaml.safe_load(Path(env["KUBECONFIG"]).read_text())
        results[name] = {c["name"]: c["cluster"]["server"] for c in config["clusters"]}

    run("list", "gcloud", "container", "fleet", "memberships", "list")
    run("ga", "gcloud", "container", "fleet", "memberships", "get-credentials", "my-cluster")
    kubeconfig_servers("ga_servers")
    run("agent-log", kubectls[-1][1], "logs", "-n", "gke-connect", "-l", "app=gke-connect-agent",
        "--tail", "-1", home="agent-log")
    for minor, path in kubectls:
        run(f"namespaces-{minor}", path, "get", "namespaces", "-o", "name", home=f"k{minor}-ns")
        run(f"whoami-{minor}", path, "auth", "whoami", "-o",
            "jsonpath={.status.userInfo.username}", home=f"k{minor}-who")
    run("beta", "gcloud", "beta", "container", "fleet", "memberships", "get-credentials",
        "my-cluster")
    kubeconfig_servers("beta_servers")
    for minor, path in kubectls:
        if minor >= 30:  # WebSocket streams by default; older ones speak SPDY, refused by design
            run(f"exec-{minor}", path, "exec", "web", "--", "hostname", home=f"k{minor}-exec")
    run("gke", "gcloud", "container", "fleet", "memberships", "get-credentials", "gke-cluster")
    kubeconfig_servers("gke_servers")
    run("gke-namespaces", "kubectl", "get", "namespaces", "default", "-o", "name", home="k-gke")
    # The page's GKE on AWS / on Azure / attached commands (gkemulticloud), then kubectl.
    for kind, cluster, location in MULTICLOUD:
        run(f"mc-{kind}", "gcloud", "container", kind, "clusters", "get-credentials", cluster,
            "--location", location)
        current = yaml.safe_load(Path(env["KUBECONFIG"]).read_text())["current-context"]
        kubeconfig_servers(f"mc-{kind}-servers")
        results[f"mc-{kind}-context"] = current
        for minor, path in kubectls:
            run(f"mc-{kind}-ns-{minor}", path, "get", "namespaces", "-o", "name",
                home=f"k{minor}-mc-{kind}")
            run(f"mc-{kind}-who-{minor}", path, "auth", "whoami", "-o",
                "jsonpath={.status.userInfo.username}", home=f"k{minor}-mc-{kind}-who")
    # carol may read the clusters (gkemulticloud viewer) but holds no gateway role.
    as_carol = subprocess.run([*cli, "env", "--real-hosts", "--as", "carol@example.com",
                               "--format", "json", "--state-dir", str(state)],
                              capture_output=True, text=True, check=True)
    env = {**os.environ, **json.loads(as_carol.stdout)}
    run("carol-aws", "gcloud", "container", "aws", "clusters", "get-credentials", "aws-cluster",
        "--location", "us-east4")
    # The kubeconfig alice's get-credentials wrote, used with carol's credentials.
    run("carol-ns", kubectls[-1][1], "get", "namespaces", home="carol")
    # The page's service-account path: auth/impersonate_service_account, then get-credentials.
    as_robot = subprocess.run([*cli, "env", "--real-hosts", "--impersonate", ROBOT, "--format",
                               "json", "--state-dir", str(state)],
                              capture_output=True, text=True, check=True)
    env = {**os.environ, **json.loads(as_robot.stdout)}
    run("robot", "gcloud", "container", "fleet", "memberships", "get-credentials", "my-cluster")
    run("robot-whoami", kubectls[-1][1], "auth", "whoami", "-o",
        "jsonpath={.status.userInfo.username}", home="robot")
    run("compute-describe", "gcloud", "compute", "instances", "describe", "vm-1", "--zone",
        "us-central1-a")
    run("compute-list", "gcloud", "compute", "instances", "list")
finally:
    server.terminate()
    server.wait(timeout=30)
print(json.dumps(results))
'''


def _run_page(tmp_path: Path, prefix: list[str]) -> dict:
    kubectls = [[k.minor, str(k.path)] for k in _clients()]
    script = tmp_path / "page.py"
    script.write_text(SCRIPT)
    sdk = Path(kubectls[0][1]).parent  # gcloud, the plugin and the kubectl dispatcher
    env = {**os.environ, "PATH": f"{sdk}{os.pathsep}{os.environ['PATH']}"}
    # Nothing of the caller's proxy or CA settings leaks in; each run is set up by `env` alone.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
                 "no_proxy", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        env.pop(name, None)
    done = subprocess.run([*prefix, sys.executable, str(script), str(tmp_path),
                           json.dumps(kubectls), json.dumps(MULTICLOUD)], capture_output=True,
                          text=True, env=env,
                          timeout=900, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr + (tmp_path / "serve.out").read_text()
    results: dict = json.loads(done.stdout.splitlines()[-1])
    results["kubectl_minors"] = [minor for minor, _ in kubectls]
    return results


def _check_page(results: dict) -> None:
    env = results["env"]
    assert not [k for k in env if k.startswith("CLOUDSDK_API_ENDPOINT_OVERRIDES_")]
    assert env["HTTPS_PROXY"] == env["https_proxy"] == (
        f"http://{env['CLOUDSDK_PROXY_ADDRESS']}:{env['CLOUDSDK_PROXY_PORT']}")
    for name in ("ga", "beta", "gke"):
        assert results[name]["rc"] == 0, results[name]["err"]
        assert OVERRIDE_WARNING not in results[name]["err"]
    assert results["ga_servers"]["connectgateway_my-project_global_my-cluster"] == GA_SERVER
    assert results["beta_servers"]["connectgateway_my-project_global_my-cluster"] == BETA_SERVER
    assert results["gke_servers"]["connectgateway_my-project_us-central1_gke-cluster"] == GKE_SERVER
    for minor in results["kubectl_minors"]:
        namespaces, whoami = results[f"namespaces-{minor}"], results[f"whoami-{minor}"]
        assert namespaces["rc"] == 0, (minor, namespaces["err"])
        assert {"namespace/default", "namespace/gke-connect"} <= set(namespaces["out"].split())
        assert (whoami["rc"], whoami["out"]) == (0, "alice@example.com"), (minor, whoami["err"])
        if minor >= 30:
            executed = results[f"exec-{minor}"]
            assert (executed["rc"], executed["out"]) == (0, "web\n"), (minor, executed["err"])
    listed = results["list"]
    assert listed["rc"] == 0 and "my-cluster" in listed["out"], listed["err"]
    agent_log = results["agent-log"]
    assert agent_log["rc"] == 0 and agent_log["out"], agent_log["err"]
    robot = results["robot"]
    assert robot["rc"] == 0, robot["err"]
    assert f"All API calls will be executed as [{ROBOT}]" in robot["err"]
    assert (results["robot-whoami"]["rc"], results["robot-whoami"]["out"]) == (0, ROBOT)
    for kind, cluster, location in MULTICLOUD:
        fetched = results[f"mc-{kind}"]
        assert fetched["rc"] == 0, (kind, fetched["err"])
        context = results[f"mc-{kind}-context"]
        # gkemulticloud's kubeconfig.py: gke_<kind>_<project>_<location>_<cluster>
        assert context == f"gke_{kind}_my-project_{location}_{cluster}"
        assert results[f"mc-{kind}-servers"][context] == GA_SERVER.replace("my-cluster", cluster)
        assert fetched["err"].endswith(
            f'A new kubeconfig entry "{context}" has been generated and set as the current '
            'context.\n'), fetched["err"]
        for minor in results["kubectl_minors"]:
            namespaces = results[f"mc-{kind}-ns-{minor}"]
            whoami = results[f"mc-{kind}-who-{minor}"]
            assert namespaces["rc"] == 0, (kind, minor, namespaces["err"])
            assert "namespace/default" in namespaces["out"].split()
            assert (whoami["rc"], whoami["out"]) == (0, "alice@example.com"), (kind, minor)
    # Without a gateway role there is no serviceusage.services.get either (the gateway roles
    # carry it): gcloud's check that the Connect Gateway API is enabled is denied, before any
    # kubeconfig is written.
    carol = results["carol-aws"]
    assert carol["rc"] == 1
    assert ("ERROR: (gcloud.container.aws.clusters.get-credentials) PERMISSION_DENIED: "
            "Permission 'serviceusage.services.get' denied on "
            "'projects/my-project/services/connectgateway.googleapis.com'.") in carol["err"]
    # With a kubeconfig written by someone else, the gateway itself refuses her (IAM): kubectl's
    # discovery is denied, so it knows no resource type (error_id discovery-denied).
    denied = results["carol-ns"]
    assert denied["rc"] == 1
    assert denied["err"].strip().splitlines()[-1] == (
        'error: the server doesn\'t have a resource type "namespaces"'), denied["err"]
    gke = results["gke-namespaces"]
    assert (gke["rc"], gke["out"]) == (0, "namespace/default\n"), gke["err"]
    described, listed = results["compute-describe"], results["compute-list"]
    assert described["rc"] == 1 and NOT_EMULATED in described["err"], described["err"]
    assert "crashed" not in described["err"]
    assert NOT_EMULATED in listed["err"] and "crashed" not in listed["err"], listed["err"]


def test_the_page_with_real_host_names(tmp_path: Path) -> None:
    _check_page(_run_page(tmp_path, []))


def test_nothing_leaves_the_machine(tmp_path: Path) -> None:
    """The emulator, gcloud, the plugin and kubectl, all in a network namespace with loopback
    alone: whatever they tried to reach outside would fail there, and the page still works."""
    _clients()
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    probe = subprocess.run([unshare or "unshare", "-n", "true"], capture_output=True)
    if unshare is None or ip is None or probe.returncode != 0:
        if realclients.required():
            pytest.fail(f"cannot make a network namespace: {probe.stderr!r}")
        pytest.skip("unshare -n is not available (needs root or user namespaces)")
    results = _run_page(tmp_path, [unshare, "-n", "sh", "-c", f'{ip} link set lo up && exec "$@"',
                                   "sh"])
    assert results["outside"].startswith("unreachable"), results["outside"]
    _check_page(results)


def test_env_real_hosts_needs_a_proxy(tmp_path: Path) -> None:
    processes = Processes(tmp_path)
    state = tmp_path / "state"
    try:
        server = processes.start("serve", "--port", "0", "--proxy-port", "-1", "--state-dir",
                                 str(state), "--quiet")
        wait_for(state / "url", server)
        assert not (state / "proxy").exists()
        printed = subprocess.run([*CLI, "env", "--real-hosts", "--state-dir", str(state)],
                                 capture_output=True, text=True, timeout=30)
        assert printed.returncode == 2
        assert printed.stderr.strip() == messages.CLI_NO_PROXY.format(state_dir=state)
        overrides = subprocess.run([*CLI, "env", "--format", "json", "--state-dir", str(state)],
                                   capture_output=True, text=True, timeout=30)
        assert overrides.returncode == 0, overrides.stderr
        assert "HTTPS_PROXY" not in yaml.safe_load(overrides.stdout)
    finally:
        processes.kill_all()
