"""kube's validation of the apps/v1 workload specs and a ReplicationController's
(registry/workloadchecks.py), through the mock's REST paths: every rule in kube's order and
words, and the Go values kube prints (its %#v before 1.34, JSON from 1.34)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.cluster.mock.registry import defaults

from .conftest import call, create, deployment, invalid_causes, quiet_at

APPS = "/apis/apps/v1/namespaces/default"
RCS = "/api/v1/namespaces/default/replicationcontrollers"
PERCENT = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. "
           "'1%',  or '93%', regex used for validation is '[0-9]+%')")
NOT_NEGATIVE = "must be greater than or equal to 0"


def workload(kind: str, name: str = "w", **spec: Any) -> dict[str, Any]:
    body = deployment(name)
    body["kind"] = kind
    if kind == "DaemonSet":
        del body["spec"]["replicas"]
    body["spec"].update(spec)
    return body


def with_template(body: dict[str, Any], **pod: Any) -> dict[str, Any]:
    body["spec"]["template"]["spec"].update(pod)
    return body


# -- Deployments -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["replicas", "minReadySeconds", "revisionHistoryLimit"])
def test_a_deployment_count_may_not_be_negative(field: str) -> None:
    body = workload("Deployment", **{field: -1})
    assert invalid_causes("v1.30.5", f"{APPS}/deployments", body) == [
        f"spec.{field}: Invalid value: -1: {NOT_NEGATIVE}"]


def test_the_progress_deadline_must_exceed_min_ready_seconds() -> None:
    body = workload("Deployment", minReadySeconds=30, progressDeadlineSeconds=30)
    assert invalid_causes("v1.30.5", f"{APPS}/deployments", body) == [
        "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"]
    # both are defaulted (0 and 600) and fine
    made = create(quiet_at("v1.30.5"), f"{APPS}/deployments", workload("Deployment"))
    assert made["spec"]["progressDeadlineSeconds"] == 600


def test_a_rollout_that_could_never_move_is_refused() -> None:
    """maxSurge and maxUnavailable both 0: the controller could neither add nor remove a pod."""
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}
    body = workload("Deployment", strategy=strategy)
    assert invalid_causes("v1.30.5", f"{APPS}/deployments", body) == [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, '
        'IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0']
    assert invalid_causes("v1.34.1", f"{APPS}/deployments", body) == [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when '
        "`maxSurge` is 0"]


def test_rolling_update_numbers_are_ints_or_percentages_up_to_100() -> None:
    strategy = {"rollingUpdate": {"maxSurge": "150x", "maxUnavailable": "120%"}}
    body = workload("Deployment", strategy=strategy)
    at = "spec.strategy.rollingUpdate"
    assert invalid_causes("v1.30.5", f"{APPS}/deployments", body) == [
        f'{at}.maxSurge: Invalid value: intstr.IntOrString{{Type:1, IntVal:0, StrVal:"150x"}}: '
        f"{PERCENT}",
        f'{at}.maxUnavailable: Invalid value: intstr.IntOrString{{Type:1, IntVal:0, '
        f'StrVal:"120%"}}: must not be greater than 100%']
    negative = workload("Deployment", strategy={"rollingUpdate": {"maxSurge": -2}})
    assert invalid_causes("v1.30.5", f"{APPS}/deployments", negative) == [
        f"{at}.maxSurge: Invalid value: -2: {NOT_NEGATIVE}"]
    # a surge above 100% is allowed (only maxUnavailable is capped), and a number string that is
    # no percentage counts as that number, so it is not "both zero"
    fine = workload("Deployment", strategy={"rollingUpdate": {"maxSurge": "200%"}})
    assert create(quiet_at("v1.30.5"), f"{APPS}/deployments", fine)["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": "200%", "maxUnavailable": "25%"}}
    five = workload("Deployment", strategy={"rollingUpdate": {"maxSurge": "5",
                                                               "maxUnavailable": 0}})
    assert invalid_causes("v1.30.5", f"{APPS}/deployments", five) == [
        f'{at}.maxSurge: Invalid value: intstr.IntOrString{{Type:1, IntVal:0, StrVal:"5"}}: '
        f"{PERCENT}"]


@pytest.mark.parametrize(("version", "shown"), [
    ("v1.30.5", 'apps.DeploymentStrategy{Type:"Canary", '
                "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}"),
    ("v1.34.1", '{"Type":"Canary","RollingUpdate":null}')])
def test_an_unknown_strategy_is_printed_as_kube_s_internal_struct(version: str,
                                                                   shown: str) -> None:
    body = workload("Deployment", strategy={"type": "Canary"})
    assert invalid_causes(version, f"{APPS}/deployments", body) == [
        f'spec.strategy: Unsupported value: {shown}: supported values: "Recreate", '
        '"RollingUpdate"']


def test_recreate_takes_no_rolling_update() -> None:
    body = workload("Deployment", strategy={"type": "Recreate", "rollingUpdate": {}})
    assert invalid_causes("v1.30.5", f"{APPS}/deployments", body) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
        "'Recreate'"]


def test_a_long_running_template_has_no_deadline() -> None:
    for kind, noun in (("Deployment", "ReplicaSet"), ("ReplicaSet", "ReplicaSet"),
                       ("DaemonSet", "DaemonSet"), ("StatefulSet", "StatefulSet")):
        body = with_template(workload(kind), activeDeadlineSeconds=60)
        assert invalid_causes("v1.30.5", f"{APPS}/{kind.lower()}s", body) == [
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in "
            f"{noun} is not Supported"], kind


def test_errors_come_in_kube_s_order() -> None:
    body = with_template(workload("Deployment", replicas=-1, minReadySeconds=-1,
                                  strategy={"type": "Bogus"}), restartPolicy="Never")
    assert [c.split(":")[0] for c in invalid_causes("v1.30.5", f"{APPS}/deployments", body)] == [
        "spec.replicas", "spec.template.spec.restartPolicy", "spec.strategy",
        "spec.minReadySeconds"]


# -- selectors ---------------------------------------------------------------------------------


def test_a_selector_kube_cannot_parse_stops_the_template_checks() -> None:
    selector = {"matchExpressions": [{"key": "app", "operator": "Bogus"}]}
    body = with_template(workload("Deployment", selector=selector), restartPolicy="Never")
    assert invalid_causes("v1.30.5", f"{APPS}/deployments", body) == [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Bogus": not a valid '
        "selector operator",
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
        'MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", '
        'Operator:"Bogus", Values:[]string(nil)}}}: invalid label selector']
    stateful = workload("StatefulSet", selector={"matchExpressions": [
        {"key": "app", "operator": "In", "values": []}]})
    assert invalid_causes("v1.34.1", f"{APPS}/statefulsets", stateful) == [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when "
        "`operator` is 'In' or 'NotIn'",
        'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"In"}]}']


def test_a_daemon_set_needs_no_selector_but_its_template_must_match() -> None:
    body = workload("DaemonSet")
    del body["spec"]["selector"]
    assert invalid_causes("v1.30.5", f"{APPS}/daemonsets", body) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"w"}: '
        "`selector` does not match template `labels`"]


# -- StatefulSets and DaemonSets ------------------------------------------------------------------


def test_a_stateful_set_s_policies_and_counts() -> None:
    body = workload("StatefulSet", replicas=-1, podManagementPolicy="Random",
                    updateStrategy={"type": "OnDelete", "rollingUpdate": {"partition": 2}},
                    persistentVolumeClaimRetentionPolicy={"whenScaled": "Keep"},
                    ordinals={"start": -1})
    assert invalid_causes("v1.30.5", f"{APPS}/statefulsets", body) == [
        "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or "
        "'Parallel'",
        "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy"
        "{Partition:2, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for "
        "updateStrategy 'RollingUpdate'",
        'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": '
        'supported values: "Retain", "Delete"',
        f"spec.replicas: Invalid value: -1: {NOT_NEGATIVE}",
        f"spec.ordinals.start: Invalid value: -1: {NOT_NEGATIVE}"]
    partition = workload("StatefulSet", updateStrategy={"rollingUpdate": {"partition": -3}})
    assert invalid_causes("v1.34.1", f"{APPS}/statefulsets", partition) == [
        f"spec.updateStrategy.rollingUpdate.partition: Invalid value: -3: {NOT_NEGATIVE}"]
    unknown = workload("StatefulSet", updateStrategy={"type": "Blue"})
    assert invalid_causes("v1.34.1", f"{APPS}/statefulsets", unknown) == [
        'spec.updateStrategy: Invalid value: {"Type":"Blue","RollingUpdate":null}: must be '
        "'RollingUpdate' or 'OnDelete'"]


def test_a_daemon_set_surges_or_leaves_pods_unavailable_not_both() -> None:
    at = "spec.updateStrategy.rollingUpdate"
    both = workload("DaemonSet", updateStrategy={"rollingUpdate": {"maxSurge": "20%"}})
    assert invalid_causes("v1.30.5", f"{APPS}/daemonsets", both) == [
        f'{at}.maxSurge: Invalid value: intstr.IntOrString{{Type:1, IntVal:0, StrVal:"20%"}}: '
        "may not be set when maxUnavailable is non-zero"]
    neither = workload("DaemonSet", updateStrategy={"rollingUpdate": {"maxUnavailable": 0}})
    assert invalid_causes("v1.30.5", f"{APPS}/daemonsets", neither) == [
        f"{at}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]
    surge = workload("DaemonSet", updateStrategy={"rollingUpdate": {"maxUnavailable": 0,
                                                                     "maxSurge": "110%"}})
    assert invalid_causes("v1.34.1", f"{APPS}/daemonsets", surge) == [
        f'{at}.maxSurge: Invalid value: "110%": must not be greater than 100%']
    made = create(quiet_at("v1.30.5"), f"{APPS}/daemonsets", workload("DaemonSet", updateStrategy={
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}))
    assert made["spec"]["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": 0,
                                                                "maxSurge": 1}


# -- ReplicationControllers ----------------------------------------------------------------------


def test_a_replication_controller_s_counts_and_selector() -> None:
    body = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "r"},
            "spec": {"replicas": -1, "minReadySeconds": -2, "template": {"spec": {
                "containers": [{"name": "c", "image": "busybox"}]}}}}
    assert invalid_causes("v1.30.5", RCS, body) == [
        f"spec.minReadySeconds: Invalid value: -2: {NOT_NEGATIVE}",
        "spec.selector: Required value",
        f"spec.replicas: Invalid value: -1: {NOT_NEGATIVE}"]
    mismatched = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "r"},
                  "spec": {"selector": {"app": "a"}, "template": {
                      "metadata": {"labels": {"app": "b"}},
                      "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    assert invalid_causes("v1.30.5", RCS, mismatched) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: '
        "`selector` does not match template `labels`"]
    bare = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "r"},
            "spec": {"selector": {"app": "a"}}}
    assert invalid_causes("v1.30.5", RCS, bare) == ["spec.template: Required value"]


def test_an_update_is_checked_as_a_create_is() -> None:
    api = quiet_at("v1.30.5")
    assert call(api, "POST", f"{APPS}/deployments", body=workload("Deployment")).status == 201
    scaled = call(api, "PATCH", f"{APPS}/deployments/w", body={"spec": {"replicas": -4}},
                  content_type="application/merge-patch+json")
    assert scaled.status == 422
    assert scaled.body["message"] == (
        f'Deployment.apps "w" is invalid: spec.replicas: Invalid value: -4: {NOT_NEGATIVE}')


def test_a_stateful_set_s_max_unavailable_is_dropped_while_its_gate_is_off() -> None:
    """MaxUnavailableStatefulSet is off in every minor served: kube drops the field unchecked
    on create, and on an update unless the StatefulSet already had it."""
    rolling = {"partition": 0, "maxUnavailable": 0}
    body = workload("StatefulSet", updateStrategy={"type": "RollingUpdate",
                                                   "rollingUpdate": rolling})
    made = create(quiet_at("v1.30.5"), f"{APPS}/statefulsets", body)
    assert made["spec"]["updateStrategy"] == {"type": "RollingUpdate",
                                              "rollingUpdate": {"partition": 0}}
    # an update of one that had it (stored by an older emulator, say) keeps it, as kube does
    old = {"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 2}}}}
    new = {"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 3}}}}
    defaults.drop_disabled_stateful_set_fields(new, old)
    assert new["spec"]["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": 3}


def test_a_stateful_set_s_service_name_is_a_dns_label_from_1_33() -> None:
    body = workload("StatefulSet", serviceName="Web_Svc")
    assert create(quiet_at("v1.32.2"), f"{APPS}/statefulsets", body)
    assert invalid_causes("v1.33.1", f"{APPS}/statefulsets", body) == [
        'spec.serviceName: Invalid value: "Web_Svc": a lowercase RFC 1123 label must consist of '
        "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
        "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
