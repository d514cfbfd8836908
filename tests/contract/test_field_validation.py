"""Server-side field validation with real kubectl through the gateway: a manifest's typo is refused
by `apply`/`create` (which send fieldValidation=Strict), warned about by `patch` (no parameter:
the server's default, Warn), and dropped silently with --validate=false (Ignore). The field is
never stored. kubectl 1.27/1.28 learn that the server validates from /openapi/v2 (protobuf),
later ones from /openapi/v3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

TYPO_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: typo
  namespace: default
spec:
  containers:
  - name: main
    image: nginx:1.27
    imagePullPolcy: Always
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: typo-cm
  namespace: default
data:
  greeting: hello
"""
POD_TYPO = 'unknown field "spec.containers[0].imagePullPolcy"'


def manifest(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def stored(gateway: Served, kubectl_run: KubectlRunner, *what: str) -> dict:
    got = kubectl_run.run(gateway.kubeconfig(), "get", *what, "-o", "json")
    assert got.returncode == 0, got.stderr
    return json.loads(got.stdout)


def test_apply_refuses_a_typo(gateway: Served, kubectl_run: KubectlRunner,
                              tmp_path: Path) -> None:
    path = manifest(tmp_path, "pod.yaml", TYPO_POD)
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "-f", str(path))
    assert (applied.returncode, applied.stdout) == (1, "")
    assert applied.stderr == (
        f'Error from server (BadRequest): error when creating "{path}": Pod in version "v1" '
        f'cannot be handled as a Pod: strict decoding error: {POD_TYPO}\n')
    missing = kubectl_run.run(gateway.kubeconfig(), "get", "pod", "typo")
    assert 'pods "typo" not found' in missing.stderr


def test_without_validation_the_typo_is_dropped_silently(gateway: Served,
                                                         kubectl_run: KubectlRunner,
                                                         tmp_path: Path) -> None:
    path = manifest(tmp_path, "pod.yaml", TYPO_POD)
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "--validate=false", "-f", str(path))
    assert (applied.returncode, applied.stdout, applied.stderr) == (0, "pod/typo created\n", "")
    assert "imagePullPolcy" not in stored(gateway, kubectl_run, "pod", "typo")["spec"][
        "containers"][0]


def test_create_warns_when_asked_to(gateway: Served, newest: KubectlRunner,
                                    tmp_path: Path) -> None:
    # Two typos, two Warning headers: the gateway passes a repeated header on as it came.
    path = manifest(tmp_path, "pod.yaml", TYPO_POD + "  restartPolcy: Never\n")
    created = newest.run(gateway.kubeconfig(), "create", "--validate=warn", "-f", str(path))
    assert (created.returncode, created.stdout, created.stderr) == (
        0, "pod/typo created\n",
        f'Warning: {POD_TYPO}\nWarning: unknown field "spec.restartPolcy"\n')
    assert "imagePullPolcy" not in stored(gateway, newest, "pod", "typo")["spec"]["containers"][0]


def test_patch_warns_and_keeps_the_rest(gateway: Served, kubectl_run: KubectlRunner,
                                        tmp_path: Path) -> None:
    kubeconfig = gateway.kubeconfig()
    created = kubectl_run.run(kubeconfig, "create", "--validate=false", "-f",
                              str(manifest(tmp_path, "cm.yaml", CONFIGMAP)))
    assert created.returncode == 0, created.stderr
    patched = kubectl_run.run(kubeconfig, "patch", "configmap", "typo-cm", "-p",
                              '{"dta": {"k": "v"}, "data": {"greeting": "bonjour"}}')
    assert (patched.returncode, patched.stdout, patched.stderr) == (
        0, "configmap/typo-cm patched\n", 'Warning: unknown field "dta"\n')
    cm = stored(gateway, kubectl_run, "configmap", "typo-cm")
    assert ("dta" in cm, cm["data"]) == (False, {"greeting": "bonjour"})


def test_apply_over_an_existing_object_refuses_the_patch(gateway: Served,
                                                        newest: KubectlRunner,
                                                        tmp_path: Path) -> None:
    kubeconfig = gateway.kubeconfig()
    path = manifest(tmp_path, "cm.yaml", CONFIGMAP)
    first = newest.run(kubeconfig, "apply", "-f", str(path))
    assert first.returncode == 0, first.stderr
    path.write_text(CONFIGMAP + "dta:\n  k: v\n")
    again = newest.run(kubeconfig, "apply", "-f", str(path))
    assert again.returncode == 1, again.stdout
    # kubectl words a 422 without a kind as "The request is invalid", then the cause. kube quotes
    # the strategic patch as Go prints the decoded map, last-applied annotation and all.
    assert again.stderr.startswith(
        'The request is invalid: patch: Invalid value: "map[dta:map[k:v] metadata:map[annotations:'
        'map[kubectl.kubernetes.io/last-applied-configuration:{\\"apiVersion\\":\\"v1\\",')
    assert again.stderr.endswith('}\\n]]]": strict decoding error: unknown field "dta"\n')
    assert "dta" not in stored(gateway, newest, "configmap", "typo-cm")
