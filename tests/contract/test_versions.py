"""One object, several served versions, as real clients see them through the gateway.

`kubectl autoscale` writes the HorizontalPodAutoscaler through autoscaling/v1 up to kubectl 1.32
and through autoscaling/v2 from 1.33 on. Either way kube keeps one object, and every version
reads it in its own shape: v2 as a CPU utilization metric, v1 as targetCPUUtilizationPercentage.
The deployment and its autoscaler are named for the kubectl version and deleted at the end, as
--real-cluster does not reset the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from kubernetes import client, config

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

HPAS = "/apis/autoscaling/{version}/namespaces/default/horizontalpodautoscalers"


@pytest.fixture
def deployment(gateway: Served, kubectl_run: KubectlRunner) -> Iterator[str]:
    name = f"web-{kubectl_run.binary.minor}"
    created = kubectl_run.run(gateway.kubeconfig(), "create", "deployment", name,
                              "--image=nginx:1.27")
    assert created.returncode == 0, created.stderr
    yield name
    kubectl_run.run(gateway.kubeconfig(), "delete", "hpa", name, "--ignore-not-found",
                    "--wait=false")
    kubectl_run.run(gateway.kubeconfig(), "delete", "deployment", name, "--wait=false")


def test_kubectl_autoscale_is_read_in_each_versions_shape(
        gateway: Served, kubectl_run: KubectlRunner, deployment: str) -> None:
    kubeconfig = gateway.kubeconfig()
    made = kubectl_run.run(kubeconfig, "autoscale", "deployment", deployment, "--cpu-percent=50",
                           "--min=1", "--max=3", "-v=6")
    assert made.returncode == 0, made.stderr
    assert made.stdout == f"horizontalpodautoscaler.autoscaling/{deployment} autoscaled\n"
    written = "v2" if kubectl_run.binary.minor >= 33 else "v1"
    assert HPAS.format(version=written) in made.stderr

    # kubectl reads the group's preferred version, v2.
    got = kubectl_run.run(kubeconfig, "get", "hpa", deployment, "-o", "yaml")
    assert got.returncode == 0, got.stderr
    v2 = yaml.safe_load(got.stdout)
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 50}}}]
    assert (v2["spec"]["minReplicas"], v2["spec"]["maxReplicas"]) == (1, 3)
    assert "targetCPUUtilizationPercentage" not in v2["spec"]

    # ... and v1 when asked for it (by the plural: kubectl 1.29+ read "hpa.v1.autoscaling" as v2).
    got = kubectl_run.run(kubeconfig, "get", "horizontalpodautoscalers.v1.autoscaling",
                          deployment, "-o", "yaml")
    assert got.returncode == 0, got.stderr
    v1 = yaml.safe_load(got.stdout)
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 50
    assert "metrics" not in v1["spec"]

    table = kubectl_run.run(kubeconfig, "get", "hpa", deployment, "--no-headers")
    assert table.returncode == 0, table.stderr
    assert "cpu: <unknown>/50%" in table.stdout


def test_python_client_reads_the_autoscaler_through_either_version(
        gateway: Served, kubectl_run: KubectlRunner, deployment: str) -> None:
    made = kubectl_run.run(gateway.kubeconfig(), "autoscale", "deployment", deployment,
                           "--cpu-percent=50", "--min=1", "--max=3")
    assert made.returncode == 0, made.stderr
    api = config.new_client_from_config(config_file=str(gateway.kubeconfig()))
    try:
        v1 = client.AutoscalingV1Api(api).read_namespaced_horizontal_pod_autoscaler(
            deployment, "default")
        assert v1.api_version == "autoscaling/v1"
        assert v1.spec.target_cpu_utilization_percentage == 50
        assert (v1.spec.min_replicas, v1.spec.max_replicas) == (1, 3)
        v2 = client.AutoscalingV2Api(api).read_namespaced_horizontal_pod_autoscaler(
            deployment, "default")
        assert v2.api_version == "autoscaling/v2"
        [metric] = v2.spec.metrics
        assert (metric.type, metric.resource.name) == ("Resource", "cpu")
        assert (metric.resource.target.type, metric.resource.target.average_utilization) == (
            "Utilization", 50)
        listed = client.AutoscalingV1Api(api).list_namespaced_horizontal_pod_autoscaler("default")
        mine = [h for h in listed.items if h.metadata.name == deployment]
        assert [h.spec.target_cpu_utilization_percentage for h in mine] == [50]
    finally:
        api.close()
