"""Kubernetes RBAC, evaluated the way kube-apiserver's RBAC authorizer does it.

A request is allowed when some ClusterRoleBinding, or some RoleBinding in the request's namespace,
names the user (or one of its groups, or its service account) and points at a role with a rule that
covers the verb, API group, resource (with subresource), name or non-resource URL. Nothing is ever
denied explicitly: no matching rule means no. ClusterRoles with an ``aggregationRule`` get the
rules of every ClusterRole their selectors match, kept up to date like kube's aggregation
controller does, so ``kubectl get clusterrole view -o yaml`` shows them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import selectors
from emulator.cluster.mock.auth.authorizer import Attributes, Decision
from emulator.cluster.mock.auth.identity import UserInfo
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.records import Record, thaw
from emulator.cluster.mock.registry.store import ObjectStore, WatchEvent

GROUP = "rbac.authorization.k8s.io"
CLUSTER_ROLES = (GROUP, "clusterroles")
CLUSTER_ROLE_BINDINGS = (GROUP, "clusterrolebindings")
ROLES = (GROUP, "roles")
ROLE_BINDINGS = (GROUP, "rolebindings")
# Decoded bindings and roles an authorizer keeps before it starts again (a cluster holds a few
# hundred; the rest are versions that were replaced).
DECODED_KEPT = 4096


@dataclass(frozen=True)
class Match:
    """Which binding, role and rule allowed a request."""

    binding_kind: str
    binding_name: str
    binding_namespace: str
    role_kind: str
    role_name: str
    subject: str  # 'User "x"', 'Group "y"', 'ServiceAccount "z/ns"'
    rule: dict[str, Any]

    def reason(self) -> str:
        binding = (f"{self.binding_name}/{self.binding_namespace}" if self.binding_namespace
                   else self.binding_name)
        # kube-apiserver's own wording for an RBAC allow.
        return messages.RBAC_ALLOWED_BY.format(binding_kind=self.binding_kind, binding=binding,
                                               role_kind=self.role_kind, role=self.role_name,
                                               subject=self.subject)


class RbacAuthorizer:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        # The bindings and roles decoded, by the record they were decoded from (a record never
        # changes: a new version of an object is a new record), as kube's authorizer reads them
        # from its informers' caches. Decoding every binding again on every request was most of
        # what authorizing one cost, three to five times a request through the gateway (the
        # agent's impersonation of the user and of each group, then the user's own request).
        self._decoded: dict[int, tuple[Record, dict[str, Any]]] = {}

    def authorize(self, user: UserInfo, attributes: Attributes) -> Decision:
        match = next(self._matches(user, attributes), None)
        if match is not None:
            return Decision(True, match.reason())
        return Decision(False, _denial(user, attributes))

    def rules_for(self, user: UserInfo, namespace: str) -> list[dict[str, Any]]:
        """Every rule that applies to ``user`` in ``namespace`` (SelfSubjectRulesReview)."""
        rules: list[dict[str, Any]] = []
        for _, _, _, rule_list in self._applicable(user, namespace):
            rules.extend(clone(rule_list))  # the caller's: the decoded roles are shared
        return rules

    # -- evaluation ------------------------------------------------------------------------------

    def _matches(self, user: UserInfo, attributes: Attributes) -> Iterator[Match]:
        for binding, role_kind, subject, rules in self._applicable(user, attributes.namespace):
            for rule in rules:
                if rule_allows(rule, attributes):
                    meta = binding["metadata"]
                    yield Match(binding["kind"], meta["name"], meta.get("namespace", ""),
                                role_kind, binding["roleRef"]["name"], subject, rule)

    def _applicable(self, user: UserInfo, namespace: str
                    ) -> Iterator[tuple[dict[str, Any], str, str, list[dict[str, Any]]]]:
        """(binding, role kind, matched subject, role rules) for each binding naming the user."""
        bindings = self._objects(CLUSTER_ROLE_BINDINGS, None)
        if namespace:
            bindings += self._objects(ROLE_BINDINGS, namespace)
        for binding in bindings:
            binding_ns = binding["metadata"].get("namespace", "")
            subject = next((described for s in binding.get("subjects") or []
                            if (described := _subject_matches(s, user, binding_ns))), None)
            if subject is None:
                continue
            role_ref = binding.get("roleRef") or {}
            rules = self._role_rules(role_ref, binding_ns)
            if rules is not None:
                yield binding, role_ref.get("kind", ""), subject, rules

    def _role_rules(self, role_ref: dict[str, Any], namespace: str) -> list[dict[str, Any]] | None:
        """The rules of the role a binding names (shared: read them, never change them)."""
        if role_ref.get("kind") == "ClusterRole":
            record = self.store.record(CLUSTER_ROLES, "", role_ref.get("name", ""))
        elif role_ref.get("kind") == "Role" and namespace:
            record = self.store.record(ROLES, namespace, role_ref.get("name", ""))
        else:
            return None
        return None if record is None else self._decode(record).get("rules") or []

    def _objects(self, resource: tuple[str, str], namespace: str | None) -> list[dict[str, Any]]:
        """The resource's objects in key order, decoded once (shared: never change them)."""
        return [self._decode(record)
                for record in self.store.scan(resource, namespace).records]

    def _decode(self, record: Record) -> dict[str, Any]:
        found = self._decoded.get(id(record))
        if found is not None and found[0] is record:  # the record itself, not a reused id
            return found[1]
        if len(self._decoded) >= DECODED_KEPT:  # versions replaced since: start again
            self._decoded.clear()
        obj = thaw(record)
        self._decoded[id(record)] = (record, obj)
        return obj


def _subject_matches(subject: dict[str, Any], user: UserInfo, binding_namespace: str) -> str | None:
    kind, name = subject.get("kind"), subject.get("name", "")
    if kind == "User" and name == user.name:
        return f'User "{name}"'
    if kind == "Group" and name in user.groups:
        return f'Group "{name}"'
    if kind == "ServiceAccount":
        # A RoleBinding's service-account subject may leave its namespace to the binding's.
        namespace = subject.get("namespace") or binding_namespace
        if user.name == f"system:serviceaccount:{namespace}:{name}":
            return f'ServiceAccount "{name}/{namespace}"'  # kube's order: name, then namespace
    return None


def rule_allows(rule: dict[str, Any], attributes: Attributes) -> bool:
    if not _has(rule.get("verbs"), attributes.verb):
        return False
    if not attributes.resource_request:
        return _url_matches(rule.get("nonResourceURLs") or [], attributes.path)
    if rule.get("nonResourceURLs") and not rule.get("resources"):
        return False
    if not _has(rule.get("apiGroups"), attributes.api_group):
        return False
    combined = (f"{attributes.resource}/{attributes.subresource}" if attributes.subresource
                else attributes.resource)
    if not _resource_matches(rule.get("resources") or [], combined, attributes.subresource):
        return False
    names = rule.get("resourceNames") or []
    return not names or attributes.name in names


def _has(values: list[str] | None, wanted: str) -> bool:
    return bool(values) and ("*" in values or wanted in values)  # type: ignore[operator]


def _resource_matches(resources: list[str], combined: str, subresource: str) -> bool:
    for resource in resources:
        if resource in ("*", combined):
            return True
        # "*/scale" covers the scale subresource of every resource.
        if subresource and resource == f"*/{subresource}":
            return True
    return False


def _url_matches(urls: list[str], path: str) -> bool:
    for url in urls:
        if url in ("*", path):
            return True
        if url.endswith("*") and path.startswith(url.rstrip("*")):
            return True
    return False


def _denial(user: UserInfo, attributes: Attributes) -> str:
    groups = ", ".join(user.groups) or messages.RBAC_NO_GROUPS
    if not attributes.resource_request:
        return messages.RBAC_NO_RULE_PATH.format(user=user.name, groups=groups,
                                                 verb=attributes.verb, path=attributes.path)
    resource = (f"{attributes.resource}/{attributes.subresource}" if attributes.subresource
                else attributes.resource)
    where = (messages.K8S_SCOPE_NAMESPACE.format(namespace=attributes.namespace)
             if attributes.namespace else messages.K8S_SCOPE_CLUSTER)
    named = f' named "{attributes.name}"' if attributes.name else ""
    return messages.RBAC_NO_RULE.format(user=user.name, groups=groups, verb=attributes.verb,
                                        resource=resource, group=attributes.api_group,
                                        named=named, where=where)


# -- aggregation ------------------------------------------------------------------------------

# Aggregated roles feeding aggregated roles nest a few levels at most (view -> edit -> admin).
AGGREGATION_PASSES = 8


def aggregate(store: ObjectStore, event: WatchEvent) -> None:
    """Store listener: after a ClusterRole change, refresh the aggregated ClusterRoles it feeds."""
    if event.resource != CLUSTER_ROLES:
        return
    changed = [event.object] + ([event.previous] if event.previous else [])
    aggregated = [role for role in _aggregating_roles(store)
                  if role["metadata"]["name"] == event.object["metadata"]["name"]
                  or any(_selected(role, other) for other in changed)]
    if not aggregated:
        return  # the common case (seeding, unrelated roles): no full listing needed
    roles, _ = store.list(CLUSTER_ROLES, None)
    for role in aggregated:
        current = store.get(CLUSTER_ROLES, "", role["metadata"]["name"])
        if current is None:
            continue
        wanted = _aggregated_rules(current["aggregationRule"], roles, role["metadata"]["name"])
        if wanted != (current.get("rules") or []):
            current["rules"] = wanted
            store.put(CLUSTER_ROLES, current, event="MODIFIED")


def aggregate_all(store: ObjectStore) -> None:
    """Bring every aggregated ClusterRole up to date at once: after the boot objects, which are
    seeded without the listener (each of their roles would otherwise list all the others). Roles
    feed roles (``edit`` into ``admin``), so passes repeat until one changes nothing."""
    for _ in range(AGGREGATION_PASSES):
        roles, _ = store.list(CLUSTER_ROLES, None)
        changed = False
        for role in roles:
            if not role.get("aggregationRule"):
                continue
            wanted = _aggregated_rules(role["aggregationRule"], roles, role["metadata"]["name"])
            if wanted != (role.get("rules") or []):
                role["rules"] = wanted
                store.put(CLUSTER_ROLES, role, event="MODIFIED")
                changed = True
        if not changed:
            return


def _aggregating_roles(store: ObjectStore) -> list[dict[str, Any]]:
    return store.select(CLUSTER_ROLES, lambda role: bool(role.get("aggregationRule")))


def _selected(aggregating: dict[str, Any], other: dict[str, Any]) -> bool:
    labels = other.get("metadata", {}).get("labels") or {}
    return any(selectors.label_selector_from_match(selector).matches(labels)
               for selector in aggregating["aggregationRule"].get("clusterRoleSelectors") or [])


def _aggregated_rules(rule: dict[str, Any], roles: list[dict[str, Any]],
                      own_name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for selector in rule.get("clusterRoleSelectors") or []:
        wanted = selectors.label_selector_from_match(selector)
        for other in roles:
            if other["metadata"]["name"] == own_name:
                continue
            if wanted.matches(other["metadata"].get("labels") or {}):
                for item in other.get("rules") or []:
                    if item not in found:
                        found.append(item)
    return found
