"""Who may do what through the gateway, with real kubectl: Google IAM at the gateway, then the
Connect Agent's impersonation and Kubernetes RBAC in the cluster (issue #3's "Done when")."""

from __future__ import annotations

import json

import pytest

from emulator import messages
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

AGENT = "system:serviceaccount:gke-connect:connect-agent-sa"


def as_user(gateway: Served, name: str):  # noqa: ANN201 - a Path
    return gateway.kubeconfig(token=f"ya29.fake-{name}")


def last_record(gateway: Served, principal: str, k8s_path: str,
                method: str = "GET"):  # noqa: ANN201
    return next(r for r in reversed(gateway.state.audit.records())
                if r.principal == principal and r.k8s_path == k8s_path and r.method == method)


def test_alice_can_do_everything(gateway: Served, kubectl_run: KubectlRunner) -> None:
    config = as_user(gateway, "alice")
    for args in (["get", "ns"], ["delete", "pod", "web"], ["auth", "can-i", "delete", "pods"]):
        result = kubectl_run.run(config, *args)
        assert result.returncode == 0, (args, result.stderr)
    record = last_record(gateway, "alice@example.com", "/api/v1/namespaces/default/pods/web",
                         "DELETE")
    assert (record.iam_result, record.rbac_result, record.status) == ("allowed", "allowed", 200)
    assert record.iam_reason == ("user:alice@example.com has gkehub.gateway.delete through "
                                 "roles/gkehub.gatewayAdmin")
    assert gateway.rbac_reason(record) == ('RBAC: allowed by ClusterRoleBinding "gateway-cluster-admin" of '
                                  'ClusterRole "cluster-admin" to User "alice@example.com"')


def test_bob_reads_but_delete_is_iam_denied(gateway: Served, kubectl_run: KubectlRunner) -> None:
    config = as_user(gateway, "bob")
    listed = kubectl_run.run(config, "get", "pods")
    assert listed.returncode == 0, listed.stderr
    deleted = kubectl_run.run(config, "delete", "pod", "web")
    assert deleted.returncode == 1
    assert deleted.stderr.strip() == "Error from server (Forbidden): " + messages.IAM_DENIED.format(
        permission="gkehub.gateway.delete", member="user:bob@example.com", project="my-project",
        resource="projects/123456789012/locations/global/memberships/my-cluster",
        roles="roles/gkehub.gatewayAdmin, roles/gkehub.gatewayEditor")
    record = last_record(gateway, "bob@example.com", "/api/v1/namespaces/default/pods/web",
                         "DELETE")
    assert (record.error_id, record.status) == ("iam-denied", 403)
    assert record.explanation == ("user:bob@example.com lacks gkehub.gateway.delete (roles held "
                                  "on the project: roles/gkehub.gatewayReader)")


def test_carol_without_a_gateway_role_is_denied_everything(gateway: Served,
                                                           kubectl_run: KubectlRunner) -> None:
    first = kubectl_run.run(as_user(gateway, "carol"), "get", "ns")
    assert first.returncode == 1
    assert first.stderr.strip().splitlines()[-1] == (
        'error: the server doesn\'t have a resource type "ns"')
    discovery = last_record(gateway, "carol@example.com", "/api")
    assert discovery.error_id == "discovery-denied"
    assert "iam-denied" in discovery.explanation and "lacks gkehub.gateway.get" in (
        discovery.explanation)
    # With discovery cached (here: by alice, from the same machine), the denial is printed.
    assert kubectl_run.run(as_user(gateway, "alice"), "get", "ns").returncode == 0
    again = kubectl_run.run(as_user(gateway, "carol"), "get", "ns")
    assert again.returncode == 1
    assert again.stderr.strip().startswith(
        "Error from server (Forbidden): Permission 'gkehub.gateway.get' denied on ")
    assert "(roles/gkehub.gatewayAdmin, roles/gkehub.gatewayEditor, roles/gkehub.gatewayReader)" \
        in again.stderr


def test_dave_passes_iam_but_rbac_forbids(gateway: Served, kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(as_user(gateway, "dave"), "get", "pods")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'Error from server (Forbidden): pods is forbidden: User "dave@example.com" cannot list '
        'resource "pods" in API group "" in the namespace "default"')
    record = last_record(gateway, "dave@example.com", "/api/v1/namespaces/default/pods")
    assert (record.iam_result, record.rbac_result, record.error_id) == (
        "allowed", "denied", "rbac-denied")
    assert record.explanation.startswith(messages.AUDIT_RBAC_DENIED.format(reason=""))
    assert 'no RBAC rule lets User "dave@example.com"' in gateway.rbac_reason(record)


def test_group_rbac_works_until_the_group_binding_goes(gateway: Served,
                                                       kubectl_run: KubectlRunner) -> None:
    erin = as_user(gateway, "erin")
    listed = kubectl_run.run(erin, "get", "pods", "-o", "name")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["pod/web"]
    record = last_record(gateway, "erin@example.com", "/api/v1/namespaces/default/pods")
    assert record.groups == ["oncall@example.com", "sre@example.com"]
    assert gateway.rbac_reason(record).endswith('to Group "sre@example.com"')
    removed = kubectl_run.run(as_user(gateway, "alice"), "delete", "clusterrolebinding",
                              "gateway-sre-edit")
    assert removed.returncode == 0, removed.stderr
    denied = kubectl_run.run(erin, "get", "pods")
    assert denied.returncode == 1
    assert denied.stderr.strip() == (
        'Error from server (Forbidden): pods is forbidden: User "erin@example.com" cannot list '
        'resource "pods" in API group "" in the namespace "default"')


def test_without_the_impersonate_rule_the_agent_is_not_authorized(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    alice = as_user(gateway, "alice")
    role = json.loads(kubectl_run.run(alice, "get", "clusterrole", "gateway-impersonate",
                                      "-o", "json").stdout)
    index = role["rules"][0]["resourceNames"].index("bob@example.com")
    patched = kubectl_run.run(alice, "patch", "clusterrole", "gateway-impersonate", "--type=json",
                              "-p", json.dumps([{"op": "remove",
                                                 "path": f"/rules/0/resourceNames/{index}"}]))
    assert patched.returncode == 0, patched.stderr
    result = kubectl_run.run(as_user(gateway, "bob"), "get", "pods")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'Error from server (Forbidden): users "bob@example.com" is forbidden: User '
        f'"{AGENT}" cannot impersonate resource "users" in API group "" at the cluster scope')
    record = last_record(gateway, "bob@example.com", "/api/v1/namespaces/default/pods")
    assert record.error_id == "agent-not-authorized"
    assert "gateway-impersonate" in record.explanation


def test_kubectl_as_is_refused(gateway: Served, kubectl_run: KubectlRunner) -> None:
    bob = as_user(gateway, "bob")
    assert kubectl_run.run(bob, "get", "ns").returncode == 0  # discovery cached
    result = kubectl_run.run(bob, "get", "pods", "--as=alice@example.com")
    assert result.returncode == 1
    assert result.stderr.strip() == "Error from server (Forbidden): " + (
        messages.IMPERSONATION_HEADER_REFUSED.format(header="Impersonate-User",
                                                     principal="bob@example.com"))


@pytest.mark.parametrize(("user", "answer"), [("alice", "yes"), ("erin", "yes"), ("dave", "no")])
def test_can_i_answers_per_user(gateway: Served, kubectl_run: KubectlRunner, user: str,
                                answer: str) -> None:
    result = kubectl_run.run(as_user(gateway, user), "auth", "can-i", "delete", "pods")
    assert result.stdout.strip() == answer, result.stderr
    assert result.returncode == (0 if answer == "yes" else 1)


def test_can_i_is_a_post_so_a_reader_needs_gateway_post(gateway: Served,
                                                        kubectl_run: KubectlRunner) -> None:
    bob = as_user(gateway, "bob")
    assert kubectl_run.run(bob, "get", "ns").returncode == 0
    result = kubectl_run.run(bob, "auth", "can-i", "list", "pods")
    assert result.returncode == 1
    assert "Permission 'gkehub.gateway.post' denied" in result.stderr


def test_whoami_shows_google_groups(gateway: Served, kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(as_user(gateway, "erin"), "auth", "whoami", "-o", "json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)["status"]["userInfo"]
    assert info["username"] == "erin@example.com"
    assert info["groups"] == ["oncall@example.com", "sre@example.com", "system:authenticated"]


def test_can_i_list_shows_only_what_rbac_grants(gateway: Served,
                                                kubectl_run: KubectlRunner) -> None:
    dave = kubectl_run.run(as_user(gateway, "dave"), "auth", "can-i", "--list")
    assert dave.returncode == 0, dave.stderr
    resources = {line.split()[0] for line in dave.stdout.splitlines()[1:]
                 if line and not line.startswith(" ")}
    assert resources == {"selfsubjectreviews.authentication.k8s.io",
                         "selfsubjectaccessreviews.authorization.k8s.io",
                         "selfsubjectrulesreviews.authorization.k8s.io"}
    erin = kubectl_run.run(as_user(gateway, "erin"), "auth", "can-i", "--list")
    assert erin.returncode == 0, erin.stderr
    assert any(line.startswith("deployments.apps ") and "create" in line
               for line in erin.stdout.splitlines())
