"""A value of the wrong type, with real clients through the gateway: kube decodes every write
into its Go struct and refuses what the struct cannot hold, in Go's words, with no
fieldValidation to let it through (godecode.py). The commonest mistakes of hand-written and
templated manifests: a quoted number, an unquoted env value, a Secret's data that is not base64,
a Lease time without microseconds.

Every object is named for its test and kubectl version, and deleted at the end: under
--real-cluster the cluster is not reset between tests.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from kubernetes import client

from tests.contract.conftest import Named
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

def deployment(name: str, replicas: str = "1", env_value: str = '"8080"') -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: default
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: main
        image: nginx:1.27
        env:
        - name: PORT
          value: {env_value}
"""


def manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    return path


def test_apply_refuses_a_quoted_replica_count(gateway: Served, kubectl_run: KubectlRunner,
                                              named: Named, tmp_path: Path) -> None:
    name = named("deployment", "quoted-replicas")
    path = manifest(tmp_path, deployment(name, replicas='"3"'))
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "-f", str(path))
    assert (applied.returncode, applied.stdout) == (1, "")
    assert applied.stderr == (
        f'Error from server (BadRequest): error when creating "{path}": Deployment in version '
        '"v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct '
        "field DeploymentSpec.spec.replicas of type int32\n")
    missing = kubectl_run.run(gateway.kubeconfig(), "get", "deployment", name)
    assert "not found" in missing.stderr


def test_an_unquoted_env_value_is_refused_even_without_validation(
        gateway: Served, kubectl_run: KubectlRunner, named: Named, tmp_path: Path) -> None:
    name = named("deployment", "number-env")
    path = manifest(tmp_path, deployment(name, env_value="8080"))
    created = kubectl_run.run(gateway.kubeconfig(), "create", "--validate=false", "-f", str(path))
    assert (created.returncode, created.stdout) == (1, "")
    assert created.stderr == (
        f'Error from server (BadRequest): error when creating "{path}": Deployment in version '
        '"v1" cannot be handled as a Deployment: json: cannot unmarshal number into Go struct '
        "field EnvVar.spec.template.spec.containers.env.value of type string\n")


def test_secret_data_must_be_base64(gateway: Served, kubectl_run: KubectlRunner, named: Named,
                                    tmp_path: Path) -> None:
    name = named("secret", "not-base64")
    path = manifest(tmp_path, f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n"
                              "  namespace: default\ndata:\n  password: hunter2\n")
    created = kubectl_run.run(gateway.kubeconfig(), "create", "-f", str(path))
    assert created.stderr == (
        f'Error from server (BadRequest): error when creating "{path}": Secret in version "v1" '
        "cannot be handled as a Secret: illegal base64 data at input byte 4\n")


def test_a_strategic_patch_of_the_wrong_type_is_an_invalid_patch(
        gateway: Served, newest: KubectlRunner, named: Named, tmp_path: Path) -> None:
    kubeconfig = gateway.kubeconfig()
    name = named("deployment", "patched-replicas")
    created = newest.run(kubeconfig, "create", "-f", str(manifest(tmp_path, deployment(name))))
    assert created.returncode == 0, created.stderr
    patched = newest.run(kubeconfig, "patch", "deployment", name, "-p",
                         '{"spec": {"replicas": "3"}}')
    # kubectl words a 422 without a kind as "The request is invalid", then the cause
    assert (patched.returncode, patched.stderr) == (1, (
        'The request is invalid: patch: Invalid value: "map[spec:map[replicas:3]]": '
        "unrecognized type: int32\n"))
    merged = newest.run(kubeconfig, "patch", "deployment", name, "--type=merge", "-p",
                        '{"spec": {"replicas": "3"}}')
    assert merged.returncode == 1
    assert merged.stderr.endswith(": json: cannot unmarshal string into Go struct field "
                                  "DeploymentSpec.spec.replicas of type int32\n")


def test_the_python_client_s_lease_times_need_microseconds(api: client.ApiClient) -> None:
    """The client writes a datetime as Python's isoformat(), which leaves out a fraction of
    zero: kube parses a MicroTime with exactly six digits and refuses it, as leader-election
    code meets on a real cluster."""
    leases = client.CoordinationV1Api(api)
    whole = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    spec = client.V1LeaseSpec(holder_identity="me", renew_time=whole)
    lease = client.V1Lease(metadata=client.V1ObjectMeta(name="typed-lease"), spec=spec)
    with pytest.raises(client.ApiException) as refused:
        leases.create_namespaced_lease("default", lease)
    assert refused.value.status == 400
    assert json.loads(refused.value.body)["message"] == (
        'Lease in version "v1" cannot be handled as a Lease: parsing time '
        '"2026-01-01T00:00:00+00:00" as "2006-01-02T15:04:05.000000Z07:00": cannot parse '
        '"+00:00" as ".000000"')
    spec.renew_time = whole.replace(microsecond=1)
    try:
        made = leases.create_namespaced_lease("default", lease)
        assert made.spec.renew_time == whole.replace(microsecond=1)
    finally:
        leases.delete_namespaced_lease("typed-lease", "default")


def test_a_server_side_apply_of_the_wrong_type_is_refused_before_merging(
        gateway: Served, kubectl_run: KubectlRunner, named: Named, tmp_path: Path) -> None:
    name = named("deployment", "ssa-replicas")
    path = manifest(tmp_path, deployment(name, replicas='"3"'))
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "--server-side", "-f", str(path))
    assert (applied.returncode, applied.stdout) == (1, "")
    # kube answers this with a 500 ("Error from server: ..."); the mock with a 400
    assert applied.stderr == (
        f"Error from server (BadRequest): failed to create typed patch object "
        f"(default/{name}; apps/v1, Kind=Deployment): "
        ".spec.replicas: expected numeric (int or float), got string\n")
