"""kube-apiserver's defaulting, kind by kind (expectations from upstream's defaults_test.go files:
pkg/apis/{apps,batch,core,autoscaling,networking,storage,rbac}/v1*/defaults_test.go)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest

from emulator.cluster.mock.registry import defaults
from emulator.cluster.mock.registry.objects import Objects
from emulator.cluster.mock.query import Query
from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.registry.store import ObjectStore

Obj = dict[str, Any]
LATEST = 35


def _rt(group: str, kind: str, version: str = "v1") -> ResourceType:
    return ResourceType(group, version, kind, kind.lower() + "s", kind.lower(), True)


def _defaulted(group: str, kind: str, obj: Obj, minor: int = LATEST, version: str = "v1") -> Obj:
    out = copy.deepcopy(obj)
    defaults.apply(_rt(group, kind, version), out, minor)
    return out


def _template(**spec: Any) -> Obj:
    return {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], **spec}}


POD_SPEC_DEFAULTS = {"dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "securityContext": {},
                     "terminationGracePeriodSeconds": 30, "schedulerName": "default-scheduler"}
CONTAINER_DEFAULTS = {"imagePullPolicy": "IfNotPresent",
                      "terminationMessagePath": "/dev/termination-log",
                      "terminationMessagePolicy": "File", "resources": {}}


# --- pod specs --------------------------------------------------------------------------------


@pytest.mark.parametrize(("image", "policy"), [
    ("nginx", "Always"),
    ("nginx:latest", "Always"),
    ("nginx:1.27", "IfNotPresent"),
    ("registry.example.com:5000/team/app", "Always"),
    ("registry.example.com:5000/team/app:v2", "IfNotPresent"),
    ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
    ("nginx:latest@sha256:" + "a" * 64, "Always"),
])
def test_image_pull_policy_follows_the_tag(image: str, policy: str) -> None:
    spec: Obj = {"containers": [{"name": "c", "image": image}]}
    defaults.pod_spec(spec)
    assert spec["containers"][0]["imagePullPolicy"] == policy


def test_pod_spec_defaults_and_what_a_client_set_stays() -> None:
    spec: Obj = {"containers": [{"name": "c", "image": "busybox", "imagePullPolicy": "Never",
                                 "ports": [{"containerPort": 53, "protocol": "UDP"},
                                           {"containerPort": 80}]}],
                 "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                 "terminationGracePeriodSeconds": 0, "restartPolicy": "Never"}
    defaults.pod_spec(spec)
    assert {k: spec[k] for k in POD_SPEC_DEFAULTS} == {
        **POD_SPEC_DEFAULTS, "terminationGracePeriodSeconds": 0, "restartPolicy": "Never"}
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "Never"
    assert [p["protocol"] for p in container["ports"]] == ["UDP", "TCP"]
    assert spec["initContainers"][0] == {"name": "init", "image": "busybox:1.36",
                                         **CONTAINER_DEFAULTS}


def test_probe_env_and_lifecycle_defaults() -> None:
    spec: Obj = {"containers": [{
        "name": "c", "image": "app:1",
        "livenessProbe": {"httpGet": {"port": 8080}},
        "readinessProbe": {"grpc": {"port": 9090}, "periodSeconds": 5},
        "env": [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/quit"}}},
    }]}
    defaults.pod_spec(spec)
    container = spec["containers"][0]
    assert container["livenessProbe"] == {
        "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
        "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert container["readinessProbe"]["periodSeconds"] == 5
    assert container["readinessProbe"]["grpc"] == {"port": 9090, "service": ""}
    assert container["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1"
    assert container["lifecycle"]["preStop"]["httpGet"] == {"port": 80, "path": "/quit",
                                                            "scheme": "HTTP"}


def test_volume_defaults() -> None:
    spec: Obj = {"containers": [], "volumes": [
        {"name": "scratch"},
        {"name": "cfg", "configMap": {"name": "cfg"}},
        {"name": "creds", "secret": {"secretName": "creds", "defaultMode": 0o400}},
        {"name": "host", "hostPath": {"path": "/var/log"}},
        {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}},
        {"name": "data", "ephemeral": {"volumeClaimTemplate": {"spec": {
            "accessModes": ["ReadWriteOnce"]}}}},
    ]}
    defaults.pod_spec(spec)
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["scratch"] == {"name": "scratch", "emptyDir": {}}
    assert volumes["cfg"]["configMap"]["defaultMode"] == 420
    assert volumes["creds"]["secret"]["defaultMode"] == 0o400
    assert volumes["host"]["hostPath"] == {"path": "/var/log", "type": ""}
    assert volumes["token"]["projected"] == {
        "defaultMode": 420, "sources": [{"serviceAccountToken": {"path": "t",
                                                                 "expirationSeconds": 3600}}]}
    claim = volumes["data"]["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert claim["volumeMode"] == "Filesystem"


def test_pod_only_defaults() -> None:
    pod = _defaulted("", "Pod", {"spec": {"hostNetwork": True, "containers": [{
        "name": "c", "image": "app:1", "ports": [{"containerPort": 8080}],
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}}]}})
    container = pod["spec"]["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    assert pod["spec"]["enableServiceLinks"] is True
    assert container["ports"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"}]


def test_resize_policy_from_1_33() -> None:
    pod = {"spec": {"containers": [{"name": "c", "image": "app:1", "resources": {
        "requests": {"cpu": "100m", "memory": "64Mi"}},
        "resizePolicy": [{"resourceName": "memory", "restartPolicy": "RestartContainer"}]}]}}
    assert "resizePolicy" not in _defaulted("", "Pod", {"spec": {"containers": [
        {"name": "c", "image": "app:1", "resources": {"requests": {"cpu": "1"}}}]}}, minor=32)[
        "spec"]["containers"][0]
    assert _defaulted("", "Pod", pod, minor=33)["spec"]["containers"][0]["resizePolicy"] == [
        {"resourceName": "memory", "restartPolicy": "RestartContainer"},
        {"resourceName": "cpu", "restartPolicy": "NotRequired"}]


def test_pod_templates_get_no_pod_only_defaults() -> None:
    template = _defaulted("", "PodTemplate", {"template": _template()})
    assert {k: template["template"]["spec"][k] for k in POD_SPEC_DEFAULTS} == POD_SPEC_DEFAULTS
    assert "enableServiceLinks" not in template["template"]["spec"]


# --- apps -------------------------------------------------------------------------------------


def test_deployment_defaults() -> None:
    deployment = _defaulted("apps", "Deployment", {"spec": {"template": _template()}})
    spec = deployment["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"


def test_deployment_keeps_what_is_set() -> None:
    spec = _defaulted("apps", "Deployment", {"spec": {
        "replicas": 0, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2}},
        "template": _template()}})["spec"]
    assert spec["replicas"] == 0
    assert spec["strategy"]["rollingUpdate"] == {"maxSurge": 2, "maxUnavailable": "25%"}
    recreate = _defaulted("apps", "Deployment", {"spec": {"strategy": {"type": "Recreate"}}})
    assert recreate["spec"]["strategy"] == {"type": "Recreate"}


def test_replica_set_defaults() -> None:
    assert _defaulted("apps", "ReplicaSet", {"spec": {"template": _template()}})["spec"][
        "replicas"] == 1
    assert _defaulted("apps", "ReplicaSet", {"spec": {"replicas": 0}})["spec"]["replicas"] == 0


def test_daemon_set_defaults() -> None:
    spec = _defaulted("apps", "DaemonSet", {"spec": {"template": _template()}})["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate",
                                      "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst"
    on_delete = _defaulted("apps", "DaemonSet", {"spec": {"updateStrategy": {"type": "OnDelete"}}})
    assert on_delete["spec"]["updateStrategy"] == {"type": "OnDelete"}


def test_stateful_set_defaults() -> None:
    spec = _defaulted("apps", "StatefulSet", {"spec": {
        "serviceName": "db", "template": _template(),
        "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}},
        minor=27)["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                            "whenScaled": "Retain"}
    assert (spec["replicas"], spec["revisionHistoryLimit"]) == (1, 10)
    [claim] = spec["volumeClaimTemplates"]
    assert claim["apiVersion"] == "v1" and claim["kind"] == "PersistentVolumeClaim"
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["status"] == {"phase": "Pending"}


def test_stateful_set_keeps_its_strategy() -> None:
    on_delete = _defaulted("apps", "StatefulSet",
                           {"spec": {"updateStrategy": {"type": "OnDelete"}}})
    assert on_delete["spec"]["updateStrategy"] == {"type": "OnDelete"}
    partitioned = _defaulted("apps", "StatefulSet", {"spec": {"updateStrategy": {
        "type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}})
    assert partitioned["spec"]["updateStrategy"]["rollingUpdate"] == {"partition": 2}


def test_replication_controller_takes_its_template_labels() -> None:
    controller = _defaulted("", "ReplicationController", {"spec": {"template": _template()}})
    assert controller["spec"]["selector"] == {"app": "web"}
    assert controller["metadata"]["labels"] == {"app": "web"}
    assert controller["spec"]["replicas"] == 1
    kept = _defaulted("", "ReplicationController", {"metadata": {"labels": {"tier": "x"}},
                                                    "spec": {"selector": {"app": "web", "v": "2"},
                                                             "template": _template()}})
    assert kept["metadata"]["labels"] == {"tier": "x"}
    assert kept["spec"]["selector"] == {"app": "web", "v": "2"}


# --- batch ------------------------------------------------------------------------------------

UID = "8f0c7b4e-1111-2222-3333-444455556666"


def _job(**spec: Any) -> Obj:
    return {"metadata": {"name": "pi", "uid": UID},
            "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl:5"}],
                                           "restartPolicy": "Never"}}, **spec}}


@pytest.mark.parametrize(("given", "completions", "parallelism"), [
    ({}, 1, 1),
    ({"completions": 11}, 11, 1),
    ({"parallelism": 11}, None, 11),
    ({"completions": 5, "parallelism": 2}, 5, 2),
])
def test_job_completions_and_parallelism(given: Obj, completions: int | None,
                                          parallelism: int) -> None:
    spec = _defaulted("batch", "Job", _job(**given))["spec"]
    assert spec.get("completions") == completions
    assert spec["parallelism"] == parallelism


def test_job_defaults_by_minor() -> None:
    newest = _defaulted("batch", "Job", _job())["spec"]
    assert (newest["backoffLimit"], newest["completionMode"], newest["suspend"]) == (
        6, "NonIndexed", False)
    assert newest["podReplacementPolicy"] == "TerminatingOrFailed"
    assert newest["manualSelector"] is False
    oldest = _defaulted("batch", "Job", _job(), minor=27)["spec"]
    assert "podReplacementPolicy" not in oldest and "manualSelector" not in oldest
    assert "podReplacementPolicy" not in _defaulted("batch", "Job", _job(), minor=28)["spec"]
    with_policy = _defaulted("batch", "Job", _job(podFailurePolicy={"rules": [
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}))["spec"]
    assert with_policy["podReplacementPolicy"] == "Failed"
    assert with_policy["podFailurePolicy"]["rules"][0]["onPodConditions"] == [
        {"type": "DisruptionTarget", "status": "True"}]
    per_index = _defaulted("batch", "Job", _job(completionMode="Indexed", completions=3,
                                                 backoffLimitPerIndex=1))["spec"]
    assert per_index["backoffLimit"] == 2147483647


def test_job_generated_selector_and_labels() -> None:
    job = _defaulted("batch", "Job", _job())
    generated = {"job-name": "pi", "batch.kubernetes.io/job-name": "pi", "controller-uid": UID,
                 "batch.kubernetes.io/controller-uid": UID}
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": UID}}
    assert job["spec"]["template"]["metadata"]["labels"] == generated
    assert job["metadata"]["labels"] == generated  # a job without labels shows its pods'


def test_job_labels_come_from_the_template_the_client_wrote() -> None:
    given = _job()
    given["spec"]["template"]["metadata"] = {"labels": {"app": "pi"}}
    job = _defaulted("batch", "Job", given)
    assert job["metadata"]["labels"] == {"app": "pi"}
    assert job["spec"]["template"]["metadata"]["labels"]["app"] == "pi"
    labelled = _job()
    labelled["metadata"]["labels"] = {"team": "a"}
    assert _defaulted("batch", "Job", labelled)["metadata"]["labels"] == {"team": "a"}


def test_job_manual_selector_generates_nothing() -> None:
    selector = {"matchLabels": {"app": "pi"}}
    given = _job(manualSelector=True, selector=selector)
    given["spec"]["template"]["metadata"] = {"labels": {"app": "pi"}}
    spec = _defaulted("batch", "Job", given)["spec"]
    assert spec["selector"] == selector
    assert spec["template"]["metadata"]["labels"] == {"app": "pi"}


def test_cron_job_defaults() -> None:
    cron = _defaulted("batch", "CronJob", {"spec": {"schedule": "*/5 * * * *", "jobTemplate": {
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}}})
    spec = cron["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"], spec["successfulJobsHistoryLimit"],
            spec["failedJobsHistoryLimit"]) == ("Allow", False, 3, 1)
    job_spec = spec["jobTemplate"]["spec"]
    assert job_spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    assert "backoffLimit" not in job_spec and "selector" not in job_spec  # not a Job's defaults


# --- core -------------------------------------------------------------------------------------


def test_service_defaults() -> None:
    spec = _defaulted("", "Service", {"spec": {"selector": {"app": "web"}, "ports": [
        {"port": 80}, {"port": 443, "targetPort": "https", "protocol": "TCP"}]}})["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80},
                             {"port": 443, "targetPort": "https", "protocol": "TCP"}]
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert "ipFamilyPolicy" not in spec  # the allocator's (test_services.py)
    assert "externalTrafficPolicy" not in spec and "allocateLoadBalancerNodePorts" not in spec


def test_load_balancer_and_node_port_services() -> None:
    balancer = _defaulted("", "Service", {"spec": {"type": "LoadBalancer", "ports": [{"port": 80}]},
                                          "status": {"loadBalancer": {"ingress": [
                                              {"ip": "34.1.2.3"}, {"hostname": "lb.example"}]}}})
    assert balancer["spec"]["externalTrafficPolicy"] == "Cluster"
    assert balancer["spec"]["allocateLoadBalancerNodePorts"] is True
    assert balancer["status"]["loadBalancer"]["ingress"] == [
        {"ip": "34.1.2.3", "ipMode": "VIP"}, {"hostname": "lb.example"}]
    older = _defaulted("", "Service", {"spec": {"type": "LoadBalancer"}, "status": {
        "loadBalancer": {"ingress": [{"ip": "34.1.2.3"}]}}}, minor=29)
    assert older["status"]["loadBalancer"]["ingress"] == [{"ip": "34.1.2.3"}]
    node_port = _defaulted("", "Service", {"spec": {"type": "NodePort",
                                                    "externalTrafficPolicy": "Local"}})
    assert node_port["spec"]["externalTrafficPolicy"] == "Local"


def test_external_ips_get_a_traffic_policy_from_1_29() -> None:
    service = {"spec": {"externalIPs": ["198.51.100.32"], "ports": [{"port": 80}]}}
    assert "externalTrafficPolicy" not in _defaulted("", "Service", service, minor=28)["spec"]
    assert _defaulted("", "Service", service, minor=29)["spec"]["externalTrafficPolicy"] == \
        "Cluster"


def test_session_affinity_client_ip_gets_a_timeout() -> None:
    spec = _defaulted("", "Service", {"spec": {"sessionAffinity": "ClientIP"}})["spec"]
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    kept = _defaulted("", "Service", {"spec": {"sessionAffinity": "ClientIP",
                                               "sessionAffinityConfig": {
                                                   "clientIP": {"timeoutSeconds": 60}}}})
    assert kept["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 60}}
    dropped = _defaulted("", "Service", {"spec": {"sessionAffinityConfig": {
        "clientIP": {"timeoutSeconds": 60}}}})
    assert "sessionAffinityConfig" not in dropped["spec"]


def test_volumes_and_claims() -> None:
    claim = _defaulted("", "PersistentVolumeClaim", {"spec": {"accessModes": ["ReadWriteOnce"]}})
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["status"] == {"phase": "Pending"}
    block = _defaulted("", "PersistentVolumeClaim", {"spec": {"volumeMode": "Block"}})
    assert block["spec"]["volumeMode"] == "Block"
    volume = _defaulted("", "PersistentVolume", {"spec": {"capacity": {"storage": "1Gi"}}})
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert volume["spec"]["volumeMode"] == "Filesystem"
    assert volume["status"] == {"phase": "Pending"}


def test_limit_range_defaults() -> None:
    limit_range = _defaulted("", "LimitRange", {"spec": {"limits": [
        {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}},
        {"type": "Pod", "max": {"cpu": "4"}},
    ]}})
    container, pod = limit_range["spec"]["limits"]
    assert container["default"] == {"cpu": "2"}
    assert container["defaultRequest"] == {"cpu": "2", "memory": "64Mi"}
    assert pod == {"type": "Pod", "max": {"cpu": "4"}}


def test_endpoints_namespace_and_secret() -> None:
    endpoints = _defaulted("", "Endpoints", {"subsets": [{"ports": [{"port": 80}]}]})
    assert endpoints["subsets"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]
    namespace = _defaulted("", "Namespace", {"metadata": {"name": "team-a",
                                                          "labels": {"env": "dev"}}})
    assert namespace["metadata"]["labels"] == {"env": "dev",
                                               "kubernetes.io/metadata.name": "team-a"}
    assert namespace["status"] == {"phase": "Active"}
    assert _defaulted("", "Secret", {})["type"] == "Opaque"
    assert _defaulted("", "Secret", {"type": "kubernetes.io/tls"})["type"] == "kubernetes.io/tls"


# --- autoscaling, networking, scheduling, storage, RBAC ----------------------------------------


def test_hpa_v2_defaults() -> None:
    spec = _defaulted("autoscaling", "HorizontalPodAutoscaler", {"spec": {"maxReplicas": 5}},
                      version="v2")["spec"]
    assert spec["minReplicas"] == 1
    assert spec["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80}}}]
    assert "behavior" not in spec


def test_hpa_v2_behavior_is_filled_in_when_given() -> None:
    spec = _defaulted("autoscaling", "HorizontalPodAutoscaler", {"spec": {"behavior": {
        "scaleDown": {"stabilizationWindowSeconds": 60}}}}, version="v2")["spec"]
    assert spec["behavior"] == {
        "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15}]},
        "scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max", "policies": [
            {"type": "Percent", "value": 100, "periodSeconds": 15}]},
    }


def test_hpa_v1_defaults_only_the_minimum() -> None:
    spec = _defaulted("autoscaling", "HorizontalPodAutoscaler", {"spec": {"maxReplicas": 3}},
                      version="v1")["spec"]
    assert spec == {"maxReplicas": 3, "minReplicas": 1}


def test_network_policy_types() -> None:
    ingress = _defaulted("networking.k8s.io", "NetworkPolicy", {"spec": {"podSelector": {},
                                                                         "ingress": [{}]}})
    assert ingress["spec"]["policyTypes"] == ["Ingress"]
    both = _defaulted("networking.k8s.io", "NetworkPolicy", {"spec": {"egress": [
        {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 443}]}]}})
    assert both["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert [p["protocol"] for p in both["spec"]["egress"][0]["ports"]] == ["UDP", "TCP"]
    given = _defaulted("networking.k8s.io", "NetworkPolicy", {"spec": {"policyTypes": ["Egress"]}})
    assert given["spec"]["policyTypes"] == ["Egress"]


def test_ingress_class_endpoint_slice_and_priority_class() -> None:
    ingress_class = _defaulted("networking.k8s.io", "IngressClass", {"spec": {
        "controller": "example.com/ingress", "parameters": {"kind": "Params", "name": "p"}}})
    assert ingress_class["spec"]["parameters"]["scope"] == "Cluster"
    endpoint_slice = _defaulted("discovery.k8s.io", "EndpointSlice", {"ports": [{"port": 80}]})
    assert endpoint_slice["ports"] == [{"port": 80, "name": "", "protocol": "TCP"}]
    priority = _defaulted("scheduling.k8s.io", "PriorityClass", {"value": 1000})
    assert priority["preemptionPolicy"] == "PreemptLowerPriority"


def test_storage_class_and_csi_driver() -> None:
    storage_class = _defaulted("storage.k8s.io", "StorageClass", {"provisioner": "pd.csi"})
    assert (storage_class["reclaimPolicy"], storage_class["volumeBindingMode"]) == (
        "Delete", "Immediate")
    driver = _defaulted("storage.k8s.io", "CSIDriver", {"spec": {}})["spec"]
    assert driver == {"attachRequired": True, "podInfoOnMount": False, "storageCapacity": False,
                      "requiresRepublish": False, "fsGroupPolicy": "ReadWriteOnceWithFSType",
                      "volumeLifecycleModes": ["Persistent"], "seLinuxMount": False}
    assert "seLinuxMount" not in _defaulted("storage.k8s.io", "CSIDriver", {"spec": {}},
                                            minor=27)["spec"]


def test_role_binding_groups() -> None:
    binding = _defaulted("rbac.authorization.k8s.io", "RoleBinding", {
        "roleRef": {"kind": "Role", "name": "reader"},
        "subjects": [{"kind": "User", "name": "alice"}, {"kind": "Group", "name": "devs"},
                     {"kind": "ServiceAccount", "name": "default", "namespace": "a"}]})
    assert binding["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
    assert [s.get("apiGroup") for s in binding["subjects"]] == [
        "rbac.authorization.k8s.io", "rbac.authorization.k8s.io", None]


# --- the whole ----------------------------------------------------------------------------------

SAMPLES: list[tuple[str, str, str, Obj]] = [
    ("", "Pod", "v1", {"spec": {"containers": [{"name": "c", "image": "app",
                                                "resources": {"limits": {"cpu": "1"}}}]}}),
    ("", "Service", "v1", {"spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}),
    ("", "ReplicationController", "v1", {"spec": {"template": _template()}}),
    ("", "PersistentVolumeClaim", "v1", {"spec": {}}),
    ("", "LimitRange", "v1", {"spec": {"limits": [{"type": "Container", "max": {"cpu": "1"}}]}}),
    ("apps", "Deployment", "v1", {"spec": {"template": _template()}}),
    ("apps", "StatefulSet", "v1", {"spec": {"template": _template(),
                                            "volumeClaimTemplates": [{"spec": {}}]}}),
    ("apps", "DaemonSet", "v1", {"spec": {"template": _template()}}),
    ("batch", "Job", "v1", _job()),
    ("batch", "CronJob", "v1", {"spec": {"jobTemplate": {"spec": {"template": _template()}}}}),
    ("autoscaling", "HorizontalPodAutoscaler", "v2", {"spec": {"behavior": {}}}),
    ("networking.k8s.io", "NetworkPolicy", "v1", {"spec": {"egress": [{}]}}),
    ("storage.k8s.io", "CSIDriver", "v1", {"spec": {}}),
]


@pytest.mark.parametrize(("group", "kind", "version", "obj"), SAMPLES,
                         ids=[s[1] for s in SAMPLES])
@pytest.mark.parametrize("minor", [27, 30, 35])
def test_defaulting_twice_changes_nothing_more(group: str, kind: str, version: str, obj: Obj,
                                               minor: int) -> None:
    once = _defaulted(group, kind, obj, minor, version)
    assert _defaulted(group, kind, once, minor, version) == once


def test_kinds_without_defaults_are_left_alone() -> None:
    for group, kind in (("", "ConfigMap"), ("policy", "PodDisruptionBudget"),
                        ("coordination.k8s.io", "Lease"), ("example.com", "Widget")):
        obj = {"metadata": {"name": "x"}, "spec": {"a": None}, "data": {"k": "v"}}
        assert _defaulted(group, kind, obj) == obj


def test_objects_default_what_they_store_for_their_clusters_minor() -> None:
    namespaces = ResourceType("", "v1", "Namespace", "namespaces", "namespace", False)
    jobs = ResourceType("batch", "v1", "Job", "jobs", "job", True)

    def created(version: str) -> Obj:
        objects = Objects(ObjectStore(), Registry((namespaces, jobs), version),
                          lambda: datetime(2024, 6, 1, tzinfo=timezone.utc),
                          lambda pod: None, lambda service: None)
        objects.create(namespaces, None, {"metadata": {"name": "default"}}, Query(()))
        return objects.create(jobs, "default", {"metadata": {"name": "pi"}, "spec": {
            "template": {"spec": {"containers": [{"name": "pi", "image": "perl:5"}],
                                  "restartPolicy": "Never"}}}}, Query(()))

    newest, oldest = created("1.33.2"), created("v1.27.16-gke.1")
    uid = newest["metadata"]["uid"]
    assert newest["spec"]["selector"] == {
        "matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert newest["spec"]["podReplacementPolicy"] == "TerminatingOrFailed"
    assert "podReplacementPolicy" not in oldest["spec"]
    assert oldest["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"
