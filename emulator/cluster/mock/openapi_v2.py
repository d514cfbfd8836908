"""GET /openapi/v2: the Swagger 2.0 document, as JSON or as gnostic's protobuf.

kubectl 1.27 and 1.28 read it (in protobuf) before ``apply``, ``create -f`` and ``replace``: a
PATCH operation tagged with the object's ``x-kubernetes-group-version-kind`` that takes a
``fieldValidation`` query parameter tells them to leave validation to the server
(cli-runtime's QueryParamVerifier). Without the document they stop with ``Error from server
(NotFound)``. Later kubectl read /openapi/v3 instead (openapi.py).

The paths and operations are openapi.py's, written the Swagger 2.0 way. There are no schema
definitions: kubectl then computes ``apply``'s strategic merge patch from its compiled-in types,
as it does for any kind the document does not describe.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import yaml

from emulator.cluster.mock import openapi

# kubectl asks with the "@" spelling; the answer is labelled with the dotted one, which Go's
# mime parser (and so client-go) accepts.
PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
PROTOBUF_TYPES = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", PROTOBUF)
_METHODS = ("get", "put", "post", "delete", "patch")


def wants_protobuf(accept: str) -> bool:
    return any(media.split(";")[0].strip() in PROTOBUF_TYPES for media in accept.split(","))


def document(version: str) -> dict[str, Any]:
    """The document, JSON-shaped. ``version`` is the cluster's, as kube-apiserver reports it."""
    return json.loads(_document_json(version))


@functools.cache
def _document_json(version: str) -> str:
    paths: dict[str, Any] = {}
    for group_version in openapi.served_paths():
        for url, item in openapi.document(group_version)["paths"].items():
            paths[url] = _path_item(item)
    body = {"swagger": "2.0", "info": {"title": "Kubernetes", "version": version},
            "paths": paths}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


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
        out["consumes"] = list(operation["requestBody"]["content"])
    return out


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    out = {"name": parameter["name"], "in": parameter["in"],
           "type": parameter["schema"]["type"], "uniqueItems": True}
    if parameter.get("required"):
        out["required"] = True
    return out


# --- gnostic's openapi_v2 protobuf (OpenAPIv2.proto), the messages this document uses ---------


@functools.cache
def encode(version: str) -> bytes:
    return _encode_document(document(version))


def _encode_document(doc: dict[str, Any]) -> bytes:
    info = _string(1, doc["info"]["title"]) + _string(2, doc["info"]["version"])
    paths = b"".join(_message(2, _string(1, url) + _message(2, _encode_path_item(item)))
                     for url, item in doc["paths"].items())
    # Document: swagger 1, info 2, paths 8. Paths: path 2 (NamedPathItem: name 1, value 2).
    return _string(1, doc["swagger"]) + _message(2, info) + _message(8, paths)


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
        text = yaml.safe_dump(operation[name], default_flow_style=False)
        out += _message(13, _string(1, name) + _message(2, _string(2, text)))
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
