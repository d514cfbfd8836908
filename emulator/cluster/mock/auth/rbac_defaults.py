"""The default ClusterRoles and ClusterRoleBindings a v1.30 kube-apiserver bootstraps for RBAC.

Only the part of the bootstrap policy that matters to people and clients talking to the mock is
kept: the super-user role, the user-facing ``admin``/``edit``/``view`` roles with the three roles
that feed them by aggregation, the discovery and self-review roles every authenticated user gets,
the public health/version role, and the monitoring role. Roles for controllers, nodes, kube-proxy,
the scheduler and certificate signers are left out: nothing in the mock authenticates as them.

Names, labels, annotations, subjects and rules carry the facts of the upstream bootstrap policy
(its v1.30 state). ``admin``, ``edit`` and ``view`` are stored as a real cluster stores them before
aggregation: an ``aggregationRule`` and no rules of their own; the mock's RBAC evaluator computes
their effective rules from the roles their selectors match.

``default_objects()`` builds every manifest anew on each call, so callers may mutate what they get.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.cluster.mock.auth.rbac_defaults_aggregate import (
    AGGREGATE_TO_ADMIN_RULES,
    AGGREGATE_TO_EDIT_RULES,
    AGGREGATE_TO_VIEW_RULES,
    Rule,
    on,
    urls,
)

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_API_VERSION = f"{RBAC_GROUP}/v1"

BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping"
BOOTSTRAP_LABEL_VALUE = "rbac-defaults"
AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate"
AGGREGATE_TO_ADMIN = f"{RBAC_GROUP}/aggregate-to-admin"
AGGREGATE_TO_EDIT = f"{RBAC_GROUP}/aggregate-to-edit"
AGGREGATE_TO_VIEW = f"{RBAC_GROUP}/aggregate-to-view"

# The well-known groups the bindings name (k8s.io/apiserver/pkg/authentication/user).
SYSTEM_MASTERS = "system:masters"
SYSTEM_AUTHENTICATED = "system:authenticated"
SYSTEM_UNAUTHENTICATED = "system:unauthenticated"
SYSTEM_MONITORING = "system:monitoring"


@dataclass(frozen=True)
class RoleSpec:
    name: str
    rules: tuple[Rule, ...] = ()
    # extra labels beyond the bootstrapping one, as (key, value) pairs
    labels: tuple[tuple[str, str], ...] = ()
    # labels whose "true" value selects the roles this one aggregates; empty for plain roles
    aggregates: tuple[str, ...] = ()


@dataclass(frozen=True)
class BindingSpec:
    name: str  # also the name of the ClusterRole it binds
    groups: tuple[str, ...]


_TRUE = "true"

CLUSTER_ROLES: tuple[RoleSpec, ...] = (
    # the super-user: every verb on every resource in every group, and every non-resource URL
    RoleSpec("cluster-admin", (on("*", ("*",), ("*",)), urls(("*",), ("*",)))),
    # the user-facing roles: view folds into edit, edit folds into admin
    RoleSpec("admin", aggregates=(AGGREGATE_TO_ADMIN,)),
    RoleSpec("edit", labels=((AGGREGATE_TO_ADMIN, _TRUE),), aggregates=(AGGREGATE_TO_EDIT,)),
    RoleSpec("view", labels=((AGGREGATE_TO_EDIT, _TRUE),), aggregates=(AGGREGATE_TO_VIEW,)),
    RoleSpec("system:aggregate-to-admin", AGGREGATE_TO_ADMIN_RULES,
             labels=((AGGREGATE_TO_ADMIN, _TRUE),)),
    RoleSpec("system:aggregate-to-edit", AGGREGATE_TO_EDIT_RULES,
             labels=((AGGREGATE_TO_EDIT, _TRUE),)),
    RoleSpec("system:aggregate-to-view", AGGREGATE_TO_VIEW_RULES,
             labels=((AGGREGATE_TO_VIEW, _TRUE),)),
    # enough for a client to negotiate API versions and read the OpenAPI documents
    RoleSpec("system:discovery", (urls(
        ("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
         "/readyz", "/version", "/version/"), ("get",)),)),
    # lets any signed-in user ask who they are and what they may do
    RoleSpec("system:basic-user", (
        on("authorization.k8s.io", ("selfsubjectaccessreviews", "selfsubjectrulesreviews"),
           ("create",)),
        on("authentication.k8s.io", ("selfsubjectreviews",), ("create",)),
    )),
    # health and version, readable even without credentials
    RoleSpec("system:public-info-viewer", (urls(
        ("/healthz", "/livez", "/readyz", "/version", "/version/"), ("get",)),)),
    # health checks in detail, and metrics
    RoleSpec("system:monitoring", (urls(
        ("/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz",
         "/readyz/*"), ("get",)),)),
)

CLUSTER_ROLE_BINDINGS: tuple[BindingSpec, ...] = (
    BindingSpec("cluster-admin", (SYSTEM_MASTERS,)),
    BindingSpec("system:basic-user", (SYSTEM_AUTHENTICATED,)),
    BindingSpec("system:discovery", (SYSTEM_AUTHENTICATED,)),
    BindingSpec("system:monitoring", (SYSTEM_MONITORING,)),
    BindingSpec("system:public-info-viewer", (SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED)),
)


def _metadata(name: str, extra_labels: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    labels = {BOOTSTRAP_LABEL: BOOTSTRAP_LABEL_VALUE}
    labels.update(extra_labels)
    return {"name": name, "labels": labels, "annotations": {AUTOUPDATE_ANNOTATION: _TRUE}}


def _cluster_role(spec: RoleSpec) -> dict[str, Any]:
    role: dict[str, Any] = {
        "apiVersion": RBAC_API_VERSION,
        "kind": "ClusterRole",
        "metadata": _metadata(spec.name, spec.labels),
    }
    if spec.aggregates:
        role["aggregationRule"] = {"clusterRoleSelectors": [
            {"matchLabels": {label: _TRUE}} for label in spec.aggregates]}
    role["rules"] = [rule.manifest() for rule in spec.rules]
    return role


def _cluster_role_binding(spec: BindingSpec) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_API_VERSION,
        "kind": "ClusterRoleBinding",
        "metadata": _metadata(spec.name),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": spec.name},
        "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": group}
                     for group in spec.groups],
    }


def default_cluster_roles() -> list[dict[str, Any]]:
    return [_cluster_role(spec) for spec in CLUSTER_ROLES]


def default_cluster_role_bindings() -> list[dict[str, Any]]:
    return [_cluster_role_binding(spec) for spec in CLUSTER_ROLE_BINDINGS]


def default_objects() -> list[dict[str, Any]]:
    """Fresh manifests of every default ClusterRole, then every default ClusterRoleBinding."""
    return default_cluster_roles() + default_cluster_role_bindings()
