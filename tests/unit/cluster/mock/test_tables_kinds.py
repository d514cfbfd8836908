"""Tables for networking, storage, events, and cluster machinery: kube-apiserver's columns and
cells, checked against the cases of upstream's pkg/printers/internalversion/printers_test.go."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from emulator.cluster.mock.wire import tables
from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.wire.tables import cells as table_cells
from tests.unit.cluster.mock.served import every_served_resource, served_resource

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
Obj = dict[str, Any]


def _ts(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _resource(group: str, plural: str) -> ResourceType:
    return served_resource(group, plural)


def _table(group: str, plural: str, *objects: Obj, minor: int | None = None) -> Obj:
    return tables.to_table(_resource(group, plural), list(objects), now=NOW, resource_version="1",
                           minor=minor)


def _names(group: str, plural: str, minor: int | None = None) -> list[str]:
    return [c["name"] for c in _table(group, plural, minor=minor)["columnDefinitions"]]


def _cells(group: str, plural: str, obj: Obj, minor: int | None = None) -> list[Any]:
    return _table(group, plural, obj, minor=minor)["rows"][0]["cells"]


# --- every printer ----------------------------------------------------------------------------

# The kinds people list (issue: workloads, services and networking, storage, RBAC, batch, events,
# nodes, namespaces, policy, scheduling), by group_resource.
LISTED = [
    "pods", "deployments.apps", "replicasets.apps", "statefulsets.apps", "daemonsets.apps",
    "controllerrevisions.apps", "jobs.batch", "cronjobs.batch",
    "horizontalpodautoscalers.autoscaling", "replicationcontrollers", "podtemplates",
    "services", "endpoints", "endpointslices.discovery.k8s.io", "ingresses.networking.k8s.io",
    "ingressclasses.networking.k8s.io", "networkpolicies.networking.k8s.io",
    "persistentvolumeclaims", "persistentvolumes", "storageclasses.storage.k8s.io",
    "csidrivers.storage.k8s.io", "csinodes.storage.k8s.io", "csistoragecapacities.storage.k8s.io",
    "volumeattachments.storage.k8s.io", "roles.rbac.authorization.k8s.io",
    "clusterroles.rbac.authorization.k8s.io", "rolebindings.rbac.authorization.k8s.io",
    "clusterrolebindings.rbac.authorization.k8s.io", "events", "events.events.k8s.io", "nodes",
    "namespaces", "configmaps", "secrets", "serviceaccounts", "poddisruptionbudgets.policy",
    "priorityclasses.scheduling.k8s.io", "runtimeclasses.node.k8s.io", "resourcequotas",
    "limitranges", "leases.coordination.k8s.io", "certificatesigningrequests.certificates.k8s.io",
    "mutatingwebhookconfigurations.admissionregistration.k8s.io",
    "validatingwebhookconfigurations.admissionregistration.k8s.io",
    "validatingadmissionpolicies.admissionregistration.k8s.io",
    "validatingadmissionpolicybindings.admissionregistration.k8s.io",
    "flowschemas.flowcontrol.apiserver.k8s.io",
    "prioritylevelconfigurations.flowcontrol.apiserver.k8s.io",
    "apiservices.apiregistration.k8s.io", "customresourcedefinitions.apiextensions.k8s.io",
    "componentstatuses",
]


def test_every_listed_kind_has_a_printer() -> None:
    unprinted = []
    for name in LISTED:
        plural, _, group = name.partition(".")
        if served_resource(group, plural).behaviour.printer is None:
            unprinted.append(name)
    assert unprinted == []


@pytest.mark.parametrize("minor", range(27, 36))
def test_every_printer_fills_its_columns_for_every_minor(minor: int) -> None:
    for resource in every_served_resource():
        group_resource = resource.group_resource
        for obj in ({}, {"metadata": {"name": "x"}, "spec": {}, "status": {}}):
            table = tables.to_table(resource, [obj], now=NOW, resource_version="1", minor=minor)
            columns = table["columnDefinitions"]
            assert len(table["rows"][0]["cells"]) == len(columns), (group_resource, minor)
            assert columns[0]["name"] in ("Name", "Last Seen"), group_resource
            assert len({c["name"] for c in columns}) == len(columns), group_resource
            assert all(c["priority"] in (0, 1) for c in columns)


def test_a_table_without_a_minor_has_the_newest_columns() -> None:
    assert _names("batch", "jobs") == _names("batch", "jobs", minor=tables.LATEST_MINOR)


# --- quantities -------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "canonical"), [
    ("10Gi", "10Gi"), ("1.5Gi", "1536Mi"), ("2048Mi", "2Gi"), ("1000Ki", "1000Ki"),
    ("0.5Ki", "512"), ("0.5", "500m"), ("1500m", "1500m"), ("1000m", "1"), ("1000M", "1G"),
    ("12000", "12k"), ("100m", "100m"), ("1e3", "1e3"), (10, "10"), (0.25, "250m"),
    ("0", "0"), (None, "0"), ("bogus", "bogus"),
])
def test_quantities_print_in_canonical_form(given: Any, canonical: str) -> None:
    assert table_cells.quantity(given) == canonical


# --- networking -------------------------------------------------------------------------------


def _ingress(rules: list[Obj], **spec: Any) -> Obj:
    return {"metadata": {"name": "web", "creationTimestamp": _ts(minutes=3)},
            "spec": {"rules": rules, **spec}}


def test_ingress() -> None:
    assert _names("networking.k8s.io", "ingresses") == [
        "Name", "Class", "Hosts", "Address", "Ports", "Age"]
    ingress = _ingress([{"host": "foo.example.com"}, {"host": "bar.example.com"}],
                       ingressClassName="nginx", tls=[{"hosts": ["foo.example.com"]}])
    ingress["status"] = {"loadBalancer": {"ingress": [{"ip": "34.1.2.3"},
                                                      {"hostname": "lb.example.net"}]}}
    assert _cells("networking.k8s.io", "ingresses", ingress) == [
        "web", "nginx", "foo.example.com,bar.example.com", "34.1.2.3,lb.example.net", "80, 443",
        "3m"]
    assert _cells("networking.k8s.io", "ingresses", _ingress([{}]))[1:5] == [
        "<none>", "*", "", "80"]


@pytest.mark.parametrize(("hosts", "cell"), [
    (["a", "b", "c"], "a,b,c"),
    (["a", "b", "c", "d", "e"], "a,b,c + 2 more..."),
    (["a", "", "b", "c"], "a,b,c"),  # a rule without a host takes no place
    (["", ""], "*"),
])
def test_ingress_hosts(hosts: list[str], cell: str) -> None:
    rules = [{"host": h} if h else {} for h in hosts]
    assert _cells("networking.k8s.io", "ingresses", _ingress(rules))[2] == cell


def test_ingress_class() -> None:
    ingress_class = {"metadata": {"name": "nginx"}, "spec": {
        "controller": "k8s.io/ingress-nginx", "parameters": {
            "apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "external-lb"}}}
    assert _cells("networking.k8s.io", "ingressclasses", ingress_class) == [
        "nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb",
        "<unknown>"]
    bare = {"metadata": {"name": "gce"}, "spec": {"controller": "k8s.io/gce"}}
    assert _cells("networking.k8s.io", "ingressclasses", bare)[2] == "<none>"


def test_network_policy() -> None:
    policy = {"metadata": {"name": "deny"}, "spec": {"podSelector": {}}}
    assert _cells("networking.k8s.io", "networkpolicies", policy) == ["deny", "<none>",
                                                                      "<unknown>"]
    policy["spec"]["podSelector"] = {"matchLabels": {"role": "db"}}
    assert _cells("networking.k8s.io", "networkpolicies", policy)[1] == "role=db"


def test_endpoints() -> None:
    endpoints = {"metadata": {"name": "web"}, "subsets": [
        {"addresses": [{"ip": "10.244.0.5"}, {"ip": "10.244.0.6"}],
         "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]}]}
    assert _cells("", "endpoints", endpoints)[1] == \
        "10.244.0.5:80,10.244.0.6:80,10.244.0.5:443 + 1 more..."
    headless = {"metadata": {"name": "db"}, "subsets": [
        {"addresses": [{"ip": "10.244.0.7"}, {"ip": "fd00::7"}]}]}
    assert _cells("", "endpoints", headless)[1] == "10.244.0.7,fd00::7"
    v6 = {"metadata": {"name": "v6"}, "subsets": [{"addresses": [{"ip": "fd00::7"}],
                                                   "ports": [{"port": 53}]}]}
    assert _cells("", "endpoints", v6)[1] == "[fd00::7]:53"
    assert _cells("", "endpoints", {"metadata": {"name": "none"}})[1] == "<none>"


def test_endpoint_slice() -> None:
    assert _names("discovery.k8s.io", "endpointslices") == [
        "Name", "AddressType", "Ports", "Endpoints", "Age"]
    endpoint_slice = {"metadata": {"name": "web-abc12"}, "addressType": "IPv4",
                      "ports": [{"port": 80}, {"name": "https"}, {}, {"port": 9090}],
                      "endpoints": [{"addresses": ["10.0.0.1"]},
                                    {"addresses": ["10.0.0.2", "10.0.0.3"]},
                                    {"addresses": ["10.0.0.4"]}]}
    assert _cells("discovery.k8s.io", "endpointslices", endpoint_slice)[:4] == [
        "web-abc12", "IPv4", "80,https,* + 1 more...", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more..."]
    empty = {"metadata": {"name": "e"}, "addressType": "IPv6"}
    assert _cells("discovery.k8s.io", "endpointslices", empty)[2:4] == ["<unset>", "<unset>"]


# --- storage ----------------------------------------------------------------------------------


def _volume(**spec: Any) -> Obj:
    return {"metadata": {"name": "pv-1", "creationTimestamp": _ts(days=1)},
            "spec": {"capacity": {"storage": "10Gi"}, "persistentVolumeReclaimPolicy": "Retain",
                     "storageClassName": "standard", "volumeMode": "Filesystem", **spec},
            "status": {"phase": "Bound"}}


def test_persistent_volume() -> None:
    assert _names("", "persistentvolumes", minor=28) == [
        "Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass",
        "Reason", "Age", "VolumeMode"]
    assert _names("", "persistentvolumes", minor=29)[7] == "VolumeAttributesClass"
    volume = _volume(accessModes=["ReadWriteMany", "ReadWriteOncePod", "ReadWriteOnce",
                                  "ReadOnlyMany"],
                     claimRef={"namespace": "default", "name": "data"})
    assert _cells("", "persistentvolumes", volume) == [
        "pv-1", "10Gi", "RWO,ROX,RWX,RWOP", "Retain", "Bound", "default/data", "standard",
        "<unset>", "", "24h", "Filesystem"]
    volume["metadata"]["deletionTimestamp"] = _ts(seconds=1)
    assert _cells("", "persistentvolumes", volume, minor=28)[4] == "Terminating"


def test_persistent_volume_claim() -> None:
    assert _names("", "persistentvolumeclaims") == [
        "Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
        "VolumeAttributesClass", "Age", "VolumeMode"]
    bound = {"metadata": {"name": "data", "creationTimestamp": _ts(minutes=5)},
             "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard-rwo",
                      "volumeName": "pvc-1234", "resources": {"requests": {"storage": "1Gi"}},
                      "volumeMode": "Filesystem", "volumeAttributesClassName": "gold"},
             "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                        "capacity": {"storage": "1Gi"}}}
    assert _cells("", "persistentvolumeclaims", bound) == [
        "data", "Bound", "pvc-1234", "1Gi", "RWO", "standard-rwo", "gold", "5m", "Filesystem"]
    pending = {"metadata": {"name": "wait", "annotations": {
        "volume.beta.kubernetes.io/storage-class": "legacy"}},
        "spec": {"storageClassName": "standard", "resources": {"requests": {"storage": "5Gi"}}},
        "status": {"phase": "Pending"}}
    assert _cells("", "persistentvolumeclaims", pending, minor=28) == [
        "wait", "Pending", "", "", "", "legacy", "<unknown>", "<unset>"]


def test_storage_class() -> None:
    assert _names("storage.k8s.io", "storageclasses") == [
        "Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion",
        "Age"]
    default = {"metadata": {"name": "standard-rwo", "annotations": {
        "storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "pd.csi.storage.gke.io", "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True}
    assert _cells("storage.k8s.io", "storageclasses", default)[:5] == [
        "standard-rwo (default)", "pd.csi.storage.gke.io", "Delete", "WaitForFirstConsumer",
        True]
    plain = {"metadata": {"name": "slow"}, "provisioner": "x", "reclaimPolicy": "Retain"}
    assert _cells("storage.k8s.io", "storageclasses", plain)[:5] == [
        "slow", "x", "Retain", "Immediate", False]


def test_csi_objects_and_volume_attachments() -> None:
    assert _cells("storage.k8s.io", "csidrivers", {"metadata": {"name": "pd"}, "spec": {}})[:7] \
        == ["pd", True, False, False, "<unset>", False, "<none>"]
    driver = {"metadata": {"name": "secrets"}, "spec": {
        "attachRequired": False, "podInfoOnMount": True, "tokenRequests": [
            {"audience": "vault"}, {"audience": "gcp"}],
        "volumeLifecycleModes": ["Persistent", "Ephemeral"]}}
    assert _cells("storage.k8s.io", "csidrivers", driver)[:7] == [
        "secrets", False, True, False, "vault,gcp", False, "Persistent,Ephemeral"]
    node = {"metadata": {"name": "node-1"}, "spec": {"drivers": [{"name": "a"}, {"name": "b"}]}}
    assert _cells("storage.k8s.io", "csinodes", node)[:2] == ["node-1", 2]
    capacity = {"metadata": {"name": "cap"}, "storageClassName": "fast",
                "capacity": "1024Mi"}
    assert _names("storage.k8s.io", "csistoragecapacities") == [
        "Name", "StorageClassName", "Capacity"]
    assert _cells("storage.k8s.io", "csistoragecapacities", capacity) == ["cap", "fast", "1Gi"]
    attachment = {"metadata": {"name": "csi-123"}, "spec": {
        "attacher": "pd.csi.storage.gke.io", "nodeName": "node-1",
        "source": {"persistentVolumeName": "pv-1"}}, "status": {"attached": True}}
    table = _table("storage.k8s.io", "volumeattachments", attachment)
    assert table["columnDefinitions"][1]["format"] == "name"
    assert table["rows"][0]["cells"][:5] == ["csi-123", "pd.csi.storage.gke.io", "pv-1",
                                             "node-1", True]


# --- events, templates, component statuses ---------------------------------------------------


def test_events_k8s_io_events_print_like_core_events() -> None:
    event = {"metadata": {"name": "web.17a"}, "type": "Warning", "reason": "BackOff",
             "regarding": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{app}"},
             "note": "Back-off restarting failed container ", "reportingController": "kubelet",
             "reportingInstance": "node-1", "eventTime": _ts(minutes=30),
             "series": {"count": 7, "lastObservedTime": _ts(minutes=1)}}
    table = _table("events.k8s.io", "events", event)
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen",
        "Count", "Name"]
    assert table["rows"][0]["cells"] == [
        "60s", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-1",
        "Back-off restarting failed container", "30m", 7, "web.17a"]
    legacy = {"metadata": {"name": "e"}, "type": "Normal", "reason": "Pulled",
              "regarding": {"kind": "Pod", "name": "p"}, "note": "pulled",
              "deprecatedFirstTimestamp": _ts(hours=1), "deprecatedLastTimestamp": _ts(minutes=2),
              "deprecatedCount": 3, "deprecatedSource": {"component": "kubelet"}}
    assert _cells("events.k8s.io", "events", legacy) == [
        "2m", "Normal", "Pulled", "pod/p", "", "kubelet", "pulled", "60m", 3, "e"]


def test_pod_templates_and_component_statuses() -> None:
    template = {"metadata": {"name": "t"}, "template": {
        "metadata": {"labels": {"app": "web", "tier": "fe"}},
        "spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:2"}]}}}
    assert _names("", "podtemplates") == ["Name", "Containers", "Images", "Pod Labels"]
    assert _cells("", "podtemplates", template) == ["t", "a,b", "a:1,b:2", "app=web,tier=fe"]
    healthy = {"metadata": {"name": "etcd-0"}, "conditions": [
        {"type": "Healthy", "status": "True", "message": "ok"}]}
    assert _cells("", "componentstatuses", healthy) == ["etcd-0", "Healthy", "ok", ""]
    failing = {"metadata": {"name": "scheduler"}, "conditions": [
        {"type": "Healthy", "status": "False", "error": "connection refused"}]}
    assert _cells("", "componentstatuses", failing) == ["scheduler", "Unhealthy", "",
                                                        "connection refused"]
    assert _cells("", "componentstatuses", {"metadata": {"name": "x"}})[1] == "Unknown"


# --- cluster machinery ------------------------------------------------------------------------


def test_lease_priority_and_runtime_classes() -> None:
    lease = {"metadata": {"name": "kube-scheduler", "creationTimestamp": _ts(days=9)},
             "spec": {"holderIdentity": "master-1_6b3a"}}
    assert _cells("coordination.k8s.io", "leases", lease) == ["kube-scheduler", "master-1_6b3a",
                                                              "9d"]
    assert _cells("coordination.k8s.io", "leases", {"metadata": {"name": "x"}})[1] == ""
    assert _names("scheduling.k8s.io", "priorityclasses") == [
        "Name", "Value", "Global-Default", "Age", "PreemptionPolicy"]
    priority = {"metadata": {"name": "high"}, "value": 1000000, "globalDefault": True,
                "preemptionPolicy": "Never"}
    assert _cells("scheduling.k8s.io", "priorityclasses", priority) == [
        "high", 1000000, True, "<unknown>", "Never"]
    runtime = {"metadata": {"name": "gvisor"}, "handler": "runsc"}
    assert _cells("node.k8s.io", "runtimeclasses", runtime)[:2] == ["gvisor", "runsc"]


def test_resource_quota_columns_moved_age_in_1_33() -> None:
    assert _names("", "resourcequotas", minor=32) == ["Name", "Age", "Request", "Limit"]
    assert _names("", "resourcequotas", minor=33) == ["Name", "Request", "Limit", "Age"]
    quota = {"metadata": {"name": "compute", "creationTimestamp": _ts(hours=3)}, "status": {
        "hard": {"pods": "10", "requests.cpu": "1", "limits.memory": "2Gi", "limits.cpu": "2",
                 "requests.memory": "1Gi"},
        "used": {"pods": "3", "requests.cpu": "0.5", "limits.cpu": "1",
                 "limits.memory": "1024Mi"}}}
    requests = "pods: 3/10, requests.cpu: 500m/1, requests.memory: 0/1Gi"
    limits = "limits.cpu: 1/2, limits.memory: 1Gi/2Gi"
    assert _cells("", "resourcequotas", quota) == ["compute", requests, limits, "3h"]
    assert _cells("", "resourcequotas", quota, minor=32) == ["compute", "3h", requests, limits]


@pytest.mark.parametrize(("conditions", "certificate", "cell"), [
    ([], "", "Pending"),
    ([{"type": "Approved"}], "LS0t", "Approved,Issued"),
    ([{"type": "Approved"}, {"type": "Failed"}], "", "Approved,Failed"),
    ([{"type": "Approved"}, {"type": "Denied"}], "", "Denied"),
])
def test_certificate_signing_request_condition(conditions: list[Obj], certificate: str,
                                               cell: str) -> None:
    request = {"metadata": {"name": "csr-1"}, "spec": {}, "status": {
        "conditions": conditions, "certificate": certificate}}
    assert _cells("certificates.k8s.io", "certificatesigningrequests", request)[5] == cell


def test_certificate_signing_request() -> None:
    assert _names("certificates.k8s.io", "certificatesigningrequests") == [
        "Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"]
    request = {"metadata": {"name": "csr-1", "creationTimestamp": _ts(minutes=2)}, "spec": {
        "signerName": "kubernetes.io/kube-apiserver-client", "username": "alice@example.com",
        "expirationSeconds": 3600}}
    assert _cells("certificates.k8s.io", "certificatesigningrequests", request) == [
        "csr-1", "2m", "kubernetes.io/kube-apiserver-client", "alice@example.com", "60m",
        "Pending"]
    assert _cells("certificates.k8s.io", "certificatesigningrequests",
                  {"metadata": {"name": "old"}, "spec": {}})[2:5] == ["<none>", "", "<none>"]


def test_admission_configuration() -> None:
    webhooks = {"metadata": {"name": "cert-manager"}, "webhooks": [{"name": "a"}, {"name": "b"}]}
    assert _cells("admissionregistration.k8s.io", "mutatingwebhookconfigurations",
                  webhooks)[:2] == ["cert-manager", 2]
    policy = {"metadata": {"name": "replicas"}, "spec": {
        "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
        "validations": [{"expression": "object.spec.replicas <= 5"}]}}
    assert _cells("admissionregistration.k8s.io", "validatingadmissionpolicies", policy)[:3] == [
        "replicas", 1, "v1/ConfigMap"]
    assert _cells("admissionregistration.k8s.io", "validatingadmissionpolicies",
                  {"metadata": {"name": "p"}, "spec": {}})[1:3] == [0, "<unset>"]


@pytest.mark.parametrize(("param_ref", "cell"), [
    (None, "<unset>"),
    ({"name": "limits", "namespace": "default"}, "default/limits"),
    ({"name": "limits"}, "*/limits"),
    ({"selector": {"matchLabels": {"env": "prod", "app": "x"}}},
     "&LabelSelector{MatchLabels:map[string]string{app: x,env: prod,},"
     "MatchExpressions:[]LabelSelectorRequirement{},}"),
    ({"selector": {"matchExpressions": [{"key": "tier", "operator": "In",
                                         "values": ["a", "b"]}]}},
     "&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement"
     "{LabelSelectorRequirement{Key:tier,Operator:In,Values:[a b],},},}"),
])
def test_policy_binding_param_ref(param_ref: Obj | None, cell: str) -> None:
    spec: Obj = {"policyName": "replicas"}
    if param_ref is not None:
        spec["paramRef"] = param_ref
    binding = {"metadata": {"name": "b"}, "spec": spec}
    assert _cells("admissionregistration.k8s.io", "validatingadmissionpolicybindings",
                  binding)[1:3] == ["replicas", cell]


def test_flow_schemas_list_in_matching_order() -> None:
    def schema(name: str, precedence: int, **extra: Any) -> Obj:
        return {"metadata": {"name": name}, "spec": {
            "priorityLevelConfiguration": {"name": "workload-low"},
            "matchingPrecedence": precedence, **extra}}

    table = _table("flowcontrol.apiserver.k8s.io", "flowschemas",
                   schema("service-accounts", 9000, distinguisherMethod={"type": "ByUser"}),
                   schema("exempt", 1), schema("catch-all", 10000),
                   schema("b-global", 9000))
    assert [row["cells"][0] for row in table["rows"]] == [
        "exempt", "b-global", "service-accounts", "catch-all"]
    assert table["rows"][2]["cells"][:4] == ["service-accounts", "workload-low", 9000, "ByUser"]
    assert table["rows"][0]["cells"][3] == "<none>"
    assert table["rows"][0]["cells"][5] == "?"
    dangling = schema("x", 5)
    dangling["status"] = {"conditions": [{"type": "Dangling", "status": "False"}]}
    assert _cells("flowcontrol.apiserver.k8s.io", "flowschemas", dangling)[5] == "False"


def test_priority_level_configurations() -> None:
    limited = {"metadata": {"name": "workload-low"}, "spec": {"type": "Limited", "limited": {
        "nominalConcurrencyShares": 100, "limitResponse": {"type": "Queue", "queuing": {
            "queues": 128, "handSize": 6, "queueLengthLimit": 50}}}}}
    assert _cells("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", limited)[:6] == [
        "workload-low", "Limited", 100, 128, 6, 50]
    exempt = {"metadata": {"name": "exempt"}, "spec": {"type": "Exempt"}}
    assert _cells("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", exempt)[:6] == [
        "exempt", "Exempt", "<none>", "<none>", "<none>", "<none>"]


def test_api_services() -> None:
    assert _names("apiregistration.k8s.io", "apiservices") == [
        "Name", "Service", "Available", "Age"]
    local = {"metadata": {"name": "v1.apps"}, "spec": {"group": "apps", "version": "v1"},
             "status": {"conditions": [{"type": "Available", "status": "True"}]}}
    assert _cells("apiregistration.k8s.io", "apiservices", local)[:3] == [
        "v1.apps", "Local", "True"]
    remote = {"metadata": {"name": "v1beta1.metrics.k8s.io"}, "spec": {
        "service": {"namespace": "kube-system", "name": "metrics-server"}},
        "status": {"conditions": [{"type": "Available", "status": "False",
                                   "reason": "FailedDiscoveryCheck"}]}}
    assert _cells("apiregistration.k8s.io", "apiservices", remote)[1:3] == [
        "kube-system/metrics-server", "False (FailedDiscoveryCheck)"]
    assert _cells("apiregistration.k8s.io", "apiservices", {"metadata": {"name": "x"}})[2] == \
        "Unknown"


def test_kinds_kube_does_not_print_get_name_and_created_at() -> None:
    crd = {"metadata": {"name": "widgets.example.com", "creationTimestamp": _ts(days=1)}}
    for group, plural in (("apiextensions.k8s.io", "customresourcedefinitions"),
                          ("", "limitranges")):
        table = _table(group, plural, crd)
        assert [(c["name"], c["type"]) for c in table["columnDefinitions"]] == [
            ("Name", "string"), ("Created At", "date")]
        assert table["rows"][0]["cells"] == ["widgets.example.com", "2024-05-31T12:00:00Z"]


def test_newer_kinds() -> None:
    claim = {"metadata": {"name": "gpu"}, "status": {"allocation": {}, "reservedFor": [{}]}}
    assert _cells("resource.k8s.io", "resourceclaims", claim)[:2] == ["gpu", "allocated,reserved"]
    deleted = {"metadata": {"name": "gpu", "deletionTimestamp": _ts(seconds=1)}}
    assert _cells("resource.k8s.io", "resourceclaims", deleted)[1] == "deleted"
    assert _cells("resource.k8s.io", "resourceclaims", {"metadata": {"name": "p"}})[1] == \
        "pending"
    cidr = {"metadata": {"name": "kubernetes"}, "spec": {"cidrs": ["10.96.0.0/16", "fd00::/108"]}}
    assert _cells("networking.k8s.io", "servicecidrs", cidr)[:2] == [
        "kubernetes", "10.96.0.0/16,fd00::/108"]
    address = {"metadata": {"name": "10.96.0.10"}, "spec": {"parentRef": {
        "group": "", "resource": "services", "namespace": "kube-system", "name": "kube-dns"}}}
    assert _cells("networking.k8s.io", "ipaddresses", address) == [
        "10.96.0.10", "services/kube-system/kube-dns"]
