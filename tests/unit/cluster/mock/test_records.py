"""Stored objects as records: their answer's JSON, decoded back exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.cluster.mock.registry import records
from emulator.cluster.mock.wire import gojson

POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "a<b>&c"},
                 "annotations": {"note": "caf\u00e9 \u2028 \u2029 \U0001f600"}},
    "spec": {"containers": [{"name": "main", "image": "nginx", "ports": [{"containerPort": 80}]}],
             "metadata": {"name": "nested"}},
    "status": {"ratio": 0.5, "tiny": 1e-7, "huge": 1e16, "negative_zero": -0.0, "ok": True,
               "none": None},
}


def test_a_record_decodes_to_an_equal_object_of_its_own() -> None:
    record = records.freeze(POD)
    first, second = records.thaw(record), records.thaw(record)
    assert first == POD and second == POD
    first["metadata"]["labels"]["app"] = "changed"
    assert records.thaw(record) == POD  # a copy: the record never changes


def test_a_record_is_not_the_object_it_was_made_from() -> None:
    obj = {"metadata": {"name": "a"}, "data": {"k": "v"}}
    record = records.freeze(obj)
    obj["data"]["k"] = "changed"
    assert records.thaw(record)["data"] == {"k": "v"}


def test_the_body_is_the_answer_go_writes() -> None:
    record = records.freeze(POD)
    assert bytes(records.body(record)) + b"\n" == gojson.encode(POD)


def test_the_metadata_is_the_top_level_metadata_as_written() -> None:
    record = records.freeze(POD)
    assert bytes(records.metadata(record) or b"") == gojson.fragment(POD["metadata"])


@pytest.mark.parametrize("obj", [{"kind": "X"}, {"metadata": "not an object"}, {}])
def test_an_object_without_metadata_has_none(obj: dict[str, Any]) -> None:
    assert records.metadata(records.freeze(obj)) is None
    assert records.thaw(records.freeze(obj)) == obj


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, 12345678901234567890123])
def test_an_integer_orjson_cannot_hold_comes_back_exactly(value: int) -> None:
    record = records.freeze({"metadata": {"name": "big"}, "spec": {"n": value}})
    back = records.thaw(record)["spec"]["n"]
    assert back == value and type(back) is int
    assert bytes(records.body(record)) == gojson.fragment({"metadata": {"name": "big"},
                                                           "spec": {"n": value}})


def test_a_lone_surrogate_is_kept_but_answered_as_go_writes_it() -> None:
    obj = {"metadata": {"name": "s"}, "data": {"k": "x\ud800y"}}
    record = records.freeze(obj)
    assert records.thaw(record) == obj
    expected = '{"metadata":{"name":"s"},"data":{"k":"x\ufffdy"}}'
    assert bytes(records.body(record)) == expected.encode()


def test_an_object_without_json_fails_only_when_answered() -> None:
    obj = {"metadata": {"name": "n"}, "spec": {"v": float("nan")}}
    record = records.freeze(obj)
    assert records.thaw(record)["metadata"] == {"name": "n"}
    with pytest.raises(ValueError):
        records.body(record)


def test_a_packed_record_reads_as_the_plain_one_in_fewer_bytes() -> None:
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "n"},
             "message": "Started container main " * 20}
    plain, packed = records.freeze(event), records.freeze(event, packed=True)
    assert records.size(packed) < records.size(plain)
    assert records.thaw(packed) == event
    assert bytes(records.body(packed)) == bytes(records.body(plain))
    assert bytes(records.metadata(packed) or b"") == bytes(records.metadata(plain) or b"")
    assert records.opened(packed) == plain
    assert records.begins_with(packed, b'{"apiVersion":"v1","kind":"Event",')


def test_holds_finds_a_label_as_written_and_never_misses_one() -> None:
    record = records.freeze(POD)
    assert records.holds(record, (records.member("app", "a<b>&c"),))
    assert not records.holds(record, (records.member("app", "other"),))
    # Packed records are not searched: they may hold anything.
    assert records.holds(records.freeze(POD, packed=True), (records.member("app", "other"),))


@pytest.mark.parametrize("spec", [
    {"containers": [{"name": "c"}], "volumes": [{"name": "v", "emptyDir": {}}],
     "nodeName": "n", "tolerations": [{"operator": "Exists"}]},
    {"volumes": [{"name": "v"}], "tolerations": [], "containers": [{"name": "c"}]},  # first
    {"containers": [{"name": "c"}], "tolerations": [{"key": "k"}]},  # the last, one only
    {"containers": [{"name": "c"}]},  # none to leave out
])
def test_a_row_decodes_the_object_without_the_fields_no_row_reads(spec: dict[str, Any]) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec,
           "status": {"phase": "Running"}}
    record = records.freeze(pod, unprinted=("volumes", "tolerations"))
    slim, metadata = records.printed(record, b"", whole=False)  # type: ignore[misc]
    first = next(iter(spec))  # spec's first field is left in: no comma comes before it
    expected = {**pod, "spec": {k: v for k, v in spec.items()
                                if k == first or k not in ("volumes", "tolerations")}}
    assert slim == expected
    assert bytes(metadata) == b'{"name":"p"}'
    assert records.printed(record, b"")[0] == pod  # type: ignore[index]
    assert records.thaw(record) == pod and bytes(records.body(record)) == json.dumps(
        pod, separators=(",", ":")).encode()
