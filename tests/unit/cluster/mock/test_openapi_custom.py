"""OpenAPI v3 and v2 documents of custom resources: kube's definition names and additions to the
CRD's schema, paths with the parameters kubectl looks for, and documents that follow the CRD."""

from __future__ import annotations

import json
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry.resources import CustomKind, Registry, ResourceType
from emulator.cluster.mock.wire import openapi, openapi_v2

CRD_NAME = "crontabs.stable.example.com"
PATH = "apis/stable.example.com/v1"
KIND = "com.example.stable.v1.CronTab"
LIST = "com.example.stable.v1.CronTabList"
ITEM = "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

SCHEMA: dict[str, Any] = {
    "type": "object", "description": "A CronTab runs a container on a schedule.",
    "properties": {
        "spec": {"type": "object", "description": "What to run.", "required": ["cronSpec"],
                 "properties": {
                     "cronSpec": {"type": "string", "description": "The schedule.",
                                  "nullable": True, "pattern": "^\\S+$"},
                     "replicas": {"x-kubernetes-int-or-string": True},
                     "image": {"type": "string", "default": "busybox", "description": ""},
                     "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                                  "properties": {"spec": {"type": "object"}}},
                     "choice": {"type": "string", "oneOf": [{"pattern": "a"}]}}},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                   "properties": {"seen": {"type": "string"}}},
    },
}


def crontab(schema: dict[str, Any] | None = SCHEMA) -> ResourceType:
    custom = CustomKind(CRD_NAME, schema_json=json.dumps(schema, sort_keys=True))
    return ResourceType("stable.example.com", "v1", "CronTab", "crontabs", "crontab", True,
                        custom=custom)


def registry(schema: dict[str, Any] | None = SCHEMA) -> Registry:
    served = Registry.for_version("1.30")
    served.install(CRD_NAME, (crontab(schema),))
    return served


def test_the_group_version_is_indexed_and_its_hash_follows_the_crd() -> None:
    served = registry()
    first = openapi.index(served)["paths"][PATH]["serverRelativeURL"]
    assert first.startswith(f"/openapi/v3/{PATH}?hash=")
    core = openapi.index(served)["paths"]["api/v1"]
    changed = {**SCHEMA, "description": "Another text."}
    served.install(CRD_NAME, (crontab(changed),))
    assert openapi.index(served)["paths"][PATH]["serverRelativeURL"] != first
    assert openapi.index(served)["paths"]["api/v1"] == core
    served.uninstall(CRD_NAME)
    assert PATH not in openapi.index(served)["paths"]


def test_v3_kind_schema_is_the_crds_with_kubes_additions() -> None:
    schemas = openapi.document(registry(), PATH)["components"]["schemas"]
    kind = schemas[KIND]
    assert kind["description"] == SCHEMA["description"]
    assert kind["x-kubernetes-group-version-kind"] == [
        {"group": "stable.example.com", "version": "v1", "kind": "CronTab"}]
    props = kind["properties"]
    assert props["metadata"] == {"allOf": [{"$ref": f"#/components/schemas/{OBJECT_META}"}],
                                 "description": messages.CRD_OBJECT_META_DESCRIPTION}
    assert props["apiVersion"]["type"] == props["kind"]["type"] == "string"
    assert props["apiVersion"]["description"].startswith("APIVersion defines")
    spec = props["spec"]["properties"]
    assert spec["cronSpec"] == {"type": "string", "description": "The schedule.",
                                "nullable": True, "pattern": "^\\S+$"}
    assert spec["replicas"]["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    assert spec["image"] == {"type": "string", "default": "busybox"}  # empty text omitted
    embedded = spec["template"]
    assert embedded["required"] == ["kind", "apiVersion"]
    assert embedded["properties"]["kind"]["description"] == messages.CRD_EMBEDDED_KIND_DESCRIPTION
    assert "allOf" in embedded["properties"]["metadata"]
    assert OBJECT_META in schemas and "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta" in schemas
    assert schemas[LIST]["description"] == "CronTabList is a list of CronTab"
    assert schemas[LIST]["properties"]["items"]["items"] == {
        "$ref": f"#/components/schemas/{KIND}"}


def test_a_version_without_schema_is_an_object() -> None:
    kind = openapi.document(registry(None), PATH)["components"]["schemas"][KIND]
    assert kind == {"type": "object", "x-kubernetes-group-version-kind": [
        {"group": "stable.example.com", "version": "v1", "kind": "CronTab"}]}


def test_v3_paths_carry_what_kubectl_looks_for() -> None:
    paths = openapi.document(registry(), PATH)["paths"]
    patch = paths[ITEM]["patch"]
    assert patch["operationId"] == "patchStableExampleComV1NamespacedCronTab"
    assert patch["x-kubernetes-group-version-kind"]["kind"] == "CronTab"
    names = {p["name"] for p in patch["parameters"]}
    assert {"dryRun", "fieldManager", "fieldValidation", "force"} <= names
    assert set(patch["requestBody"]["content"]) == {
        "application/json-patch+json", "application/merge-patch+json",
        "application/apply-patch+yaml"}  # never strategic merge for a custom resource
    for operation in ("post", "put"):
        params = {p["name"] for p in paths[ITEM if operation == "put" else ITEM.rsplit("/", 1)[0]]
                  [operation]["parameters"]}
        assert "fieldValidation" in params
    assert "/apis/stable.example.com/v1/crontabs" in paths  # all namespaces: explain's first try


def test_v2_turns_the_schema_into_swagger_2() -> None:
    doc = openapi_v2.document(registry(), "v1.30.0")
    kind = doc["definitions"][KIND]
    assert kind["properties"]["metadata"] == {"$ref": f"#/definitions/{OBJECT_META}",
                                              "description": messages.CRD_OBJECT_META_DESCRIPTION}
    spec = kind["properties"]["spec"]
    assert "required" not in spec  # cronSpec is nullable
    assert spec["properties"]["cronSpec"] == {"description": "The schedule.",
                                              "pattern": "^\\S+$"}
    assert spec["properties"]["replicas"] == {"x-kubernetes-int-or-string": True}
    assert spec["properties"]["image"] == {"type": "string"}  # defaults pruned
    assert "oneOf" not in spec["properties"]["choice"]
    assert kind["properties"]["status"] == {"x-kubernetes-preserve-unknown-fields": True}
    assert doc["definitions"][LIST]["properties"]["items"]["items"] == {
        "$ref": f"#/definitions/{KIND}"}
    patch = doc["paths"][ITEM]["patch"]
    assert patch["consumes"] == ["application/json-patch+json", "application/merge-patch+json",
                                 "application/apply-patch+yaml"]
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
    assert OBJECT_META in doc["definitions"]


def test_v2_root_keeping_unknown_fields_is_a_bare_object() -> None:
    loose = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    kind = openapi_v2.document(registry(loose), "v1.30.0")["definitions"][KIND]
    assert set(kind) == {"type", "x-kubernetes-group-version-kind"}


def test_v2_document_follows_the_registry() -> None:
    served = Registry.for_version("1.30")
    assert KIND not in openapi_v2.document(served, "v1.30.0")["definitions"]
    served.install(CRD_NAME, (crontab(),))
    assert KIND in openapi_v2.document(served, "v1.30.0")["definitions"]
    assert openapi_v2.encode(served, "v1.30.0")  # the protobuf form builds too
