"""Every kind of k8s.io/api decodes from protobuf, by the message table generated from upstream
(data/protobuf-messages.json, tools/kubedata/protobuf_messages.py).

The bodies are built by hand with test_protobuf's writer, field numbers read from k8s.io/api's
generated.proto; the expected JSON is what Go's encoding/json writes for the same object (json
tags of k8s.io/api's types.go), as kubectl sends it. Neither comes from the data file, so a wrong
number, name or mark in it fails here.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.wire import protobuf
from emulator.cluster.mock.wire.protobuf import decode_object
from emulator.cluster.mock.wire.protobuf_table import compile_table, short_name, table
from tests.unit.cluster.mock.test_protobuf import body, entry, msg, num, refused

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
