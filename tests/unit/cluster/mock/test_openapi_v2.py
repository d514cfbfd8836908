"""/openapi/v2: what kubectl 1.27/1.28 look for in it (a PATCH operation per kind, tagged with the
kind and taking fieldValidation), in JSON and in gnostic's protobuf, read back field by field."""

from __future__ import annotations

from typing import Any

import yaml

from emulator.cluster.mock import openapi_v2
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.protobuf import _fields as wire_fields
from emulator.cluster.mock.resources import REGISTRY
from tests.unit.cluster.mock.conftest import run, send

VERSION = "v1.28.9"
CM_ITEM = "/api/v1/namespaces/{namespace}/configmaps/{name}"


def patchable() -> list[Any]:
    return [r for r in REGISTRY.resources if "patch" in r.verbs]


def test_every_patchable_kind_has_a_patch_that_takes_field_validation() -> None:
    doc = openapi_v2.document(VERSION)
    assert (doc["swagger"], doc["info"]["version"]) == ("2.0", VERSION)
    tagged = {}
    for item in doc["paths"].values():
        patch = item.get("patch")
        if patch is not None:
            gvk = patch["x-kubernetes-group-version-kind"]
            names = {p["name"] for p in patch["parameters"] if p["in"] == "query"}
            tagged[(gvk["group"], gvk["version"], gvk["kind"])] = "fieldValidation" in names
    assert tagged == {(r.group, r.version, r.kind): True for r in patchable()}


def test_path_parameters_sit_on_the_path_item() -> None:
    item = openapi_v2.document(VERSION)["paths"][CM_ITEM]
    assert item["parameters"] == [
        {"name": "name", "in": "path", "type": "string", "uniqueItems": True, "required": True},
        {"name": "namespace", "in": "path", "type": "string", "uniqueItems": True,
         "required": True}]
    assert item["patch"]["consumes"] == ["application/json-patch+json",
                                         "application/merge-patch+json"]


def messages_at(data: bytes, number: int) -> list[bytes]:
    return [value for n, _, value in wire_fields(data) if n == number and isinstance(value, bytes)]


def text_at(data: bytes, number: int) -> str:
    (value,) = messages_at(data, number)
    return value.decode()


def test_the_protobuf_says_the_same_as_the_json() -> None:
    data = openapi_v2.encode(VERSION)
    assert text_at(data, 1) == "2.0"
    assert text_at(messages_at(data, 2)[0], 2) == VERSION  # Info.version
    (paths,) = messages_at(data, 8)
    items = {text_at(named, 1): messages_at(named, 2)[0] for named in messages_at(paths, 2)}
    assert set(items) == set(openapi_v2.document(VERSION)["paths"])
    (patch,) = messages_at(items[CM_ITEM], 8)
    extensions = {text_at(named, 1): text_at(messages_at(named, 2)[0], 2)
                  for named in messages_at(patch, 13)}
    assert yaml.safe_load(extensions["x-kubernetes-group-version-kind"]) == {
        "group": "", "version": "v1", "kind": "ConfigMap"}
    query_names = []
    for item in messages_at(patch, 8):  # ParametersItem > Parameter > NonBodyParameter > query
        (parameter,) = messages_at(item, 1)
        (non_body,) = messages_at(parameter, 2)
        query_names += [text_at(q, 4) for q in messages_at(non_body, 3)]
    assert "fieldValidation" in query_names


def test_the_apiserver_answers_protobuf_to_who_asks_and_json_otherwise(
        api: MockApiserver) -> None:
    asked = run(send(api, "GET", "/openapi/v2",
                     accept="application/com.github.proto-openapi.spec.v2@v1.0+protobuf"))
    assert asked.status == 200
    assert dict(asked.headers)["content-type"] == openapi_v2.PROTOBUF
    assert asked.body == openapi_v2.encode(api.kubernetes_version)
    plain = run(send(api, "GET", "/openapi/v2"))
    assert (plain.status, dict(plain.headers)["content-type"]) == (200, "application/json")
