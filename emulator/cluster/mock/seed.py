"""What a freshly created cluster already holds before any scenario object is added."""

from __future__ import annotations

from typing import Any

from emulator.cluster.mock.kubelet import NODE_IP, node_name
from emulator.cluster.mock.rbac_defaults import default_objects

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def boot_objects(cluster_name: str, kubernetes_version: str) -> list[dict[str, Any]]:
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
            "nodeInfo": {"kubeletVersion": kubernetes_version, "operatingSystem": "linux",
                         "architecture": "amd64", "containerRuntimeVersion": "fake://0.1.0",
                         "kubeProxyVersion": kubernetes_version,
                         "osImage": "connect-gateway-emulator fake node"},
        },
    })
    objects.append({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "ports": [
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
    })
    return objects
