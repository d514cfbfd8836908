"""The real gcloud 528 against the emulator's GKE Multi-Cloud API: `gcloud container
aws|azure|attached clusters describe|list` for quickstart's aws-cluster, azure-cluster and
my-cluster, as alice (a GKE Multi-Cloud Viewer) and as bob (no role), and what
`get-credentials` does with an endpoint override (the reason `env --real-hosts` exists).

These commands ask no cluster anything, so one embedded emulator serves the module (no run per
cluster backend), with gcloud set up as `env` sets it up plus the gkemulticloud override."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from emulator import messages, statedir
from emulator.runner import serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from tests import realclients

pytestmark = pytest.mark.contract

FLEET = "projects/123456789012/locations/global/memberships"
DEPRECATED = ("WARNING: This command is deprecated. See https://cloud.google.com/kubernetes-engine/"
              "multi-cloud/docs/{kind}/deprecations/deprecation-announcement for more details.")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    if shutil.which("gcloud") is None:
        if realclients.required():
            pytest.fail(f"gcloud is not on PATH and {realclients.REQUIRE_ENV}=1")
        pytest.skip("gcloud is not on PATH")
    state = EmulatorState(loader.load("quickstart"))
    server = serve_emulator(state)
    directory = tmp_path_factory.mktemp("multicloud") / "state"
    statedir.publish(directory, server.url, server.ca_pem, state.scenario)
    yield directory, server.url
    server.stop()


class Gcloud:
    """gcloud with what `env --as EMAIL` exports, and the gkemulticloud endpoint override."""

    def __init__(self, published: tuple[Path, str], home: Path) -> None:
        self.state_dir, self.url = published
        self.home = home

    def as_(self, email: str, *command: str) -> subprocess.CompletedProcess[str]:
        printed = subprocess.run([sys.executable, "-m", "emulator", "env", "--as", email,
                                  "--format", "dotenv", "--state-dir", str(self.state_dir)],
                                 capture_output=True, text=True, timeout=30)
        assert printed.returncode == 0, printed.stderr
        env = {**os.environ, **dict(line.split("=", 1) for line in printed.stdout.splitlines()),
               "CLOUDSDK_API_ENDPOINT_OVERRIDES_GKEMULTICLOUD": self.url.rstrip("/") + "/",
               "HOME": str(self.home), "KUBECONFIG": str(self.home / "kubeconfig")}
        return subprocess.run(["gcloud", "container", *command], capture_output=True, text=True,
                              env=env, timeout=120)

    def token_file(self, email: str) -> Path:
        return self.state_dir / "tokens" / email


@pytest.fixture
def gcloud(published: tuple[Path, str], tmp_path: Path) -> Gcloud:
    home = tmp_path / "home"
    home.mkdir()
    return Gcloud(published, home)


ALICE = "alice@example.com"


@pytest.mark.parametrize(("kind", "location", "name", "fields"), [
    ("aws", "us-east4", "aws-cluster",
     {"controlPlane": {"version": "1.30.5-gke.100", "instanceType": "t3.medium"},
      "awsRegion": "us-east-1"}),
    ("azure", "us-east4", "azure-cluster",
     {"controlPlane": {"version": "1.31.2-gke.100", "vmSize": "Standard_D2s_v3"},
      "azureRegion": "eastus"}),
    ("attached", "us-west1", "my-cluster",
     {"platformVersion": "1.30.0-gke.1", "kubernetesVersion": "1.30.5",
      "distribution": "generic"}),
])
def test_describe(gcloud: Gcloud, kind: str, location: str, name: str,
                  fields: dict[str, object]) -> None:
    described = gcloud.as_(ALICE, kind, "clusters", "describe", name, "--location", location,
                           "--format", "yaml")
    assert described.returncode == 0, described.stderr
    cluster = yaml.safe_load(described.stdout)
    assert cluster["name"] == f"projects/my-project/locations/{location}/{kind}Clusters/{name}"
    assert (cluster["state"], cluster["fleet"]) == ("RUNNING", {
        "project": "projects/123456789012", "membership": f"{FLEET}/{name}"})
    assert {key: cluster[key] for key in fields} == fields
    # No end-of-life mark and no upgrade hint: the server config knows the cluster's version.
    assert "upgrade" not in described.stderr
    if kind != "attached":
        assert described.stderr.strip() == DEPRECATED.format(kind=kind)


@pytest.mark.parametrize(("kind", "location", "table"), [
    ("aws", "us-east4", [["NAME", "AWS_REGION", "CONTROL_PLANE_VERSION", "INSTANCE_TYPE", "STATE"],
                         ["aws-cluster", "us-east-1", "1.30.5-gke.100", "t3.medium", "RUNNING"]]),
    ("azure", "us-east4", [["NAME", "AZURE_REGION", "CONTROL_PLANE_VERSION", "CONTROL_PLANE_IP",
                            "VM_SIZE", "STATE"],
                           ["azure-cluster", "eastus", "1.31.2-gke.100",
                            "azure-cluster.internal.example.com", "Standard_D2s_v3", "RUNNING"]]),
    ("attached", "us-west1", [["NAME", "PLATFORM_VERSION", "KUBERNETES_VERSION", "STATE"],
                              ["my-cluster", "1.30.0-gke.1", "1.30.5", "RUNNING"]]),
])
def test_list(gcloud: Gcloud, kind: str, location: str, table: list[list[str]]) -> None:
    listed = gcloud.as_(ALICE, kind, "clusters", "list", "--location", location)
    assert listed.returncode == 0, listed.stderr
    assert [line.split() for line in listed.stdout.splitlines()] == table


def test_a_location_without_clusters_lists_none(gcloud: Gcloud) -> None:
    listed = gcloud.as_(ALICE, "attached", "clusters", "list", "--location", "us-east4")
    assert (listed.returncode, listed.stdout) == (0, "")
    assert "Listed 0 items." in listed.stderr


def test_node_pools(gcloud: Gcloud) -> None:
    listed = gcloud.as_(ALICE, "aws", "node-pools", "list", "--cluster", "aws-cluster",
                        "--location", "us-east4")
    assert listed.returncode == 0, listed.stderr
    assert [line.split() for line in listed.stdout.splitlines()] == [
        ["NAME", "NODE_VERSION", "INSTANCE_TYPE", "MIN_NODES", "MAX_NODES", "STATE"],
        ["pool-0", "1.30.5-gke.100", "t3.medium", "1", "3", "RUNNING"]]


@pytest.mark.parametrize(("kind", "command", "permission", "resource"), [
    ("aws", ["describe", "aws-cluster", "--location", "us-east4"], "gkemulticloud.awsClusters.get",
     "projects/my-project/locations/us-east4/awsClusters/aws-cluster"),
    ("azure", ["list", "--location", "us-east4"], "gkemulticloud.azureClusters.list",
     "projects/my-project/locations/us-east4"),
    ("attached", ["describe", "my-cluster", "--location", "us-west1"],
     "gkemulticloud.attachedClusters.get",
     "projects/my-project/locations/us-west1/attachedClusters/my-cluster"),
])
def test_bob_is_denied(gcloud: Gcloud, kind: str, command: list[str], permission: str,
                       resource: str) -> None:
    denied = gcloud.as_("bob@example.com", kind, "clusters", *command)
    assert denied.returncode == 1
    verb = command[0]
    assert (
        f"ERROR: (gcloud.container.{kind}.clusters.{verb}) PERMISSION_DENIED: "
        + messages.GOOGLE_PERMISSION_DENIED.format(permission=permission, resource=resource)
        + ". This command is authenticated with an access token from "
        f"{gcloud.token_file('bob@example.com')} specified by the [auth/access_token_file] "
        "property\n"
        "- '@type': type.googleapis.com/google.rpc.ErrorInfo\n"
        "  domain: gkemulticloud.googleapis.com\n"
        "  metadata:\n"
        f"    permission: {permission}\n"
        f"    resource: {resource}\n"
        "  reason: IAM_PERMISSION_DENIED\n") in denied.stderr


@pytest.mark.parametrize(("kind", "name", "location"), [
    ("aws", "nosuch", "us-east4"),
    ("azure", "aws-cluster", "us-east4"),  # a cluster of another kind
    ("attached", "my-cluster", "us-east4"),  # a location other than the cluster's
])
def test_unknown_cluster_is_not_found(gcloud: Gcloud, kind: str, name: str,
                                      location: str) -> None:
    missing = gcloud.as_(ALICE, kind, "clusters", "describe", name, "--location", location)
    assert missing.returncode == 1
    resource = f"projects/my-project/locations/{location}/{kind}Clusters/{name}"
    assert (
        f"ERROR: (gcloud.container.{kind}.clusters.describe) NOT_FOUND: "
        + messages.GOOGLE_RESOURCE_NOT_FOUND.format(resource=resource)
        + ". This command is authenticated with an access token from "
        f"{gcloud.token_file(ALICE)} specified by the [auth/access_token_file] property\n"
        "- '@type': type.googleapis.com/google.rpc.ResourceInfo\n"
        f"  resourceName: {resource}\n") in missing.stderr


@pytest.mark.parametrize(("kind", "name", "location"), [
    ("aws", "aws-cluster", "us-east4"), ("azure", "azure-cluster", "us-east4"),
    ("attached", "my-cluster", "us-west1"),
])
def test_get_credentials_needs_the_real_host_names(gcloud: Gcloud, kind: str, name: str,
                                                   location: str) -> None:
    """gcloud derives the Connect Gateway host from the gkemulticloud endpoint
    (kubeconfig.py ``_GetConnectGatewayEndpoint``): after reading the cluster, it refuses any
    override but Google's own hosts (and http://localhost), and gcloud 528 does so by crashing on
    its own misnamed exception."""
    result = gcloud.as_(ALICE, kind, "clusters", "get-credentials", name, "--location", location)
    assert result.returncode == 1
    assert "Fetching cluster endpoint and auth data." in result.stderr
    assert ("ERROR: gcloud crashed (AttributeError): module "
            "'googlecloudsdk.command_lib.container.gkemulticloud.errors' has no attribute "
            "'UnknownApiEndpointOverrideError'") in result.stderr
    # gcloud created the kubeconfig file before it failed, but wrote no entry into it.
    config = yaml.safe_load((gcloud.home / "kubeconfig").read_text())
    assert (config["clusters"], config["contexts"], config["users"]) == ([], [], [])
