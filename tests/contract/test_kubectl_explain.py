"""`kubectl explain` with real kubectl through the gateway, at depth, for built-in kinds: kubectl
1.27+ renders /openapi/v3 by default and /openapi/v2 (gnostic protobuf) with
``--output=plaintext-openapiv2``; both must print kube's own description of the field, for the
cluster's Kubernetes minor (my-cluster is 1.30, old-cluster 1.29).

The expected text is read from the same published schema the mock serves (kubernetes-validate),
for the minor the server reports, so under ``--real-cluster`` it is that cluster's own.
"""

from __future__ import annotations

import json
import re

import pytest

from emulator.cluster.mock.registry.schema import schema_for
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

OUTPUTS = ("plaintext", "plaintext-openapiv2")

# (what kubectl is asked, the kind's apiVersion and kind, the field's path in the kind, its type
# as the v3 and the v2 renderings name it)
FIELDS = [
    ("deployment.spec.template.spec.containers.image", "apps/v1", "Deployment",
     "spec.template.spec.containers.image", "string", "string"),
    ("pod.spec.containers.resources.limits", "v1", "Pod", "spec.containers.resources.limits",
     "map[string]Quantity", "map[string]string"),
    ("job.spec.backoffLimit", "batch/v1", "Job", "spec.backoffLimit", "integer", "integer"),
    ("cronjob.spec.jobTemplate.spec.template.spec.restartPolicy", "batch/v1", "CronJob",
     "spec.jobTemplate.spec.template.spec.restartPolicy", "string", "string"),
    ("ingress.spec.rules.http.paths.backend.service.port.number", "networking.k8s.io/v1",
     "Ingress", "spec.rules.http.paths.backend.service.port.number", "integer", "integer"),
    ("statefulset.spec.volumeClaimTemplates.spec.accessModes", "apps/v1", "StatefulSet",
     "spec.volumeClaimTemplates.spec.accessModes", "[]string", "[]string"),
]


def words(text: str) -> str:
    """Text with kubectl's wrapping and indentation undone."""
    return " ".join(text.split())


def server_minor(runner: KubectlRunner, gateway: Served, membership: str) -> int:
    shown = runner.run(gateway.kubeconfig(membership), "version", "-o", "json")
    assert shown.returncode == 0, shown.stderr
    minor = json.loads(shown.stdout)["serverVersion"]["minor"]
    return int(re.match(r"\d+", minor).group())  # type: ignore[union-attr]


@pytest.mark.parametrize(("asked", "api_version", "kind", "path", "v3_type", "v2_type"), FIELDS,
                         ids=[f[0].split(".")[0] for f in FIELDS])
def test_explain_prints_kubes_description_of_a_deep_field(
        gateway: Served, kubectl_run: KubectlRunner, asked: str, api_version: str, kind: str,
        path: str, v3_type: str, v2_type: str) -> None:
    field = schema_for(server_minor(kubectl_run, gateway, "my-cluster"), documented=True).field(
        api_version, kind, path)
    assert field is not None and field.description
    name = path.rsplit(".", 1)[-1]
    for output, type_name in zip(OUTPUTS, (v3_type, v2_type)):
        shown = kubectl_run.run(gateway.kubeconfig(), "explain", asked, f"--output={output}")
        assert (shown.returncode, shown.stderr) == (0, ""), output
        text = words(shown.stdout)
        assert f"KIND: {kind}" in text, (output, shown.stdout)
        assert f"FIELD: {name} <{type_name}>" in text, (output, shown.stdout)
        assert words(field.description) in text, (output, shown.stdout)


def test_explain_lists_a_kinds_fields_with_kubes_descriptions(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    schema = schema_for(server_minor(kubectl_run, gateway, "my-cluster"), documented=True)
    kind = schema.definition("io.k8s.api.apps.v1.Deployment")
    assert kind is not None
    shown = kubectl_run.run(gateway.kubeconfig(), "explain", "deployment")
    assert shown.returncode == 0, shown.stderr
    text = words(shown.stdout)
    assert words(kind["description"]) in text
    for field in kind["properties"]:
        assert re.search(rf"\b{field} <", text), field


@pytest.mark.mock_only("my-cluster must be the 1.30 mock")
def test_each_cluster_explains_its_own_minor(gateway: Served,
                                             kubectl_run: KubectlRunner) -> None:
    # Job.spec.managedBy is new in Kubernetes 1.30: my-cluster (1.30) has it, old-cluster (1.29)
    # does not, and kubectl says so as it does against a real 1.29 apiserver.
    assert server_minor(kubectl_run, gateway, "old-cluster") == 29
    field = schema_for(30, documented=True).field("batch/v1", "Job", "spec.managedBy")
    assert field is not None
    for output in OUTPUTS:
        new = kubectl_run.run(gateway.kubeconfig("my-cluster"), "explain", "job.spec.managedBy",
                              f"--output={output}")
        assert new.returncode == 0, (output, new.stderr)
        assert words(field.description) in words(new.stdout)
        old = kubectl_run.run(gateway.kubeconfig("old-cluster"), "explain",
                              "job.spec.managedBy", f"--output={output}")
        assert old.returncode == 1, (output, old.stdout)
        assert old.stderr == 'error: field "managedBy" does not exist\n', output
