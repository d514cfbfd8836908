"""What the mock does not do is refused with a message that says so, as kubectl prints it."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract


def test_unknown_resource_type(gateway: Served, kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig(), "get", "widgets")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        'error: the server doesn\'t have a resource type "widgets"')


@pytest.mark.parametrize("args", [
    ("namespace", "team-a"),
    ("configmap", "settings", "--from-literal=mode=fast"),
    ("deployment", "api", "--image=nginx:1.27", "--replicas=2", "--port=80"),
    ("clusterrolebinding", "ops", "--clusterrole=view", "--group=ops@example.com"),
])
def test_kubectl_create(gateway: Served, kubectl_run: KubectlRunner, args: tuple[str, ...]) -> None:
    # kubectl before 1.32 sends these bodies as JSON, 1.32 and later as protobuf.
    # A name per kubectl minor, removed at the end: a real cluster (--real-cluster) is not reset,
    # and a namespace takes a while to go.
    name = f"{args[1]}-{kubectl_run.binary.minor}"
    result = kubectl_run.run(gateway.kubeconfig(), "create", args[0], name, *args[2:])
    try:
        check_created(gateway, kubectl_run, args, name, result)
    finally:
        kubectl_run.run(gateway.kubeconfig(), "delete", args[0], name, "--wait=false")


def check_created(gateway: Served, kubectl_run: KubectlRunner, args: tuple[str, ...], name: str,
                  result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    kind = {"namespace": "namespace", "configmap": "configmap", "deployment": "deployment.apps",
            "clusterrolebinding": "clusterrolebinding.rbac.authorization.k8s.io"}[args[0]]
    assert result.stdout.strip() == f"{kind}/{name} created"
    shown = kubectl_run.run(gateway.kubeconfig(), "get", args[0], name, "-o", "json")
    assert shown.returncode == 0, shown.stderr
    obj = json.loads(shown.stdout)
    if args[0] == "configmap":
        assert obj["data"] == {"mode": "fast"}
    if args[0] == "deployment":
        assert obj["spec"]["replicas"] == 2
        assert obj["spec"]["template"]["spec"]["containers"][0]["ports"] == [
            {"containerPort": 80, "protocol": "TCP"}]
    if args[0] == "clusterrolebinding":
        assert obj["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": "ops@example.com"}]


@pytest.mark.mock_only("the mock's tokens have a recognisable prefix; a real cluster's are JWTs")
def test_kubectl_create_token_needs_rbac_for_the_token_subresource(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    # TokenRequest is served (issue #7); dave (IAM yes, no RBAC) may not create tokens, alice may.
    denied = kubectl_run.run(gateway.kubeconfig(token="ya29.fake-dave"), "create", "token",
                             "default")
    assert denied.returncode == 1
    assert denied.stderr.strip() == (
        'error: failed to create token: serviceaccounts "default" is forbidden: User '
        '"dave@example.com" cannot create resource "serviceaccounts/token" in API group "" in the '
        'namespace "default"')
    issued = kubectl_run.run(gateway.kubeconfig(), "create", "token", "default")
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.startswith("mock-sa.")
