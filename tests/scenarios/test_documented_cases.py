"""Each documented authorization case has a scenario file; real kubectl shows the case on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from emulator import messages
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

AGENT = "system:serviceaccount:gke-connect:connect-agent-sa"


def kubeconfig(served: Served, user: str):  # noqa: ANN201 - a Path
    return served.kubeconfig(token=f"ya29.fake-{user}")


def test_iam_denied(world: Callable[[str], Served], kubectl_run: KubectlRunner) -> None:
    served = world("iam-denied")
    first = kubectl_run.run(kubeconfig(served, "frank"), "get", "ns")
    assert first.returncode == 1
    assert first.stderr.strip().splitlines()[-1] == (
        'error: the server doesn\'t have a resource type "ns"')
    assert kubectl_run.run(kubeconfig(served, "alice"), "get", "ns").returncode == 0
    cached = kubectl_run.run(kubeconfig(served, "frank"), "get", "pods")
    assert cached.returncode == 1
    assert cached.stderr.strip() == "Error from server (Forbidden): " + messages.IAM_DENIED.format(
        permission="gkehub.gateway.get", member="user:frank@example.com", project="my-project",
        resource="projects/123456789012/locations/global/memberships/my-cluster",
        roles="roles/gkehub.gatewayAdmin, roles/gkehub.gatewayEditor, roles/gkehub.gatewayReader")
    record = served.state.audit.records()[-1]
    assert record.explanation == ("user:frank@example.com lacks gkehub.gateway.get (roles held on "
                                  "the project: roles/gkehub.viewer)")


def test_agent_not_authorized(world: Callable[[str], Served],
                              kubectl_run: KubectlRunner) -> None:
    served = world("agent-not-authorized")
    assert kubectl_run.run(kubeconfig(served, "alice"), "get", "ns").returncode == 0
    result = kubectl_run.run(kubeconfig(served, "grace"), "get", "pods")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'Error from server (Forbidden): users "grace@example.com" is forbidden: User '
        f'"{AGENT}" cannot impersonate resource "users" in API group "" at the cluster scope')
    record = served.state.audit.records()[-1]
    assert record.error_id == "agent-not-authorized"
    assert record.explanation.startswith(f"the Connect Agent ({AGENT}) is not allowed to "
                                         "impersonate the caller in the cluster")


def test_rbac_denied(world: Callable[[str], Served], kubectl_run: KubectlRunner) -> None:
    served = world("rbac-denied")
    allowed = kubectl_run.run(kubeconfig(served, "ivan"), "get", "pods", "-n", "team-a",
                              "-o", "name")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.split() == ["pod/api"]
    denied = kubectl_run.run(kubeconfig(served, "ivan"), "get", "pods")
    assert denied.returncode == 1
    assert denied.stderr.strip() == (
        'Error from server (Forbidden): pods is forbidden: User "ivan@example.com" cannot list '
        'resource "pods" in API group "" in the namespace "default"')
    assert served.state.audit.records()[-1].error_id == "rbac-denied"


def test_group_rbac(world: Callable[[str], Served], kubectl_run: KubectlRunner) -> None:
    served = world("group-rbac")
    judy = kubeconfig(served, "judy")
    made = kubectl_run.run(judy, "create", "configmap", "by-group", "--from-literal=a=b")
    assert made.returncode == 0, made.stderr
    record = served.state.audit.records()[-1]
    assert record.groups == ["gke-security-groups@example.com", "platform@example.com"]
    assert record.iam_reason == ("user:judy@example.com has gkehub.gateway.post through "
                                 "roles/gkehub.gatewayEditor through "
                                 "group:gke-security-groups@example.com")
    assert served.rbac_reason(record).endswith('to Group "platform@example.com"')
    assert kubectl_run.run(kubeconfig(served, "alice"), "delete", "clusterrolebinding",
                           "platform-edit").returncode == 0
    denied = kubectl_run.run(judy, "get", "configmap", "by-group")
    assert denied.returncode == 1
    assert denied.stderr.strip() == (
        'Error from server (Forbidden): configmaps "by-group" is forbidden: User '
        '"judy@example.com" cannot get resource "configmaps" in API group "" in the namespace '
        '"default"')


def test_header_too_large(world: Callable[[str], Served], kubectl_run: KubectlRunner) -> None:
    served = world("header-too-large")
    result = kubectl_run.run(kubeconfig(served, "kim"), "get", "ns")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "error: You must be logged in to the server")
    record = served.state.audit.records()[-1]
    assert record.error_id == "header-too-large"
    assert "130 Google group(s)" in record.explanation
