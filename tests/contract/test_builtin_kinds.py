"""Every built-in kind of the membership's minor, as real kubectl sees it through the gateway.

The expected `kubectl api-resources` rows per minor (tests/fixtures/api-resources/1.NN.tsv) are
derived from upstream's OpenAPI document of that minor by tools/kubedata/served_resources.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.harness import KubectlRunner, Served

pytestmark = [pytest.mark.contract, pytest.mark.mock_only("the mock's served kinds")]

FIXTURES = Path(__file__).parent.parent / "fixtures" / "api-resources"
COLUMNS = ("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND")


def table_rows(output: str) -> set[tuple[str, ...]]:
    """kubectl's aligned table, cut at the header's column starts (SHORTNAMES may be blank)."""
    lines = output.splitlines()
    header = lines[0]
    starts = [header.index(name) for name in COLUMNS]
    rows = set()
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
        rows.add(tuple(cells))
    return rows


def expected_rows(minor: int) -> set[tuple[str, ...]]:
    text = (FIXTURES / f"1.{minor}.tsv").read_text()
    return {tuple(line.split("\t")) for line in text.splitlines()}


@pytest.mark.parametrize(("membership", "minor"), [("my-cluster", 30), ("old-cluster", 29)])
def test_api_resources_are_those_of_the_memberships_minor(
        gateway: Served, kubectl_run: KubectlRunner, membership: str, minor: int) -> None:
    result = kubectl_run.run(gateway.kubeconfig(membership), "api-resources")
    assert result.returncode == 0, result.stderr
    got, want = table_rows(result.stdout), expected_rows(minor)
    assert got == want, (sorted(got - want), sorted(want - got))


def test_the_fixtures_differ_where_kube_does() -> None:
    """1.30 made ValidatingAdmissionPolicy GA: the only difference between the two minors."""
    added = {row[0] for row in expected_rows(30) - expected_rows(29)}
    assert added == {"validatingadmissionpolicies", "validatingadmissionpolicybindings"}
    assert not expected_rows(29) - expected_rows(30)


CREATE_COMMANDS = [
    ("job", ["create", "job", "nightly", "--image=busybox:1.36", "--", "date"],
     "jobs.batch", "nightly"),
    ("cronjob", ["create", "cronjob", "hourly", "--image=busybox:1.36", "--schedule=0 * * * *",
                 "--", "date"], "cronjobs.batch", "hourly"),
    ("ingress", ["create", "ingress", "web", "--rule=web.example.com/=web:80"],
     "ingresses.networking.k8s.io", "web"),
    ("pdb", ["create", "poddisruptionbudget", "web", "--selector=app=web", "--min-available=1"],
     "poddisruptionbudgets.policy", "web"),
    ("priorityclass", ["create", "priorityclass", "high", "--value=1000"],
     "priorityclasses.scheduling.k8s.io", "high"),
    ("quota", ["create", "quota", "small", "--hard=pods=4"], "resourcequotas", "small"),
    ("role", ["create", "role", "reader", "--verb=get", "--resource=pods"],
     "roles.rbac.authorization.k8s.io", "reader"),
]


@pytest.mark.parametrize(("what", "args", "resource", "name"), CREATE_COMMANDS,
                         ids=[k[0] for k in CREATE_COMMANDS])
def test_kubectl_create_makes_each_kind(gateway: Served, kubectl_run: KubectlRunner, what: str,
                                        args: list[str], resource: str, name: str) -> None:
    config = gateway.kubeconfig()
    created = kubectl_run.run(config, *args)
    assert created.returncode == 0, created.stderr
    got = kubectl_run.run(config, "get", resource, name, "-o", "json")
    assert got.returncode == 0, got.stderr
    obj = json.loads(got.stdout)
    assert obj["metadata"]["name"] == name
    assert obj["metadata"]["uid"]


MANIFESTS = {
    "statefulset": """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: db, image: "postgres:16", ports: [{containerPort: 5432}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
""",
    "daemonset": """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - {name: agent, image: "busybox:1.36", args: [sleep, "3600"]}
""",
    "pvc": """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: scratch}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Gi}}
""",
    "networkpolicy": """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all}
spec:
  podSelector: {}
  policyTypes: [Ingress]
""",
    "hpa": """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
""",
}
# Where each manifest's typo goes, and the field path kube names in its refusal.
TYPOS = {
    "statefulset": ("serviceName: db", "serviceNme: db", "spec.serviceNme"),
    "daemonset": ("args: [sleep", "argz: [sleep", "spec.template.spec.containers[0].argz"),
    "pvc": ("accessModes:", "accesModes:", "spec.accesModes"),
    "networkpolicy": ("policyTypes:", "policyType:", "spec.policyType"),
    "hpa": ("averageUtilization:", "averageUtilisation:",
            "spec.metrics[0].resource.target.averageUtilisation"),
}


@pytest.mark.parametrize("what", sorted(MANIFESTS))
def test_kubectl_apply_with_strict_validation(gateway: Served, kubectl_run: KubectlRunner,
                                              what: str, tmp_path: Path) -> None:
    manifest = tmp_path / f"{what}.yaml"
    manifest.write_text(MANIFESTS[what])
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "-f", str(manifest))
    assert applied.returncode == 0, applied.stderr
    assert "created" in applied.stdout
    again = kubectl_run.run(gateway.kubeconfig(), "apply", "-f", str(manifest))
    assert again.returncode == 0, again.stderr
    # volumeClaimTemplates is an atomic list that kube fills in (volumeMode, status), so kubectl
    # sends it again on every apply and says "configured", as against a real cluster.
    assert ("configured" if what == "statefulset" else "unchanged") in again.stdout


@pytest.mark.parametrize("what", sorted(TYPOS))
def test_a_typo_in_any_kind_is_refused(gateway: Served, kubectl_run: KubectlRunner, what: str,
                                       tmp_path: Path) -> None:
    right, wrong, field = TYPOS[what]
    manifest = tmp_path / f"{what}.yaml"
    manifest.write_text(MANIFESTS[what].replace(right, wrong))
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "-f", str(manifest))
    assert applied.returncode != 0
    assert f'unknown field "{field}"' in applied.stderr, applied.stderr


def test_get_all_lists_every_kind_in_the_all_category(gateway: Served,
                                                      kubectl_run: KubectlRunner) -> None:
    config = gateway.kubeconfig()
    for args in (["create", "job", "once", "--image=busybox:1.36"],
                 ["create", "deployment", "api", "--image=nginx:1.27"]):
        created = kubectl_run.run(config, *args)
        assert created.returncode == 0, created.stderr
    result = kubectl_run.run(config, "get", "all", "-o", "name")
    assert result.returncode == 0, result.stderr
    names = set(result.stdout.split())
    assert {"pod/web", "service/kubernetes", "deployment.apps/api", "job.batch/once"} <= names


WORKLOADS = {
    "statefulset": MANIFESTS["statefulset"],
    "replicaset": """\
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 1
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec:
      containers:
      - {name: main, image: "nginx:1.27"}
""",
    "replicationcontroller": """\
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  replicas: 1
  selector: {app: rc}
  template:
    metadata: {labels: {app: rc}}
    spec:
      containers:
      - {name: main, image: "nginx:1.27"}
""",
}


@pytest.mark.parametrize("what", sorted(WORKLOADS))
def test_kubectl_scale_reaches_every_workload_with_a_scale_subresource(
        gateway: Served, kubectl_run: KubectlRunner, what: str, tmp_path: Path) -> None:
    config = gateway.kubeconfig()
    manifest = tmp_path / f"{what}.yaml"
    manifest.write_text(WORKLOADS[what])
    applied = kubectl_run.run(config, "apply", "-f", str(manifest))
    assert applied.returncode == 0, applied.stderr
    name = yaml.safe_load(WORKLOADS[what])["metadata"]["name"]
    scaled = kubectl_run.run(config, "scale", what, name, "--replicas=3")
    assert scaled.returncode == 0, scaled.stderr
    got = kubectl_run.run(config, "get", what, name, "-o", "jsonpath={.spec.replicas}")
    assert got.stdout == "3"
    scale = kubectl_run.run(config, "get", what, name, "--subresource=scale", "-o", "json")
    assert scale.returncode == 0, scale.stderr
    assert json.loads(scale.stdout)["status"]["selector"] == f"app={name}"


def test_kubectl_get_componentstatuses(gateway: Served, kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig(), "get", "componentstatuses")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "MESSAGE", "ERROR"]
    assert {line.split()[0]: line.split()[1] for line in lines[1:]} == {
        "controller-manager": "Healthy", "etcd-0": "Healthy", "scheduler": "Healthy"}
