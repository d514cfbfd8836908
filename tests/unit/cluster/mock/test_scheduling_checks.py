"""kube's checks of a pod spec's scheduling and naming fields (registry/schedulingchecks.py):
tolerations, affinity, topology spread, node selector, DNS, gates and names, through the mock's
REST paths, per minor where kube differs."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import call, quiet_at

PODS = "/api/v1/namespaces/default/pods"
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', "
               "'_' or '.', and must start and end with an alphanumeric character (e.g. "
               "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
NAME_PART = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
             "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
             "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
REQUIRED_TERMS = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
ANTI = "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"


def a_pod(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"containers": [{"name": "app", "image": "app:1"}]}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


def causes(version: str, body: dict[str, Any]) -> list[str]:
    reply = call(quiet_at(version), "POST", PODS, body=body)
    assert reply.status == 422, reply.body
    return [f"{c['field']}: {c['message']}" for c in reply.body["details"]["causes"]]


@pytest.mark.parametrize(("toleration", "texts"), [
    ({"operator": "Equal"}, ['spec.tolerations[0].operator: Invalid value: "Equal": operator '
                             'must be Exists when `key` is empty, which means "match all values '
                             'and all keys"']),
    ({"key": "k", "value": "a b"}, [f'spec.tolerations[0].operator: Invalid value: "a b": '
                                    f"{LABEL_VALUE}"]),
    ({"key": "k", "operator": "Exists", "tolerationSeconds": 5, "effect": "NoSchedule"},
     ['spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' '
      "when `tolerationSeconds` is set"]),
    ({"key": "k", "operator": "In"}, ['spec.tolerations[0].operator: Unsupported value: "In": '
                                      'supported values: "Equal", "Exists"']),
    ({"key": "k", "operator": "Exists", "effect": "Never"},
     ['spec.tolerations[0].effect: Unsupported value: "Never": supported values: "NoSchedule", '
      '"PreferNoSchedule", "NoExecute"']),
    ({"key": "a/b/c", "operator": "Exists"},
     ['spec.tolerations[0].key: Invalid value: "a/b/c": a qualified name must consist of '
      "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
      "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and "
      "'/' (e.g. 'example.com/MyName')"]),
])
def test_a_toleration(toleration: dict[str, Any], texts: list[str]) -> None:
    assert causes("v1.30.5", a_pod(tolerations=[toleration])) == texts


@pytest.mark.parametrize(("version", "shown"), [
    ("v1.31.2", 'core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", '
                "TolerationSeconds:(*int64)(nil)}"),
    ("v1.32.3", '"v"'),
])
def test_an_exists_toleration_with_a_value(version: str, shown: str) -> None:
    assert causes(version, a_pod(tolerations=[{"key": "k", "operator": "Exists",
                                               "value": "v"}])) == [
        f"spec.tolerations[0].operator: Invalid value: {shown}: value must be empty when "
        "`operator` is 'Exists'"]


@pytest.mark.parametrize(("version", "allowed"), [
    ("v1.34.1", '"Equal", "Exists"'),
    ("v1.35.1", '"Equal", "Exists", "Lt", "Gt"'),  # listed, and refused: the gate is off
])
def test_a_comparison_toleration(version: str, allowed: str) -> None:
    assert causes(version, a_pod(tolerations=[{"key": "k", "operator": "Gt", "value": "1"}])) == [
        f'spec.tolerations[0].operator: Unsupported value: "Gt": supported values: {allowed}']


@pytest.mark.parametrize(("version", "affinity", "texts"), [
    ("v1.30.5", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {}}},
     [f"{REQUIRED_TERMS}.nodeSelectorTerms: Required value: must have at least one node "
      "selector term"]),
    ("v1.30.5", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "zone", "operator": "In"},
            {"key": "zone", "operator": "Exists", "values": ["a"]},
            {"key": "cores", "operator": "Gt", "values": ["1", "2"]},
            {"key": "zone", "operator": "Near", "values": ["a"]}],
            "matchFields": [{"key": "metadata.uid", "operator": "In", "values": ["a"]}]}]}}},
     [f"{REQUIRED_TERMS}.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must "
      "be specified when `operator` is 'In' or 'NotIn'",
      f"{REQUIRED_TERMS}.nodeSelectorTerms[0].matchExpressions[1].values: Forbidden: may not be "
      "specified when `operator` is 'Exists' or 'DoesNotExist'",
      f"{REQUIRED_TERMS}.nodeSelectorTerms[0].matchExpressions[2].values: Required value: must "
      "be specified single value when `operator` is 'Lt' or 'Gt'",
      f'{REQUIRED_TERMS}.nodeSelectorTerms[0].matchExpressions[3].operator: Invalid value: '
      '"Near": not a valid selector operator',
      f'{REQUIRED_TERMS}.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "metadata.uid": '
      "not a valid field selector key"]),
    # From 1.33 a required term's values are label values on create.
    ("v1.32.3", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "cores", "operator": "Gt", "values": ["-1"]}]}]}}}, None),
    ("v1.33.1", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "cores", "operator": "Gt", "values": ["-1"]}]}]}}},
     [f'{REQUIRED_TERMS}.nodeSelectorTerms[0].matchExpressions[0].values[0]: Invalid value: '
      f'"-1": {LABEL_VALUE}']),
    ("v1.30.5", {"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Gt",
                                                    "values": ["1"]}]},
            "namespaces": ["Team_A"]}],
        "preferredDuringSchedulingIgnoredDuringExecution": [{
            "weight": 0, "podAffinityTerm": {"topologyKey": "zone"}}]}},
     [f'{ANTI}.labelSelector.matchExpressions[0].operator: Invalid value: "Gt": not a valid '
      "selector operator",
      f'{ANTI}.namespace: Invalid value: "Team_A": a lowercase RFC 1123 label must consist of '
      "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
      "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      f"{ANTI}.topologyKey: Required value: can not be empty",
      f'{ANTI}.topologyKey: Invalid value: "": name part must be non-empty',
      f'{ANTI}.topologyKey: Invalid value: "": {NAME_PART}',
      "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: "
      "Invalid value: 0: must be in the range 1-100"]),
])
def test_affinity(version: str, affinity: dict[str, Any], texts: list[str] | None) -> None:
    if texts is None:
        assert call(quiet_at(version), "POST", PODS, body=a_pod(affinity=affinity)).status == 201
    else:
        assert causes(version, a_pod(affinity=affinity)) == texts


@pytest.mark.parametrize(("version", "constraints", "texts"), [
    ("v1.30.5", [{"maxSkew": 0, "topologyKey": "", "whenUnsatisfiable": "Maybe"}],
     ["spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
      "spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty",
      'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": '
      'supported values: "DoNotSchedule", "ScheduleAnyway"']),
    ("v1.30.5", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway",
                  "minDomains": 2, "nodeTaintsPolicy": "Sometimes"},
                 {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway"}],
     ["spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "
      '"{zone, ScheduleAnyway}"',
      "spec.topologySpreadConstraints[0].minDomains: Invalid value: 2: can only use minDomains "
      "if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
      'spec.topologySpreadConstraints[0].nodeTaintsPolicy: Unsupported value: "Sometimes": '
      'supported values: "Honor", "Ignore"']),
    ("v1.33.1", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                  "labelSelector": {"matchLabels": {"app": "web"}}, "matchLabelKeys": ["app"]}],
     ['spec.topologySpreadConstraints[0].matchLabelKeys[0]: Invalid value: "app": exists in '
      "both matchLabelKeys and labelSelector"]),
    ("v1.33.1", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                  "matchLabelKeys": ["pod-template-hash"]}],
     ["spec.topologySpreadConstraints[0].matchLabelKeys: Forbidden: must not be specified when "
      "labelSelector is not set"]),
])
def test_topology_spread_constraints(version: str, constraints: list[dict[str, Any]],
                                     texts: list[str]) -> None:
    assert causes(version, a_pod(topologySpreadConstraints=constraints)) == texts


@pytest.mark.parametrize(("version", "spec", "texts"), [
    ("v1.30.5", {"nodeSelector": {"disk type": "ssd"}},
     [f'spec.nodeSelector: Invalid value: "disk type": {NAME_PART}']),
    ("v1.30.5", {"dnsPolicy": "Cluster"},
     ['spec.dnsPolicy: Unsupported value: "Cluster": supported values: '
      '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']),
    ("v1.30.5", {"dnsPolicy": "None"},
     ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]),
    ("v1.29.4", {"dnsConfig": {"nameservers": ["1.1.1.1", "8.8.8.8", "9.9.9.9", "dns"]}},
     ['spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "8.8.8.8", "9.9.9.9", '
      '"dns"}: must not have more than 3 nameservers',
      'spec.dnsConfig.nameservers[3]: Invalid value: "dns": must be valid IP address']),
    ("v1.34.1", {"dnsConfig": {"nameservers": ["1.1.1.1", "8.8.8.8", "9.9.9.9", "dns"]}},
     ['spec.dnsConfig.nameservers: Invalid value: ["1.1.1.1","8.8.8.8","9.9.9.9","dns"]: must '
      "not have more than 3 nameservers",
      'spec.dnsConfig.nameservers[3]: Invalid value: "dns": must be a valid IP address, (e.g. '
      "10.9.8.7 or 2001:db8::ffff)"]),
    ("v1.33.1", {"dnsConfig": {"searches": ["svc_a.local", ".", "-bad."]}},
     ['spec.dnsConfig.searches[2]: Invalid value: "-bad": a lowercase RFC 1123 subdomain must '
      "consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end "
      "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]),
    ("v1.30.5", {"schedulingGates": [{"name": "example.com/wait"}, {"name": "example.com/wait"}],
                 "nodeName": "node-1"},
     ['spec.schedulingGates[1]: Duplicate value: "example.com/wait"',
      "spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared"]),
    ("v1.30.5", {"hostname": "web.1", "activeDeadlineSeconds": 0},
     ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
      'spec.hostname: Invalid value: "web.1": must not contain dots']),
])
def test_names_dns_and_gates(version: str, spec: dict[str, Any], texts: list[str]) -> None:
    assert causes(version, a_pod(**spec)) == texts
