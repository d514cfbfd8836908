"""Rule building blocks and the rule lists that feed the aggregated ``admin``/``edit``/``view`` roles.

kube-apiserver's RBAC bootstrap policy does not give ``admin``, ``edit`` and ``view`` any rules of
their own: it creates ``system:aggregate-to-admin``, ``system:aggregate-to-edit`` and
``system:aggregate-to-view`` carrying the aggregation labels, and the clusterrole aggregation
controller folds them (and anything else so labelled) into the three user-facing roles. The tables
below hold the facts of the v1.30 bootstrap policy for those three feeder roles, across all API
groups, whether or not the mock serves a group. Within each rule the lists are in the sorted order a
real apiserver returns them in, and the rules are in the real order.

``Rule`` is a frozen value; ``Rule.manifest()`` builds a fresh k8s-shaped dict every call, so the
tables can never be changed through a manifest handed to a caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CORE = ""  # the legacy ("core") API group

# Verb sets as the bootstrap policy spells them, each already in sorted order.
READ: tuple[str, ...] = ("get", "list", "watch")
WRITE: tuple[str, ...] = ("create", "delete", "deletecollection", "patch", "update")
READ_WRITE: tuple[str, ...] = (
    "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Rule:
    """One PolicyRule: either a resource rule (api_groups/resources) or a non-resource-URL rule."""

    verbs: tuple[str, ...]
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()

    def manifest(self) -> dict[str, Any]:
        """The rule in the JSON shape of rbac.authorization.k8s.io/v1 PolicyRule (field order as Go)."""
        if self.non_resource_urls:
            return {"verbs": list(self.verbs), "nonResourceURLs": list(self.non_resource_urls)}
        out: dict[str, Any] = {
            "verbs": list(self.verbs),
            "apiGroups": list(self.api_groups),
            "resources": list(self.resources),
        }
        if self.resource_names:
            out["resourceNames"] = list(self.resource_names)
        return out


def on(groups: str | tuple[str, ...], resources: tuple[str, ...], verbs: tuple[str, ...],
       names: tuple[str, ...] = ()) -> Rule:
    """A resource rule; ``groups`` may be one group name or several."""
    group_tuple = (groups,) if isinstance(groups, str) else groups
    return Rule(verbs=verbs, api_groups=group_tuple, resources=resources, resource_names=names)


def urls(paths: tuple[str, ...], verbs: tuple[str, ...]) -> Rule:
    """A non-resource-URL rule."""
    return Rule(verbs=verbs, non_resource_urls=paths)


# --- system:aggregate-to-admin: what admin has beyond edit --------------------------------------

AGGREGATE_TO_ADMIN_RULES: tuple[Rule, ...] = (
    on("authorization.k8s.io", ("localsubjectaccessreviews",), ("create",)),
    on("rbac.authorization.k8s.io", ("rolebindings", "roles"), READ_WRITE),
)

# --- system:aggregate-to-edit: writes on workload objects (reads come from view) ----------------

_POD_ACCESS = ("pods/attach", "pods/exec", "pods/portforward", "pods/proxy")

AGGREGATE_TO_EDIT_RULES: tuple[Rule, ...] = (
    # reads that view deliberately leaves out: secrets and the pod/service proxy-like subresources
    on(CORE, (*_POD_ACCESS, "secrets", "services/proxy"), READ),
    on(CORE, ("serviceaccounts",), ("impersonate",)),
    on(CORE, ("pods", *_POD_ACCESS), WRITE),
    on(CORE, ("pods/eviction",), ("create",)),
    on(CORE, ("configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
              "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
              "services/proxy"), WRITE),
    on(CORE, ("serviceaccounts/token",), ("create",)),
    on("apps", ("daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"), WRITE),
    on("autoscaling", ("horizontalpodautoscalers",), WRITE),
    on("batch", ("cronjobs", "jobs"), WRITE),
    on("extensions", ("daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                      "ingresses", "networkpolicies", "replicasets", "replicasets/scale",
                      "replicationcontrollers/scale"), WRITE),
    on("policy", ("poddisruptionbudgets",), WRITE),
    on("networking.k8s.io", ("ingresses", "networkpolicies"), WRITE),
    on("coordination.k8s.io", ("leases",), READ_WRITE),
)

# --- system:aggregate-to-view: read-only access to non-escalating namespaced objects ------------

AGGREGATE_TO_VIEW_RULES: tuple[Rule, ...] = (
    on(CORE, ("configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status",
              "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
              "services", "services/status"), READ),
    on(CORE, ("bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
              "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"), READ),
    on(CORE, ("namespaces",), READ),
    on("discovery.k8s.io", ("endpointslices",), READ),
    on("apps", ("controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
                "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
                "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"),
       READ),
    on("autoscaling", ("horizontalpodautoscalers", "horizontalpodautoscalers/status"), READ),
    on("batch", ("cronjobs", "cronjobs/status", "jobs", "jobs/status"), READ),
    on("extensions", ("daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                      "deployments/status", "ingresses", "ingresses/status", "networkpolicies",
                      "replicasets", "replicasets/scale", "replicasets/status",
                      "replicationcontrollers/scale"), READ),
    on("policy", ("poddisruptionbudgets", "poddisruptionbudgets/status"), READ),
    on("networking.k8s.io", ("ingresses", "ingresses/status", "networkpolicies"), READ),
)
