"""kube's checks of a container's env, envFrom, probes and lifecycle hooks
(registry/containerchecks.py), through the mock's REST paths, per minor where kube differs."""

from __future__ import annotations

from typing import Any

import pytest


from .conftest import call, deployment, message, quiet_at

PODS = "/api/v1/namespaces/default/pods"
ENV_FIELDS = ('"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", '
              '"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", '
              '"status.podIPs"')
STRICT_NAME = ("a valid environment variable name must consist of alphabetic characters, "
               "digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  "
               "or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
               "'[-._a-zA-Z][-._a-zA-Z0-9]*')")


def a_pod(container: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"containers": [{"name": "app", "image": "app:1", **(container or {})}]}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


def causes(version: str, body: dict[str, Any], path: str = PODS) -> list[str]:
    reply = call(quiet_at(version), "POST", path, body=body)
    assert reply.status == 422, reply.body
    return [f"{c['field']}: {c['message']}" for c in reply.body["details"]["causes"]]


def accepted(version: str, body: dict[str, Any]) -> None:
    reply = call(quiet_at(version), "POST", PODS, body=body)
    assert reply.status == 201, reply.body


WORKED = {"env": [{"name": "1A"}, {"name": "X", "value": "v", "valueFrom": {
              "fieldRef": {"fieldPath": "status.phase"}}}],
          "envFrom": [{}],
          "livenessProbe": {"httpGet": {"port": "http-Bad", "scheme": "FTP"},
                            "successThreshold": 2, "periodSeconds": -1},
          "readinessProbe": {"tcpSocket": {"port": 0}, "terminationGracePeriodSeconds": 5}}
WORKED_CAUSES = [
    "spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Unsupported value: "
    f'"status.phase": supported values: {ENV_FIELDS}',
    'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` '
    "is not empty",
    'spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or '
    "`secretRef`",
    'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "http-Bad": must contain only '
    "alpha-numeric characters (a-z, 0-9), and hyphens (-)",
    'spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported '
    'values: "HTTP", "HTTPS"',
    "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or "
    "equal to 0",
    "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
    "spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and "
    "65535, inclusive",
    "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not "
    "be set for readinessProbes"]


@pytest.mark.parametrize(("version", "first"), [
    ("v1.35.1", []),  # relaxed names: 1A is one
    ("v1.31.2", [f'spec.containers[0].env[0].name: Invalid value: "1A": {STRICT_NAME}']),
])
def test_env_and_probe_errors_come_in_kubes_order(version: str, first: list[str]) -> None:
    assert causes(version, a_pod(WORKED)) == first + WORKED_CAUSES


@pytest.mark.parametrize(("version", "name", "problems"), [
    ("v1.31.2", "..", ["must not be '..'"]),
    ("v1.31.2", "my var", [STRICT_NAME]),
    ("v1.32.3", "my var", []),
    ("v1.32.3", "A=B", ["a valid environment variable name must consist only of printable ASCII "
                        "characters other than '='"]),
])
def test_env_names_strict_then_relaxed_from_1_32(version: str, name: str,
                                                 problems: list[str]) -> None:
    body = a_pod({"env": [{"name": name, "value": "1"}]})
    if not problems:
        accepted(version, body)
    else:
        assert causes(version, body) == [
            f'spec.containers[0].env[0].name: Invalid value: "{name}": {text}'
            for text in problems]


@pytest.mark.parametrize(("version", "value_from", "text"), [
    ("v1.34.1", {}, 'valueFrom: Invalid value: "": must specify one of: `fieldRef`, '
                    "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"),
    ("v1.35.1", {}, 'valueFrom: Invalid value: "": must specify one of: `fieldRef`, '
                    "`resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`"),
    ("v1.30.5", {"fieldRef": {"fieldPath": "spec.foo"}},
     'valueFrom.fieldRef.fieldPath: Invalid value: "spec.foo": error converting fieldPath: field '
     "label not supported: spec.foo"),
    ("v1.27.3", {"fieldRef": {"fieldPath": "status.hostIPs"}},
     'valueFrom.fieldRef.fieldPath: Invalid value: "status.hostIPs": error converting '
     "fieldPath: field label not supported: status.hostIPs"),
    ("v1.28.9", {"fieldRef": {"fieldPath": "status.hostIPs"}},
     "valueFrom.fieldRef: Forbidden: may not be set when feature gate 'PodHostIPs' is not "
     "enabled"),
    ("v1.30.5", {"fieldRef": {"fieldPath": "metadata.name['x']"}},
     "valueFrom.fieldRef.fieldPath: Invalid value: \"metadata.name['x']\": error converting "
     "fieldPath: field label does not support subscript: metadata.name['x']"),
    ("v1.30.5", {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "2"}},
     'valueFrom.resourceFieldRef.divisor: Invalid value: "limits.cpu": only divisor\'s values '
     "1m and 1 are supported with the cpu resource"),
    ("v1.30.5", {"resourceFieldRef": {"resource": "limits.gpu"}},
     'valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: '
     '"limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", '
     '"requests.ephemeral-storage", "requests.memory"'),
    ("v1.30.5", {"configMapKeyRef": {"key": "a/b"}},
     'valueFrom.configMapKeyRef.name: Invalid value: "": a lowercase RFC 1123 subdomain must '
     "consist of lower case alphanumeric characters, '-' or '.', and must start and end with "
     "an alphanumeric character (e.g. 'example.com', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ("v1.30.5", {"secretKeyRef": {"name": "s", "key": "a/b"}, "configMapKeyRef": {
        "name": "c", "key": "k"}},
     'valueFrom.secretKeyRef.key: Invalid value: "a/b": a valid config key must consist of '
     "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
     "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
])
def test_an_env_vars_source(version: str, value_from: dict[str, Any], text: str) -> None:
    found = causes(version, a_pod({"env": [{"name": "V", "valueFrom": value_from}]}))
    assert found[0] == f"spec.containers[0].env[0].{text}"
    if "secretKeyRef" in value_from and "configMapKeyRef" in value_from:
        assert found[1:] == ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not '
                             "have more than one field specified at a time"]


def test_env_from_prefix_and_sources() -> None:
    assert causes("v1.30.5", a_pod({"envFrom": [
        {"prefix": "1_", "configMapRef": {"name": "trailing-"}},
        {"configMapRef": {"name": "a"}, "secretRef": {}}]})) == [
        f'spec.containers[0].envFrom[0].prefix: Invalid value: "1_": {STRICT_NAME}',
        "spec.containers[0].envFrom[1].secretRef.name: Required value",
        'spec.containers[0].envFrom: Invalid value: "": may not have more than one field '
        "specified at a time"]


@pytest.mark.parametrize(("probe", "text"), [
    ({}, "livenessProbe: Required value: must specify a handler type"),
    ({"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}},
     "livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"),
    ({"exec": {}}, "livenessProbe.exec.command: Required value"),
    ({"grpc": {}}, "livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, "
                   "inclusive"),
    ({"httpGet": {"port": 80, "httpHeaders": [{"name": "X Bad", "value": "1"}]}},
     'livenessProbe.httpGet.httpHeaders: Invalid value: "X Bad": a valid HTTP header must '
     "consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for "
     "validation is '[-A-Za-z0-9]+')"),
    ({"tcpSocket": {"port": 80}, "terminationGracePeriodSeconds": 0},
     "livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"),
])
def test_a_probe(probe: dict[str, Any], text: str) -> None:
    assert causes("v1.30.5", a_pod({"livenessProbe": probe})) == [f"spec.containers[0].{text}"]


@pytest.mark.parametrize(("version", "seconds", "text"), [
    ("v1.31.2", 0, "must be greater than 0 and less than terminationGracePeriodSeconds (30)"),
    ("v1.32.3", 40, "must be greater than 0 and less than terminationGracePeriodSeconds (30). "
                    "Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."),
    ("v1.33.1", 40, "must be non-negative and less than terminationGracePeriodSeconds (30)"),
    ("v1.33.1", 0, None),
    ("v1.29.4", 0, None),  # the gate drops the sleep, and the hook with it
])
def test_a_sleep_hook_within_the_grace_period(version: str, seconds: int,
                                              text: str | None) -> None:
    body = a_pod({"lifecycle": {"preStop": {"sleep": {"seconds": seconds}}}})
    if text is None:
        accepted(version, body)
    else:
        assert causes(version, body) == [
            f"spec.containers[0].lifecycle.preStop.sleep: Invalid value: {seconds}: {text}"]


@pytest.mark.parametrize(("version", "text"), [
    ("v1.27.3", "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init "
                "containers"),
    ("v1.28.9", "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init "
                "containers without restartPolicy=Always"),
    ("v1.29.4", "spec.initContainers[0].readinessProbe.exec.command: Required value"),
])
def test_an_init_containers_probe_unless_it_is_a_sidecar(version: str, text: str) -> None:
    init = {"name": "side", "image": "side:1", "restartPolicy": "Always",
            "readinessProbe": {"exec": {}}}
    assert causes(version, a_pod(initContainers=[init])) == [text]


def test_a_templates_env_is_checked_too() -> None:
    body = deployment("web")
    body["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": ""}]
    reply = call(quiet_at("v1.30.5"), "POST", "/apis/apps/v1/namespaces/default/deployments",
                 body=body)
    assert message(reply) == ('Deployment.apps "web" is invalid: '
                              "spec.template.spec.containers[0].env[0].name: Required value")
