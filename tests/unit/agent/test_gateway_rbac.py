from __future__ import annotations

import asyncio
import json

import pytest
import yaml

from emulator import messages
from emulator.agent.gateway_rbac import (
    InvalidRbacRequest,
    RbacRequest,
    RoleRef,
    documents,
    parse_role,
    render,
)
from emulator.clock import SystemClock
from emulator.cluster.backend import ClusterRequest
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.auth.identity import service_account_user

BOB = "principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/bob"
ENG = "principalSet://iam.googleapis.com/locations/global/workforcePools/pool/group/eng"
AGENT_TOKEN = "agent-token"

# gcloud-wire.md §9, the file gcloud writes for --users=alice@example.com.
GCLOUD_ALICE = '''\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: gateway-impersonate-my-project_alice_alpha
  labels:
    connect.gke.io/owner-feature: connect-gateway
rules:
- apiGroups:
  - ""
  resourceNames:
  - alice@example.com
  resources:
  - users
  verbs:
  - impersonate
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: gateway-impersonate-my-project_alice_alpha
  labels:
    connect.gke.io/owner-feature: connect-gateway
roleRef:
  kind: ClusterRole
  name: gateway-impersonate-my-project_alice_alpha
  apiGroup: rbac.authorization.k8s.io
subjects:
- kind: ServiceAccount
  name: connect-agent-sa
  namespace: gke-connect
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: gateway-permission-my-project_alice_alpha
  labels:
    connect.gke.io/owner-feature: connect-gateway
subjects:
- kind: User
  name: alice@example.com
roleRef:
  kind: ClusterRole
  name: cluster-admin
  apiGroup: rbac.authorization.k8s.io
---
'''

LEADING = '''\
apiVersion: v1
kind: Namespace
metadata:
  name: gke-connect
  labels:
    connect.gke.io/owner-feature: connect-gateway
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: connect-agent-sa
  labels:
    connect.gke.io/owner-feature: connect-gateway
  namespace: gke-connect
---
'''


def request(users: tuple[str, ...] = (), groups: tuple[str, ...] = (),
            role: str | None = "clusterrole/cluster-admin", project: str = "my-project",
            membership: str = "alpha") -> RbacRequest:
    return RbacRequest(project, membership, users, groups,
                       parse_role(role) if role is not None else None)


def names(docs: list[dict]) -> list[tuple[str, str]]:
    return [(d["kind"], d["metadata"]["name"]) for d in docs]


def test_the_gcloud_example_follows_the_agents_namespace_and_service_account() -> None:
    assert render(request(users=("alice@example.com",))) == LEADING + GCLOUD_ALICE


def test_the_two_leading_documents_are_always_there_and_labelled() -> None:
    docs = documents(request(groups=("devs@example.com",), role=None))
    assert names(docs[:2]) == [("Namespace", "gke-connect"), ("ServiceAccount", "connect-agent-sa")]
    assert docs[1]["metadata"]["namespace"] == "gke-connect"
    for doc in docs:
        assert doc["metadata"]["labels"] == {"connect.gke.io/owner-feature": "connect-gateway"}


def test_a_workforce_principal_is_named_pool_subject_and_impersonated_in_full() -> None:
    docs = documents(request(users=(BOB,)))[2:]
    assert names(docs) == [
        ("ClusterRole", "gateway-impersonate-my-project_pool_bob_alpha"),
        ("ClusterRoleBinding", "gateway-impersonate-my-project_pool_bob_alpha"),
        ("ClusterRoleBinding", "gateway-permission-my-project_pool_bob_alpha"),
    ]
    assert docs[0]["rules"][0]["resourceNames"] == [BOB]
    assert docs[2]["subjects"] == [{"kind": "User", "name": BOB}]


def test_a_namespace_role_for_groups_gives_a_rolebinding_with_a_group_subject() -> None:
    docs = documents(request(groups=("devs@example.com", ENG),
                             role="role/team-a/namespace-reader"))[2:]
    bindings = [d for d in docs if d["kind"] == "RoleBinding"]
    assert [b["metadata"] for b in bindings] == [
        {"name": "gateway-permission-my-project_devs_alpha",
         "labels": {"connect.gke.io/owner-feature": "connect-gateway"}, "namespace": "team-a"},
        {"name": "gateway-permission-my-project_pool_eng_alpha",
         "labels": {"connect.gke.io/owner-feature": "connect-gateway"}, "namespace": "team-a"},
    ]
    assert bindings[0]["subjects"] == [{"kind": "Group", "name": "devs@example.com"}]
    assert bindings[0]["roleRef"] == {"kind": "Role", "name": "namespace-reader",
                                      "apiGroup": "rbac.authorization.k8s.io"}
    # gcloud prints only the binding; the emulated agent also needs impersonate on the group.
    roles = [d for d in docs if d["kind"] == "ClusterRole"]
    assert [r["rules"] for r in roles] == [
        [{"apiGroups": [""], "resourceNames": [group], "resources": ["groups"],
          "verbs": ["impersonate"]}] for group in ("devs@example.com", ENG)]
    assert names(docs)[:2] == [("ClusterRole", "gateway-impersonate-my-project_devs_alpha"),
                               ("ClusterRoleBinding", "gateway-impersonate-my-project_devs_alpha")]


def test_several_users_each_get_their_own_documents_in_order() -> None:
    docs = documents(request(users=("alice@example.com", "carol@example.com"),
                             role="clusterrole/view"))[2:]
    assert names(docs) == [
        ("ClusterRole", "gateway-impersonate-my-project_alice_alpha"),
        ("ClusterRoleBinding", "gateway-impersonate-my-project_alice_alpha"),
        ("ClusterRoleBinding", "gateway-permission-my-project_alice_alpha"),
        ("ClusterRole", "gateway-impersonate-my-project_carol_alpha"),
        ("ClusterRoleBinding", "gateway-impersonate-my-project_carol_alpha"),
        ("ClusterRoleBinding", "gateway-permission-my-project_carol_alpha"),
    ]


def test_without_a_role_only_the_impersonation_is_generated() -> None:
    docs = documents(request(users=("alice@example.com",), groups=("devs@example.com",),
                             role=None))[2:]
    assert names(docs) == [
        ("ClusterRole", "gateway-impersonate-my-project_alice_alpha"),
        ("ClusterRoleBinding", "gateway-impersonate-my-project_alice_alpha"),
        ("ClusterRole", "gateway-impersonate-my-project_devs_alpha"),
        ("ClusterRoleBinding", "gateway-impersonate-my-project_devs_alpha"),
    ]


def test_render_is_the_documents_each_followed_by_a_separator() -> None:
    rbac = request(users=("alice@example.com", BOB), groups=(ENG,), role="role/ns/r")
    text = render(rbac)
    assert text.endswith("---\n") and text.count("---\n") == len(documents(rbac))
    assert list(yaml.safe_load_all(text))[:-1] == documents(rbac)


@pytest.mark.parametrize(("text", "expected"), [
    ("clusterrole/view", RoleRef("ClusterRole", "view", None)),
    ("ClusterRole/view", RoleRef("ClusterRole", "view", None)),  # gcloud accepts this too
    ("clusterrole/system:aggregate-to-view", RoleRef("ClusterRole", "system:aggregate-to-view",
                                                     None)),
    ("role/team-a/namespace-reader", RoleRef("Role", "namespace-reader", "team-a")),
])
def test_parse_role(text: str, expected: RoleRef) -> None:
    assert parse_role(text) == expected


@pytest.mark.parametrize("text", [
    "", "view", "clusterrole", "clusterrole/", "clusterrole/a/b", "role/ns", "role/ns/",
    "role//name", "role/a/b/c", "foo/bar", "clusterrole/ view",
])
def test_parse_role_rejects_other_forms(text: str) -> None:
    with pytest.raises(InvalidRbacRequest) as caught:
        parse_role(text)
    assert str(caught.value) == messages.RBAC_ERR_ROLE_FORMAT.format(role=text)


def test_a_hand_built_role_ref_is_checked_too() -> None:
    rbac = RbacRequest("p", "m", ("a@example.com",), (), RoleRef("Role", "reader", None))
    with pytest.raises(InvalidRbacRequest, match="is not in a supported form"):
        documents(rbac)


@pytest.mark.parametrize(("rbac", "message"), [
    (request(), messages.RBAC_ERR_NO_IDENTITIES),
    (request(users=("a@example.com",), project=""), messages.RBAC_ERR_NO_PROJECT),
    (request(users=("a@example.com",), membership=" "), messages.RBAC_ERR_NO_MEMBERSHIP),
])
def test_requests_that_cannot_name_anything_are_refused(rbac: RbacRequest, message: str) -> None:
    with pytest.raises(InvalidRbacRequest) as caught:
        documents(rbac)
    assert str(caught.value) == message


@pytest.mark.parametrize("user", [
    "notanemail", "@example.com", "a@", "a@b@example.com", "a b@example.com",
    ENG,  # a group form is not a user
    "principal://iam.googleapis.com/locations/global/workforcePools/pool/group/x",
    "principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/",
    "principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/a/b",
])
def test_users_in_no_supported_form_are_refused(user: str) -> None:
    with pytest.raises(InvalidRbacRequest) as caught:
        documents(request(users=("alice@example.com", user)))
    assert str(caught.value) == messages.RBAC_ERR_USER_FORMAT.format(identity=user)


@pytest.mark.parametrize("group", ["devs", BOB, "principalSet://example.com/group/x"])
def test_groups_in_no_supported_form_are_refused(group: str) -> None:
    with pytest.raises(InvalidRbacRequest) as caught:
        render(request(groups=(group,)))
    assert str(caught.value) == messages.RBAC_ERR_GROUP_FORMAT.format(identity=group)


def test_identities_whose_names_would_collide_are_refused() -> None:
    with pytest.raises(InvalidRbacRequest) as caught:
        documents(request(users=("dev@a.example",), groups=("dev@b.example",)))
    assert str(caught.value) == messages.RBAC_ERR_NAME_CLASH.format(
        first='user "dev@a.example"', second='group "dev@b.example"',
        name="gateway-impersonate-my-project_dev_alpha")


def test_a_repeated_identity_is_generated_once() -> None:
    assert documents(request(users=("a@example.com", "a@example.com"))) == documents(
        request(users=("a@example.com",)))


def test_every_message_is_one_line() -> None:
    names = [name for name in dir(messages) if name.startswith("RBAC_ERR_")]
    assert len(names) == 7
    for name in names:
        assert "\n" not in getattr(messages, name)


# -- applied to the embedded mock cluster, the agent may impersonate exactly who the file names --

def seeded(*requests: RbacRequest, first: tuple[dict, ...] = ()) -> MockApiserver:
    """A mock cluster holding ``first`` and then every document of ``requests``."""
    cluster = MockApiserver("c", "v1.30.5", SystemClock())
    for obj in first:
        cluster.seed(obj)
    seen: set[tuple[str, str]] = set()
    for rbac in requests:
        for doc in documents(rbac):
            if (doc["kind"], doc["metadata"]["name"]) not in seen:  # the shared leading two
                seen.add((doc["kind"], doc["metadata"]["name"]))
                cluster.seed(doc)
    cluster.authenticator.add(AGENT_TOKEN, service_account_user("gke-connect", "connect-agent-sa"))
    return cluster


def list_pods(cluster: MockApiserver, namespace: str, user: str,
              *groups: str) -> tuple[int, dict]:
    headers = (("authorization", f"Bearer {AGENT_TOKEN}"), ("impersonate-user", user),
               *(("impersonate-group", g) for g in groups))
    answer = asyncio.run(cluster.handle(ClusterRequest(
        "GET", f"/api/v1/namespaces/{namespace}/pods", headers=headers)))
    return answer.status, json.loads(answer.body)


def test_in_a_cluster_the_agent_may_impersonate_only_the_users_in_the_file() -> None:
    cluster = seeded(request(users=("alice@example.com",), role="clusterrole/view"))
    status, _ = list_pods(cluster, "default", "alice@example.com")
    assert status == 200
    status, body = list_pods(cluster, "default", "mallory@example.com")
    assert status == 403
    assert 'cannot impersonate resource "users"' in body["message"]
    assert "system:serviceaccount:gke-connect:connect-agent-sa" in body["message"]


def test_in_a_cluster_a_group_grant_works_through_group_impersonation() -> None:
    # carol's own entry carries no role: the namespace Role reaches her only through her group.
    team_a = (
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": "pod-reader", "namespace": "team-a"},
         "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]},
    )
    cluster = seeded(request(users=("carol@example.com",), role=None),
                     request(groups=("devs@example.com",), role="role/team-a/pod-reader"),
                     first=team_a)
    assert list_pods(cluster, "team-a", "carol@example.com", "devs@example.com")[0] == 200
    assert list_pods(cluster, "team-a", "carol@example.com")[0] == 403
    status, body = list_pods(cluster, "team-a", "carol@example.com", "ops@example.com")
    assert status == 403 and 'cannot impersonate resource "groups"' in body["message"]
