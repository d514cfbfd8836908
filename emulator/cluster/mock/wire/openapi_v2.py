"""GET /openapi/v2: the Swagger 2.0 document, as JSON or as gnostic's protobuf.

kubectl 1.27 and 1.28 read it (in protobuf) before ``apply``, ``create -f`` and ``replace``: a
PATCH operation tagged with the object's ``x-kubernetes-group-version-kind`` that takes a
``fieldValidation`` query parameter tells them to leave validation to the server
(cli-runtime's QueryParamVerifier). Without the document they stop with ``Error from server
(NotFound)``. Later kubectl read /openapi/v3 instead (openapi.py). ``kubectl explain
--output=plaintext-openapiv2`` (any version) renders its definitions, and kubectl 1.27/1.28
``apply`` computes strategic merge patches from them (kube-openapi's proto models).

The paths and operations are openapi.py's, written the Swagger 2.0 way; the definitions are
kube's, for the cluster's minor (schema.py): every served kind and what it refers to, and each
custom resource's from its CRD, turned into Swagger 2.0 as kube does (openapi_custom.py). One
document per minor and set of served kinds: a CRD that comes, goes or changes makes another
set (its ResourceType carries its schema), so the next request builds a new document.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import yaml

from emulator.cluster.mock.wire import openapi
from emulator.cluster.mock.registry import schema as kube_schema
from emulator.cluster.mock.registry.resources import Registry, ResourceType

# kubectl asks with the "@" spelling; the answer is labelled with the dotted one, which Go's
# mime parser (and so client-go) accepts.
PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
PROTOBUF_TYPES = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", PROTOBUF)
_METHODS = ("get", "put", "post", "delete", "patch")
_KEPT_DOCUMENTS = 16


def wants_protobuf(accept: str) -> bool:
    return any(media.split(";")[0].strip() in PROTOBUF_TYPES for media in accept.split(","))


def document(registry: Registry, version: str) -> dict[str, Any]:
    """The document, JSON-shaped, as a fresh copy. ``version`` is the cluster's, as
    kube-apiserver reports it."""
    return json.loads(document_bytes(registry, version))


def document_bytes(registry: Registry, version: str) -> bytes:
    return _document_json(*_key(registry), version)


def encode(registry: Registry, version: str) -> bytes:
    """The document in gnostic's protobuf (OpenAPIv2.proto), as kubectl asks for it."""
    return _encoded(*_key(registry), version)


def _key(registry: Registry) -> tuple[int, tuple[tuple[str, tuple[ResourceType, ...]], ...]]:
    return (kube_schema.nearest_minor(registry.minor), tuple(openapi.served(registry).items()))


@functools.lru_cache(maxsize=_KEPT_DOCUMENTS)
def _document_json(minor: int, served: tuple[tuple[str, tuple[ResourceType, ...]], ...],
                   version: str) -> bytes:
    schema = kube_schema.schema_for(minor, documented=True)
    paths: dict[str, Any] = {}
    roots: list[str] = list(openapi.COMMON_DEFINITIONS)
    made: dict[str, Any] = {}  # loose and custom definitions, not kube's
    for group_version, resources in served:
        v3 = json.loads(openapi.built_document(minor, group_version, resources))
        for url, item in v3["paths"].items():
            paths[url] = _path_item(item)
        names = openapi.Names.of(schema, resources)
        roots += names.kube_names()
        for resource in resources:
            made.update(openapi.loose_schemas(schema, resource, names, 2))
            made.update(openapi.custom_schemas(schema, resource, 2))
    if made:
        roots += [openapi.OBJECT_META, openapi.LIST_META]
    definitions = {name: openapi.v2_definition(schema, name) for name in schema.closure(roots)}
    definitions.update(made)
    body = {"swagger": "2.0", "info": {"title": "Kubernetes", "version": version},
            "paths": paths, "definitions": definitions}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _path_item(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {method: _operation(item[method]) for method in _METHODS
                           if method in item}
    if item.get("parameters"):
        out["parameters"] = [_parameter(p) for p in item["parameters"]]
    return out


def _operation(operation: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": operation["operationId"],
        "produces": ["application/json"],
        "parameters": [_parameter(p) for p in operation["parameters"]],
        "responses": {code: {"description": answer["description"]}
                      for code, answer in operation["responses"].items()},
        "x-kubernetes-action": operation["x-kubernetes-action"],
        "x-kubernetes-group-version-kind": operation["x-kubernetes-group-version-kind"],
    }
    if "requestBody" in operation:
        # The v3 document's content map is sorted; Swagger lists patch types in kube's order.
        out["consumes"] = sorted(operation["requestBody"]["content"], key=_consumed_rank)
    return out


def _consumed_rank(media: str) -> int:
    order = openapi.PATCH_ORDER
    return order.index(media) if media in order else len(order)


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    out = {"name": parameter["name"], "in": parameter["in"],
           "type": parameter["schema"]["type"], "uniqueItems": True}
    if parameter.get("required"):
        out["required"] = True
    return out


# --- gnostic's openapi_v2 protobuf (OpenAPIv2.proto), the messages this document uses ---------


@functools.lru_cache(maxsize=_KEPT_DOCUMENTS)
def _encoded(minor: int, served: tuple[tuple[str, tuple[ResourceType, ...]], ...],
             version: str) -> bytes:
    return _encode_document(json.loads(_document_json(minor, served, version)))


def _encode_document(doc: dict[str, Any]) -> bytes:
    info = _string(1, doc["info"]["title"]) + _string(2, doc["info"]["version"])
    paths = b"".join(_message(2, _string(1, url) + _message(2, _encode_path_item(item)))
                     for url, item in doc["paths"].items())
    # Definitions: additional_properties 1 (NamedSchema: name 1, value 2).
    definitions = b"".join(_message(1, _string(1, name) + _message(2, _encode_schema(node)))
                           for name, node in doc.get("definitions", {}).items())
    # Document: swagger 1, info 2, paths 8, definitions 9. Paths: path 2 (NamedPathItem).
    return (_string(1, doc["swagger"]) + _message(2, info) + _message(8, paths)
            + (_message(9, definitions) if definitions else b""))


# Schema's fields that this document uses: _ref 1, format 2, title 3, description 4,
# required 19, enum 20, additional_properties 21, type 22, items 23, all_of 24, properties 25,
# read_only 27, vendor_extension 31.
_SCHEMA_STRINGS = {"$ref": 1, "format": 2, "title": 3, "description": 4}


def _encode_schema(node: dict[str, Any]) -> bytes:
    out = b"".join(_string(number, node[key]) for key, number in _SCHEMA_STRINGS.items()
                   if isinstance(node.get(key), str))
    out += b"".join(_string(19, name) for name in node.get("required", ()))
    out += b"".join(_message(20, _any(value)) for value in node.get("enum", ()))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):  # AdditionalPropertiesItem: schema 1 | boolean 2
        out += _message(21, _message(1, _encode_schema(extra)))
    elif isinstance(extra, bool):
        out += _message(21, _bool(2, extra) or b"\x10\x00")
    if isinstance(node.get("type"), str):  # TypeItem: value 1
        out += _message(22, _string(1, node["type"]))
    if isinstance(node.get("items"), dict):  # ItemsItem: schema 1
        out += _message(23, _message(1, _encode_schema(node["items"])))
    out += b"".join(_message(24, _encode_schema(part)) for part in node.get("allOf", ()))
    if "properties" in node:  # Properties: additional_properties 1 (NamedSchema)
        out += _message(25, b"".join(
            _message(1, _string(1, name) + _message(2, _encode_schema(value)))
            for name, value in node["properties"].items()))
    if node.get("readOnly"):
        out += _bool(27, True)
    for name, value in node.items():
        if name.startswith("x-"):
            out += _message(31, _string(1, name) + _message(2, _any(value)))
    return out


def _any(value: Any) -> bytes:
    """gnostic's Any: the value as YAML text (yaml 2), as kube-apiserver writes extensions."""
    return _string(2, yaml.safe_dump(value, default_flow_style=False))


def _encode_path_item(item: dict[str, Any]) -> bytes:
    numbers = {"get": 2, "put": 3, "post": 4, "delete": 5, "patch": 8}  # PathItem
    out = b"".join(_message(numbers[method], _encode_operation(item[method]))
                   for method in _METHODS if method in item)
    return out + b"".join(_message(9, _encode_parameter(p)) for p in item.get("parameters", []))


def _encode_operation(operation: dict[str, Any]) -> bytes:
    # Operation: operation_id 5, produces 6, consumes 7, parameters 8, responses 9,
    # vendor_extension 13 (NamedAny: name 1, value 2 = Any: yaml 2).
    out = _string(5, operation["operationId"])
    out += b"".join(_string(6, media) for media in operation["produces"])
    out += b"".join(_string(7, media) for media in operation.get("consumes", ()))
    out += b"".join(_message(8, _encode_parameter(p)) for p in operation["parameters"])
    # Responses: response_code 1 (NamedResponseValue: name 1, value 2 = ResponseValue:
    # response 1 = Response: description 1).
    out += _message(9, b"".join(
        _message(1, _string(1, code) + _message(2, _message(1, _string(1, answer["description"]))))
        for code, answer in operation["responses"].items()))
    for name in ("x-kubernetes-action", "x-kubernetes-group-version-kind"):
        out += _message(13, _string(1, name) + _message(2, _any(operation[name])))
    return out


def _encode_parameter(parameter: dict[str, Any]) -> bytes:
    # ParametersItem: parameter 1 = Parameter: non_body_parameter 2 = NonBodyParameter:
    # query_parameter_sub_schema 3 | path_parameter_sub_schema 4. Both: required 1, in 2,
    # name 4; type is 6 in a query parameter and 5 in a path one; unique_items 20 and 19.
    query = parameter["in"] == "query"
    fields = (_bool(1, parameter.get("required", False)) + _string(2, parameter["in"])
              + _string(4, parameter["name"]) + _string(6 if query else 5, parameter["type"])
              + _bool(20 if query else 19, parameter["uniqueItems"]))
    return _message(1, _message(2, _message(3 if query else 4, fields)))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _message(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _string(number: int, text: str) -> bytes:
    return _message(number, text.encode()) if text else b""


def _bool(number: int, value: bool) -> bytes:
    return _varint(number << 3) + b"\x01" if value else b""
