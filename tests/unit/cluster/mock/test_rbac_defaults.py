"""The bootstrap RBAC objects: shape, names, and a handful of permissions that must hold as upstream."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.cluster.mock.auth.rbac_defaults import (
    AGGREGATE_TO_ADMIN,
    AGGREGATE_TO_EDIT,
    AGGREGATE_TO_VIEW,
    AUTOUPDATE_ANNOTATION,
    BOOTSTRAP_LABEL,
    default_objects,
)

Manifest = dict[str, Any]

ROLE_NAMES = {
    "cluster-admin", "admin", "edit", "view", "system:aggregate-to-admin",
    "system:aggregate-to-edit", "system:aggregate-to-view", "system:discovery",
    "system:basic-user", "system:public-info-viewer", "system:monitoring",
}
BINDING_SUBJECTS = {
    "cluster-admin": ["system:masters"],
    "system:discovery": ["system:authenticated"],
    "system:basic-user": ["system:authenticated"],
    "system:public-info-viewer": ["system:authenticated", "system:unauthenticated"],
    "system:monitoring": ["system:monitoring"],
}


def _by_kind(kind: str) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in default_objects() if o["kind"] == kind}


def _roles() -> dict[str, Manifest]:
    return _by_kind("ClusterRole")


def _effective_rules(name: str, roles: dict[str, Manifest]) -> list[Manifest]:
    """Own rules plus, like the aggregation controller, the rules of every role a selector matches."""
    role = roles[name]
    rules = list(role["rules"])
    for selector in role.get("aggregationRule", {}).get("clusterRoleSelectors", []):
        wanted = selector["matchLabels"].items()
        for other_name, other in roles.items():
            if other_name != name and wanted <= other["metadata"]["labels"].items():
                rules.extend(_effective_rules(other_name, roles))
    return rules


def _matches(value: str, allowed: list[str]) -> bool:
    return "*" in allowed or value in allowed


def _allows(role: str, verb: str, group: str, resource: str) -> bool:
    return any(
        "resources" in rule and _matches(verb, rule["verbs"]) and _matches(group, rule["apiGroups"])
        and _matches(resource, rule["resources"]) and not rule.get("resourceNames")
        for rule in _effective_rules(role, _roles()))


def _allows_url(role: str, verb: str, path: str) -> bool:
    def url_ok(pattern: str) -> bool:
        return pattern == path or (pattern.endswith("*") and path.startswith(pattern[:-1]))
    return any(
        _matches(verb, rule["verbs"]) and any(url_ok(p) for p in rule["nonResourceURLs"])
        for rule in _effective_rules(role, _roles()) if "nonResourceURLs" in rule)


def test_every_object_is_a_well_formed_bootstrap_manifest_with_a_unique_name() -> None:
    objects = default_objects()
    assert json.loads(json.dumps(objects)) == objects
    seen: set[tuple[str, str]] = set()
    for obj in objects:
        assert obj["apiVersion"] == "rbac.authorization.k8s.io/v1"
        assert obj["kind"] in ("ClusterRole", "ClusterRoleBinding")
        meta = obj["metadata"]
        assert meta["labels"][BOOTSTRAP_LABEL] == "rbac-defaults"
        assert meta["annotations"] == {AUTOUPDATE_ANNOTATION: "true"}
        assert "namespace" not in meta
        key = (obj["kind"], meta["name"])
        assert key not in seen
        seen.add(key)
        for rule in obj.get("rules", []):
            assert rule["verbs"] and all(isinstance(v, str) for v in rule["verbs"])
            if "nonResourceURLs" in rule:
                assert set(rule) == {"verbs", "nonResourceURLs"}
                assert all(u == "*" or u.startswith("/") for u in rule["nonResourceURLs"])
            else:
                assert set(rule) <= {"verbs", "apiGroups", "resources", "resourceNames"}
                assert rule["apiGroups"] and rule["resources"]


def test_the_expected_roles_and_bindings_are_there_and_bindings_point_at_roles() -> None:
    roles = _roles()
    bindings = _by_kind("ClusterRoleBinding")
    assert set(roles) == ROLE_NAMES
    assert set(bindings) == set(BINDING_SUBJECTS)
    for name, binding in bindings.items():
        assert binding["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name}
        assert binding["roleRef"]["name"] in roles
        assert binding["subjects"] == [
            {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}
            for group in BINDING_SUBJECTS[name]]


@pytest.mark.parametrize(("role", "selects", "label"), [
    ("admin", AGGREGATE_TO_ADMIN, None),
    ("edit", AGGREGATE_TO_EDIT, AGGREGATE_TO_ADMIN),
    ("view", AGGREGATE_TO_VIEW, AGGREGATE_TO_EDIT),
])
def test_user_facing_roles_only_aggregate(role: str, selects: str, label: str | None) -> None:
    manifest = _roles()[role]
    assert manifest["rules"] == []
    assert manifest["aggregationRule"] == {"clusterRoleSelectors": [{"matchLabels": {selects: "true"}}]}
    extra = {k: v for k, v in manifest["metadata"]["labels"].items() if k != BOOTSTRAP_LABEL}
    assert extra == ({label: "true"} if label else {})
    feeder = _roles()[f"system:aggregate-to-{role}"]
    assert feeder["metadata"]["labels"][selects] == "true"
    assert "aggregationRule" not in feeder


def test_cluster_admin_may_do_anything() -> None:
    assert _roles()["cluster-admin"]["rules"] == [
        {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
        {"verbs": ["*"], "nonResourceURLs": ["*"]},
    ]
    assert _allows("cluster-admin", "deletecollection", "apps", "deployments")
    assert _allows_url("cluster-admin", "post", "/anything")


def test_view_reads_workloads_but_not_secrets_and_writes_nothing() -> None:
    assert _allows("view", "get", "", "pods")
    assert _allows("view", "get", "", "pods/log")
    assert _allows("view", "watch", "apps", "deployments")
    assert _allows("view", "list", "discovery.k8s.io", "endpointslices")
    assert not _allows("view", "get", "", "secrets")
    assert not _allows("view", "create", "", "pods")
    assert not _allows("view", "create", "", "pods/exec")
    assert not _allows("view", "list", "rbac.authorization.k8s.io", "roles")


def test_edit_writes_workloads_and_reads_secrets_but_cannot_grant() -> None:
    assert _allows("edit", "create", "apps", "deployments")
    assert _allows("edit", "patch", "apps", "deployments/scale")
    assert _allows("edit", "get", "", "secrets")
    assert _allows("edit", "create", "", "pods/exec")
    assert _allows("edit", "create", "", "serviceaccounts/token")
    assert _allows("edit", "get", "", "pods")  # through view
    assert not _allows("edit", "create", "rbac.authorization.k8s.io", "rolebindings")
    assert not _allows("edit", "update", "", "resourcequotas")


def test_admin_manages_roles_and_bindings_on_top_of_edit() -> None:
    assert _allows("admin", "create", "rbac.authorization.k8s.io", "rolebindings")
    assert _allows("admin", "delete", "rbac.authorization.k8s.io", "roles")
    assert _allows("admin", "create", "authorization.k8s.io", "localsubjectaccessreviews")
    assert _allows("admin", "create", "apps", "deployments")  # through edit
    assert _allows("admin", "list", "", "pods")  # through edit, then view
    assert not _allows("admin", "create", "rbac.authorization.k8s.io", "clusterrolebindings")


def test_discovery_public_info_and_monitoring_urls() -> None:
    assert _allows_url("system:discovery", "get", "/api/v1")
    assert _allows_url("system:discovery", "get", "/apis/apps/v1")
    assert _allows_url("system:discovery", "get", "/openapi/v3")
    assert not _allows_url("system:discovery", "post", "/api/v1")
    assert not _allows_url("system:discovery", "get", "/metrics")
    assert _allows_url("system:public-info-viewer", "get", "/version")
    assert not _allows_url("system:public-info-viewer", "get", "/api")
    assert _allows_url("system:monitoring", "get", "/metrics")
    assert _allows_url("system:monitoring", "get", "/readyz/etcd")


def test_basic_user_may_create_every_self_review() -> None:
    assert _allows("system:basic-user", "create", "authentication.k8s.io", "selfsubjectreviews")
    assert _allows("system:basic-user", "create", "authorization.k8s.io", "selfsubjectaccessreviews")
    assert _allows("system:basic-user", "create", "authorization.k8s.io", "selfsubjectrulesreviews")
    assert not _allows("system:basic-user", "create", "authorization.k8s.io", "subjectaccessreviews")
    assert not _allows("system:basic-user", "get", "", "pods")


def test_each_call_returns_fresh_objects_callers_may_mutate() -> None:
    first = default_objects()
    pristine = json.dumps(default_objects(), sort_keys=True)
    for obj in first:
        obj["metadata"]["labels"]["mutated"] = "yes"
        for rule in obj.get("rules", []):
            rule["verbs"].append("escalate")
        for subject in obj.get("subjects", []):
            subject["name"] = "someone-else"
    first.clear()
    assert json.dumps(default_objects(), sort_keys=True) == pristine
