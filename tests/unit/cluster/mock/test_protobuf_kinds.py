"""Every kind of k8s.io/api, and the served CustomResourceDefinition and APIService, decodes from
protobuf, by the message table generated from upstream (data/protobuf-messages.json,
tools/kubedata/protobuf_messages.py).

The bodies are built by hand with test_protobuf's writer, field numbers read from the upstream
generated.proto; the expected JSON is what Go's encoding/json writes for the same object (json
tags of the upstream types.go, and a CRD schema's MarshalJSON methods), as kubectl sends it.
Neither comes from the data file, so a wrong number, name or mark in it fails here.
"""

from __future__ import annotations

import json
import struct
from importlib.resources import files
from typing import Any

import pytest
import yaml

from emulator import limits, messages
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.wire import protobuf
from emulator.cluster.mock.wire.protobuf import decode_object
from emulator.cluster.mock.wire.protobuf_table import compile_table, short_name, table
from tests.unit.cluster.mock.conftest import call
from tests.unit.cluster.mock.test_protobuf import body, entry, msg, num, refused, varint

NAMED = msg(1, msg(1, "x"))  # metadata {name: x}
META = {"name": "x", "creationTimestamp": None}
WHEN = "2024-05-06T07:08:09Z"  # a Time of seconds 1714979289


def meta(name: str) -> bytes:
    return msg(1, msg(1, name))


def labels(number: int, **pairs: str) -> bytes:
    return b"".join(entry(number, key, value) for key, value in pairs.items())


def pod_template(container: bytes, *spec: bytes) -> bytes:
    """A PodTemplateSpec's fields: empty metadata, a spec with one container."""
    return msg(1) + msg(2, msg(2, container), *spec)


def template_json(container: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {"metadata": {"creationTimestamp": None},
            "spec": {"containers": [{**container, "resources": {}}], **spec}}


# kubectl create job pi --image=perl -- perl -e 1 (plus a status and pointers set to zero).
JOB = (
    body("batch/v1", "Job", meta("pi"),
         msg(2, num(7, 0),  # backoffLimit: *int32 0
             msg(6, pod_template(msg(1, "pi") + msg(2, "perl") + msg(3, "perl") + msg(3, "-e")
                                 + msg(3, "1"), msg(3, "Never"))),
             msg(9, "NonIndexed"), num(10, 0)),  # completionMode, suspend: *bool false
         msg(3, msg(1, msg(1, "Complete"), msg(2, "True"), msg(4, num(1, 1714979289))),
             msg(2, num(1, 1714979289)), num(5, 1))),
    {"kind": "Job", "apiVersion": "batch/v1",
     "metadata": {"name": "pi", "creationTimestamp": None},
     "spec": {"backoffLimit": 0,
              "template": template_json({"name": "pi", "image": "perl",
                                         "command": ["perl", "-e", "1"]}, restartPolicy="Never"),
              "completionMode": "NonIndexed", "suspend": False},
     "status": {"conditions": [{"type": "Complete", "status": "True", "lastProbeTime": None,
                                "lastTransitionTime": WHEN}],
                "startTime": WHEN, "succeeded": 1}},
)

# kubectl create cronjob hello --image=busybox --schedule='*/1 * * * *' -- date
CRONJOB = (
    body("batch/v1", "CronJob", meta("hello"),
         msg(2, msg(1, "*/1 * * * *"), msg(8, "Etc/UTC"), num(4, 0),
             msg(5, meta("hello"),
                 msg(2, msg(6, pod_template(msg(1, "hello") + msg(2, "busybox") + msg(3, "date"),
                                            msg(3, "OnFailure"))))))),
    {"kind": "CronJob", "apiVersion": "batch/v1",
     "metadata": {"name": "hello", "creationTimestamp": None},
     "spec": {"schedule": "*/1 * * * *", "timeZone": "Etc/UTC", "suspend": False,
              "jobTemplate": {"metadata": {"name": "hello", "creationTimestamp": None},
                              "spec": {"template": template_json(
                                  {"name": "hello", "image": "busybox", "command": ["date"]},
                                  restartPolicy="OnFailure")}}},
     "status": {}},
)

# Fields without omitempty, absent: schedule is "", jobTemplate a struct, containers null.
CRONJOB_EMPTY = (
    body("batch/v1", "CronJob", NAMED),
    {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": META,
     "spec": {"schedule": "",
              "jobTemplate": {"metadata": {"creationTimestamp": None},
                              "spec": {"template": {"metadata": {"creationTimestamp": None},
                                                    "spec": {"containers": None}}}}},
     "status": {}},
)


def _ingress_path(path: str, service: bytes, path_type: str | None) -> bytes:
    return msg(1, msg(1, path), msg(2, msg(4, service)),
               msg(3, path_type) if path_type is not None else b"")


# kubectl create ingress simple --class=nginx --rule='foo.com/bar=svc1:8080,tls=my-cert', and a
# second path without a pathType (a pointer without omitempty: null).
INGRESS = (
    body("networking.k8s.io/v1", "Ingress", meta("simple"),
         msg(2, msg(4, "nginx"), msg(2, msg(1, "foo.com"), msg(2, "my-cert")),
             msg(3, msg(1, "foo.com"), msg(2, msg(1,
                 _ingress_path("/bar", msg(1, "svc1") + msg(2, num(2, 8080)), "Exact")
                 + _ingress_path("/", msg(1, "svc2") + msg(2, msg(1, "http")), None)))))),
    {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1",
     "metadata": {"name": "simple", "creationTimestamp": None},
     "spec": {"ingressClassName": "nginx",
              "tls": [{"hosts": ["foo.com"], "secretName": "my-cert"}],
              "rules": [{"host": "foo.com", "http": {"paths": [
                  {"path": "/bar", "pathType": "Exact",
                   "backend": {"service": {"name": "svc1", "port": {"number": 8080}}}},
                  {"path": "/", "pathType": None,
                   "backend": {"service": {"name": "svc2", "port": {"name": "http"}}}}]}}]},
     "status": {"loadBalancer": {}}},
)

# kubectl create pdb my-pdb --selector=app=rails --min-available=1, with a status whose
# disruptedPods is a map of Times.
PDB = (
    body("policy/v1", "PodDisruptionBudget", meta("my-pdb"),
         msg(2, msg(1, num(1, 0), num(2, 1)), msg(2, labels(1, app="rails")),
             msg(4, "AlwaysAllow")),
         msg(3, entry(2, "pod-1", num(1, 1714979289)), num(6, 3))),
    {"kind": "PodDisruptionBudget", "apiVersion": "policy/v1",
     "metadata": {"name": "my-pdb", "creationTimestamp": None},
     "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "rails"}},
              "unhealthyPodEvictionPolicy": "AlwaysAllow"},
     "status": {"disruptedPods": {"pod-1": WHEN}, "disruptionsAllowed": 0, "currentHealthy": 0,
                "desiredHealthy": 0, "expectedPods": 3}},
)

# kubectl create priorityclass high-priority --value=1000 --description='high priority'
# --preemption-policy=Never (globalDefault=false is sent, and omitted).
PRIORITY_CLASS = (
    body("scheduling.k8s.io/v1", "PriorityClass", meta("high-priority"), num(2, 1000), num(3, 0),
         msg(4, "high priority"), msg(5, "Never")),
    {"kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1",
     "metadata": {"name": "high-priority", "creationTimestamp": None},
     "value": 1000, "description": "high priority", "preemptionPolicy": "Never"},
)

PRIORITY_CLASS_EMPTY = (
    body("scheduling.k8s.io/v1", "PriorityClass", NAMED),
    {"kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1", "metadata": META, "value": 0},
)

# kubectl create quota my-quota --hard=cpu=1,memory=1G,pods=2 --scopes=BestEffort, with a scope
# selector.
QUOTA = (
    body("v1", "ResourceQuota", meta("my-quota"),
         msg(2, entry(1, "cpu", msg(1, "1")), entry(1, "memory", msg(1, "1G")),
             entry(1, "pods", msg(1, "2")), msg(2, "BestEffort"),
             msg(3, msg(1, msg(1, "PriorityClass"), msg(2, "In"), msg(3, "high"))))),
    {"kind": "ResourceQuota", "apiVersion": "v1",
     "metadata": {"name": "my-quota", "creationTimestamp": None},
     "spec": {"hard": {"cpu": "1", "memory": "1G", "pods": "2"}, "scopes": ["BestEffort"],
              "scopeSelector": {"matchExpressions": [
                  {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}},
     "status": {}},
)

# The StatefulSet of the Kubernetes tutorial, with the optional parts set.
_CLAIM = msg(4, meta("www"), msg(2, msg(1, "ReadWriteOnce"),
                                 msg(2, entry(2, "storage", msg(1, "1Gi"))), msg(5, "standard")))
STATEFULSET = (
    body("apps/v1", "StatefulSet", meta("web"),
         msg(2, num(1, 3), msg(2, labels(1, app="web")),
             msg(3, msg(1, labels(11, app="web")),
                 msg(2, msg(2, msg(1, "nginx"), msg(2, "nginx:1.27"),
                                msg(9, msg(1, "www"), msg(3, "/usr/share/nginx/html"))))),
             _CLAIM, msg(5, "nginx"), msg(6, "Parallel"),
             msg(7, msg(1, "RollingUpdate"), msg(2, num(1, 0), msg(2, num(1, 1), msg(3, "10%")))),
             msg(10, msg(1, "Retain"), msg(2, "Delete")), msg(11))),
    {"kind": "StatefulSet", "apiVersion": "apps/v1",
     "metadata": {"name": "web", "creationTimestamp": None},
     "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}, "creationTimestamp": None},
                           "spec": {"containers": [{
                               "name": "nginx", "image": "nginx:1.27", "resources": {},
                               "volumeMounts": [{"name": "www",
                                                 "mountPath": "/usr/share/nginx/html"}]}]}},
              "volumeClaimTemplates": [{
                  "metadata": {"name": "www", "creationTimestamp": None},
                  "spec": {"accessModes": ["ReadWriteOnce"],
                           "resources": {"requests": {"storage": "1Gi"}},
                           "storageClassName": "standard"},
                  "status": {}}],
              "serviceName": "nginx", "podManagementPolicy": "Parallel",
              "updateStrategy": {"type": "RollingUpdate",
                                 "rollingUpdate": {"partition": 0, "maxUnavailable": "10%"}},
              "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                       "whenScaled": "Delete"},
              "ordinals": {"start": 0}},
     "status": {"replicas": 0, "availableReplicas": 0}},
)

# kubectl create clusterrole monitoring
# --aggregation-rule=rbac.example.com/aggregate-to-monitoring=true: no rules, which is null.
CLUSTER_ROLE = (
    body("rbac.authorization.k8s.io/v1", "ClusterRole", meta("monitoring"),
         msg(3, msg(1, labels(1, **{"rbac.example.com/aggregate-to-monitoring": "true"})))),
    {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1",
     "metadata": {"name": "monitoring", "creationTimestamp": None}, "rules": None,
     "aggregationRule": {"clusterRoleSelectors": [
         {"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}}]}},
)

CASES = {"job": JOB, "cronjob": CRONJOB, "cronjob-empty": CRONJOB_EMPTY, "ingress": INGRESS,
         "pdb": PDB, "priorityclass": PRIORITY_CLASS, "priorityclass-empty": PRIORITY_CLASS_EMPTY,
         "resourcequota": QUOTA, "statefulset": STATEFULSET, "clusterrole": CLUSTER_ROLE}


@pytest.mark.parametrize("case", sorted(CASES))
def test_kinds_kubectl_creates_decode_to_their_json(case: str) -> None:
    raw, expected = CASES[case]
    assert decode_object(raw) == expected


def test_an_unknown_field_of_a_generated_message_is_refused() -> None:
    error = refused(body("batch/v1", "Job", NAMED, msg(2, num(99, 1))))
    assert (error.code, error.message) == (415, messages.K8S_PROTOBUF_UNKNOWN_FIELD.format(
        kind="Job", number=99, message="JobSpec", path="Job.spec"))


def test_raw_extensions_are_their_json() -> None:
    revision = decode_object(body("apps/v1", "ControllerRevision", NAMED,
                                  msg(2, msg(1, b'{"spec": {"replicas": 2}}')), num(3, 4)))
    assert revision == {"kind": "ControllerRevision", "apiVersion": "apps/v1", "metadata": META,
                        "data": {"spec": {"replicas": 2}}, "revision": 4}
    absent = decode_object(body("apps/v1", "ControllerRevision", NAMED))
    assert absent["data"] is None and absent["revision"] == 0
    error = refused(body("apps/v1", "ControllerRevision", NAMED, msg(2, msg(1, b"\x0a\x01"))))
    assert error.code == 400


def test_the_api_version_picks_the_message() -> None:
    # The same kind in two versions, and the same message name in two groups.
    beta = decode_object(body("batch/v1beta1", "CronJob", NAMED))
    assert beta["apiVersion"] == "batch/v1beta1" and beta["spec"]["schedule"] == ""
    assert table().message_for("batch/v1beta1", "CronJob") == "io.k8s.api.batch.v1beta1.CronJob"
    rbac = table().messages["io.k8s.api.rbac.v1.RoleBinding"][2]
    flowcontrol = table().messages["io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects"][1]
    assert (rbac.type, flowcontrol.type) == ("io.k8s.api.rbac.v1.Subject",
                                             "io.k8s.api.flowcontrol.v1.Subject")
    assert table().messages[rbac.type] != table().messages[flowcontrol.type]
    assert short_name(rbac.type) == "Subject"


# --- kinds defined outside k8s.io/api: CustomResourceDefinition, APIService ----------------------
#
# Field numbers from k8s.io/apiextensions-apiserver's and k8s.io/kube-aggregator's v1
# generated.proto; JSON from their types.go, types_jsonschema.go and marshal.go. Like kubectl
# (gogo-generated Marshal), the bodies carry every non-pointer scalar, zero or not.


def double(number: int, value: float) -> bytes:
    """A double field: wire type 1, eight little-endian bytes."""
    return varint(number << 3 | 1) + struct.pack("<d", value)


def raw(number: int, text: str) -> bytes:
    """An apiextensions JSON field (``default``, ``example``, an ``enum`` value): {1: raw JSON}."""
    return msg(number, msg(1, text))


# What gogo writes for every JSONSchemaProps: its non-pointer scalars (id, $schema, description,
# type, format, title, exclusiveMaximum, exclusiveMinimum, pattern, uniqueItems, nullable,
# x-kubernetes-embedded-resource, x-kubernetes-int-or-string), here zero. Later values win.
_SCHEMA_ZEROS = b"".join([msg(1, ""), msg(2, ""), msg(4, ""), msg(5, ""), msg(6, ""), msg(7, ""),
                          num(10, 0), num(12, 0), msg(15, ""), num(18, 0), num(37, 0), num(39, 0),
                          num(40, 0)])


def schema(*fields: bytes) -> bytes:
    """A JSONSchemaProps's fields as kubectl sends them."""
    return _SCHEMA_ZEROS + b"".join(fields)


def prop(name: str, *fields: bytes) -> bytes:
    """One ``properties`` entry (field 29) of a JSONSchemaProps."""
    return entry(29, name, schema(*fields))


def of_type(name: str) -> bytes:
    return msg(5, name)


def items(*fields: bytes) -> bytes:
    """``items`` (field 24), a JSONSchemaPropsOrArray with one schema (its field 1)."""
    return msg(24, msg(1, schema(*fields)))


PRESERVE = num(38, 1)  # x-kubernetes-preserve-unknown-fields: true

CRONTAB_YAML = r"""
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec:
                type: string
                pattern: '^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$'
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
              mode:
                type: string
                enum: [Fast, Slow]
                default: Slow
              ratio:
                type: number
                multipleOf: 0.5
                exclusiveMinimum: true
                minimum: 0
              tags:
                type: array
                items:
                  type: string
                maxItems: 0
                x-kubernetes-list-type: set
              labels:
                type: object
                additionalProperties:
                  type: string
              settings:
                type: object
                additionalProperties: false
                properties:
                  debug:
                    type: boolean
                    default: false
              template:
                type: object
                default: {image: busybox, args: ["-c", "1"]}
                x-kubernetes-preserve-unknown-fields: true
              ports:
                type: array
                items:
                  type: object
                  required: [port]
                  properties:
                    port: {type: integer, format: int32}
                    protocol: {type: string, default: TCP}
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [port]
              size:
                x-kubernetes-int-or-string: true
                anyOf:
                - type: integer
                - type: string
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
        x-kubernetes-validations:
        - rule: self.spec.replicas <= 10
          message: at most 10 replicas
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - name: Schedule
      type: string
      jsonPath: .spec.cronSpec
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    deprecationWarning: stable.example.com/v1beta1 CronTab is deprecated
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
  conversion:
    strategy: None
"""

_CRONTAB_SPEC = schema(
    of_type("object"), msg(23, "cronSpec"),
    prop("cronSpec", of_type("string"), msg(15, r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$")),
    prop("replicas", of_type("integer"), double(11, 1), double(9, 10), raw(8, "1")),
    prop("mode", of_type("string"), raw(20, '"Fast"'), raw(20, '"Slow"'), raw(8, '"Slow"')),
    prop("ratio", of_type("number"), double(19, 0.5), num(12, 1), double(11, 0)),
    prop("tags", of_type("array"), items(of_type("string")), num(16, 0), msg(42, "set")),
    prop("labels", of_type("object"), msg(30, num(1, 1), msg(2, schema(of_type("string"))))),
    prop("settings", of_type("object"), msg(30, num(1, 0)),
         prop("debug", of_type("boolean"), raw(8, "false"))),
    prop("template", of_type("object"), raw(8, '{"args":["-c","1"],"image":"busybox"}'), PRESERVE),
    prop("ports", of_type("array"),
         items(of_type("object"), msg(23, "port"),
               prop("port", of_type("integer"), msg(6, "int32")),
               prop("protocol", of_type("string"), raw(8, '"TCP"'))),
         msg(41, "port"), msg(42, "map")),
    prop("size", num(40, 1), msg(27, schema(of_type("integer"))),
         msg(27, schema(of_type("string")))))
_V1 = msg(7, msg(1, "v1"), num(2, 1), num(3, 1), num(7, 0),
          msg(4, msg(1, schema(of_type("object"),
                               entry(29, "spec", _CRONTAB_SPEC),
                               prop("status", of_type("object"), PRESERVE),
                               msg(44, msg(1, "self.spec.replicas <= 10"),
                                   msg(2, "at most 10 replicas"), msg(3, ""), msg(5, ""))))),
          msg(5, msg(1), msg(2, msg(1, ".spec.replicas"), msg(2, ".status.replicas"))),
          msg(6, msg(1, "Schedule"), msg(2, "string"), msg(3, ""), msg(4, ""), num(5, 0),
              msg(6, ".spec.cronSpec")),
          msg(6, msg(1, "Age"), msg(2, "date"), msg(3, ""), msg(4, ""), num(5, 0),
              msg(6, ".metadata.creationTimestamp")))
_V1BETA1 = msg(7, msg(1, "v1beta1"), num(2, 1), num(3, 0), num(7, 1),
               msg(8, "stable.example.com/v1beta1 CronTab is deprecated"),
               msg(4, msg(1, schema(of_type("object"), PRESERVE))))
_EMPTY_NAMES = msg(1, "") + msg(2, "") + msg(4, "") + msg(5, "")
CRONTAB_CRD = body(
    "apiextensions.k8s.io/v1", "CustomResourceDefinition", meta("crontabs.stable.example.com"),
    msg(2, msg(1, "stable.example.com"),
        msg(3, msg(1, "crontabs"), msg(2, "crontab"), msg(3, "ct"), msg(4, "CronTab"),
            msg(5, ""), msg(6, "all")),
        msg(4, "Namespaced"), _V1, _V1BETA1, msg(9, msg(1, "None")), num(10, 0)),
    msg(3, msg(2, _EMPTY_NAMES), num(4, 0)))


def test_a_crd_decodes_to_its_manifest() -> None:
    manifest = yaml.safe_load(CRONTAB_YAML)
    decoded = decode_object(CRONTAB_CRD)
    assert decoded["spec"] == manifest["spec"]
    # Around the spec, what Go's encoding/json adds: a null creationTimestamp, and the status,
    # a struct whose conditions and storedVersions (nil, no omitempty) are null and whose
    # acceptedNames writes plural and kind (no omitempty) even when empty.
    assert decoded == {
        "kind": "CustomResourceDefinition", "apiVersion": "apiextensions.k8s.io/v1",
        "metadata": {"name": "crontabs.stable.example.com", "creationTimestamp": None},
        "spec": manifest["spec"],
        "status": {"conditions": None, "acceptedNames": {"plural": "", "kind": ""},
                   "storedVersions": None}}
    # A double with no fraction is written without one by Go (maximum: 10), so it reads back
    # as the int a JSON body gives; 0.5 stays a float.
    replicas = decoded["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"][
        "properties"]["replicas"]
    assert [type(replicas[key]) for key in ("minimum", "maximum")] == [int, int]


def test_a_crd_without_fields_writes_those_without_omitempty() -> None:
    assert decode_object(body("apiextensions.k8s.io/v1", "CustomResourceDefinition")) == {
        "kind": "CustomResourceDefinition", "apiVersion": "apiextensions.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {"group": "", "names": {"plural": "", "kind": ""}, "scope": "", "versions": None},
        "status": {"conditions": None, "acceptedNames": {"plural": "", "kind": ""},
                   "storedVersions": None}}


def _schema_of(*fields: bytes) -> Any:
    """The JSON of one openAPIV3Schema with these fields, decoded inside a CRD."""
    crd = body("apiextensions.k8s.io/v1", "CustomResourceDefinition", NAMED,
               msg(2, msg(7, msg(1, "v1"), msg(4, msg(1, schema(*fields))))))
    return decode_object(crd)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_json_schema_forms() -> None:
    decoded = _schema_of(
        msg(2, "http://json-schema.org/draft-04/schema#"), msg(3, "#/definitions/thing"),
        # items: a list of schemas (JSONSchemaPropsOrArray field 2)
        msg(24, msg(2, schema(of_type("string"))), msg(2, schema(of_type("integer")))),
        msg(33, num(1, 1)),  # additionalItems: true
        msg(30),  # additionalProperties sent with allows absent: false
        # dependencies: property names (field 2), a schema (field 1), neither (null)
        entry(32, "a", msg(2, "b") + msg(2, "c")), entry(32, "d", msg(1, schema(msg(23, "e")))),
        entry(32, "f", b""),
        msg(31, msg(1, "^x-"), msg(2, schema(of_type("string")))),  # patternProperties
        entry(34, "thing", schema(of_type("object"))),  # definitions
        msg(28, schema(of_type("null"))),  # not
        msg(25, schema(num(13, 0))), msg(26, schema(num(17, 2))),  # allOf, oneOf: *int64 zero
        msg(35, msg(1, "docs"), msg(2, "https://example.com")),  # externalDocs
        raw(20, "1"), raw(20, '{"a": [true, null]}'), msg(20),  # enum: raw JSON; empty is null
        raw(8, "null"), msg(36),  # default null; example sent without raw: null
        double(9, 1e21), double(11, -2.5), num(21, 3), num(22, 0), num(37, 1), num(39, 1),
        msg(43, "atomic"), num(18, 1), msg(7, "T"), msg(6, "date"), msg(1, "id"),
        msg(4, "described"))
    assert decoded == {
        "id": "id", "$schema": "http://json-schema.org/draft-04/schema#",
        "$ref": "#/definitions/thing", "description": "described", "format": "date", "title": "T",
        "default": None, "maximum": 1e21, "minimum": -2.5, "uniqueItems": True,
        "enum": [1, {"a": [True, None]}, None], "maxProperties": 3, "minProperties": 0,
        "items": [{"type": "string"}, {"type": "integer"}],
        "allOf": [{"maxLength": 0}], "oneOf": [{"minItems": 2}], "not": {"type": "null"},
        "additionalProperties": False, "patternProperties": {"^x-": {"type": "string"}},
        "dependencies": {"a": ["b", "c"], "d": {"required": ["e"]}, "f": None},
        "additionalItems": True, "definitions": {"thing": {"type": "object"}},
        "externalDocs": {"description": "docs", "url": "https://example.com"}, "example": None,
        "nullable": True, "x-kubernetes-embedded-resource": True, "x-kubernetes-map-type": "atomic"}
    assert type(decoded["maximum"]) is float  # Go writes 1e+21: an exponent, so a float
    # items sent empty: JSONSchemaPropsOrArray with neither is null, as Go marshals a nil schema.
    assert _schema_of(msg(24)) == {"items": None}
    # Both parts sent: the list wins over the schema, the schema over allows, and property names
    # over the schema (the order of the MarshalJSON methods).
    both = _schema_of(msg(24, msg(1, schema(of_type("object"))), msg(2, schema(of_type("string")))),
                      msg(30, num(1, 0), msg(2, schema(of_type("string")))),
                      entry(32, "a", msg(1, schema(of_type("object"))) + msg(2, "b")))
    assert both == {"items": [{"type": "string"}], "additionalProperties": {"type": "string"},
                    "dependencies": {"a": ["b"]}}


@pytest.mark.parametrize("field", [
    raw(8, "{"), raw(8, "NaN"), raw(20, "Infinity"), raw(36, "1e999"), double(9, float("nan")),
    double(19, float("inf")),
])
def test_json_that_go_cannot_write_is_refused(field: bytes) -> None:
    crd = body("apiextensions.k8s.io/v1", "CustomResourceDefinition", NAMED,
               msg(2, msg(7, msg(4, msg(1, schema(field))))))
    assert refused(crd).code == 400


def _nested_items(levels: int) -> bytes:
    """A schema whose ``items`` nest ``levels`` deep: two messages for each JSON level."""
    inner = schema()
    for _ in range(levels):
        inner = schema(msg(24, msg(1, inner)))
    return inner


def test_schemas_nest_as_deep_as_json_may() -> None:
    # The CRD's JSON reaches its openAPIV3Schema at depth 6; each items adds one level.
    deepest = 94
    crd = body("apiextensions.k8s.io/v1", "CustomResourceDefinition", NAMED,
               msg(2, msg(7, msg(4, msg(1, _nested_items(deepest))))))
    limits.check_depth(decode_object(crd))
    too_deep = body("apiextensions.k8s.io/v1", "CustomResourceDefinition", NAMED,
                    msg(2, msg(7, msg(4, msg(1, _nested_items(deepest + 1))))))
    error = refused(too_deep)
    assert (error.code, error.message) == (400, messages.K8S_PROTOBUF_DECODE_ERROR.format(
        detail=messages.NESTING_TOO_DEEP.format(limit=limits.MAX_NESTING_DEPTH)))
    # Far deeper nesting is refused as early, with no recursion error.
    inner = schema()
    for _ in range(5000):
        inner = msg(28, inner)  # not: {not: {...}}
    error = refused(body("apiextensions.k8s.io/v1", "CustomResourceDefinition", NAMED,
                         msg(2, msg(7, msg(4, msg(1, inner))))))
    assert error.code == 400 and "max depth" in error.message


# The metrics-server APIService of its release manifest, and the local one of the apps group
# with a status (a condition's Time) and a CA bundle (bytes: base64).
METRICS_API_SERVICE = (
    body("apiregistration.k8s.io/v1", "APIService",
         msg(1, msg(1, "v1beta1.metrics.k8s.io"), labels(11, **{"k8s-app": "metrics-server"})),
         msg(2, msg(1, msg(1, "kube-system"), msg(2, "metrics-server"), num(3, 443)),
             msg(2, "metrics.k8s.io"), msg(3, "v1beta1"), num(4, 1), num(7, 100), num(8, 100)),
         msg(3)),
    {"kind": "APIService", "apiVersion": "apiregistration.k8s.io/v1",
     "metadata": {"name": "v1beta1.metrics.k8s.io", "labels": {"k8s-app": "metrics-server"},
                  "creationTimestamp": None},
     "spec": {"service": {"namespace": "kube-system", "name": "metrics-server", "port": 443},
              "group": "metrics.k8s.io", "version": "v1beta1", "insecureSkipTLSVerify": True,
              "groupPriorityMinimum": 100, "versionPriority": 100},
     "status": {}},
)
LOCAL_API_SERVICE = (
    body("apiregistration.k8s.io/v1", "APIService", meta("v1.apps"),
         msg(2, msg(2, "apps"), msg(3, "v1"), num(4, 0), msg(5, b"\x30\x82"), num(7, 17800),
             num(8, 15)),
         msg(3, msg(1, msg(1, "Available"), msg(2, "True"), msg(3, num(1, 1714979289)),
                    msg(4, "Local"), msg(5, "Local APIServices are always available")))),
    {"kind": "APIService", "apiVersion": "apiregistration.k8s.io/v1",
     "metadata": {"name": "v1.apps", "creationTimestamp": None},
     "spec": {"group": "apps", "version": "v1", "caBundle": "MII=",
              "groupPriorityMinimum": 17800, "versionPriority": 15},
     "status": {"conditions": [{"type": "Available", "status": "True",
                                "lastTransitionTime": WHEN, "reason": "Local",
                                "message": "Local APIServices are always available"}]}},
)
API_SERVICE_EMPTY = (
    body("apiregistration.k8s.io/v1", "APIService", NAMED),
    {"kind": "APIService", "apiVersion": "apiregistration.k8s.io/v1", "metadata": META,
     "spec": {"groupPriorityMinimum": 0, "versionPriority": 0}, "status": {}},
)


@pytest.mark.parametrize("case", [METRICS_API_SERVICE, LOCAL_API_SERVICE, API_SERVICE_EMPTY],
                         ids=["metrics", "local", "empty"])
def test_api_services_decode_to_their_json(case: tuple[bytes, dict[str, Any]]) -> None:
    raw_body, expected = case
    assert decode_object(raw_body) == expected


CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def test_a_protobuf_crd_is_decoded_then_validated_as_kube_does(api: MockApiserver) -> None:
    # The manifest (recorded as kubectl 1.32+ sends it) sets additionalProperties: false beside
    # properties, which kube's structural-schema check refuses: the protobuf body is read in
    # full and reaches validation, which names the field by its path in the decoded CRD.
    created = call(api, "POST", CRDS, body=CRONTAB_CRD,
                   content_type="application/vnd.kubernetes.protobuf")
    assert created.status == 422, created.body
    assert created.body["message"] == (
        'CustomResourceDefinition.apiextensions.k8s.io "crontabs.stable.example.com" is invalid: '
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[settings]."
        "additionalProperties: Forbidden: additionalProperties and properties are mutual "
        "exclusive")


# --- the data file -------------------------------------------------------------------------------


def test_no_message_refers_to_an_undefined_one() -> None:
    schema = compile_table(table().messages.raw)  # a ValueError names a dangling reference
    assert len(schema) == len(table().messages) > 1000
    assert set(table().kinds.values()) <= set(schema)
    assert set(table().forms) <= set(schema)
    assert set(table().forms.values()) <= set(protobuf._FORMS)


@pytest.mark.parametrize("api_version", sorted({key[0] for key in table().kinds}))
def test_every_kind_decodes_from_an_empty_body(api_version: str) -> None:
    kinds = [kind for version, kind in table().kinds if version == api_version]
    for kind in kinds:
        decoded = decode_object(body(api_version, kind))
        assert (decoded["apiVersion"], decoded["kind"]) == (api_version, kind)
        assert json.loads(json.dumps(decoded)) == decoded


def _openapi_definitions() -> dict[str, Any]:
    """Every definition of the OpenAPI document of the data's Kubernetes minor, as the
    kubernetes-validate package keeps it: a second, independent upstream source."""
    pytest.importorskip("kubernetes_validate", reason="the OpenAPI cross-check needs it")
    minor = table().source["k8s.io/api"].split(".")[1]  # v0.35.0 -> 35
    path = (files("kubernetes_validate") / "kubernetes-json-schema" / f"v1.{minor}.0-local"
            / "_definitions.json")
    definitions: dict[str, Any] = json.loads(path.read_text())["$defs"]
    return definitions


def test_every_kind_upstream_publishes_resolves() -> None:
    published = {
        (f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"], gvk["kind"], name)
        for name, definition in _openapi_definitions().items()
        if name.startswith("io.k8s.api.")
        for gvk in definition.get("x-kubernetes-group-version-kind", ())}
    assert len(published) > 150
    for api_version, kind, name in sorted(published):
        assert table().message_for(api_version, kind) == name, (api_version, kind)


def _json_names(message: str) -> set[str]:
    names: set[str] = set()
    for field in table().messages[message].values():
        names |= {field.json} if field.json else _json_names(field.type)
    return names


def test_json_names_are_those_upstream_publishes() -> None:
    definitions = _openapi_definitions()
    compared = 0
    for name in table().messages:
        definition = definitions.get(name)
        if definition is None or name in table().forms:
            continue
        published = set(definition.get("properties", {}))
        if "x-kubernetes-group-version-kind" in definition:
            published -= {"apiVersion", "kind"}  # a kind's: the envelope's, not the message's
        assert _json_names(name) == published, name
        compared += 1
    assert compared > 600
