"""Tables of custom resources: kube's CRD table convertor (Name, then each printer column, or
Age when the CRD has none) with cells from client-go's JSONPath, converted by column type."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.registry.resources import CustomKind, ResourceType
from emulator.cluster.mock.registry.schema import nearest_minor, schema_for
from emulator.cluster.mock.wire import tables
from emulator.cluster.mock.wire.tables import jsonpath

NOW = datetime(2024, 1, 3, tzinfo=timezone.utc)
OBJECT_META = schema_for(nearest_minor(35), documented=True).definitions[
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]

CRONTAB: dict[str, Any] = {
    "apiVersion": "stable.example.com/v1", "kind": "CronTab",
    "metadata": {"name": "nightly", "namespace": "default",
                 "creationTimestamp": "2024-01-01T00:00:00Z"},
    "spec": {"cronSpec": "0 3 * * *", "replicas": 3, "ratio": 2, "half": 0.5, "paused": False,
             "servers": [{"name": "a", "port": 80}, {"name": "<b>", "port": 81.5}],
             "nothing": None, "when": "2024-01-02T23:00:00+01:00", "bad": "yesterday"},
    "status": {"conditions": [{"type": "Scheduled", "status": "False"},
                              {"type": "Ready", "status": "True"}]},
}


def resource(columns: list[dict[str, Any]]) -> ResourceType:
    custom = CustomKind("crontabs.stable.example.com", columns_json=json.dumps(columns))
    return ResourceType("stable.example.com", "v1", "CronTab", "crontabs", "crontab", True,
                        custom=custom)


def table(columns: list[dict[str, Any]], obj: dict[str, Any] = CRONTAB) -> dict[str, Any]:
    return tables.to_table(resource(columns), [obj], now=NOW, resource_version="7")


def one_cell(kind: str, path: str, obj: dict[str, Any] = CRONTAB) -> Any:
    return table([{"name": "X", "type": kind, "jsonPath": path}], obj)["rows"][0]["cells"][1]


def test_name_then_the_printer_columns_as_the_crd_writes_them() -> None:
    shown = table([
        {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
        {"name": "Replicas", "type": "integer", "format": "int32", "priority": 1,
         "description": "Copies per run.", "jsonPath": ".spec.replicas"},
    ])
    assert shown["columnDefinitions"] == [
        {"name": "Name", "type": "string", "format": "name",
         "description": OBJECT_META["name"]["description"], "priority": 0},
        {"name": "Spec", "type": "string", "format": "",
         "description": messages.CRD_COLUMN_DESCRIPTION.format(path=".spec.cronSpec"),
         "priority": 0},
        {"name": "Replicas", "type": "integer", "format": "int32",
         "description": "Copies per run.", "priority": 1},
    ]
    assert shown["rows"][0]["cells"] == ["nightly", "0 3 * * *", 3]
    assert shown["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_a_crd_without_columns_gets_age() -> None:
    shown = table([])
    assert [c["name"] for c in shown["columnDefinitions"]] == ["Name", "Age"]
    age = shown["columnDefinitions"][1]
    assert (age["type"], age["description"]) == ("date",
                                                 OBJECT_META["creationTimestamp"]["description"])
    assert shown["rows"][0]["cells"] == ["nightly", "2d"]


@pytest.mark.parametrize(("kind", "path", "cell"), [
    ("string", ".spec.cronSpec", "0 3 * * *"),
    ("string", '.status.conditions[?(@.type=="Ready")].status', "True"),
    ("string", ".status.conditions[?(@.type=='Missing')].status", None),
    ("string", ".spec.servers[0].name", "a"),
    ("string", ".spec.servers[-1].name", "<b>"),
    ("string", ".spec.servers[*].name", "a"),  # kube prints the first result only
    ("string", ".spec.servers[5].name", None),  # out of range: an error, so no cell
    ("string", ".spec.servers", '[{"name":"a","port":80},{"name":"\\u003cb\\u003e",'
                                '"port":81.5}]'),
    ("string", ".spec.replicas", "3"),
    ("string", ".spec.half", "0.5"),
    ("string", ".spec.paused", "false"),
    ("string", ".spec.nothing", messages.TABLE_NO_VALUE),
    ("string", ".spec.absent", None),
    ("string", "..port", "80"),
    ("string", ".spec['cronSpec']", "0 3 * * *"),
    ("integer", ".spec.replicas", 3),
    ("integer", ".spec.servers[1].port", 81),  # a float in an integer column is truncated
    ("integer", ".spec.cronSpec", None),  # a string in an integer column is no integer
    ("integer", ".spec.paused", None),
    ("number", ".spec.ratio", 2),
    ("number", ".spec.half", 0.5),
    ("boolean", ".spec.paused", False),
    ("boolean", ".spec.replicas", None),
    ("date", ".spec.when", "120m"),  # the zone counts: 22:00Z, two hours before NOW
    ("date", ".spec.bad", messages.TABLE_INVALID),
    ("date", ".spec.replicas", None),
    ("date", ".spec.nothing", None),
])
def test_cells_are_converted_as_kube_converts_them(kind: str, path: str, cell: Any) -> None:
    got = one_cell(kind, path)
    assert got == cell and type(got) is type(cell)


def test_an_unparsable_path_ends_the_columns() -> None:
    shown = table([{"name": "A", "type": "string", "jsonPath": ".spec.cronSpec"},
                   {"name": "B", "type": "string", "jsonPath": ".spec.servers[x"},
                   {"name": "C", "type": "string", "jsonPath": ".spec.cronSpec"}])
    assert [c["name"] for c in shown["columnDefinitions"]] == ["Name", "A"]


def test_go_number_text() -> None:
    assert one_cell("string", ".v", {"metadata": {}, "v": 1e6}) == "1e+06"
    assert one_cell("string", ".v", {"metadata": {}, "v": 123456.0}) == "123456"
    assert one_cell("string", ".v", {"metadata": {}, "v": [1e-7, 1e16, 3.0]}) == (
        "[1e-7,10000000000000000,3]")


@pytest.mark.parametrize(("path", "found"), [
    (".a.b", [[1]]),
    (".list[1:3]", [[2, 3]]),
    (".list[::2]", [[1, 3]]),
    (".list[0,2]", [[1, 3]]),
    (".list[?(@ > 1)]", [[2, 3]]),
    (".items[?(@.x)].x", [[True]]),
    (".items[*].*", [[True, "y"]]),
    (".a.b}-{.list[0]", [[1], ["-"], [1]]),
])
def test_jsonpath_forms(path: str, found: list[list[Any]]) -> None:
    data = {"a": {"b": 1}, "list": [1, 2, 3], "items": [{"x": True}, {"y": "y"}]}
    assert jsonpath.find_results(jsonpath.parse_column(path), data) == found


@pytest.mark.parametrize("path", ['.list[?(@ == "1")]', ".a[0]", ".list[9]"])
def test_jsonpath_errors_as_go_does(path: str) -> None:
    data = {"a": {"b": 1}, "list": [1, 2, 3]}
    with pytest.raises(jsonpath.JSONPathError):
        jsonpath.find_results(jsonpath.parse_column(path), data)
