"""`kubectl scale` through the gateway: the deployments/scale subresource, read and written as an
autoscaling/v1 Scale. Each deployment is named for its kubectl version and deleted at the end, as
--real-cluster does not reset the cluster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract


@pytest.fixture
def deployment(gateway: Served, kubectl_run: KubectlRunner) -> Iterator[str]:
    name = f"scaled-{kubectl_run.binary.minor}"
    created = kubectl_run.run(gateway.kubeconfig(), "create", "deployment", name,
                              "--image=nginx:1.27", "--replicas=1")
    assert created.returncode == 0, created.stderr
    yield name
    kubectl_run.run(gateway.kubeconfig(), "delete", "deployment", name, "--wait=false")


def replicas(gateway: Served, kubectl_run: KubectlRunner, name: str) -> str:
    got = kubectl_run.run(gateway.kubeconfig(), "get", "deployment", name, "-o",
                          "jsonpath={.spec.replicas}")
    assert got.returncode == 0, got.stderr
    return got.stdout


def test_scale_sets_the_replicas(gateway: Served, kubectl_run: KubectlRunner,
                                 deployment: str) -> None:
    scaled = kubectl_run.run(gateway.kubeconfig(), "scale", "deployment", deployment,
                             "--replicas=3")
    assert (scaled.returncode, scaled.stdout, scaled.stderr) == (
        0, f"deployment.apps/{deployment} scaled\n", "")
    assert replicas(gateway, kubectl_run, deployment) == "3"


def test_scale_with_a_precondition_reads_then_replaces(gateway: Served,
                                                       kubectl_run: KubectlRunner,
                                                       deployment: str) -> None:
    kubeconfig = gateway.kubeconfig()
    wrong = kubectl_run.run(kubeconfig, "scale", "deployment", deployment, "--current-replicas=5",
                            "--replicas=2")
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines()[-1] == (
        "error: Expected replicas to be 5, was 1")
    right = kubectl_run.run(kubeconfig, "scale", "deployment", deployment, "--current-replicas=1",
                            "--replicas=2")
    assert (right.returncode, right.stdout) == (0, f"deployment.apps/{deployment} scaled\n")
    assert replicas(gateway, kubectl_run, deployment) == "2"
