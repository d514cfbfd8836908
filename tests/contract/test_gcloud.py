"""The real gcloud, gke-gcloud-auth-plugin and kubectl against a served emulator (issue #5),
set up the way a user does it: ``eval "$(connect-gateway-emulator env --as EMAIL)"``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from emulator import messages, statedir
from tests import realclients
from tests.harness import Served

pytestmark = pytest.mark.contract

SA = "ci-bot@my-project.iam.gserviceaccount.com"


@pytest.fixture
def published(gateway: Served, tmp_path: Path) -> Path:
    """A state directory naming the served emulator, as `serve` would have written it."""
    directory = tmp_path / "state"
    statedir.publish(directory, gateway.url, gateway.server.ca_pem, gateway.state.scenario)
    return directory


class Shell:
    """gcloud and kubectl with the environment `connect-gateway-emulator env` prints."""

    def __init__(self, state_dir: Path, home: Path) -> None:
        if shutil.which("gcloud") is None:
            pytest.skip("gcloud is not on PATH")
        self.state_dir = state_dir
        self.home = home
        self.env: dict[str, str] = {}

    def login(self, email: str, *extra: str) -> None:
        printed = subprocess.run([sys.executable, "-m", "emulator", "env", "--as", email,
                                  "--format", "dotenv", "--state-dir", str(self.state_dir),
                                  *extra], capture_output=True, text=True, timeout=30)
        assert printed.returncode == 0, printed.stderr
        self.env = dict(line.split("=", 1) for line in printed.stdout.splitlines())

    def run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **self.env, "HOME": str(self.home),
               "KUBECACHEDIR": str(self.home / "kube-cache")}
        return subprocess.run(list(command), capture_output=True, text=True, env=env,
                              timeout=timeout)


@pytest.fixture
def shell(published: Path, tmp_path: Path) -> Shell:
    home = tmp_path / "home"
    home.mkdir()
    return Shell(published, home)


def test_memberships_list_and_describe(shell: Shell) -> None:
    shell.login("alice@example.com")
    listed = shell.run("gcloud", "container", "fleet", "memberships", "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert rows[0] == ["NAME", "UNIQUE_ID", "LOCATION"]
    assert {(r[0], r[2]) for r in rows[1:]} == {
        ("my-cluster", "global"), ("old-cluster", "global"), ("gke-cluster", "us-central1"),
        ("aws-cluster", "global"), ("azure-cluster", "global")}
    for args in (["gke-cluster"], ["gke-cluster", "--location", "us-central1"]):
        described = shell.run("gcloud", "container", "fleet", "memberships", "describe", *args,
                              "--format", "yaml")
        assert described.returncode == 0, described.stderr
        membership = yaml.safe_load(described.stdout)
        assert membership["name"] == "projects/my-project/locations/us-central1/memberships/gke-cluster"
        assert membership["endpoint"]["gkeCluster"]["resourceLink"].endswith("/clusters/gke-cluster")


def test_missing_membership_and_missing_list_permission(shell: Shell) -> None:
    shell.login("alice@example.com")
    searched = shell.run("gcloud", "container", "fleet", "memberships", "describe", "nosuch")
    assert searched.returncode == 1
    assert ("ERROR: (gcloud.container.fleet.memberships.describe) Membership nosuch not found in "
            "the fleet.") in searched.stderr
    direct = shell.run("gcloud", "container", "fleet", "memberships", "describe", "nosuch",
                       "--location", "global")
    assert direct.returncode == 1
    assert ("NOT_FOUND: " + messages.GOOGLE_RESOURCE_NOT_FOUND.format(
        resource="projects/my-project/locations/global/memberships/nosuch")) in direct.stderr
    shell.login("bob@example.com")  # a gatewayReader without Fleet Viewer
    denied = shell.run("gcloud", "container", "fleet", "memberships", "list")
    assert denied.returncode == 1
    assert ("ERROR: (gcloud.container.fleet.memberships.list) PERMISSION_DENIED: Permission "
            "'gkehub.memberships.list' denied on 'projects/my-project/locations/-/memberships'"
            ) in denied.stderr


def test_get_credentials_ga_and_beta(shell: Shell) -> None:
    shell.login("alice@example.com")
    ga = shell.run("gcloud", "container", "fleet", "memberships", "get-credentials", "my-cluster")
    assert ga.returncode == 0, ga.stderr
    assert ('A new kubeconfig entry "connectgateway_my-project_global_my-cluster" has been '
            "generated and set as the current context.") in ga.stderr
    namespaces = shell.run("kubectl", "get", "namespaces", "-o", "name")
    assert namespaces.returncode == 0, namespaces.stderr
    assert {"namespace/default", "namespace/gke-connect"} <= set(namespaces.stdout.split())
    refused = shell.run("kubectl", "exec", "web", "--", "hostname")
    assert refused.returncode == 1
    assert "Error 400 (Bad Request)" in refused.stderr
    beta = shell.run("gcloud", "beta", "container", "fleet", "memberships", "get-credentials",
                     "my-cluster")
    assert beta.returncode == 0, beta.stderr
    config = yaml.safe_load(Path(shell.env["KUBECONFIG"]).read_text())
    servers = {c["name"]: c["cluster"]["server"] for c in config["clusters"]}
    assert servers["connectgateway_my-project_global_my-cluster"].endswith(
        "/v1beta1/projects/123456789012/locations/global/memberships/my-cluster")
    executed = shell.run("kubectl", "exec", "web", "--", "hostname")
    assert (executed.returncode, executed.stdout) == (0, "web\n"), executed.stderr


def test_gke_cluster_kubeconfig_uses_gke_memberships(shell: Shell) -> None:
    shell.login("alice@example.com")
    result = shell.run("gcloud", "container", "fleet", "memberships", "get-credentials",
                       "gke-cluster")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(Path(shell.env["KUBECONFIG"]).read_text())
    (cluster,) = [c for c in config["clusters"] if c["name"].endswith("gke-cluster")]
    assert cluster["cluster"]["server"].endswith(
        "/v1/projects/123456789012/locations/us-central1/gkeMemberships/gke-cluster")
    assert shell.run("kubectl", "get", "ns", "default", "-o", "name").stdout == "namespace/default\n"


def test_carol_has_no_gateway_role(shell: Shell) -> None:
    shell.login("carol@example.com")
    result = shell.run("gcloud", "container", "fleet", "memberships", "get-credentials",
                       "my-cluster")
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "ERROR: (gcloud.container.fleet.memberships.get-credentials) Caller doesn't have "
        "sufficient permissions.")


def test_service_account_impersonation(shell: Shell) -> None:
    shell.login("alice@example.com", "--impersonate", SA)
    credentials = shell.run("gcloud", "container", "fleet", "memberships", "get-credentials",
                            "my-cluster")
    assert credentials.returncode == 0, credentials.stderr
    assert f"All API calls will be executed as [{SA}]" in credentials.stderr
    whoami = shell.run("kubectl", "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
    assert (whoami.returncode, whoami.stdout) == (0, SA), whoami.stderr
    # bob holds no Token Creator role on the service account.
    shell.login("bob@example.com", "--impersonate", SA)
    denied = shell.run("gcloud", "container", "fleet", "memberships", "get-credentials",
                       "my-cluster", "--location", "global")
    assert denied.returncode == 1
    assert f"PERMISSION_DENIED: Failed to impersonate [{SA}]" in denied.stderr
    assert messages.GOOGLE_GET_ACCESS_TOKEN_DENIED in denied.stderr


def test_switching_principal_is_one_env_call(shell: Shell) -> None:
    shell.login("alice@example.com")
    assert shell.run("gcloud", "container", "fleet", "memberships", "get-credentials",
                     "my-cluster").returncode == 0
    shell.login("erin@example.com")
    whoami = shell.run("kubectl", "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
    assert whoami.stdout == "erin@example.com", whoami.stderr


def test_env_keeps_the_cas_already_trusted(published: Path, tmp_path: Path) -> None:
    other_ca = tmp_path / "corporate.pem"
    other_ca.write_text("-----BEGIN CERTIFICATE-----\nMIIBcorporate\n-----END CERTIFICATE-----\n")
    printed = subprocess.run([sys.executable, "-m", "emulator", "env", "--format", "json",
                              "--state-dir", str(published)], capture_output=True, text=True,
                             env={**os.environ, "REQUESTS_CA_BUNDLE": str(other_ca)}, timeout=30)
    assert printed.returncode == 0, printed.stderr
    bundle = Path(yaml.safe_load(printed.stdout)["REQUESTS_CA_BUNDLE"]).read_text()
    assert bundle.startswith(other_ca.read_text())
    assert bundle.endswith((published / "ca.pem").read_text())


def test_readme_gcloud_section_runs_as_written(tmp_path: Path) -> None:
    """The README's "Use it with gcloud" commands, run as a user would, against `serve`."""
    if not realclients.kubectls() or shutil.which("gcloud") is None:
        pytest.skip("gcloud or kubectl missing")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("<!-- gcloud-example -->")[1].split("```sh")[1].split("```")[0]
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home"),
           "KUBECACHEDIR": str(tmp_path / "home" / "cache")}
    (tmp_path / "home").mkdir()
    server = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0",
                               "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env)
    try:
        url_file = tmp_path / "xdg" / "connect-gateway-emulator" / "url"
        for _ in range(400):
            if url_file.exists():
                break
            subprocess.run(["sleep", "0.05"])
        script = "set -euo pipefail\n" + block.replace("connect-gateway-emulator",
                                                      f"{sys.executable} -m emulator")
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        assert "my-cluster" in result.stdout and "gke-connect" in result.stdout
        assert result.stdout.rstrip().endswith("web")
    finally:
        server.terminate()
        server.communicate(timeout=20)
