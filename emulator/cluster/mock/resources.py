"""The resource types the mock apiserver serves, as a real v1.30 apiserver describes them.

One table drives discovery, OpenAPI, routing, Tables and RBAC resource names, so adding a type here
is the whole job of making it known. Anything not listed is a 404, as on a real apiserver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CRUD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
CLUSTER_CRUD_VERBS = CRUD_VERBS


@dataclass(frozen=True)
class Subresource:
    name: str  # "status", "log", "exec", ...
    kind: str  # response kind, e.g. "PodExecOptions"
    verbs: tuple[str, ...]
    group: str = ""
    version: str = "v1"


@dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    verbs: tuple[str, ...] = CRUD_VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    # Create-only "virtual" resources (reviews) are never stored.
    virtual: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def group_resource(self) -> str:
        """``pods`` or ``deployments.apps``: how kube-apiserver names a resource in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def base_path(self) -> str:
        """``/api/v1`` or ``/apis/apps/v1``."""
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


_STATUS = Subresource("status", "", ("get", "patch", "update"))


def _status(kind: str, group: str = "", version: str = "v1") -> Subresource:
    return Subresource("status", kind, ("get", "patch", "update"), group, version)


RESOURCES: tuple[ResourceType, ...] = (
    # core/v1
    ResourceType("", "v1", "Namespace", "namespaces", "namespace", False,
                 ("create", "delete", "get", "list", "patch", "update", "watch"),
                 ("ns",), (), (_status("Namespace"),)),
    ResourceType("", "v1", "Pod", "pods", "pod", True, CRUD_VERBS, ("po",), ("all",), (
        Subresource("attach", "PodAttachOptions", ("create", "get")),
        # Listed, as kube lists it, but not served: `kubectl debug` gets a 400 that says so.
        Subresource("ephemeralcontainers", "Pod", ("get", "patch", "update")),
        Subresource("exec", "PodExecOptions", ("create", "get")),
        Subresource("log", "Pod", ("get",)),
        Subresource("portforward", "PodPortForwardOptions", ("create", "get")),
        _status("Pod"),
    )),
    ResourceType("", "v1", "Service", "services", "service", True,
                 ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
                 ("svc",), ("all",), (_status("Service"),)),
    ResourceType("", "v1", "ConfigMap", "configmaps", "configmap", True, CRUD_VERBS, ("cm",)),
    ResourceType("", "v1", "Secret", "secrets", "secret", True, CRUD_VERBS),
    ResourceType("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, CRUD_VERBS,
                 ("sa",), (), (Subresource("token", "TokenRequest", ("create",),
                                           "authentication.k8s.io", "v1"),)),
    ResourceType("", "v1", "Event", "events", "event", True, CRUD_VERBS, ("ev",)),
    ResourceType("", "v1", "Node", "nodes", "node", False, CRUD_VERBS, ("no",), (),
                 (_status("Node"),)),
    # apps/v1
    ResourceType("apps", "v1", "Deployment", "deployments", "deployment", True, CRUD_VERBS,
                 ("deploy",), ("all",), (
                     Subresource("scale", "Scale", ("get", "patch", "update"), "autoscaling", "v1"),
                     _status("Deployment", "apps"),
                 )),
    # rbac.authorization.k8s.io/v1
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
                 "clusterrolebinding", False),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole",
                 False),
    ResourceType("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding",
                 True),
    ResourceType("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", True),
    # authentication.k8s.io: SelfSubjectReview is GA (v1) since 1.28; kubectl 1.27 asks v1beta1.
    ResourceType("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews",
                 "selfsubjectreview", False, ("create",), virtual=True),
    ResourceType("authentication.k8s.io", "v1beta1", "SelfSubjectReview", "selfsubjectreviews",
                 "selfsubjectreview", False, ("create",), virtual=True),
    # authorization.k8s.io/v1
    ResourceType("authorization.k8s.io", "v1", "SelfSubjectAccessReview",
                 "selfsubjectaccessreviews", "selfsubjectaccessreview", False, ("create",),
                 virtual=True),
    ResourceType("authorization.k8s.io", "v1", "SelfSubjectRulesReview",
                 "selfsubjectrulesreviews", "selfsubjectrulesreview", False, ("create",),
                 virtual=True),
)

# Preferred version per group, in the order a real apiserver lists groups in /apis.
GROUP_ORDER: tuple[str, ...] = (
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "rbac.authorization.k8s.io",
)
PREFERRED_VERSION: dict[str, str] = {
    "": "v1",
    "apps": "v1",
    "authentication.k8s.io": "v1",
    "authorization.k8s.io": "v1",
    "rbac.authorization.k8s.io": "v1",
}


@dataclass(frozen=True)
class Registry:
    """Lookup over RESOURCES by the keys that requests use."""

    resources: tuple[ResourceType, ...] = RESOURCES
    _by_path: dict[tuple[str, str, str], ResourceType] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for r in self.resources:
            self._by_path[(r.group, r.version, r.plural)] = r

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_path.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return next((r for r in self.resources if r.api_version == api_version and r.kind == kind),
                    None)

    def group_versions(self, group: str) -> list[str]:
        """Versions served for a group, preferred first."""
        versions = sorted({r.version for r in self.resources if r.group == group},
                          key=lambda v: (v != PREFERRED_VERSION.get(group), v))
        return versions

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [r for r in self.resources if r.group == group and r.version == version]

    def groups(self) -> list[str]:
        """Named groups (not the core group), in discovery order."""
        return [g for g in GROUP_ORDER if any(r.group == g for r in self.resources)]


REGISTRY = Registry()
