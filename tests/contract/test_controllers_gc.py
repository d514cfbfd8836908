"""kube's garbage collector and a Service's endpoints as kubectl sees them through the gateway:
a dependent (an ownerReference to its owner's uid) goes with its owner, stays without the
reference with ``--cascade=orphan``, and is gone before its owner with ``--cascade=foreground``;
a Service's selected pod, once Ready, is in its Endpoints and EndpointSlices."""

from __future__ import annotations

import subprocess

import pytest

from tests.harness import KubectlRunner, Served, wait_until

pytestmark = pytest.mark.contract

# A real cluster's collector works a moment after the owner is gone: what it must do at once is
# checked at once, what may follow is waited for.
SETTLES = 30.0

DEPENDENT = """\
apiVersion: v1
kind: Secret
metadata:
  name: {name}
  namespace: default
  ownerReferences:
  - apiVersion: v1
    kind: ConfigMap
    name: {owner}
    uid: {uid}
    blockOwnerDeletion: true
stringData:
  key: value
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: default
  labels: {{app: {name}}}
spec:
  containers:
  - name: main
    image: nginx:1.27
"""


def kubectl(run: KubectlRunner, gateway: Served, *args: str,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run.run(gateway.kubeconfig(), *args, stdin=stdin)


def owned(run: KubectlRunner, gateway: Served, owner: str, dependent: str) -> None:
    """A ConfigMap ``owner`` and a Secret ``dependent`` that names it by its uid."""
    made = kubectl(run, gateway, "create", "configmap", owner)
    assert made.returncode == 0, made.stderr
    uid = kubectl(run, gateway, "get", "configmap", owner, "-o", "jsonpath={.metadata.uid}")
    assert uid.returncode == 0 and uid.stdout, uid.stderr
    applied = kubectl(run, gateway, "apply", "-f", "-",
                      stdin=DEPENDENT.format(name=dependent, owner=owner, uid=uid.stdout))
    assert applied.returncode == 0, applied.stderr


def gone(run: KubectlRunner, gateway: Served, kind: str, name: str) -> bool:
    got = kubectl(run, gateway, "get", kind, name)
    if got.returncode == 0:
        return False
    assert "NotFound" in got.stderr, got.stderr
    return True


def test_a_dependent_goes_with_its_owner(gateway: Served, kubectl_run: KubectlRunner) -> None:
    owned(kubectl_run, gateway, "owner", "dependent")
    deleted = kubectl(kubectl_run, gateway, "delete", "configmap", "owner")
    assert (deleted.returncode, deleted.stdout) == (0, 'configmap "owner" deleted\n'), \
        deleted.stderr
    wait_until(lambda: gone(kubectl_run, gateway, "secret", "dependent"),
               "the dependent outlived its owner", SETTLES)


def test_an_orphaned_dependent_stays_without_the_reference(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    owned(kubectl_run, gateway, "owner", "dependent")
    deleted = kubectl(kubectl_run, gateway, "delete", "configmap", "owner", "--cascade=orphan")
    assert (deleted.returncode, deleted.stdout) == (0, 'configmap "owner" deleted\n'), \
        deleted.stderr
    assert gone(kubectl_run, gateway, "configmap", "owner")  # kubectl waited for it
    refs = kubectl(kubectl_run, gateway, "get", "secret", "dependent", "-o",
                   "jsonpath={.metadata.ownerReferences}")
    assert (refs.returncode, refs.stdout) == (0, ""), refs.stderr
    kubectl(kubectl_run, gateway, "delete", "secret", "dependent")


def test_foreground_takes_the_dependents_before_the_owner(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    owned(kubectl_run, gateway, "owner", "dependent")
    deleted = kubectl(kubectl_run, gateway, "delete", "configmap", "owner",
                      "--cascade=foreground")
    assert (deleted.returncode, deleted.stdout) == (0, 'configmap "owner" deleted\n'), \
        deleted.stderr
    # kubectl waited for the owner, which waited for its blocking dependent.
    assert gone(kubectl_run, gateway, "configmap", "owner")
    assert gone(kubectl_run, gateway, "secret", "dependent")


def test_a_ready_pod_is_in_its_service_endpoints(gateway: Served,
                                                 kubectl_run: KubectlRunner) -> None:
    made = kubectl(kubectl_run, gateway, "create", "service", "clusterip", "shop",
                   "--tcp=80:80")
    assert made.returncode == 0, made.stderr
    started = kubectl(kubectl_run, gateway, "apply", "-f", "-", stdin=POD.format(name="shop"))
    assert started.returncode == 0, started.stderr
    ready = kubectl_run.run(gateway.kubeconfig(), "wait", "--for=condition=Ready", "pod/shop",
                            "--timeout=60s", timeout=90)
    assert ready.returncode == 0, ready.stderr
    ip = kubectl(kubectl_run, gateway, "get", "pod", "shop", "-o", "jsonpath={.status.podIP}")
    assert ip.returncode == 0 and ip.stdout, ip.stderr

    def listed() -> bool:
        endpoints = kubectl(kubectl_run, gateway, "get", "endpoints", "shop", "-o",
                            "jsonpath={.subsets[*].addresses[*].ip}")
        slices = kubectl(kubectl_run, gateway, "get", "endpointslices", "-l",
                         "kubernetes.io/service-name=shop", "-o",
                         "jsonpath={.items[*].endpoints[*].addresses[*]}")
        return endpoints.stdout == ip.stdout and slices.stdout == ip.stdout
    wait_until(listed, "the ready pod is not in the service's endpoints", SETTLES)
    ports = kubectl(kubectl_run, gateway, "get", "endpointslices", "-l",
                    "kubernetes.io/service-name=shop", "-o",
                    "jsonpath={.items[*].ports[*].port} {.items[*].addressType}")
    assert ports.stdout == "80 IPv4", ports.stderr
    kubectl(kubectl_run, gateway, "delete", "service", "shop")
    kubectl(kubectl_run, gateway, "delete", "pod", "shop", "--grace-period=0", "--force")


def test_the_kubernetes_service_lists_the_apiserver(gateway: Served,
                                                   kubectl_run: KubectlRunner) -> None:
    """Written by kube-apiserver itself, as on any cluster: the address the apiserver
    advertises, its secure port, and the EndpointSlice made of them."""
    node_ip = kubectl(kubectl_run, gateway, "get", "nodes", "-o",
                      'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}')
    assert node_ip.returncode == 0 and node_ip.stdout, node_ip.stderr
    endpoints = kubectl(kubectl_run, gateway, "get", "endpoints", "kubernetes")
    assert endpoints.returncode == 0, endpoints.stderr
    assert endpoints.stdout.split("\n")[1].split()[:2] == ["kubernetes",
                                                           f"{node_ip.stdout}:6443"]
    slices = kubectl(kubectl_run, gateway, "get", "endpointslices", "-l",
                     "kubernetes.io/service-name=kubernetes", "-o",
                     "jsonpath={.items[*].endpoints[*].addresses[*]} "
                     "{.items[*].ports[*].port} {.items[*].addressType}")
    assert slices.stdout == f"{node_ip.stdout} 6443 IPv4", slices.stderr
