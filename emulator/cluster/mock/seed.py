"""What a freshly created cluster already holds before any scenario object is added."""

from __future__ import annotations

import uuid
from typing import Any

from emulator.cluster.mock.node.kubelet import NODE_IP, node_name
from emulator.cluster.mock.auth.rbac_defaults import default_objects

# When the fake control plane came up: a fixed instant, so that seeded objects are reproducible.
BOOT_TIME = "2024-01-01T00:00:00Z"
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
APISERVER_PORT = 6443  # the secure port kube-apiserver advertises (the Service's targetPort)


def _fake_id(node: str, what: str) -> str:
    """A stable id per node, shaped as the kubelet reports it (a UUID)."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{what}.{node}"))


def boot_objects(cluster_name: str, kubernetes_version: str,
                 group_versions: list[tuple[str, str]]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        for ns in SYSTEM_NAMESPACES
    ]
    objects += default_objects()  # RBAC's bootstrap policy: cluster-admin, view, discovery, ...
    node = node_name(cluster_name)
    objects.append({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": node, "labels": {
            "kubernetes.io/hostname": node, "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64", "node-role.kubernetes.io/control-plane": ""}},
        "spec": {"podCIDR": "10.244.0.0/24"},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status"}],
            "addresses": [{"type": "InternalIP", "address": NODE_IP},
                          {"type": "Hostname", "address": node}],
            # Every field the API marks required: clients' models refuse a node without them.
            "nodeInfo": {"kubeletVersion": kubernetes_version, "operatingSystem": "linux",
                         "architecture": "amd64", "containerRuntimeVersion": "fake://0.1.0",
                         "kubeProxyVersion": kubernetes_version,
                         "osImage": "connect-gateway-emulator fake node",
                         "kernelVersion": "6.1.0-fake", "machineID": _fake_id(node, "machine"),
                         "systemUUID": _fake_id(node, "system"), "bootID": _fake_id(node, "boot")},
        },
    })
    objects.append({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "ports": [
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": APISERVER_PORT}]},
    })
    objects += _apiserver_endpoints()
    objects += _control_plane(group_versions)
    return objects


def _apiserver_endpoints() -> list[dict[str, Any]]:
    """The ``kubernetes`` Service's endpoints, which kube-apiserver's own endpoint reconciler
    writes (the Service has no selector, so no controller does): the apiserver's address and
    port, in an Endpoints marked for the mirroring controller to skip, and the EndpointSlice
    the reconciler makes of it (pkg/controlplane/reconcilers)."""
    port = {"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}
    return [
        {"apiVersion": "v1", "kind": "Endpoints",
         "metadata": {"name": "kubernetes", "namespace": "default",
                      "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
         "subsets": [{"addresses": [{"ip": NODE_IP}], "ports": [port]}]},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
         "metadata": {"name": "kubernetes", "namespace": "default",
                      "labels": {"kubernetes.io/service-name": "kubernetes"}},
         "addressType": "IPv4",
         "endpoints": [{"addresses": [NODE_IP], "conditions": {"ready": True}}],
         "ports": [port]},
    ]


def _control_plane(group_versions: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """What kube-apiserver and its bootstrap controllers create in every cluster and clients list:
    a local APIService per built-in group-version, the two system PriorityClasses, and the
    component statuses ``kubectl get componentstatuses`` shows."""
    objects: list[dict[str, Any]] = []
    for group, version in group_versions:
        objects.append({
            "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            # "v1." for the core group, "v1.apps" for apps/v1, as kube-aggregator names them.
            "metadata": {"name": f"{version}.{group}",
                         "labels": {"kube-aggregator.kubernetes.io/automanaged": "onstart"}},
            "spec": {"group": group, "version": version, "groupPriorityMinimum": 18000,
                     "versionPriority": 15},
            "status": {"conditions": [{"type": "Available", "status": "True",
                                       "reason": "Local",
                                       "message": "Local APIServices are always available",
                                       "lastTransitionTime": BOOT_TIME}]},
        })
    for name, value in (("system-cluster-critical", 2000000000),
                        ("system-node-critical", 2000001000)):
        objects.append({
            "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value,
            "description": "Used for system critical pods that must run in the cluster, "
                           "but can be moved to another node if necessary." if
                           name == "system-cluster-critical" else
                           "Used for system critical pods that must not be moved from their "
                           "current node.",
            "preemptionPolicy": "PreemptLowerPriority"})
    for name in ("controller-manager", "etcd-0", "scheduler"):
        objects.append({
            "apiVersion": "v1", "kind": "ComponentStatus", "metadata": {"name": name},
            "conditions": [{"type": "Healthy", "status": "True", "message": "ok"}]})
    return objects
