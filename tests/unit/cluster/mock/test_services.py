"""A Service as kube's service allocator and validation take it (registry/serviceallocation.py,
registry/servicechecks.py): the cluster IPs, node ports and IP families it is given, what an
update keeps and drops, and the messages it is refused with, per minor where they differ."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from emulator.cluster.mock.apiserver import MockApiserver

from .conftest import call, message, quiet_at

SERVICES = "/api/v1/namespaces/default/services"


def cluster(version: str = "v1.30.5") -> MockApiserver:
    return quiet_at(version)


def service(name: str = "s", **spec: Any) -> dict[str, Any]:
    spec.setdefault("ports", [{"port": 80}])
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


def made(api: MockApiserver, name: str = "s", **spec: Any) -> dict[str, Any]:
    reply = call(api, "POST", SERVICES, body=service(name, **spec))
    assert reply.status == 201, reply.body
    return dict(reply.body["spec"])


def refused(api: MockApiserver, body: dict[str, Any], method: str = "POST",
            path: str = SERVICES) -> str:
    reply = call(api, method, path, body=body)
    assert (reply.status, reply.body["reason"]) == (422, "Invalid"), reply.body
    return message(reply)


def replaced(api: MockApiserver, name: str, change: Any) -> Any:
    current = copy.deepcopy(call(api, "GET", f"{SERVICES}/{name}").body)
    change(current["spec"])
    return call(api, "PUT", f"{SERVICES}/{name}", body=current)


# -- node ports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "first"), [("v1.27.3", 30000), ("v1.28.9", 30086),
                                                ("v1.33.1", 30086)])
def test_node_ports_come_from_the_upper_band_from_1_28(version: str, first: int) -> None:
    api = cluster(version)
    spec = made(api, type="NodePort", ports=[{"port": 80, "name": "http"},
                                             {"port": 443, "name": "https"}])
    assert [p["nodePort"] for p in spec["ports"]] == [first, first + 1]
    assert spec["externalTrafficPolicy"] == "Cluster"


def test_ports_with_one_number_share_a_node_port_on_create() -> None:
    spec = made(cluster(), type="NodePort", ports=[
        {"port": 53, "protocol": "TCP", "name": "dns-tcp"},
        {"port": 53, "protocol": "UDP", "name": "dns", "nodePort": 30053}])
    assert [p["nodePort"] for p in spec["ports"]] == [30053, 30053]


@pytest.mark.parametrize(("node_port", "reason"), [
    (8080, "provided port is not in the valid range. The range of valid ports is 30000-32767"),
    (30100, "provided port is already allocated"),
])
def test_a_node_port_asked_for_must_be_free_and_in_range(node_port: int, reason: str) -> None:
    api = cluster()
    made(api, "taken", type="NodePort", ports=[{"port": 80, "nodePort": 30100}])
    assert refused(api, service(type="NodePort", ports=[{"port": 80, "nodePort": node_port}])) == (
        f'Service "s" is invalid: spec.ports[0].nodePort: Invalid value: {node_port}: {reason}')


def test_two_numbers_may_not_name_one_node_port() -> None:
    assert refused(cluster(), service(type="NodePort", ports=[
        {"port": 80, "name": "a", "nodePort": 30001},
        {"port": 81, "name": "b", "nodePort": 30001}])) == (
        'Service "s" is invalid: spec.ports[1].nodePort: Invalid value: 30001: '
        "provided port is already allocated")


def test_a_load_balancer_may_go_without_node_ports_and_gets_a_health_check_port() -> None:
    api = cluster()
    bare = made(api, "bare", type="LoadBalancer", allocateLoadBalancerNodePorts=False)
    assert "nodePort" not in bare["ports"][0]
    local = made(api, "local", type="LoadBalancer", externalTrafficPolicy="Local")
    assert (local["ports"][0]["nodePort"], local["healthCheckNodePort"]) == (30086, 30087)


def test_a_node_port_is_free_again_once_its_service_drops_it() -> None:
    api = cluster()
    made(api, "web", type="NodePort", ports=[{"port": 80, "nodePort": 30080}])
    reply = call(api, "PATCH", f"{SERVICES}/web", body=b'{"spec":{"type":"ClusterIP"}}',
                 content_type="application/merge-patch+json")
    assert reply.status == 200, reply.body
    assert "nodePort" not in reply.body["spec"]["ports"][0]
    assert "externalTrafficPolicy" not in reply.body["spec"]
    made(api, "other", type="NodePort", ports=[{"port": 80, "nodePort": 30080}])


def test_a_changed_node_port_on_a_cluster_ip_service_is_refused() -> None:
    api = cluster()
    made(api, "web", type="NodePort", ports=[{"port": 80, "nodePort": 30080}])
    reply = replaced(api, "web", lambda s: s.update(type="ClusterIP", ports=[
        {"port": 80, "nodePort": 30081, "protocol": "TCP", "targetPort": 80}]))
    assert message(reply) == ('Service "web" is invalid: spec.ports[0].nodePort: Forbidden: '
                              "may not be used when `type` is 'ClusterIP'")


def test_an_update_that_leaves_node_ports_out_keeps_them_by_port_name() -> None:
    api = cluster()
    made(api, "web", type="NodePort", ports=[{"port": 80, "name": "http"},
                                             {"port": 443, "name": "https"}])
    reply = call(api, "PUT", f"{SERVICES}/web", body=service("web", type="NodePort", ports=[
        {"port": 443, "name": "https"}, {"port": 8080, "name": "alt"}]))
    assert reply.status == 200, reply.body
    assert [p["nodePort"] for p in reply.body["spec"]["ports"]] == [30087, 30088]


# -- cluster IPs and IP families -----------------------------------------------------------------


@pytest.mark.parametrize(("version", "ip", "reason"), [
    ("v1.32.2", "1.2.3.4", "the provided IP (1.2.3.4) is not in the valid range. The range of "
                           "valid IPs is 10.96.0.0/12"),
    ("v1.32.2", "10.96.0.0", "the provided IP (10.96.0.0) is not in the valid range. The range "
                             "of valid IPs is 10.96.0.0/12"),
    ("v1.33.1", "1.2.3.4", "the provided network does not match the current range"),
    ("v1.30.5", "10.96.0.1", "provided IP is already allocated"),  # the kubernetes service's
])
def test_a_cluster_ip_asked_for_must_be_free_and_in_range(version: str, ip: str,
                                                          reason: str) -> None:
    assert refused(cluster(version), service(clusterIP=ip)) == (
        f'Service "s" is invalid: spec.clusterIPs: Invalid value: []string{{"{ip}"}}: '
        f"failed to allocate IP {ip}: {reason}")


def test_a_cluster_ip_in_the_lower_band_may_be_asked_for() -> None:
    assert made(cluster(), clusterIP="10.96.0.10")["clusterIPs"] == ["10.96.0.10"]


@pytest.mark.parametrize(("spec", "text"), [
    ({"ipFamilyPolicy": "RequireDualStack"},
     'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured '
     "for dual-stack services"),
    ({"ipFamilies": ["IPv6"]}, 'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on '
                               "this cluster"),
    ({"clusterIP": "fd00::10"}, 'spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is '
                                "not configured on this cluster"),
    ({"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.6"]},
     'spec.clusterIPs: Invalid value: []string{"10.96.0.6"}: first value must match `clusterIP`'),
    ({"clusterIPs": ["10.96.0.5", "10.96.0.6"], "clusterIP": "10.96.0.5"},
     'spec.clusterIPs: Invalid value: []string{"10.96.0.5", "10.96.0.6"}: may specify no more '
     "than one IP for each IP family"),
    ({"clusterIP": "ten"}, 'spec.clusterIPs[0]: Invalid value: "ten": must be a valid IP '
                           "address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
])
def test_a_single_stack_ipv4_cluster_refuses_what_needs_ipv6(spec: dict[str, Any],
                                                             text: str) -> None:
    assert refused(cluster(), service(**spec)) == f'Service "s" is invalid: {text}'


def test_headless_services_and_their_families() -> None:
    api = cluster()
    selectorless = made(api, "a", clusterIP="None")
    assert (selectorless["ipFamilyPolicy"], selectorless["ipFamilies"]) == (
        "RequireDualStack", ["IPv4", "IPv6"])  # even here, as kube gives them
    selected = made(api, "b", clusterIP="None", selector={"app": "db"})
    assert (selected["ipFamilyPolicy"], selected["ipFamilies"]) == ("SingleStack", ["IPv4"])
    assert made(api, "c", clusterIP="None", ports=[])["clusterIPs"] == ["None"]  # no ports needed
    preferred = made(api, "d", ipFamilyPolicy="PreferDualStack")
    assert preferred["ipFamilies"] == ["IPv4"]
    reply = call(api, "PUT", f"{SERVICES}/d", body=service("d"))
    assert reply.body["spec"]["ipFamilyPolicy"] == "PreferDualStack"  # left out: kept


def test_an_external_name_service_holds_no_ip_until_it_is_another_type() -> None:
    api = cluster()
    first = made(api, "web", clusterIP="10.96.0.20")
    assert first["clusterIPs"] == ["10.96.0.20"]
    reply = replaced(api, "web", lambda s: s.update(type="ExternalName",
                                                    externalName="db.example.com."))
    assert reply.status == 200, reply.body
    assert not {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"} & set(
        reply.body["spec"])
    made(api, "other", clusterIP="10.96.0.20")  # released
    back = replaced(api, "web", lambda s: s.update(type="ClusterIP"))
    assert back.status == 200, back.body
    assert back.body["spec"]["clusterIP"] == "10.96.1.1"


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "spec", "text"), [
    ("1web", {}, 'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower '
                 "case alphanumeric characters or '-', start with an alphabetic character, and "
                 "end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used "
                 "for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"),
    ("s", {"ports": []}, "spec.ports: Required value"),
    ("s", {"ports": [{"port": 80}, {"port": 81}]},
     "[spec.ports[0].name: Required value, spec.ports[1].name: Required value]"),
    ("s", {"ports": [{"port": 80, "name": "a"}, {"port": 81, "name": "a"}]},
     'spec.ports[1].name: Duplicate value: "a"'),
    ("s", {"ports": [{"port": 80, "protocol": "tcp"}]},
     'spec.ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"'),
    ("s", {"ports": [{"port": 80, "targetPort": "web--http"}]},
     'spec.ports[0].targetPort: Invalid value: "web--http": must not contain consecutive '
     "hyphens"),
    ("s", {"type": "Bogus"}, 'spec.type: Unsupported value: "Bogus": supported values: '
                             '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'),
    ("s", {"type": "NodePort", "clusterIP": "None"},
     "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"),
    ("s", {"type": "ExternalName", "externalName": "Not_A_Host"},
     'spec.externalName: Invalid value: "Not_A_Host": a lowercase RFC 1123 subdomain must '
     "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
     "alphanumeric character (e.g. 'example.com', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ("s", {"type": "ExternalName"}, "spec.externalName: Required value"),
    ("s", {"sessionAffinity": "ClientIP",
           "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 86401}}},
     "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater "
     "than 0 and less than 86400"),
    ("s", {"externalIPs": ["127.0.0.1"]}, 'spec.externalIPs[0]: Invalid value: "127.0.0.1": may '
                                          "not be in the loopback range (127.0.0.0/8, ::1/128)"),
    ("s", {"ports": [{"port": 80, "nodePort": 30080}]},
     "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
    ("s", {"internalTrafficPolicy": "Nearby"},
     'spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", '
     '"Local"'),
    ("s", {"allocateLoadBalancerNodePorts": False},
     "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is "
     "'LoadBalancer'"),
])
def test_what_kube_refuses_in_a_service(name: str, spec: dict[str, Any], text: str) -> None:
    assert refused(cluster(), service(name, **spec)) == f'Service "{name}" is invalid: {text}'


@pytest.mark.parametrize(("version", "text"), [
    ("v1.33.1", 'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", '
                'AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, '
                'IntVal:0, StrVal:""}, NodePort:0}'),
    ("v1.34.1", 'spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,'
                '"Port":80,"TargetPort":0,"NodePort":0}'),
])
def test_a_port_twice_is_printed_as_kube_prints_its_struct(version: str, text: str) -> None:
    body = service(ports=[{"port": 80, "name": "a"}, {"port": 80, "name": "b"}])
    assert refused(cluster(version), body) == f'Service "s" is invalid: {text}'


@pytest.mark.parametrize(("version", "text"), [
    ("v1.32.2", 'Service "s" is invalid: spec.ports[0]: Invalid value: 10250: may not expose '
                "port 10250 externally since it is used by kubelet"),
    ("v1.33.1", None),
])
def test_the_kubelet_port_on_a_load_balancer_until_1_33(version: str, text: str | None) -> None:
    body = service(type="LoadBalancer", ports=[{"port": 10250}])
    if text is None:
        assert call(cluster(version), "POST", SERVICES, body=body).status == 201
    else:
        assert refused(cluster(version), body) == text


@pytest.mark.parametrize(("version", "text"), [
    ("v1.28.9", "may only be set when `type` is 'NodePort' or 'LoadBalancer'"),
    ("v1.29.4", "may only be set for externally-accessible services"),
])
def test_an_external_traffic_policy_on_a_cluster_ip_service(version: str, text: str) -> None:
    assert refused(cluster(version), service(externalTrafficPolicy="Local")) == (
        f'Service "s" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": {text}')


@pytest.mark.parametrize(("version", "text"), [
    ("v1.29.4", 'spec.LoadBalancerSourceRanges: Invalid value: "[10.0.0.0/8 1.2.3.4/33]": must '
                "be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 "),
    ("v1.30.5", 'spec.LoadBalancerSourceRanges[1]: Invalid value: "1.2.3.4/33": must be a '
                "valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"),
])
def test_load_balancer_source_ranges(version: str, text: str) -> None:
    body = service(type="LoadBalancer", loadBalancerSourceRanges=["10.0.0.0/8", "1.2.3.4/33"])
    assert refused(cluster(version), body) == f'Service "s" is invalid: {text}'


@pytest.mark.parametrize(("version", "allowed"), [
    ("v1.31.2", '"PreferClose"'),
    ("v1.34.1", '"PreferClose", "PreferSameZone", "PreferSameNode"'),
])
def test_traffic_distribution(version: str, allowed: str) -> None:
    assert refused(cluster(version), service(trafficDistribution="Anywhere")) == (
        'Service "s" is invalid: spec.trafficDistribution: Unsupported value: "Anywhere": '
        f"supported values: {allowed}")


def test_traffic_distribution_is_dropped_by_1_30s_gate() -> None:
    assert "trafficDistribution" not in made(cluster("v1.30.5"), trafficDistribution="Anywhere")


def test_what_an_update_may_not_change() -> None:
    api = cluster()
    made(api, "lb", type="LoadBalancer", loadBalancerClass="example.com/a",
         externalTrafficPolicy="Local")
    reply = replaced(api, "lb", lambda s: s.update(loadBalancerClass="example.com/b",
                                                   healthCheckNodePort=31000))
    assert message(reply) == (
        'Service "lb" is invalid: [spec.loadBalancerClass: Invalid value: "example.com/b": may '
        "not change once set, spec.healthCheckNodePort: Forbidden: field is immutable]")


def test_the_source_ranges_annotation_is_checked_as_the_field_is() -> None:
    annotation = "service.beta.kubernetes.io/load-balancer-source-ranges"
    body = service(type="NodePort")
    body["metadata"]["annotations"] = {annotation: "10.0.0.0/8, 10.1.0.0/99"}
    assert refused(cluster(), body) == (
        f'Service "s" is invalid: [metadata.annotations[{annotation}]: Forbidden: may only be '
        f"used when `type` is 'LoadBalancer', metadata.annotations[{annotation}]: Invalid value: "
        '"10.1.0.0/99": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)]')


def test_a_dry_run_takes_no_address_from_the_next_request() -> None:
    api = cluster()
    dry = call(api, "POST", SERVICES, query="dryRun=All", body=service("dry", type="NodePort"))
    assert (dry.body["spec"]["clusterIP"], dry.body["spec"]["ports"][0]["nodePort"]) == (
        "10.96.1.1", 30086)
    real = made(api, "real", type="NodePort")
    assert (real["clusterIP"], real["ports"][0]["nodePort"]) == ("10.96.1.1", 30086)


def test_a_selector_s_keys_and_values_are_label_keys_and_values() -> None:
    body = service(selector={"app": "web+1", "tier": "front"},
                   ports=[{"port": 80, "name": "Bad_Name"}, {"port": 81, "name": "b"}])
    assert refused(cluster(), body) == (
        'Service "s" is invalid: [spec.ports[0].name: Invalid value: "Bad_Name": a lowercase '
        "RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
        "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), spec.selector: Invalid value: "
        "\"web+1\": a valid label must be an empty string or consist of alphanumeric characters, "
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
        "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]")
