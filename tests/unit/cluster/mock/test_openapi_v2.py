"""/openapi/v2: what kubectl 1.27/1.28 look for in it (a PATCH operation per kind, tagged with the
kind and taking fieldValidation) and what ``kubectl explain --output=plaintext-openapiv2`` reads
(kube's definitions, in a form kube-openapi's proto models accept), in JSON and in gnostic's
protobuf, read back field by field."""

from __future__ import annotations

from typing import Any

import yaml

from emulator.clock import FakeClock
from emulator.cluster.mock.wire import openapi_v2
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.wire.protobuf import _fields as wire_fields
from emulator.cluster.mock.registry.schema import schema_for
from tests.unit.cluster.mock.conftest import run, send

VERSION = "v1.28.9"
CM_ITEM = "/api/v1/namespaces/{namespace}/configmaps/{name}"
REGISTRY = MockApiserver("openapi-v2-test", VERSION, FakeClock()).registry
DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"


def patchable() -> list[Any]:
    return [r for r in REGISTRY.resources if "patch" in r.verbs]


def test_every_patchable_kind_has_a_patch_that_takes_field_validation() -> None:
    doc = openapi_v2.document(REGISTRY, VERSION)
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
    item = openapi_v2.document(REGISTRY, VERSION)["paths"][CM_ITEM]
    assert item["parameters"] == [
        {"name": "name", "in": "path", "type": "string", "uniqueItems": True, "required": True},
        {"name": "namespace", "in": "path", "type": "string", "uniqueItems": True,
         "required": True}]
    assert item["patch"]["consumes"] == ["application/json-patch+json",
                                         "application/merge-patch+json",
                                         "application/strategic-merge-patch+json",
                                         "application/apply-patch+yaml"]


def messages_at(data: bytes, number: int) -> list[bytes]:
    return [value for n, _, value in wire_fields(data) if n == number and isinstance(value, bytes)]


def text_at(data: bytes, number: int) -> str:
    (value,) = messages_at(data, number)
    return value.decode()


def test_the_protobuf_says_the_same_as_the_json() -> None:
    data = openapi_v2.encode(REGISTRY, VERSION)
    assert text_at(data, 1) == "2.0"
    assert text_at(messages_at(data, 2)[0], 2) == VERSION  # Info.version
    (paths,) = messages_at(data, 8)
    items = {text_at(named, 1): messages_at(named, 2)[0] for named in messages_at(paths, 2)}
    assert set(items) == set(openapi_v2.document(REGISTRY, VERSION)["paths"])
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
    assert asked.body == openapi_v2.encode(api.registry, api.kubernetes_version)
    plain = run(send(api, "GET", "/openapi/v2"))
    assert (plain.status, dict(plain.headers)["content-type"]) == (200, "application/json")


# --- definitions ---------------------------------------------------------------------------------


def _schema_nodes(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for key in ("items", "additionalProperties"):
            yield from _schema_nodes(node.get(key))
        for part in node.get("allOf", ()):
            yield from _schema_nodes(part)
        for field in node.get("properties", {}).values():
            yield from _schema_nodes(field)


def test_definitions_are_kubes_in_a_form_kube_openapi_parses() -> None:
    # kube-openapi's proto models refuse a definition with several types, an array without one
    # item schema, and a reference to a definition the document lacks.
    definitions = openapi_v2.document(REGISTRY, VERSION)["definitions"]
    for name, definition in definitions.items():
        for node in _schema_nodes(definition):
            assert "oneOf" not in node and not isinstance(node.get("type"), list), name
            if node.get("type") == "array":
                assert isinstance(node.get("items"), dict), name
            ref = node.get("$ref")
            if isinstance(ref, str):
                assert ref.removeprefix("#/definitions/") in definitions, (name, ref)
    kube = schema_for(28, documented=True).definition(DEPLOYMENT)
    assert kube is not None
    assert definitions[DEPLOYMENT]["description"] == kube["description"]
    assert definitions[DEPLOYMENT]["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}]
    spec = definitions[DEPLOYMENT]["properties"]["spec"]
    assert spec["$ref"] == "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"
    assert spec["description"]  # beside the reference, as kube-apiserver writes it
    assert definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == {
        "type": "string", "format": "int-or-string"}
    assert definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"] == {"type": "string"}


def test_every_patchable_kind_has_a_definition_tagged_with_its_kind() -> None:
    definitions = openapi_v2.document(REGISTRY, VERSION)["definitions"]
    tagged = {(gvk["group"], gvk["version"], gvk["kind"])
              for definition in definitions.values()
              for gvk in definition.get("x-kubernetes-group-version-kind", ())}
    assert {(r.group, r.version, r.kind) for r in patchable()} <= tagged


def test_the_protobuf_carries_the_definitions() -> None:
    data = openapi_v2.encode(REGISTRY, VERSION)
    (definitions,) = messages_at(data, 9)  # Document.definitions
    named = {text_at(entry, 1): messages_at(entry, 2)[0] for entry in messages_at(definitions, 1)}
    assert set(named) == set(openapi_v2.document(REGISTRY, VERSION)["definitions"])
    deployment = named[DEPLOYMENT]
    assert text_at(deployment, 4) == openapi_v2.document(REGISTRY, VERSION)["definitions"][
        DEPLOYMENT]["description"]
    (kind_type,) = messages_at(deployment, 22)  # TypeItem
    assert text_at(kind_type, 1) == "object"
    extensions = {text_at(e, 1): text_at(messages_at(e, 2)[0], 2)
                  for e in messages_at(deployment, 31)}
    assert yaml.safe_load(extensions["x-kubernetes-group-version-kind"]) == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}]
    (properties,) = messages_at(deployment, 25)
    fields = {text_at(entry, 1): messages_at(entry, 2)[0] for entry in messages_at(properties, 1)}
    assert text_at(fields["spec"], 1) == "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"
    containers = dict(
        (text_at(entry, 1), messages_at(entry, 2)[0])
        for entry in messages_at(messages_at(named["io.k8s.api.core.v1.PodSpec"], 25)[0], 1)
    )["containers"]
    extensions = {text_at(e, 1): yaml.safe_load(text_at(messages_at(e, 2)[0], 2))
                  for e in messages_at(containers, 31)}
    assert extensions["x-kubernetes-patch-merge-key"] == "name"
    assert extensions["x-kubernetes-patch-strategy"] == "merge"
    (items,) = messages_at(containers, 23)  # ItemsItem > Schema > _ref
    assert text_at(messages_at(items, 1)[0], 1) == "#/definitions/io.k8s.api.core.v1.Container"
