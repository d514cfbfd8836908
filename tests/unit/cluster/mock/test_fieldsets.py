"""Field sets and their FieldsV1 form (emulator.cluster.mock.registry.fieldsets)."""

from __future__ import annotations

import json

import pytest

from emulator.cluster.mock.registry.fieldsets import (
    FieldSet, PathElement, from_fields_v1, make_path, render_path, to_fields_v1)
from emulator.cluster.mock.wire import gojson

F, K, V, I = PathElement.field, PathElement.key, PathElement.value, PathElement.index

# sigs.k8s.io/structured-merge-diff fieldpath/serialize_test.go (TestSerializeV1): kube's bytes,
# which must read and write back unchanged (element order, key JSON, "." members, unicode).
SMD_SERIALIZE_CASES = [
    r'{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\"name\":\"first\"}":{},"k:{\"name\":\"second\"}":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\"aa\"":{},"v:\"ab\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}',
    r'{"f:spec":{".":{},"f:apps":{".":{},"k:{\"name\":\" app-💻\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"name\":\"port 🔑\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}},"k:{\"name\":\" app-🚀\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"name\":\"port-✅ \"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}}}}}',
]

# A Deployment's managedFields as kubectl create records them (the shape shown on
# kubernetes.io "Server-Side Apply", Field management): "." on granular maps and list items.
DEPLOYMENT_FIELDS = (
    r'{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},'
    r'"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},'
    r'"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},'
    r'"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},'
    r'"f:containerPort":{},"f:protocol":{}}}}}}}}}')


def wire(fields: dict) -> str:
    return gojson.encode(fields)[:-1].decode("utf-8")


@pytest.mark.parametrize("text", SMD_SERIALIZE_CASES + [DEPLOYMENT_FIELDS])
def test_fields_v1_round_trips_byte_for_byte(text: str) -> None:
    assert wire(to_fields_v1(from_fields_v1(json.loads(text)))) == text


def test_elements_order_as_smd_compares_them() -> None:
    # element.go PathElement.Compare: field < key < value < index; value.Compare: numbers <
    # strings < bools; keys by sorted (name, value) pairs.
    elements = [I(0), V(True), V("a"), V(2), K({"port": 80, "protocol": "UDP"}),
                K({"port": 80, "protocol": "TCP"}), F("b"), F("a")]
    assert [e.serialize() for e in sorted(elements)] == [
        "f:a", "f:b", 'k:{"port":80,"protocol":"TCP"}', 'k:{"port":80,"protocol":"UDP"}',
        "v:2", 'v:"a"', "v:true", "i:0"]


def test_key_fields_are_written_sorted_by_name() -> None:
    # serialize-pe.go writes the FieldList, which KeyByFields / DeserializePathElement sort.
    assert K({"protocol": "TCP", "containerPort": 80}).serialize() == \
        'k:{"containerPort":80,"protocol":"TCP"}'


def test_member_and_parent_writes_dot_first() -> None:
    s = FieldSet.of([make_path("metadata", "labels"), make_path("metadata", "labels", "app")])
    assert to_fields_v1(s) == {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}


def test_human_paths_as_conflict_messages_write_them() -> None:
    # element.go PathElement.String; apimachinery conflict_test.go ".metadata.labels.app".
    assert render_path(make_path("metadata", "labels", "app")) == ".metadata.labels.app"
    assert render_path(make_path("spec", "containers") + (K({"name": "nginx"}), F("image"))) \
        == '.spec.containers[name="nginx"].image'
    assert render_path((F("ports"), K({"containerPort": 80, "protocol": "TCP"}))) == \
        '.ports[containerPort=80,protocol="TCP"]'
    assert render_path((F("finalizers"), V("x"))) == '.finalizers[="x"]'


def test_difference_keeps_children_recursive_difference_drops_them() -> None:
    # set.go Difference vs RecursiveDifference (its doc example: a.b.c minus a.b).
    s = FieldSet.of([make_path("a", "b", "c"), make_path("a", "x")])
    minus = FieldSet.of([make_path("a", "b")])
    assert s.difference(minus) == s
    assert s.recursive_difference(minus) == FieldSet.of([make_path("a", "x")])


def test_union_intersection() -> None:
    a = FieldSet.of([make_path("a", "b"), make_path("c")])
    b = FieldSet.of([make_path("a", "b"), make_path("d")])
    assert a.union(b) == FieldSet.of([make_path("a", "b"), make_path("c"), make_path("d")])
    assert a.intersection(b) == FieldSet.of([make_path("a", "b")])
    assert a.intersection(FieldSet.of([make_path("c", "z")])).empty()


def test_true_is_not_one() -> None:
    # value.Compare: a bool is never equal to a number.
    assert V(True) != V(1)
    assert len(FieldSet.of([(V(True),), (V(1),)]).members) == 2


def test_unknown_element_kinds_are_skipped() -> None:
    # serialize.go readIterV1 skips ErrUnknownPathElementType.
    assert from_fields_v1({"x:y": {}, "f:a": {}}) == FieldSet.of([make_path("a")])
    with pytest.raises(ValueError):
        from_fields_v1({"fa": {}})
