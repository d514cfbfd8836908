"""The mock apiserver's RBAC evaluator, held to kube-apiserver's authorization rules.

Rule matching follows k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches,
APIGroupMatches, ResourceMatches, ResourceNameMatches, NonResourceURLMatches) and
plugin/pkg/auth/authorizer/rbac (RuleAllows, appliesToUser, the binding describers that word the
allow reason). Aggregation follows the clusterrole-aggregation controller.
"""

from __future__ import annotations

from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.auth.authorizer import Attributes, Decision
from emulator.cluster.mock.auth.identity import UserInfo
from emulator.cluster.mock.auth.rbac import (
    CLUSTER_ROLE_BINDINGS,
    CLUSTER_ROLES,
    GROUP,
    ROLE_BINDINGS,
    ROLES,
    RbacAuthorizer,
    aggregate,
    rule_allows,
)
from emulator.cluster.mock.auth.rbac_defaults import (
    AGGREGATE_TO_EDIT,
    AGGREGATE_TO_VIEW,
    default_objects,
)
from emulator.cluster.mock.registry.store import ObjectStore

Manifest = dict[str, Any]

AUTHENTICATED = "system:authenticated"
ALICE = UserInfo("alice@example.com", (AUTHENTICATED,))
BOB = UserInfo("bob@example.com", (AUTHENTICATED,))
NOBODY = UserInfo("nobody@example.com")
WIDGET_RULE: Manifest = {"verbs": ["get", "list"], "apiGroups": ["example.com"],
                         "resources": ["widgets"]}


# -- builders ---------------------------------------------------------------------------------


def rule(verbs: list[str], groups: list[str], resources: list[str],
         names: list[str] | None = None) -> Manifest:
    out: Manifest = {"verbs": verbs, "apiGroups": groups, "resources": resources}
    if names is not None:
        out["resourceNames"] = names
    return out


def url_rule(verbs: list[str], urls: list[str]) -> Manifest:
    return {"verbs": verbs, "nonResourceURLs": urls}


def cluster_role(name: str, *rules: Manifest, labels: dict[str, str] | None = None) -> Manifest:
    meta: Manifest = {"name": name}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRole", "metadata": meta,
            "rules": list(rules)}


def role(name: str, namespace: str, *rules: Manifest) -> Manifest:
    return {"apiVersion": f"{GROUP}/v1", "kind": "Role",
            "metadata": {"name": name, "namespace": namespace}, "rules": list(rules)}


def user(name: str) -> Manifest:
    return {"apiGroup": GROUP, "kind": "User", "name": name}


def group(name: str) -> Manifest:
    return {"apiGroup": GROUP, "kind": "Group", "name": name}


def service_account(name: str, namespace: str | None = None) -> Manifest:
    subject: Manifest = {"kind": "ServiceAccount", "name": name}
    if namespace is not None:
        subject["namespace"] = namespace
    return subject


def cluster_role_binding(name: str, role_name: str, *subjects: Manifest) -> Manifest:
    return {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
            "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role_name},
            "subjects": list(subjects)}


def role_binding(name: str, namespace: str, role_kind: str, role_name: str,
                 *subjects: Manifest) -> Manifest:
    return {"apiVersion": f"{GROUP}/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace},
            "roleRef": {"apiGroup": GROUP, "kind": role_kind, "name": role_name},
            "subjects": list(subjects)}


_PLURALS = {"ClusterRole": CLUSTER_ROLES, "ClusterRoleBinding": CLUSTER_ROLE_BINDINGS,
            "Role": ROLES, "RoleBinding": ROLE_BINDINGS}


def put(store: ObjectStore, obj: Manifest, event: str = "ADDED") -> None:
    store.put(_PLURALS[obj["kind"]], obj, event=event)


def store_with(*objects: Manifest) -> ObjectStore:
    store = ObjectStore()
    for obj in objects:
        put(store, obj)
    return store


def bootstrapped_store(*objects: Manifest) -> ObjectStore:
    """A store wired like the mock apiserver's: aggregation listener first, then the defaults."""
    store = ObjectStore()
    store.add_listener(lambda event: aggregate(store, event))
    for obj in default_objects():
        put(store, obj)
    for obj in objects:
        put(store, obj)
    return store


def allowed(store: ObjectStore, who: UserInfo, attributes: Attributes) -> bool:
    return RbacAuthorizer(store).authorize(who, attributes).allowed


def get(resource: str, namespace: str = "", name: str = "", api_group: str = "",
        subresource: str = "", verb: str = "get") -> Attributes:
    return Attributes(verb=verb, resource=resource, subresource=subresource, name=name,
                      namespace=namespace, api_group=api_group)


def url(path: str, verb: str = "get") -> Attributes:
    return Attributes(verb=verb, path=path, resource_request=False)


def rules_of(store: ObjectStore, name: str) -> list[Manifest]:
    found = store.get(CLUSTER_ROLES, "", name)
    assert found is not None, name
    return list(found.get("rules") or [])


# -- one authorizer over a changing store -------------------------------------------------------


def test_one_authorizer_decodes_each_binding_and_role_once_and_sees_every_change(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The authorizer keeps what it decoded by stored version (as kube's reads its informers'
    caches): asking again decodes nothing, and a changed, removed or restored object is seen
    at once."""
    from emulator.cluster.mock.auth import rbac

    store = store_with(cluster_role("reader", POD_READER),
                       role_binding("read", "team", "ClusterRole", "reader", user(ALICE.name)))
    authorizer = RbacAuthorizer(store)
    decoded: list[str] = []
    thaw = rbac.thaw
    monkeypatch.setattr(rbac, "thaw", lambda record: decoded.append("x") or thaw(record))
    pods = get("pods", namespace="team")

    assert authorizer.authorize(ALICE, pods).allowed
    first = len(decoded)
    assert first == 2  # the binding and its role
    assert authorizer.authorize(ALICE, pods).allowed
    assert len(decoded) == first  # nothing decoded again
    before = store.snapshot()

    put(store, cluster_role("reader", rule(["get"], [""], ["configmaps"])), "MODIFIED")
    assert not authorizer.authorize(ALICE, pods).allowed
    assert authorizer.authorize(ALICE, get("configmaps", namespace="team")).allowed
    put(store, cluster_role("reader", POD_READER), "MODIFIED")
    assert authorizer.authorize(ALICE, pods).allowed
    store.remove(ROLE_BINDINGS, "team", "read")
    assert not authorizer.authorize(ALICE, pods).allowed
    store.restore(before)
    assert authorizer.authorize(ALICE, pods).allowed
    # What the rules review hands out is the caller's to change.
    authorizer.rules_for(ALICE, "team")[0]["verbs"].append("delete")
    assert not authorizer.authorize(ALICE, get("pods", namespace="team", verb="delete")).allowed


# -- rule matching ----------------------------------------------------------------------------

POD_READER = rule(["get", "list"], [""], ["pods"])


def test_rule_allows_a_listed_verb() -> None:
    assert rule_allows(POD_READER, get("pods", "team", "web"))


def test_rule_refuses_a_verb_it_does_not_list() -> None:
    assert not rule_allows(POD_READER, get("pods", "team", "web", verb="delete"))


def test_star_verb_covers_every_verb() -> None:
    anything = rule(["*"], [""], ["pods"])
    assert all(rule_allows(anything, get("pods", "team", verb=verb))
               for verb in ("deletecollection", "watch", "impersonate", "escalate"))


def test_rule_without_verbs_allows_nothing() -> None:
    assert not rule_allows(rule([], [""], ["pods"]), get("pods", "team"))


def test_core_group_is_the_empty_string_and_only_that() -> None:
    assert rule_allows(POD_READER, get("pods", "team", api_group=""))
    assert not rule_allows(POD_READER, get("pods", "team", api_group="apps"))


def test_named_api_group_does_not_cover_the_core_group() -> None:
    apps = rule(["get"], ["apps"], ["deployments"])
    assert rule_allows(apps, get("deployments", "team", api_group="apps"))
    assert not rule_allows(apps, get("deployments", "team", api_group=""))
    assert not rule_allows(apps, get("deployments", "team", api_group="extensions"))


def test_star_api_group_covers_named_groups_and_the_core_group() -> None:
    any_group = rule(["get"], ["*"], ["deployments"])
    assert rule_allows(any_group, get("deployments", api_group="apps"))
    assert rule_allows(any_group, get("deployments", api_group="extensions"))
    assert rule_allows(any_group, get("deployments", api_group=""))


def test_star_resource_covers_resources_and_their_subresources() -> None:
    everything = rule(["get", "create"], [""], ["*"])
    assert rule_allows(everything, get("secrets", "team"))
    assert rule_allows(everything, get("pods", "team", "web", subresource="exec", verb="create"))


def test_resource_rule_does_not_cover_its_subresources() -> None:
    assert not rule_allows(rule(["create", "get"], [""], ["pods"]),
                           get("pods", "team", "web", subresource="exec", verb="create"))


def test_subresource_rule_matches_exactly_that_subresource() -> None:
    logs = rule(["get"], [""], ["pods/log"])
    assert rule_allows(logs, get("pods", "team", "web", subresource="log"))
    assert not rule_allows(logs, get("pods", "team", "web"))
    assert not rule_allows(logs, get("pods", "team", "web", subresource="exec"))
    assert not rule_allows(logs, get("services", "team", "web", subresource="log"))


def test_star_slash_subresource_covers_that_subresource_of_any_resource() -> None:
    scale = rule(["get", "update"], ["*"], ["*/scale"])
    assert rule_allows(scale, get("deployments", "team", "web", "apps", "scale"))
    assert rule_allows(scale, get("statefulsets", "team", "db", "apps", "scale", verb="update"))
    assert not rule_allows(scale, get("deployments", "team", "web", "apps"))
    assert not rule_allows(scale, get("deployments", "team", "web", "apps", "status"))


def test_resource_slash_star_is_not_a_wildcard() -> None:
    # kube only understands "*" and "*/sub"; "pods/*" is a literal that no request names.
    assert not rule_allows(rule(["get"], [""], ["pods/*"]),
                           get("pods", "team", "web", subresource="log"))


def test_resource_names_match_only_the_named_object() -> None:
    only_web = rule(["get", "update"], [""], ["configmaps"], names=["web"])
    assert rule_allows(only_web, get("configmaps", "team", "web"))
    assert not rule_allows(only_web, get("configmaps", "team", "db"))


@pytest.mark.parametrize("verb", ["list", "create", "watch", "deletecollection"])
def test_resource_names_never_match_a_request_without_a_name(verb: str) -> None:
    only_web = rule(["*"], [""], ["configmaps"], names=["web"])
    assert not rule_allows(only_web, get("configmaps", "team", verb=verb))


def test_non_resource_url_matches_exactly() -> None:
    version = url_rule(["get"], ["/version"])
    assert rule_allows(version, url("/version"))
    assert not rule_allows(version, url("/version/"))
    assert not rule_allows(version, url("/versions"))
    assert not rule_allows(version, url("/version", verb="post"))


def test_non_resource_star_matches_every_path() -> None:
    every = url_rule(["get"], ["*"])
    assert rule_allows(every, url("/metrics"))
    assert rule_allows(every, url("/"))


@pytest.mark.parametrize("path", ["/apis/", "/apis/apps", "/apis/apps/v1"])
def test_non_resource_trailing_star_matches_by_prefix(path: str) -> None:
    assert rule_allows(url_rule(["get"], ["/apis/*"]), url(path))


@pytest.mark.parametrize("path", ["/apis", "/api", "/apisx"])
def test_non_resource_trailing_star_needs_the_whole_prefix(path: str) -> None:
    # "/apis/*" trims to the prefix "/apis/": "/apis" itself lacks the slash.
    assert not rule_allows(url_rule(["get"], ["/apis/*"]), url(path))


def test_non_resource_url_trims_every_trailing_star() -> None:
    assert rule_allows(url_rule(["get"], ["/apis/**"]), url("/apis/apps"))


def test_non_resource_rule_never_matches_a_resource_request() -> None:
    assert not rule_allows(url_rule(["*"], ["*"]), get("pods", "team"))


def test_resource_rule_never_matches_a_non_resource_request() -> None:
    assert not rule_allows(rule(["*"], ["*"], ["*"]), url("/version"))


# -- subjects -----------------------------------------------------------------------------------

READ_PODS = cluster_role("pod-reader", POD_READER)


def test_user_subject_matches_only_that_user() -> None:
    store = store_with(READ_PODS, cluster_role_binding("b", "pod-reader", user(ALICE.name)))
    assert allowed(store, ALICE, get("pods", "team"))
    assert not allowed(store, BOB, get("pods", "team"))


def test_group_subject_matches_members_of_the_group() -> None:
    store = store_with(READ_PODS, cluster_role_binding("b", "pod-reader", group("sre")))
    assert allowed(store, UserInfo("carol", ("sre", AUTHENTICATED)), get("pods", "team"))
    assert not allowed(store, ALICE, get("pods", "team"))


def test_group_subject_does_not_match_a_user_of_that_name() -> None:
    store = store_with(READ_PODS, cluster_role_binding("b", "pod-reader", group("sre")))
    assert not allowed(store, UserInfo("sre"), get("pods", "team"))


def test_system_authenticated_group_covers_every_authenticated_user() -> None:
    store = store_with(READ_PODS, cluster_role_binding("b", "pod-reader", group(AUTHENTICATED)))
    assert allowed(store, ALICE, get("pods", "team"))
    assert allowed(store, BOB, get("pods", "team"))
    assert not allowed(store, NOBODY, get("pods", "team"))


def test_service_account_subject_uses_its_own_namespace() -> None:
    store = store_with(READ_PODS, cluster_role_binding(
        "b", "pod-reader", service_account("builder", "ci")))
    assert allowed(store, UserInfo("system:serviceaccount:ci:builder"), get("pods", "team"))
    assert not allowed(store, UserInfo("system:serviceaccount:team:builder"), get("pods", "team"))


def test_role_binding_service_account_without_namespace_means_the_bindings() -> None:
    store = store_with(READ_PODS, role_binding("b", "team", "ClusterRole", "pod-reader",
                                               service_account("builder")))
    assert allowed(store, UserInfo("system:serviceaccount:team:builder"), get("pods", "team"))
    assert not allowed(store, UserInfo("system:serviceaccount:ci:builder"), get("pods", "ci"))


def test_cluster_role_binding_service_account_without_namespace_matches_nobody() -> None:
    store = store_with(READ_PODS, cluster_role_binding("b", "pod-reader",
                                                       service_account("builder")))
    for namespace in ("default", "team"):
        who = UserInfo(f"system:serviceaccount:{namespace}:builder")
        assert not allowed(store, who, get("pods", namespace))


# -- binding scope ------------------------------------------------------------------------------


def test_role_binding_applies_only_in_its_namespace() -> None:
    store = store_with(role("reader", "team", POD_READER),
                       role_binding("b", "team", "Role", "reader", user(ALICE.name)))
    assert allowed(store, ALICE, get("pods", "team"))
    assert not allowed(store, ALICE, get("pods", "other"))
    assert not allowed(store, ALICE, get("pods"))


def test_role_binding_to_a_cluster_role_applies_only_in_the_bindings_namespace() -> None:
    store = store_with(READ_PODS, role_binding("b", "team", "ClusterRole", "pod-reader",
                                               user(ALICE.name)))
    assert allowed(store, ALICE, get("pods", "team"))
    assert not allowed(store, ALICE, get("pods", "other"))
    assert not allowed(store, ALICE, get("pods"))


def test_cluster_role_binding_applies_in_every_namespace_and_cluster_wide() -> None:
    store = store_with(READ_PODS, cluster_role_binding("b", "pod-reader", user(ALICE.name)))
    assert allowed(store, ALICE, get("pods", "team"))
    assert allowed(store, ALICE, get("pods", "other"))
    assert allowed(store, ALICE, get("pods"))


def test_role_binding_finds_its_role_only_in_its_own_namespace() -> None:
    store = store_with(role("reader", "other", POD_READER),
                       role_binding("b", "team", "Role", "reader", user(ALICE.name)))
    assert not allowed(store, ALICE, get("pods", "team"))
    assert not allowed(store, ALICE, get("pods", "other"))


def test_cluster_role_binding_to_a_missing_cluster_role_grants_nothing() -> None:
    store = store_with(cluster_role_binding("b", "no-such-role", user(ALICE.name)))
    assert not allowed(store, ALICE, get("pods", "team"))


def test_role_binding_to_a_missing_role_grants_nothing() -> None:
    store = store_with(role_binding("b", "team", "Role", "no-such-role", user(ALICE.name)))
    assert not allowed(store, ALICE, get("pods", "team"))


def test_binding_starts_granting_once_its_missing_role_is_created() -> None:
    store = store_with(cluster_role_binding("b", "pod-reader", user(ALICE.name)))
    put(store, READ_PODS)
    assert allowed(store, ALICE, get("pods", "team"))


# -- reasons ------------------------------------------------------------------------------------


def test_allow_reason_names_cluster_role_binding_role_and_user() -> None:
    store = store_with(READ_PODS, cluster_role_binding("readers", "pod-reader", user(ALICE.name)))
    assert RbacAuthorizer(store).authorize(ALICE, get("pods", "team")) == Decision(
        True, 'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "pod-reader" to User '
              '"alice@example.com"')


def test_allow_reason_names_role_binding_as_name_slash_namespace() -> None:
    store = store_with(role("reader", "team", POD_READER),
                       role_binding("readers", "team", "Role", "reader", group("sre")))
    decision = RbacAuthorizer(store).authorize(UserInfo("carol", ("sre",)), get("pods", "team"))
    assert decision.reason == ('RBAC: allowed by RoleBinding "readers/team" of Role "reader" to '
                               'Group "sre"')


def test_allow_reason_matches_the_message_constant() -> None:
    store = store_with(READ_PODS, role_binding("readers", "team", "ClusterRole", "pod-reader",
                                               user(ALICE.name)))
    assert RbacAuthorizer(store).authorize(ALICE, get("pods", "team")).reason == (
        messages.RBAC_ALLOWED_BY.format(binding_kind="RoleBinding", binding="readers/team",
                                        role_kind="ClusterRole", role="pod-reader",
                                        subject='User "alice@example.com"'))


def test_allow_reason_describes_service_account_as_name_slash_namespace() -> None:
    store = store_with(READ_PODS, role_binding("builders", "team", "ClusterRole", "pod-reader",
                                               service_account("builder")))
    decision = RbacAuthorizer(store).authorize(UserInfo("system:serviceaccount:team:builder"),
                                               get("pods", "team"))
    assert decision.reason == ('RBAC: allowed by RoleBinding "builders/team" of ClusterRole '
                               '"pod-reader" to ServiceAccount "builder/team"')


def test_denial_names_user_groups_verb_resource_group_name_and_namespace() -> None:
    decision = RbacAuthorizer(store_with()).authorize(
        UserInfo("alice@example.com", ("sre", AUTHENTICATED)),
        get("deployments", "team", "web", "apps", "scale", verb="update"))
    assert decision == Decision(False, messages.RBAC_NO_RULE.format(
        user="alice@example.com", groups="sre, system:authenticated", verb="update",
        resource="deployments/scale", group="apps", named=' named "web"',
        where=messages.K8S_SCOPE_NAMESPACE.format(namespace="team")))


def test_denial_at_cluster_scope_without_a_name_or_groups() -> None:
    decision = RbacAuthorizer(store_with()).authorize(NOBODY, get("nodes", verb="list"))
    assert decision.reason == messages.RBAC_NO_RULE.format(
        user="nobody@example.com", groups=messages.RBAC_NO_GROUPS, verb="list", resource="nodes",
        group="", named="", where=messages.K8S_SCOPE_CLUSTER)


def test_denial_of_a_non_resource_url_names_the_path() -> None:
    decision = RbacAuthorizer(store_with()).authorize(ALICE, url("/metrics"))
    assert decision == Decision(False, messages.RBAC_NO_RULE_PATH.format(
        user="alice@example.com", groups=AUTHENTICATED, verb="get", path="/metrics"))


# -- rules_for ----------------------------------------------------------------------------------

TEAM_RULE = rule(["create"], ["apps"], ["deployments"])


def _rules_store() -> ObjectStore:
    return store_with(
        READ_PODS, cluster_role_binding("b", "pod-reader", group(AUTHENTICATED)),
        role("deployer", "team", TEAM_RULE),
        role_binding("d", "team", "Role", "deployer", user(ALICE.name)),
        role_binding("other", "team", "Role", "deployer", user(BOB.name)))


def test_rules_for_lists_cluster_and_namespace_rules_in_that_namespace() -> None:
    assert RbacAuthorizer(_rules_store()).rules_for(ALICE, "team") == [POD_READER, TEAM_RULE]


def test_rules_for_another_namespace_leaves_out_the_role_bindings() -> None:
    assert RbacAuthorizer(_rules_store()).rules_for(ALICE, "other") == [POD_READER]


def test_rules_for_cluster_scope_lists_only_cluster_role_bindings() -> None:
    assert RbacAuthorizer(_rules_store()).rules_for(ALICE, "") == [POD_READER]


def test_rules_for_a_user_without_bindings_is_empty() -> None:
    assert RbacAuthorizer(_rules_store()).rules_for(NOBODY, "team") == []


# -- aggregation --------------------------------------------------------------------------------


def test_aggregated_roles_start_with_their_feeders_rules() -> None:
    store = bootstrapped_store()
    view, edit, admin = (rules_of(store, n) for n in ("view", "edit", "admin"))
    assert view and all(r in edit for r in view) and all(r in admin for r in edit)


def test_role_labelled_aggregate_to_view_feeds_view_edit_and_admin() -> None:
    store = bootstrapped_store()
    put(store, cluster_role("widget-viewer", WIDGET_RULE, labels={AGGREGATE_TO_VIEW: "true"}))
    for name in ("view", "edit", "admin"):
        assert WIDGET_RULE in rules_of(store, name), name


def test_role_labelled_aggregate_to_edit_skips_view() -> None:
    store = bootstrapped_store()
    put(store, cluster_role("widget-editor", WIDGET_RULE, labels={AGGREGATE_TO_EDIT: "true"}))
    assert WIDGET_RULE not in rules_of(store, "view")
    assert WIDGET_RULE in rules_of(store, "edit")
    assert WIDGET_RULE in rules_of(store, "admin")


def test_label_value_other_than_true_does_not_aggregate() -> None:
    store = bootstrapped_store()
    put(store, cluster_role("widget-viewer", WIDGET_RULE, labels={AGGREGATE_TO_VIEW: "false"}))
    assert WIDGET_RULE not in rules_of(store, "view")


def test_aggregated_rule_is_granted_to_a_user_bound_to_view() -> None:
    store = bootstrapped_store(role_binding("viewers", "team", "ClusterRole", "view",
                                            user(ALICE.name)))
    widgets = get("widgets", "team", api_group="example.com", verb="list")
    assert not allowed(store, ALICE, widgets)
    put(store, cluster_role("widget-viewer", WIDGET_RULE, labels={AGGREGATE_TO_VIEW: "true"}))
    assert allowed(store, ALICE, widgets)


def test_deleting_the_labelled_role_removes_its_rules() -> None:
    store = bootstrapped_store()
    put(store, cluster_role("widget-viewer", WIDGET_RULE, labels={AGGREGATE_TO_VIEW: "true"}))
    store.remove(CLUSTER_ROLES, "", "widget-viewer")
    for name in ("view", "edit", "admin"):
        assert WIDGET_RULE not in rules_of(store, name), name


def test_relabelling_the_role_removes_its_rules() -> None:
    store = bootstrapped_store()
    put(store, cluster_role("widget-viewer", WIDGET_RULE, labels={AGGREGATE_TO_VIEW: "true"}))
    put(store, cluster_role("widget-viewer", WIDGET_RULE, labels={"team": "widgets"}),
        event="MODIFIED")
    for name in ("view", "edit", "admin"):
        assert WIDGET_RULE not in rules_of(store, name), name


def test_changing_a_labelled_roles_rules_updates_the_aggregate() -> None:
    store = bootstrapped_store()
    put(store, cluster_role("widget-viewer", WIDGET_RULE, labels={AGGREGATE_TO_VIEW: "true"}))
    watch = {**WIDGET_RULE, "verbs": ["watch"]}
    put(store, cluster_role("widget-viewer", watch, labels={AGGREGATE_TO_VIEW: "true"}),
        event="MODIFIED")
    assert watch in rules_of(store, "admin")
    assert WIDGET_RULE not in rules_of(store, "admin")


def test_namespaced_role_with_the_label_does_not_aggregate() -> None:
    store = bootstrapped_store()
    labelled: Manifest = role("widget-viewer", "team", WIDGET_RULE)
    labelled["metadata"]["labels"] = {AGGREGATE_TO_VIEW: "true"}
    put(store, labelled)
    put(store, cluster_role("unrelated", POD_READER))  # a ClusterRole change re-runs aggregation
    assert WIDGET_RULE not in rules_of(store, "view")


def test_custom_aggregated_role_collects_matching_roles() -> None:
    store = bootstrapped_store()
    monitoring: Manifest = cluster_role("monitoring")
    monitoring["aggregationRule"] = {"clusterRoleSelectors": [
        {"matchLabels": {"example.com/aggregate-to-monitoring": "true"}}]}
    put(store, monitoring)
    put(store, cluster_role("widget-viewer", WIDGET_RULE,
                            labels={"example.com/aggregate-to-monitoring": "true"}))
    assert rules_of(store, "monitoring") == [WIDGET_RULE]


# -- the bootstrap defaults ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api", "/api/v1", "/apis", "/apis/apps/v1", "/version",
                                  "/healthz", "/openapi/v3"])
def test_authenticated_user_may_read_discovery_and_version(path: str) -> None:
    assert allowed(bootstrapped_store(), ALICE, url(path))


@pytest.mark.parametrize("group_name,resource", [
    ("authentication.k8s.io", "selfsubjectreviews"),
    ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectrulesreviews"),
])
def test_authenticated_user_may_create_self_reviews(group_name: str, resource: str) -> None:
    assert allowed(bootstrapped_store(), ALICE,
                   get(resource, api_group=group_name, verb="create"))


def test_authenticated_user_may_not_read_metrics_or_pods() -> None:
    store = bootstrapped_store()
    assert not allowed(store, ALICE, url("/metrics"))
    assert not allowed(store, ALICE, get("pods", "default", verb="list"))


def test_unauthenticated_caller_sees_version_but_not_discovery() -> None:
    anonymous = UserInfo("system:anonymous", ("system:unauthenticated",))
    store = bootstrapped_store()
    assert allowed(store, anonymous, url("/version"))
    assert not allowed(store, anonymous, url("/api"))


def _bound_to(cluster_role_name: str) -> ObjectStore:
    return bootstrapped_store(role_binding("b", "team", "ClusterRole", cluster_role_name,
                                           user(ALICE.name)))


def test_view_can_list_pods_and_read_logs() -> None:
    store = _bound_to("view")
    assert allowed(store, ALICE, get("pods", "team", verb="list"))
    assert allowed(store, ALICE, get("pods", "team", "web", subresource="log"))


def test_view_cannot_get_secrets_or_exec_or_write() -> None:
    store = _bound_to("view")
    assert not allowed(store, ALICE, get("secrets", "team", "token"))
    assert not allowed(store, ALICE, get("pods", "team", "web", subresource="exec",
                                         verb="create"))
    assert not allowed(store, ALICE, get("pods", "team", verb="create"))


def test_edit_can_create_deployments_and_read_secrets() -> None:
    store = _bound_to("edit")
    assert allowed(store, ALICE, get("deployments", "team", api_group="apps", verb="create"))
    assert allowed(store, ALICE, get("secrets", "team", "token"))
    assert allowed(store, ALICE, get("pods", "team", "web", subresource="exec", verb="create"))


def test_edit_cannot_manage_role_bindings_but_admin_can() -> None:
    create_binding = get("rolebindings", "team", api_group=GROUP, verb="create")
    assert not allowed(_bound_to("edit"), ALICE, create_binding)
    assert allowed(_bound_to("admin"), ALICE, create_binding)


def test_system_masters_is_cluster_admin_for_resources_and_urls() -> None:
    master = UserInfo("root@example.com", ("system:masters", AUTHENTICATED))
    authorizer = RbacAuthorizer(bootstrapped_store())
    decision = authorizer.authorize(master, get("nodes", verb="delete", name="n1"))
    assert decision == Decision(True, 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of '
                                      'ClusterRole "cluster-admin" to Group "system:masters"')
    assert authorizer.authorize(master, url("/metrics", verb="post")).allowed
