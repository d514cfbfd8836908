"""Protobuf request bodies decode to exactly the JSON the same object's JSON encoding gives.

CAPTURED holds bodies kubectl 1.33 sent for ``kubectl create ...`` (and ``debug node``, ``create
token``, ``auth can-i``) next to the JSON kubectl 1.31 sent for the same command: bytes the client
produced, recorded by a throwaway HTTPS server. (``kubectl run`` is absent because kubectl 1.33
still sends its Pod as JSON; ``kubectl debug node`` is a Pod kubectl sends as protobuf. Its name is
random per run, so the expected JSON carries the protobuf run's name.) The other tests build
messages by hand to reach what kubectl's generators never send.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.wire import protobuf
from emulator.cluster.mock.wire.protobuf import decode_object, decode_review, kind_of
from emulator.cluster.mock.wire.protobuf_table import Shape, compile_table, parse_field, table
from emulator.cluster.mock.registry.resources import FIRST_MINOR, LAST_MINOR, Registry
from emulator.cluster.mock.wire.status import KubeError

REGISTRY = Registry.for_version("1.30")  # my-cluster's minor

KINDS = table().kinds
SCHEMA = MESSAGES = table().messages

CAPTURED: dict[str, tuple[bytes, str]] = {
    "ns": (
        b'k8s\x00\n\x0f\n\x02v1\x12\tNamespace\x12\x1e\n\x16\n\x06team-a\x12\x00\x1a\x00"\x00*\x00'
        b'2\x008\x00B\x00\x12\x00\x1a\x02\n\x00\x1a\x00"\x00',
        '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team-a",'
        '"creationTimestamp":null},"spec":{},"status":{}}'
    ),
    "configmap": (
        b'k8s\x00\n\x0f\n\x02v1\x12\tConfigMap\x12-\n\x19\n\x03cfg\x12\x00\x1a\x06team-a"\x00*\x00'
        b'2\x008\x00B\x00\x12\x06\n\x01a\x12\x011\x12\x08\n\x01b\x12\x03two\x1a\x00"\x00',
        '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cfg","namespace":"team-a",'
        '"creationTimestamp":null},"data":{"a":"1","b":"two"}}'
    ),
    "secret": (
        b'k8s\x00\n\x0c\n\x02v1\x12\x06Secret\x12:\n\x19\n\x03sec\x12\x00\x1a\x06team-a"\x00*\x002'
        b'\x008\x00B\x00\x12\x0c\n\x02pw\x12\x06s3cr3t\x12\r\n\x04user\x12\x05admin\x1a\x00\x1a'
        b'\x00"\x00',
        '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"sec","namespace":"team-a",'
        '"creationTimestamp":null},"data":{"pw":"czNjcjN0","user":"YWRtaW4="}}'
    ),
    "serviceaccount": (
        b'k8s\x00\n\x14\n\x02v1\x12\x0eServiceAccount\x12\x1d\n\x1b\n\x05robot\x12\x00\x1a\x06team'
        b'-a"\x00*\x002\x008\x00B\x00\x1a\x00"\x00',
        '{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"robot",'
        '"namespace":"team-a","creationTimestamp":null}}'
    ),
    "deployment": (
        b'k8s\x00\n\x15\n\x07apps/v1\x12\nDeployment\x12\xc4\x01\n%\n\x03web\x12\x00\x1a\x06team-a'
        b'"\x00*\x002\x008\x00B\x00Z\n\n\x03app\x12\x03web\x12\x8c\x01\x08\x03\x12\x0c\n\n\n\x03ap'
        b'p\x12\x03web\x1ar\n\x1c\n\x00\x12\x00\x1a\x00"\x00*\x002\x008\x00B\x00Z\n\n\x03app\x12'
        b'\x03web\x12R\x124\n\x05nginx\x12\nnginx:1.27*\x002\x0b\n\x00\x10\x00\x18\x90?"\x00*\x00B'
        b'\x00j\x00r\x00\x80\x01\x00\x88\x01\x00\x90\x01\x00\xa2\x01\x00\x1a\x002\x00B\x00J\x00R'
        b'\x00X\x00`\x00h\x00\x82\x01\x00\x8a\x01\x00\x9a\x01\x00\xc2\x01\x00"\x02\n\x00(\x008\x00'
        b'\x1a\x0c\x08\x00\x10\x00\x18\x00 \x00(\x008\x00\x1a\x00"\x00',
        '{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web",'
        '"namespace":"team-a","creationTimestamp":null,"labels":{"app":"web"}},'
        '"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},'
        '"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},'
        '"spec":{"containers":[{"name":"nginx","image":"nginx:1.27",'
        '"ports":[{"containerPort":8080}],"resources":{}}]}},"strategy":{}},"status":{}}'
    ),
    "service": (
        b'k8s\x00\n\r\n\x02v1\x12\x07Service\x12o\n%\n\x03web\x12\x00\x1a\x06team-a"\x00*\x002\x00'
        b'8\x00B\x00Z\n\n\x03app\x12\x03web\x12B\n\x1b\n\x0780-8080\x12\x03TCP\x18P"\x07\x08\x00'
        b'\x10\x90?\x1a\x00(\x00\x12\n\n\x03app\x12\x03web\x1a\x00"\tClusterIP:\x00B\x00R\x00Z\x00'
        b'`\x00h\x00\x1a\x02\n\x00\x1a\x00"\x00',
        '{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","namespace":"team-a",'
        '"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"ports":[{"name":"80-8080",'
        '"protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"web"},'
        '"type":"ClusterIP"},"status":{"loadBalancer":{}}}'
    ),
    "role": (
        b'k8s\x00\n$\n\x1crbac.authorization.k8s.io/v1\x12\x04Role\x12-\n\x1c\n\x06reader\x12\x00'
        b'\x1a\x06team-a"\x00*\x002\x008\x00B\x00\x12\r\n\x03get\x12\x00\x1a\x04pods\x1a\x00"\x00',
        '{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"reader",'
        '"namespace":"team-a","creationTimestamp":null},"rules":[{"verbs":["get"],'
        '"apiGroups":[""],"resources":["pods"]}]}'
    ),
    "clusterrole": (
        b'k8s\x00\n+\n\x1crbac.authorization.k8s.io/v1\x12\x0bClusterRole\x12S\n\x16\n\x06viewer'
        b'\x12\x00\x1a\x00"\x00*\x002\x008\x00B\x00\x12\x16\n\x03get\n\x04list\x12\x00\x1a\x04pods'
        b'"\x01x\x12!\n\x03get\n\x04list\x12\x04apps\x1a\x0bdeployments"\x01x\x1a\x00"\x00',
        '{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1",'
        '"metadata":{"name":"viewer","creationTimestamp":null},"rules":[{"verbs":["get","list"],'
        '"apiGroups":[""],"resources":["pods"],"resourceNames":["x"]},{"verbs":["get","list"],'
        '"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["x"]}]}'
    ),
    "rolebinding": (
        b'k8s\x00\n+\n\x1crbac.authorization.k8s.io/v1\x12\x0bRoleBinding\x12}\n\x18\n\x02rb\x12'
        b'\x00\x1a\x06team-a"\x00*\x002\x008\x00B\x00\x126\n\x04User\x12\x19rbac.authorization.k8s'
        b'.io\x1a\x11alice@example.com"\x00\x1a)\n\x19rbac.authorization.k8s.io\x12\x04Role\x1a'
        b'\x06reader\x1a\x00"\x00',
        '{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1",'
        '"metadata":{"name":"rb","namespace":"team-a","creationTimestamp":null},'
        '"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io",'
        '"name":"alice@example.com"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io",'
        '"kind":"Role","name":"reader"}}'
    ),
    "clusterrolebinding": (
        b'k8s\x00\n2\n\x1crbac.authorization.k8s.io/v1\x12\x12ClusterRoleBinding\x12\x7f\n\x13\n'
        b'\x03crb\x12\x00\x1a\x00"\x00*\x002\x008\x00B\x00\x126\n\x05Group\x12\x19rbac.authorizati'
        b'on.k8s.io\x1a\x10devs@example.com"\x00\x1a0\n\x19rbac.authorization.k8s.io\x12\x0bCluste'
        b'rRole\x1a\x06viewer\x1a\x00"\x00',
        '{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1",'
        '"metadata":{"name":"crb","creationTimestamp":null},"subjects":[{"kind":"Group",'
        '"apiGroup":"rbac.authorization.k8s.io","name":"devs@example.com"}],'
        '"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"viewer"}}'
    ),
    "debug_sysadmin": (
        b'k8s\x00\n\t\n\x02v1\x12\x03Pod\x12\xec\x01\n&\n\x16node-debugger-n1-g7cpx\x12\x00\x1a'
        b'\x00"\x00*\x002\x008\x00B\x00\x12\xac\x01\n\x12\n\thost-root\x12\x05\n\x03\n\x01/\x12b\n'
        b'\x08debugger\x12\x07busybox\x1a\x02sh\x1a\x02-c\x1a\x01x*\x00:\x06\n\x01A\x12\x011B\x00J'
        b'\x18\n\thost-root\x10\x00\x1a\x05/host"\x002\x00j\x00r\x06Alwaysz\x02\x10\x01\x80\x01'
        b'\x00\x88\x01\x00\x90\x01\x00\xa2\x01\x04File\x1a\x05Never2\x00B\x00J\x00R\x02n1X\x01`'
        b'\x01h\x01\x82\x01\x00\x8a\x01\x00\x9a\x01\x00\xb2\x01\x0e\n\x00\x12\x06Exists\x1a\x00"'
        b'\x00\xc2\x01\x00\x1a\x13\n\x00\x1a\x00"\x00*\x002\x00J\x00Z\x00r\x00\x88\x01\x00\x1a\x00'
        b'"\x00',
        '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"node-debugger-n1-g7cpx",'
        '"creationTimestamp":null},"spec":{"volumes":[{"name":"host-root",'
        '"hostPath":{"path":"/"}}],"containers":[{"name":"debugger","image":"busybox",'
        '"command":["sh","-c","x"],"env":[{"name":"A","value":"1"}],"resources":{},'
        '"volumeMounts":[{"name":"host-root","mountPath":"/host"}],'
        '"terminationMessagePolicy":"File","imagePullPolicy":"Always",'
        '"securityContext":{"privileged":true}}],"restartPolicy":"Never","nodeName":"n1",'
        '"hostNetwork":true,"hostPID":true,"hostIPC":true,"tolerations":[{"operator":"Exists"}]},'
        '"status":{}}'
    ),
    "token_bound": (
        b'k8s\x00\n(\n\x18authentication.k8s.io/v1\x12\x0cTokenRequest\x12.\n\x10\n\x00\x12\x00'
        b'\x1a\x00"\x00*\x002\x008\x00B\x00\x12\x14\x1a\x12\n\x03Pod\x12\x02v1\x1a\x02p1"\x03123'
        b'\x1a\x04\n\x00\x12\x00\x1a\x00"\x00',
        '{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1",'
        '"metadata":{"creationTimestamp":null},"spec":{"audiences":null,"expirationSeconds":null,'
        '"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p1","uid":"123"}},'
        '"status":{"token":"","expirationTimestamp":null}}'
    ),
    "can_i": (
        b'k8s\x00\n2\n\x17authorization.k8s.io/v1\x12\x17SelfSubjectAccessReview\x12;\n\x10\n\x00'
        b'\x12\x00\x1a\x00"\x00*\x002\x008\x00B\x00\x12\x1d\n\x1b\n\x06team-a\x12\x03get\x1a\x00"'
        b'\x00*\x04pods2\x00:\x00\x1a\x08\x08\x00\x12\x00\x1a\x00 \x00\x1a\x00"\x00',
        '{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1",'
        '"metadata":{"creationTimestamp":null},'
        '"spec":{"resourceAttributes":{"namespace":"team-a","verb":"get","resource":"pods"}},'
        '"status":{"allowed":false}}'
    ),
}


# --- building messages by hand --------------------------------------------------------------------


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative ints go on the wire as 64-bit two's complement
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def num(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def msg(number: int, *parts: bytes | str) -> bytes:
    payload = b"".join(p.encode() if isinstance(p, str) else p for p in parts)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def entry(number: int, key: str, value: bytes | str) -> bytes:
    return msg(number, msg(1, key), msg(2, value))


def body(api_version: str, kind: str, *raw: bytes, encoding: str = "",
         content_type: str = "") -> bytes:
    return b"k8s\x00" + msg(1, msg(1, api_version), msg(2, kind)) + msg(2, *raw) + (
        msg(3, encoding) if encoding else b"") + (msg(4, content_type) if content_type else b"")


def refused(raw: bytes) -> KubeError:
    with pytest.raises(KubeError) as caught:
        decode_object(raw)
    return caught.value


META = msg(1, msg(1, "x"))  # ObjectMeta{name: x}
NULL_META = {"name": "x", "creationTimestamp": None}


# --- what kubectl sent -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(CAPTURED))
def test_captured_kubectl_protobuf_decodes_to_its_json(command: str) -> None:
    protobuf_body, json_body = CAPTURED[command]
    assert decode_object(protobuf_body) == json.loads(json_body)


def test_kind_of_reads_the_envelope() -> None:
    assert kind_of(CAPTURED["deployment"][0]) == "Deployment"
    assert kind_of(b"{}") == "unknown"
    assert kind_of(b"k8s\x00\xff") == "unknown"


# --- JSON semantics: omitempty, pointers, fields without omitempty ---------------------------------


def test_zero_scalars_are_omitted_unless_pointer_or_required() -> None:
    # ConfigMap.immutable is *bool: false was set, so JSON says so.
    assert decode_object(body("v1", "ConfigMap", META, num(4, 0)))["immutable"] is False
    # DeploymentSpec.replicas is *int32 (0 is kept); minReadySeconds is omitempty; selector is a
    # pointer without omitempty, so its absence is null.
    spec = decode_object(body("apps/v1", "Deployment", META, msg(2, num(1, 0), num(5, 0))))["spec"]
    assert spec["replicas"] == 0
    assert "minReadySeconds" not in spec
    assert spec["selector"] is None
    # ContainerPort.containerPort has no omitempty: absent, it is 0.
    pod = decode_object(body("v1", "Pod", META, msg(2, msg(2, msg(1, "c"), msg(6, msg(1, ""))))))
    assert pod["spec"]["containers"] == [{"name": "c", "ports": [{"containerPort": 0}],
                                          "resources": {}}]


def test_absent_lists_without_omitempty_are_null() -> None:
    role = decode_object(body("rbac.authorization.k8s.io/v1", "Role", META))
    assert role == {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1",
                    "metadata": NULL_META, "rules": None}


def test_negative_and_packed_ints() -> None:
    security = msg(14, num(2, -1), msg(4, varint(4000) + varint(5000)), num(4, -7))
    pod = decode_object(body("v1", "Pod", META, msg(2, security, num(25, -5))))
    assert pod["spec"]["priority"] == -5
    assert pod["spec"]["securityContext"] == {"runAsUser": -1, "supplementalGroups": [4000, 5000, -7]}


def test_message_fields_sent_twice_are_merged() -> None:
    raw = msg(1, msg(1, "x")) + msg(1, msg(3, "ns"))
    assert decode_object(body("v1", "ServiceAccount", raw))["metadata"] == {
        "name": "x", "namespace": "ns", "creationTimestamp": None}


def test_embedded_structs_join_their_parent() -> None:
    # Volume embeds VolumeSource (field 2); ConfigMapVolumeSource embeds LocalObjectReference.
    volume = msg(1, msg(1, "v"), msg(2, msg(19, msg(1, msg(1, "settings")), num(4, 1))))
    pod = decode_object(body("v1", "Pod", META, msg(2, volume)))
    assert pod["spec"]["volumes"] == [{"name": "v",
                                       "configMap": {"name": "settings", "optional": True}}]


# --- types with JSON forms of their own ------------------------------------------------------------


def test_time_is_rfc3339_seconds_and_empty_is_null() -> None:
    meta = msg(1, msg(1, "x"), msg(8, num(1, 1714979289), num(2, 999)), msg(9))
    assert decode_object(body("v1", "Namespace", meta))["metadata"] == {
        "name": "x", "creationTimestamp": "2024-05-06T07:08:09Z", "deletionTimestamp": None}
    epoch = msg(1, msg(8, num(1, 0)))
    assert decode_object(body("v1", "Namespace", epoch))["metadata"]["creationTimestamp"] == (
        "1970-01-01T00:00:00Z")


def test_micro_time_keeps_microseconds() -> None:
    event = decode_object(body("v1", "Event", META, msg(10, num(1, 1714979289), num(2, 123456789))))
    assert event["eventTime"] == "2024-05-06T07:08:09.123456Z"
    assert event["firstTimestamp"] is None
    assert event["involvedObject"] == {} and event["source"] == {}
    assert event["reportingComponent"] == "" and event["reportingInstance"] == ""


def test_int_or_string() -> None:
    rolling = msg(2, num(1, 0), num(2, 25)), msg(1, num(1, 1), msg(3, "25%"))
    spec = msg(2, msg(4, msg(1, "RollingUpdate"), msg(2, *rolling)))
    strategy = decode_object(body("apps/v1", "Deployment", META, spec))["spec"]["strategy"]
    assert strategy == {"type": "RollingUpdate",
                        "rollingUpdate": {"maxSurge": 25, "maxUnavailable": "25%"}}
    assert refused(body("apps/v1", "Deployment", META, msg(2, msg(4, msg(2, msg(1, num(1, 7)))))
                        )).code == 400


def test_quantities_in_resource_maps() -> None:
    resources = msg(8, entry(1, "cpu", msg(1, "500m")), entry(2, "memory", msg(1, "64Mi")),
                    msg(2, msg(1, "gpu")))  # an entry without a value is the zero Quantity
    pod = decode_object(body("v1", "Pod", META, msg(2, msg(2, msg(1, "c"), resources))))
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m"}, "requests": {"memory": "64Mi", "gpu": "0"}}


def test_bytes_are_base64_and_empty_entries_are_empty_strings() -> None:
    raw = META + entry(3, "bin", b"\xff\x00") + msg(3, msg(1, "empty"))
    assert decode_object(body("v1", "ConfigMap", raw))["binaryData"] == {"bin": "/wA=", "empty": ""}


def test_managed_fields_and_owner_references() -> None:
    managed = msg(17, msg(1, "kubectl"), msg(2, "Update"), msg(7, msg(1, b'{"f:data":{}}')))
    owner = msg(13, msg(1, "ReplicaSet"), msg(3, "rs"), msg(4, "u1"), msg(5, "apps/v1"),
                num(6, 1))
    meta = decode_object(body("v1", "ConfigMap", msg(1, msg(1, "x"), managed, owner)))["metadata"]
    assert meta["managedFields"] == [{"manager": "kubectl", "operation": "Update",
                                      "fieldsV1": {"f:data": {}}}]
    assert meta["ownerReferences"] == [{"kind": "ReplicaSet", "name": "rs", "uid": "u1",
                                        "apiVersion": "apps/v1", "controller": True}]


def test_user_info_extra_is_a_map_of_lists() -> None:
    status = msg(2, msg(1, msg(1, "alice"), entry(4, "scopes", msg(1, "a"))))
    review = decode_object(body("authentication.k8s.io/v1", "SelfSubjectReview", META, status))
    assert review["status"] == {"userInfo": {"username": "alice", "extra": {"scopes": ["a"]}}}


# --- refusals --------------------------------------------------------------------------------------


def test_unknown_field_is_refused_naming_kind_path_and_number() -> None:
    container = msg(2, msg(1, "c"), num(99, 1))
    error = refused(body("apps/v1", "Deployment", META, msg(2, msg(3, msg(2, container)))))
    assert (error.code, error.reason) == (415, "UnsupportedMediaType")
    assert error.message == messages.K8S_PROTOBUF_UNKNOWN_FIELD.format(
        kind="Deployment", number=99, message="Container",
        path="Deployment.spec.template.spec.containers[0]")


def test_unknown_map_entry_field_is_refused() -> None:
    error = refused(body("v1", "ConfigMap", msg(1, msg(11, msg(1, "k"), msg(2, "v"), num(3, 1)))))
    assert error.code == 415
    assert error.message == messages.K8S_PROTOBUF_UNKNOWN_FIELD.format(
        kind="ConfigMap", number=3, message="the labels entry", path="ConfigMap.metadata.labels")


def test_unsupported_kind_is_415() -> None:
    # Every kind of k8s.io/api has a message; a custom resource's kind has none.
    error = refused(body("stable.example.com/v1", "CronTab", META))
    assert (error.code, error.message) == (
        415, messages.K8S_PROTOBUF_UNSUPPORTED.format(kind="CronTab"))


def test_encoded_envelope_is_415() -> None:
    error = refused(body("v1", "ConfigMap", META, encoding="gzip"))
    assert (error.code, error.message) == (415, messages.K8S_PROTOBUF_ENVELOPE_UNSUPPORTED.format(
        kind="ConfigMap", encoding="gzip", content_type=""))


@pytest.mark.parametrize(("raw", "detail"), [
    (b'{"kind": "ConfigMap"}', messages.K8S_PROTOBUF_NOT_PROTOBUF),
    (b"k8s\x00\x0a\x05ab", "truncated field"),
    (body("v1", "ConfigMap", msg(1, num(1, 5))), "ConfigMap.metadata.name: wire type 0 cannot hold a "
     "string"),
    (body("v1", "ConfigMap", msg(1, msg(7, "x"))), "ConfigMap.metadata.generation: wire type 2 "
     "cannot hold a int"),
])
def test_malformed_bodies_are_400(raw: bytes, detail: str) -> None:
    error = refused(raw)
    assert (error.code, error.message) == (
        400, messages.K8S_PROTOBUF_DECODE_ERROR.format(detail=detail))


# --- reviews ---------------------------------------------------------------------------------------


def test_decode_review_reads_reviews_and_refuses_other_kinds() -> None:
    assert decode_review(CAPTURED["can_i"][0]) == json.loads(CAPTURED["can_i"][1])
    empty = body("authentication.k8s.io/v1beta1", "SelfSubjectReview")
    assert decode_review(empty)["status"] == {"userInfo": {}}
    with pytest.raises(KubeError) as caught:
        decode_review(CAPTURED["ns"][0])
    assert (caught.value.code, caught.value.message) == (
        415, messages.K8S_PROTOBUF_UNSUPPORTED.format(kind="Namespace"))


# --- the schema table ------------------------------------------------------------------------------


@pytest.mark.parametrize("minor", range(FIRST_MINOR, LAST_MINOR + 1))
def test_every_served_kind_has_a_message(minor: int) -> None:
    # Those defined outside k8s.io/api (CustomResourceDefinition, APIService) included.
    for resource in Registry.for_version(f"1.{minor}").resources:
        assert (resource.api_version, resource.kind) in KINDS, resource.kind
    assert all(message in SCHEMA for message in KINDS.values())


def test_every_special_type_is_in_the_table() -> None:
    # Each message with a JSON form of its own is in the table, and protobuf.py has that form.
    assert set(table().forms) <= set(MESSAGES)
    assert set(table().forms.values()) <= set(protobuf._FORMS)


def test_field_notation() -> None:
    assert parse_field("replicas", "int?") == parse_field("replicas", "int?")
    field = parse_field("rules", "[PolicyRule]!")
    assert (field.type, field.shape, field.pointer, field.omitempty) == (
        "PolicyRule", Shape.LIST, False, False)
    assert parse_field("labels", "{string}").shape is Shape.MAP
    selector = parse_field("selector", "LabelSelector?!")
    assert (selector.pointer, selector.omitempty, selector.is_message) == (True, False, True)
    for bad in (("x", "[string]?"), ("", "string"), ("x", "int!?"), ("x", "list<int>")):
        with pytest.raises(ValueError):
            parse_field(*bad)


def test_the_table_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown message Nope"):
        compile_table({"A": {1: ("b", "Nope")}})


def test_values_are_json_types() -> None:
    decoded: Any = decode_object(CAPTURED["debug_sysadmin"][0])
    assert json.loads(json.dumps(decoded)) == decoded
