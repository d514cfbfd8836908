"""A Service as real clients see it through the gateway (registry/serviceallocation.py,
registry/servicechecks.py): kubectl's ``create service nodeport`` gets a node port that ``get``
prints, ``apply`` of the same manifest changes nothing, a type change drops the node ports, an
ExternalName service has no cluster IP; a port or IP that is taken or out of range, and a
service kube would refuse, are refused with kube's words; the Python client's models read it."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from tests.conftest import QUICKSTART
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

NODE_PORTS = range(30000, 32768)  # kube-apiserver's --service-node-port-range default

SERVICE = """apiVersion: v1
kind: Service
metadata: {{name: {name}, labels: {{tier: {tier}}}}}
spec:
  type: NodePort
  selector: {{app: {name}}}
  ports:
  - {{name: http, port: 80, targetPort: 8080}}
  - {{name: metrics, port: 9090}}
"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def test_kubectl_creates_a_node_port_service_and_prints_its_port(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    kubeconfig, name = gateway.kubeconfig(), unique("web")
    made = kubectl_run.run(kubeconfig, "create", "service", "nodeport", name, "--tcp=80:8080")
    assert made.returncode == 0, made.stderr
    try:
        read = kubectl_run.run(kubeconfig, "get", "service", name, "-o", "json")
        spec = json.loads(read.stdout)["spec"]
        (port,) = spec["ports"]
        assert port["nodePort"] in NODE_PORTS
        assert (spec["externalTrafficPolicy"], spec["ipFamilyPolicy"]) == ("Cluster",
                                                                           "SingleStack")
        shown = kubectl_run.run(kubeconfig, "get", "service", name, "--no-headers")
        assert shown.stdout.split()[1:5] == ["NodePort", spec["clusterIP"], "<none>",
                                             f"80:{port['nodePort']}/TCP"], shown.stdout
    finally:
        kubectl_run.run(kubeconfig, "delete", "service", name)


def test_apply_keeps_the_allocated_ports_and_a_type_change_drops_them(
        gateway: Served, newest: KubectlRunner) -> None:
    kubeconfig, name = gateway.kubeconfig(), unique("api")
    first = newest.run(kubeconfig, "apply", "-f", "-", stdin=SERVICE.format(name=name,
                                                                          tier="a"))
    assert first.returncode == 0, first.stderr
    try:
        before = json.loads(newest.run(kubeconfig, "get", "service", name, "-o",
                                       "json").stdout)["spec"]
        again = newest.run(kubeconfig, "apply", "-f", "-", stdin=SERVICE.format(name=name,
                                                                              tier="a"))
        assert again.stdout.strip() == f"service/{name} unchanged", again.stdout
        relabelled = newest.run(kubeconfig, "apply", "--server-side", "--force-conflicts", "-f",
                                "-", stdin=SERVICE.format(name=name, tier="b"))
        assert relabelled.returncode == 0, relabelled.stderr
        after = json.loads(newest.run(kubeconfig, "get", "service", name, "-o",
                                      "json").stdout)["spec"]
        assert [p["nodePort"] for p in after["ports"]] == [p["nodePort"]
                                                           for p in before["ports"]]
        assert after["clusterIP"] == before["clusterIP"]
        inside = newest.run(kubeconfig, "patch", "service", name, "-p",
                            '{"spec":{"type":"ClusterIP"}}')
        assert inside.returncode == 0, inside.stderr
        dropped = json.loads(newest.run(kubeconfig, "get", "service", name, "-o",
                                        "json").stdout)["spec"]
        assert [p.get("nodePort") for p in dropped["ports"]] == [None, None]
        assert "externalTrafficPolicy" not in dropped
    finally:
        newest.run(kubeconfig, "delete", "service", name)


def test_an_external_name_service_has_no_cluster_ip(gateway: Served,
                                                    newest: KubectlRunner) -> None:
    kubeconfig, name = gateway.kubeconfig(), unique("db")
    made = newest.run(kubeconfig, "create", "service", "externalname", name,
                      "--external-name=db.example.com")
    assert made.returncode == 0, made.stderr
    try:
        spec = json.loads(newest.run(kubeconfig, "get", "service", name, "-o",
                                     "json").stdout)["spec"]
        assert not {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"} & set(spec)
        shown = newest.run(kubeconfig, "get", "service", name, "--no-headers")
        assert shown.stdout.split()[1:4] == ["ExternalName", "<none>", "db.example.com"]
    finally:
        newest.run(kubeconfig, "delete", "service", name)


@pytest.mark.mock_only("the mock's service CIDR (kind's is a /16) and its first node port")
def test_kubectl_gets_kubes_words_for_a_taken_or_wrong_port_or_ip(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    kubeconfig, name, other = gateway.kubeconfig(), unique("web"), unique("other")
    made = kubectl_run.run(kubeconfig, "create", "service", "nodeport", name, "--tcp=80:8080",
                           "--node-port=30080")
    assert made.returncode == 0, made.stderr
    try:
        for node_port, reason in ((30080, "provided port is already allocated"),
                                  (8080, "provided port is not in the valid range. The range "
                                         "of valid ports is 30000-32767")):
            refused = kubectl_run.run(kubeconfig, "create", "service", "nodeport", other,
                                      "--tcp=80:8080", f"--node-port={node_port}")
            assert refused.returncode == 1
            assert refused.stderr.strip() == (
                f'error: failed to create NodePort service: Service "{other}" is invalid: '
                f"spec.ports[0].nodePort: Invalid value: {node_port}: {reason}"), refused.stderr
        outside = kubectl_run.run(kubeconfig, "create", "service", "clusterip", other,
                                  "--tcp=80:8080", "--clusterip=192.168.0.10")
        assert outside.returncode == 1
        assert outside.stderr.strip() == (
            f'error: failed to create ClusterIP service: Service "{other}" is invalid: '
            'spec.clusterIPs: Invalid value: []string{"192.168.0.10"}: failed to allocate IP '
            "192.168.0.10: the provided IP (192.168.0.10) is not in the valid range. The range "
            "of valid IPs is 10.96.0.0/12"), outside.stderr
    finally:
        kubectl_run.run(kubeconfig, "delete", "service", name)


def test_dry_run_server_lists_what_kube_refuses_in_a_service(gateway: Served,
                                                             newest: KubectlRunner) -> None:
    name = unique("bad")
    manifest = (f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n"
                "  ports:\n  - {port: 80}\n  - {port: 70000, protocol: tcp}\n")
    checked = newest.run(gateway.kubeconfig(), "apply", "--dry-run=server", "-f", "-",
                         stdin=manifest)
    assert checked.returncode == 1
    assert checked.stderr.strip() == (
        f'The Service "{name}" is invalid: \n'
        "* spec.ports[0].name: Required value\n"
        "* spec.ports[1].name: Required value\n"
        "* spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n"
        '* spec.ports[1].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", '
        '"UDP"\n'
        "* spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, "
        "inclusive"), checked.stderr


def test_the_python_client_reads_a_load_balancer_and_gets_the_422(
        api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    name = unique("py-lb")
    made = core.create_namespaced_service("default", client.V1Service(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1ServiceSpec(type="LoadBalancer", external_traffic_policy="Local",
                                  selector={"app": name},
                                  ports=[client.V1ServicePort(port=443, name="https")])))
    try:
        assert made.spec.ports[0].node_port in NODE_PORTS
        assert made.spec.health_check_node_port in NODE_PORTS
        assert made.spec.health_check_node_port != made.spec.ports[0].node_port
        assert made.spec.allocate_load_balancer_node_ports is True
        with pytest.raises(ApiException) as failed:
            core.create_namespaced_service("default", client.V1Service(
                metadata=client.V1ObjectMeta(name=unique("py-dup")),
                spec=client.V1ServiceSpec(ports=[client.V1ServicePort(port=80, name="a"),
                                                 client.V1ServicePort(port=80, name="b")])))
        assert failed.value.status == 422
        status = json.loads(failed.value.body)
        (cause,) = status["details"]["causes"]
        assert (cause["reason"], cause["field"]) == ("FieldValueDuplicate", "spec.ports[1]")
        assert cause["message"] == (
            'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)'
            '(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, '
            "NodePort:0}")
    finally:
        core.delete_namespaced_service(name, "default")


@pytest.fixture
def cluster_1_33(served_emulator: Served) -> Iterator[Served]:
    """Quickstart, with my-cluster at 1.33 (ServiceCIDRs and IPAddresses served and kept)."""
    scenario = dataclasses.replace(QUICKSTART, memberships=tuple(
        dataclasses.replace(m, kubernetes_version="v1.33.1") if m.name == "my-cluster" else m
        for m in QUICKSTART.memberships))
    served_emulator.state.load(scenario)
    yield served_emulator
    served_emulator.state.load(QUICKSTART)


@pytest.mark.mock_only("sets my-cluster's Kubernetes version, which a real cluster has its own")
def test_a_1_33_cluster_shows_its_service_cidr_and_ip_addresses(
        cluster_1_33: Served, newest: KubectlRunner) -> None:
    kubeconfig, name = cluster_1_33.kubeconfig(), unique("web")
    cidrs = newest.run(kubeconfig, "get", "servicecidrs", "--no-headers")
    assert cidrs.stdout.split()[:2] == ["kubernetes", "10.96.0.0/12"], cidrs.stdout + cidrs.stderr
    made = newest.run(kubeconfig, "create", "service", "clusterip", name, "--tcp=80:8080")
    assert made.returncode == 0, made.stderr
    ip = newest.run(kubeconfig, "get", "service", name, "-o", "jsonpath={.spec.clusterIP}").stdout
    listed = newest.run(kubeconfig, "get", "ipaddresses", "--no-headers").stdout.splitlines()
    assert ["10.96.0.1", "services/default/kubernetes"] in [line.split() for line in listed]
    assert [ip, f"services/default/{name}"] in [line.split() for line in listed]
    assert newest.run(kubeconfig, "delete", "service", name).returncode == 0
    after = newest.run(kubeconfig, "get", "ipaddresses", "--no-headers").stdout
    assert ip not in after.split()
    with config.new_client_from_config(config_file=str(kubeconfig)) as api_client:
        networking = client.NetworkingV1Api(api_client)
        (cidr,) = networking.list_service_cidr().items  # the client's models read them
        addresses = networking.list_ip_address().items
    assert cidr.spec.cidrs == ["10.96.0.0/12"] and cidr.status.conditions[0].type == "Ready"
    assert {a.metadata.name: a.spec.parent_ref.name for a in addresses}["10.96.0.1"] == \
        "kubernetes"
