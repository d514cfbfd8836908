"""What an update may not change (registry/podupdate.py, registry/updatechecks.py): kube's
ValidatePodUpdate and the other strategies' ValidateUpdate, with their messages, through the
mock's REST paths; and the subresources that do change a pod's spec (binding,
ephemeralcontainers) still doing so."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry import podupdate

from .conftest import call, create, deployment, message, pod, quiet_at

PODS = "/api/v1/namespaces/default/pods"
UPDATABLE = ("pod updates may not change fields other than `spec.containers[*].image`,"
             "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
             "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
             "(allow it to be set to 1 if it was previously negative)\n")


def put(api: MockApiserver, path: str, change: Callable[[dict[str, Any]], None]) -> Any:
    """GET the object, change it, PUT it back: the reply."""
    current = call(api, "GET", path).body
    changed = copy.deepcopy(current)
    change(changed)
    return call(api, "PUT", path, body=changed)


def refused(reply: Any) -> str:
    assert reply.status == 422, reply.body
    assert reply.body["reason"] == "Invalid"
    return message(reply)


def made_pod(api: MockApiserver, name: str = "p", **spec: Any) -> str:
    body = pod(name, "app")
    body["spec"].update(spec)
    create(api, PODS, body)
    return f"{PODS}/{name}"


# -- pods ------------------------------------------------------------------------------------


def test_a_pod_may_change_its_images_and_labels(quiet: MockApiserver) -> None:
    path = made_pod(quiet)

    def change(p: dict[str, Any]) -> None:
        p["spec"]["containers"][0]["image"] = "app:2"
        p["metadata"]["labels"] = {"tier": "web"}
    reply = put(quiet, path, change)
    assert reply.status == 200, reply.body
    assert reply.body["spec"]["containers"][0]["image"] == "app:2"


def test_any_other_spec_change_is_forbidden_with_a_diff_of_the_specs(
        quiet: MockApiserver) -> None:
    path = made_pod(quiet)
    reply = put(quiet, path, lambda p: p["spec"]["containers"][0].update(
        ports=[{"containerPort": 80}], image="app:3"))
    text = refused(reply)
    assert text.startswith('Pod "p" is invalid: spec: Forbidden: ' + UPDATABLE + "@@ -"), text
    # The allowed change (the image) is taken back before the comparison, so it is no part of
    # the diff; the port is.
    assert '+     "containerPort": 80' in text and "app:3" not in text
    (cause,) = reply.body["details"]["causes"]
    assert (cause["reason"], cause["field"]) == ("FieldValueForbidden", "spec")
    assert call(quiet, "GET", path).body["spec"]["containers"][0]["image"] == "example.com/app:1"


def test_a_pods_node_is_the_bindings_to_set_not_an_updates(quiet: MockApiserver) -> None:
    path = made_pod(quiet)  # bound at once: this cluster's controllers are off
    text = refused(put(quiet, path, lambda p: p["spec"].update(nodeName="node-2")))
    assert '- "nodeName": "test-cluster-node-1"\n+ "nodeName": "node-2"\n' in text


def test_containers_may_not_be_added_and_kube_stops_there(quiet: MockApiserver) -> None:
    path = made_pod(quiet)
    reply = put(quiet, path, lambda p: p["spec"]["containers"].append(
        {"name": "b", "image": "b", "ports": [{"containerPort": 1}]}))
    assert refused(reply) == ('Pod "p" is invalid: spec.containers: Forbidden: pod updates may '
                              "not add or remove containers")


def test_an_image_may_change_but_not_to_nothing(quiet: MockApiserver) -> None:
    path = made_pod(quiet)
    reply = put(quiet, path, lambda p: p["spec"]["containers"][0].update(image=" app "))
    assert refused(reply) == ('Pod "p" is invalid: spec.containers[0].image: Invalid value: '
                              '" app ": must not have leading or trailing whitespace')


@pytest.mark.parametrize(("version", "unset"), [("v1.30.5", '"null"'), ("v1.34.1", "null")])
def test_active_deadline_may_be_set_and_lowered_only(version: str, unset: str) -> None:
    api = quiet_at(version)
    path = made_pod(api)
    assert put(api, path, lambda p: p["spec"].update(activeDeadlineSeconds=100)).status == 200
    assert put(api, path, lambda p: p["spec"].update(activeDeadlineSeconds=50)).status == 200
    assert refused(put(api, path, lambda p: p["spec"].update(activeDeadlineSeconds=60))) == (
        'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 60: must be less than '
        "or equal to previous value")
    assert refused(put(api, path, lambda p: p["spec"].pop("activeDeadlineSeconds"))) == (
        f'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: {unset}: must not '
        "update from a positive integer to nil value")


def test_tolerations_may_be_added_and_only_their_seconds_changed(quiet: MockApiserver) -> None:
    own = {"key": "gpu", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}
    path = made_pod(quiet, tolerations=[own])
    added = {"key": "spot", "operator": "Exists"}
    assert put(quiet, path, lambda p: p["spec"]["tolerations"].append(added)).status == 200
    assert put(quiet, path, lambda p: p["spec"]["tolerations"][0].update(
        tolerationSeconds=60)).status == 200
    reply = put(quiet, path, lambda p: p["spec"]["tolerations"][0].update(effect="NoSchedule"))
    # The new spec is validated first, as kube's ValidatePodUpdate does: seconds want NoExecute.
    assert refused(reply) == (
        'Pod "p" is invalid: [spec.tolerations[0].effect: Invalid value: "NoSchedule": effect '
        "must be 'NoExecute' when `tolerationSeconds` is set, spec.tolerations: Forbidden: "
        "existing toleration can not be modified except its tolerationSeconds]")


def test_scheduling_gates_may_only_be_removed(quiet: MockApiserver) -> None:
    path = made_pod(quiet, schedulingGates=[{"name": "a"}, {"name": "b"}])
    reply = put(quiet, path, lambda p: p["spec"]["schedulingGates"].append({"name": "c"}))
    assert refused(reply) == ('Pod "p" is invalid: spec.schedulingGates[2].name: Forbidden: only '
                              "deletion is allowed, but found new scheduling gate 'c'")
    assert put(quiet, path, lambda p: p["spec"].update(
        schedulingGates=[{"name": "b"}])).status == 200


def test_a_gated_pod_may_gain_node_selector_entries_but_not_change_them(
        quiet: MockApiserver) -> None:
    path = made_pod(quiet, schedulingGates=[{"name": "queue"}], nodeSelector={"zone": "a"})
    assert put(quiet, path, lambda p: p["spec"]["nodeSelector"].update(gpu="yes")).status == 200
    reply = put(quiet, path, lambda p: p["spec"].update(nodeSelector={"zone": "b"}))
    assert refused(reply) == (
        'Pod "p" is invalid: spec.nodeSelector: Invalid value: map[string]string{"zone":"b"}: '
        "only additions to spec.nodeSelector are allowed (no mutations or deletions)")
    # Once the gates are gone, the selector is as immutable as the rest.
    assert put(quiet, path, lambda p: p["spec"].pop("schedulingGates")).status == 200
    assert UPDATABLE in refused(put(quiet, path, lambda p: p["spec"]["nodeSelector"].update(
        more="x")))


def test_a_gated_pods_required_node_terms_may_only_grow(quiet: MockApiserver) -> None:
    term = {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [term]}}}
    path = made_pod(quiet, schedulingGates=[{"name": "queue"}], affinity=affinity)
    terms = ("spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
             "nodeSelectorTerms")

    def grow(p: dict[str, Any]) -> None:
        p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
            "nodeSelectorTerms"][0]["matchExpressions"].append(
            {"key": "gpu", "operator": "Exists"})
    assert put(quiet, path, grow).status == 200

    def another(p: dict[str, Any]) -> None:
        p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
            "nodeSelectorTerms"].append({"matchFields": [
                {"key": "metadata.name", "operator": "In", "values": ["n"]}]})
    assert refused(put(quiet, path, another)).startswith(
        f'Pod "p" is invalid: {terms}: Invalid value: []core.NodeSelectorTerm{{'
        'core.NodeSelectorTerm{MatchExpressions:[]core.NodeSelectorRequirement{'
        'core.NodeSelectorRequirement{Key:"zone", Operator:"In", Values:[]string{"a"}}, '
        'core.NodeSelectorRequirement{Key:"gpu", Operator:"Exists", Values:[]string(nil)}}, '
        "MatchFields:[]core.NodeSelectorRequirement(nil)}, ")

    def mutate(p: dict[str, Any]) -> None:
        p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
            "nodeSelectorTerms"][0]["matchExpressions"][0]["values"] = ["b"]
    assert refused(put(quiet, path, mutate)) == (
        f'Pod "p" is invalid: {terms}[0]: Invalid value: core.NodeSelectorTerm{{'
        'MatchExpressions:[]core.NodeSelectorRequirement{core.NodeSelectorRequirement{Key:"zone", '
        'Operator:"In", Values:[]string{"b"}}, core.NodeSelectorRequirement{Key:"gpu", '
        'Operator:"Exists", Values:[]string(nil)}}, MatchFields:[]core.NodeSelectorRequirement'
        "(nil)}: only additions are allowed (no mutations or deletions)")


def test_from_1_34_node_terms_print_as_json_of_the_internal_type() -> None:
    api = quiet_at("v1.34.1")
    term = {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
    path = made_pod(api, schedulingGates=[{"name": "q"}], affinity={"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}})

    def mutate(p: dict[str, Any]) -> None:
        p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
            "nodeSelectorTerms"][0]["matchExpressions"][0]["values"] = ["b"]
    assert ('[0]: Invalid value: {"MatchExpressions":[{"Key":"zone","Operator":"In","Values":'
            '["b"]}],"MatchFields":null}: only additions') in refused(put(api, path, mutate))


def test_a_negative_grace_period_may_become_one(quiet: MockApiserver) -> None:
    path = made_pod(quiet, terminationGracePeriodSeconds=-1)
    assert put(quiet, path, lambda p: p["spec"].update(
        terminationGracePeriodSeconds=1)).status == 200
    assert UPDATABLE in refused(put(quiet, path, lambda p: p["spec"].update(
        terminationGracePeriodSeconds=2)))


@pytest.mark.parametrize(("version", "qos_error"), [("v1.30.5", True), ("v1.32.2", False)])
def test_a_qos_changing_update_is_also_a_qos_error_in_1_29_to_1_31(version: str,
                                                                    qos_error: bool) -> None:
    api = quiet_at(version)
    path = made_pod(api)
    reply = put(api, path, lambda p: p["spec"]["containers"][0].update(
        resources={"requests": {"cpu": "1"}}))
    causes = [(c["field"], c["message"].split("\n")[0]) for c in
              reply.body["details"]["causes"]]
    qos = ("metadata", 'Invalid value: "BestEffort": Pod QoS is immutable')
    assert (qos in causes) is qos_error
    assert ("spec", "Forbidden: " + UPDATABLE.rstrip("\n")) in causes


def test_quantities_and_empty_lists_compare_as_kube_compares_them(quiet: MockApiserver) -> None:
    body = pod("q", "app")
    body["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1", "memory": "1Gi"}}
    create(quiet, PODS, body)

    def same(p: dict[str, Any]) -> None:
        # Requests left out are defaulted from the limits again, as on create.
        p["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1000m",
                                                              "memory": "1024Mi"}}
        p["spec"]["nodeSelector"] = {}
        del p["spec"]["containers"][0]["imagePullPolicy"]
    assert put(quiet, f"{PODS}/q", same).status == 200


def test_ephemeral_containers_change_through_their_subresource_only(
        quiet: MockApiserver) -> None:
    path = made_pod(quiet)
    debug = {"name": "debugger", "image": "busybox", "targetContainerName": "app"}
    assert UPDATABLE in refused(put(quiet, path, lambda p: p["spec"].update(
        ephemeralContainers=[debug])))
    reply = put(quiet, f"{path}/ephemeralcontainers", lambda p: p["spec"].update(
        ephemeralContainers=[debug]))
    assert reply.status == 200, reply.body
    assert reply.body["spec"]["ephemeralContainers"][0]["name"] == "debugger"


def test_the_diff_is_a_unified_diff_without_a_header() -> None:
    old = {"containers": [{"name": "a", "image": "x"}], "restartPolicy": "Always"}
    new = {"containers": [{"name": "a", "image": "x"}], "restartPolicy": "Never"}
    assert podupdate.spec_diff(old, new) == (
        "@@ -5,5 +5,5 @@\n"
        '    "image": "x"\n'
        "   }\n"
        "  ],\n"
        '- "restartPolicy": "Always"\n'
        '+ "restartPolicy": "Never"\n'
        " }\n")


# -- the other kinds ---------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "shown"), [
    ("v1.30.5", 'v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, '
                "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"),
    ("v1.34.1", '{"matchLabels":{"app":"other"}}'),
])
def test_a_deployments_selector_is_immutable(version: str, shown: str) -> None:
    api = quiet_at(version)
    path = "/apis/apps/v1/namespaces/default/deployments/web"
    create(api, "/apis/apps/v1/namespaces/default/deployments", deployment("web"))

    def change(d: dict[str, Any]) -> None:
        d["spec"]["selector"] = {"matchLabels": {"app": "other"}}
        d["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    assert refused(put(api, path, change)) == (
        f'Deployment.apps "web" is invalid: spec.selector: Invalid value: {shown}: '
        "field is immutable")
    assert put(api, path, lambda d: d["spec"].update(replicas=3)).status == 200


def stateful_set() -> dict[str, Any]:
    labels = {"app": "db"}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"serviceName": "db", "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "db", "image": "db"}]}}}}


@pytest.mark.parametrize(("version", "limit_mutable"), [("v1.32.2", False), ("v1.33.1", True)])
def test_a_stateful_sets_spec_is_immutable_but_for_a_few_fields(version: str,
                                                                  limit_mutable: bool) -> None:
    api = quiet_at(version)
    create(api, "/apis/apps/v1/namespaces/default/statefulsets", stateful_set())
    path = "/apis/apps/v1/namespaces/default/statefulsets/db"
    assert put(api, path, lambda s: s["spec"].update(replicas=3, minReadySeconds=5)).status == 200
    limit = put(api, path, lambda s: s["spec"].update(revisionHistoryLimit=3))
    assert (limit.status == 200) is limit_mutable
    named = "'updateStrategy', 'revisionHistoryLimit', " if limit_mutable else "'updateStrategy', "
    assert refused(put(api, path, lambda s: s["spec"].update(serviceName="other"))) == (
        'StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for '
        f"fields other than 'replicas', 'ordinals', 'template', {named}"
        "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")


@pytest.mark.parametrize(("version", "shown"), [
    ("v1.30.5", 'rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", '
                'Name:"edit"}'),
    ("v1.34.1", '{"APIGroup":"rbac.authorization.k8s.io","Kind":"ClusterRole","Name":"edit"}'),
])
def test_a_bindings_role_cannot_change(version: str, shown: str) -> None:
    api = quiet_at(version)
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "rb"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                           "name": "view"},
               "subjects": [{"kind": "User", "name": "alice"}]}
    collection = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings"
    create(api, collection, binding)
    assert refused(put(api, f"{collection}/rb", lambda b: b["roleRef"].update(name="edit"))) == (
        f'RoleBinding.rbac.authorization.k8s.io "rb" is invalid: roleRef: Invalid value: '
        f"{shown}: cannot change roleRef")
    assert put(api, f"{collection}/rb", lambda b: b["subjects"].append(
        {"kind": "User", "name": "bob"})).status == 200


def test_an_immutable_config_map_keeps_its_data_and_its_mark(quiet: MockApiserver) -> None:
    collection = "/api/v1/namespaces/default/configmaps"
    create(quiet, collection, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "c"}, "data": {"a": "1"}, "immutable": True})
    reply = put(quiet, f"{collection}/c", lambda c: c.update(data={"a": "2"}, immutable=False))
    assert refused(reply) == (
        'ConfigMap "c" is invalid: [immutable: Forbidden: field is immutable when `immutable` '
        "is set, data: Forbidden: field is immutable when `immutable` is set]")
    assert put(quiet, f"{collection}/c", lambda c: c["metadata"].update(
        labels={"x": "y"})).status == 200


def test_a_secrets_type_never_changes(quiet: MockApiserver) -> None:
    collection = "/api/v1/namespaces/default/secrets"
    create(quiet, collection, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                               "type": "Opaque", "stringData": {"a": "1"}})
    reply = put(quiet, f"{collection}/s", lambda s: s.update(type="example.com/other"))
    assert refused(reply) == ('Secret "s" is invalid: type: Invalid value: "example.com/other": '
                              "field is immutable")


def test_a_jobs_template_is_immutable_unless_suspended_and_never_started(
        quiet: MockApiserver) -> None:
    collection = "/apis/batch/v1/namespaces/default/jobs"
    template = {"spec": {"restartPolicy": "Never",
                         "containers": [{"name": "c", "image": "busybox"}]}}
    for name, suspend in (("run", False), ("held", True)):
        create(quiet, collection, {"apiVersion": "batch/v1", "kind": "Job",
                                   "metadata": {"name": name},
                                   "spec": {"suspend": suspend, "template": template}})
    text = refused(put(quiet, f"{collection}/run", lambda j: j["spec"]["template"]["spec"].update(
        nodeSelector={"pool": "b"})))
    assert text.startswith('Job.batch "run" is invalid: spec.template: Invalid value: {')
    assert text.endswith("}: field is immutable")
    # A suspended job that never started may move its pods (Kueue does this), not change them.
    assert put(quiet, f"{collection}/held", lambda j: j["spec"]["template"]["spec"].update(
        nodeSelector={"pool": "b"})).status == 200
    assert "spec.template: Invalid value" in refused(put(
        quiet, f"{collection}/held",
        lambda j: j["spec"]["template"]["spec"]["containers"][0].update(image="other")))
    assert refused(put(quiet, f"{collection}/held", lambda j: j["spec"].update(
        completions=3))).endswith("spec.completions: Invalid value: 3: field is immutable")


def test_a_services_cluster_ip_may_not_change_once_set(quiet: MockApiserver) -> None:
    collection = "/api/v1/namespaces/default/services"
    create(quiet, collection, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                               "spec": {"ports": [{"port": 80}]}})
    reply = put(quiet, f"{collection}/s", lambda s: s["spec"].update(clusterIP="10.96.200.1"))
    assert refused(reply) == ('Service "s" is invalid: spec.clusterIPs[0]: Invalid value: '
                              '[]string{"10.96.200.1"}: may not change once set')
    # Left out, the allocated IPs are kept.
    assert put(quiet, f"{collection}/s", lambda s: [s["spec"].pop(k) for k in (
        "clusterIP", "clusterIPs")]).status == 200


@pytest.mark.parametrize(("version", "text"), [
    ("v1.28.9", "spec is immutable after creation except resources.requests for bound claims"),
    ("v1.30.5", "spec is immutable after creation except resources.requests and "
                "volumeAttributesClassName for bound claims"),
])
def test_a_claims_spec_is_immutable(version: str, text: str) -> None:
    api = quiet_at(version)
    collection = "/api/v1/namespaces/default/persistentvolumeclaims"
    create(api, collection, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                             "metadata": {"name": "c"},
                             "spec": {"accessModes": ["ReadWriteOnce"],
                                      "resources": {"requests": {"storage": "1Gi"}}}})
    reply = put(api, f"{collection}/c", lambda c: c["spec"]["resources"]["requests"].update(
        storage="2Gi"))
    assert refused(reply).startswith(f'PersistentVolumeClaim "c" is invalid: spec: Forbidden: '
                                     f"{text}\n@@ ")
    # A class given to a claim that had none is allowed (the default class, retroactively).
    assert put(api, f"{collection}/c", lambda c: c["spec"].update(
        storageClassName="standard")).status == 200


def test_a_storage_class_and_a_priority_class_keep_their_settings(quiet: MockApiserver) -> None:
    classes = "/apis/storage.k8s.io/v1/storageclasses"
    create(quiet, classes, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                            "metadata": {"name": "fast"}, "provisioner": "example.com/a",
                            "parameters": {"type": "ssd"}})
    reply = put(quiet, f"{classes}/fast", lambda c: c.update(
        parameters={"type": "hdd"}, provisioner="example.com/b",
        volumeBindingMode="WaitForFirstConsumer"))
    assert refused(reply) == (
        'StorageClass.storage.k8s.io "fast" is invalid: [parameters: Forbidden: updates to '
        "parameters are forbidden., provisioner: Forbidden: updates to provisioner are "
        'forbidden., volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is '
        "immutable]")
    assert put(quiet, f"{classes}/fast", lambda c: c.update(
        allowVolumeExpansion=True)).status == 200
    priorities = "/apis/scheduling.k8s.io/v1/priorityclasses"
    create(quiet, priorities, {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                               "metadata": {"name": "high"}, "value": 10})
    reply = put(quiet, f"{priorities}/high", lambda c: c.update(value=11,
                                                                preemptionPolicy="Never"))
    assert refused(reply) == (
        'PriorityClass.scheduling.k8s.io "high" is invalid: [value: Forbidden: may not be '
        'changed in an update., preemptionPolicy: Invalid value: "Never": field is immutable]')


def test_an_empty_selector_prints_without_a_pointer(quiet: MockApiserver) -> None:
    body = deployment("web")
    body["spec"]["selector"] = {}
    reply = call(quiet, "POST", "/apis/apps/v1/namespaces/default/deployments", body=body)
    assert message(reply) == (
        'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{'
        "MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement"
        "(nil)}: empty selector is invalid for deployment")


@pytest.mark.parametrize(("version", "allowed"), [("v1.27.3", False), ("v1.28.9", True)])
def test_a_gated_pod_without_affinity_may_gain_node_affinity_from_1_28(version: str,
                                                                      allowed: bool) -> None:
    api = quiet_at(version)
    path = made_pod(api, schedulingGates=[{"name": "queue"}])
    term = {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
    reply = put(api, path, lambda p: p["spec"].update(affinity={"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}}))
    # 1.27 compared the empty affinity it had left with none, and refused.
    assert (reply.status == 200) is allowed, reply.body


@pytest.mark.parametrize(("containers", "qos"), [
    ([{}], "BestEffort"),
    ([{"requests": {"ephemeral-storage": "1Gi"}}], "BestEffort"),  # not a QoS resource
    ([{"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m",
                                                             "memory": "1024Mi"}}], "Guaranteed"),
    ([{"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m",
                                                             "memory": "1Gi"}}], "Burstable"),
    ([{"limits": {"cpu": "1", "memory": "1Gi"}}, {}], "Burstable"),  # one container unlimited
    ([{"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}], "Burstable"),  # no memory limit
    ([{"requests": {"cpu": "0"}}], "BestEffort"),  # zero counts as none
])
def test_a_pods_qos_class_is_kubes(containers: list[dict[str, Any]], qos: str) -> None:
    spec = {"containers": [{"name": f"c{i}", "resources": r} for i, r in enumerate(containers)]}
    assert podupdate.qos_class(spec) == qos
