"""Server-side field validation with real kubectl through the gateway: a manifest's typo is refused
by `apply`/`create` (which send fieldValidation=Strict), warned about by `patch` (no parameter:
the server's default, Warn), and dropped silently with --validate=false (Ignore). The field is
never stored. kubectl 1.27/1.28 learn that the server validates from /openapi/v2 (protobuf),
later ones from /openapi/v3.

Every object is named for its test and kubectl version, and deleted at the end: under
--real-cluster the cluster is not reset between tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.contract.conftest import Named
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

POD_TYPO = 'unknown field "spec.containers[0].imagePullPolcy"'


def typo_pod(name: str) -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: default
spec:
  containers:
  - name: main
    image: nginx:1.27
    imagePullPolcy: Always
"""


def configmap(name: str) -> str:
    return f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
  namespace: default
data:
  greeting: hello
"""


def manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    return path


def stored(gateway: Served, kubectl_run: KubectlRunner, *what: str) -> dict:
    got = kubectl_run.run(gateway.kubeconfig(), "get", *what, "-o", "json")
    assert got.returncode == 0, got.stderr
    return json.loads(got.stdout)


def test_apply_refuses_a_typo(gateway: Served, kubectl_run: KubectlRunner, named: Named,
                              tmp_path: Path) -> None:
    pod = named("pod", "typo-apply")
    path = manifest(tmp_path, typo_pod(pod))
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "-f", str(path))
    assert (applied.returncode, applied.stdout) == (1, "")
    assert applied.stderr == (
        f'Error from server (BadRequest): error when creating "{path}": Pod in version "v1" '
        f'cannot be handled as a Pod: strict decoding error: {POD_TYPO}\n')
    missing = kubectl_run.run(gateway.kubeconfig(), "get", "pod", pod)
    assert f'pods "{pod}" not found' in missing.stderr


def test_without_validation_the_typo_is_dropped_silently(gateway: Served,
                                                         kubectl_run: KubectlRunner,
                                                         named: Named, tmp_path: Path) -> None:
    pod = named("pod", "typo-ignored")
    path = manifest(tmp_path, typo_pod(pod))
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "--validate=false", "-f", str(path))
    assert (applied.returncode, applied.stdout, applied.stderr) == (0, f"pod/{pod} created\n", "")
    container = stored(gateway, kubectl_run, "pod", pod)["spec"]["containers"][0]
    assert "imagePullPolcy" not in container


def test_create_warns_when_asked_to(gateway: Served, newest: KubectlRunner, named: Named,
                                    tmp_path: Path) -> None:
    # Two typos, two Warning headers: the gateway passes a repeated header on as it came.
    pod = named("pod", "typo-warned")
    path = manifest(tmp_path, typo_pod(pod) + "  restartPolcy: Never\n")
    created = newest.run(gateway.kubeconfig(), "create", "--validate=warn", "-f", str(path))
    assert (created.returncode, created.stdout, created.stderr) == (
        0, f"pod/{pod} created\n",
        f'Warning: {POD_TYPO}\nWarning: unknown field "spec.restartPolcy"\n')
    assert "imagePullPolcy" not in stored(gateway, newest, "pod", pod)["spec"]["containers"][0]


def test_patch_warns_and_keeps_the_rest(gateway: Served, kubectl_run: KubectlRunner,
                                        named: Named, tmp_path: Path) -> None:
    kubeconfig = gateway.kubeconfig()
    cm = named("configmap", "typo-patched")
    created = kubectl_run.run(kubeconfig, "create", "-f", str(manifest(tmp_path, configmap(cm))))
    assert created.returncode == 0, created.stderr
    patched = kubectl_run.run(kubeconfig, "patch", "configmap", cm, "-p",
                              '{"dta": {"k": "v"}, "data": {"greeting": "bonjour"}}')
    assert (patched.returncode, patched.stdout, patched.stderr) == (
        0, f"configmap/{cm} patched\n", 'Warning: unknown field "dta"\n')
    stored_cm = stored(gateway, kubectl_run, "configmap", cm)
    assert ("dta" in stored_cm, stored_cm["data"]) == (False, {"greeting": "bonjour"})


def test_apply_over_an_existing_object_refuses_the_patch(gateway: Served,
                                                        newest: KubectlRunner, named: Named,
                                                        tmp_path: Path) -> None:
    kubeconfig = gateway.kubeconfig()
    cm = named("configmap", "typo-reapplied")
    path = manifest(tmp_path, configmap(cm))
    first = newest.run(kubeconfig, "apply", "-f", str(path))
    assert first.returncode == 0, first.stderr
    path.write_text(configmap(cm) + "dta:\n  k: v\n")
    again = newest.run(kubeconfig, "apply", "-f", str(path))
    assert again.returncode == 1, again.stdout
    # kubectl words a 422 without a kind as "The request is invalid", then the cause. kube quotes
    # the strategic patch as Go prints the decoded map, last-applied annotation and all.
    assert again.stderr.startswith(
        'The request is invalid: patch: Invalid value: "map[dta:map[k:v] metadata:map[annotations:'
        'map[kubectl.kubernetes.io/last-applied-configuration:{\\"apiVersion\\":\\"v1\\",')
    assert again.stderr.endswith('}\\n]]]": strict decoding error: unknown field "dta"\n')
    assert "dta" not in stored(gateway, newest, "configmap", cm)


# --- at depth: the kind's whole schema decides what is known -----------------------------------

DEEP_TYPO = {
    "deployment": 'unknown field "spec.template.spec.containers[0].imagee"',
    "cronjob": 'unknown field "spec.jobTemplate.spec.template.spec.containers[0].imagee"',
}


def typo_workload(kind: str, name: str) -> str:
    pod_spec = {"restartPolicy": "Never" if kind == "cronjob" else "Always", "containers": [
        {"name": "main", "image": "nginx:1.27", "imagee": "nginx:1.28"}]}
    if kind == "deployment":
        obj = {"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": "default"},
               "spec": {"selector": {"matchLabels": {"app": name}},
                        "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}}}
    else:
        obj = {"apiVersion": "batch/v1", "kind": "CronJob",
               "metadata": {"name": name, "namespace": "default"},
               "spec": {"schedule": "*/5 * * * *",
                        "jobTemplate": {"spec": {"template": {"spec": pod_spec}}}}}
    return yaml.safe_dump(obj, sort_keys=False)


@pytest.mark.parametrize("kind", ["deployment", "cronjob"])
def test_apply_refuses_a_typo_deep_in_a_pod_template(gateway: Served, kubectl_run: KubectlRunner,
                                                     named: Named, tmp_path: Path,
                                                     kind: str) -> None:
    name = named(kind, f"deep-typo-{kind}")
    path = manifest(tmp_path, typo_workload(kind, name))
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "-f", str(path))
    group_version, kind_name = {"deployment": ("v1", "Deployment"),
                                "cronjob": ("v1", "CronJob")}[kind]
    assert (applied.returncode, applied.stdout) == (1, "")
    assert applied.stderr == (
        f'Error from server (BadRequest): error when creating "{path}": {kind_name} in version '
        f'"{group_version}" cannot be handled as a {kind_name}: strict decoding error: '
        f'{DEEP_TYPO[kind]}\n')
    missing = kubectl_run.run(gateway.kubeconfig(), "get", kind, name)
    assert "not found" in missing.stderr


def test_a_deep_typo_is_warned_about_and_dropped(gateway: Served, newest: KubectlRunner,
                                                 named: Named, tmp_path: Path) -> None:
    name = named("deployment", "deep-typo-warned")
    path = manifest(tmp_path, typo_workload("deployment", name))
    created = newest.run(gateway.kubeconfig(), "create", "--validate=warn", "-f", str(path))
    assert (created.returncode, created.stdout, created.stderr) == (
        0, f"deployment.apps/{name} created\n", f'Warning: {DEEP_TYPO["deployment"]}\n')
    container = stored(gateway, newest, "deployment", name)["spec"]["template"]["spec"][
        "containers"][0]
    assert ("imagee" in container, container["image"]) == (False, "nginx:1.27")


def test_a_deep_typo_is_dropped_silently_without_validation(gateway: Served,
                                                            kubectl_run: KubectlRunner,
                                                            named: Named,
                                                            tmp_path: Path) -> None:
    name = named("deployment", "deep-typo-ignored")
    path = manifest(tmp_path, typo_workload("deployment", name))
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "--validate=false", "-f", str(path))
    assert (applied.returncode, applied.stdout, applied.stderr) == (
        0, f"deployment.apps/{name} created\n", "")
    container = stored(gateway, kubectl_run, "deployment", name)["spec"]["template"]["spec"][
        "containers"][0]
    assert "imagee" not in container
