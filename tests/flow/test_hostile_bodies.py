"""Hostile request bodies on every surface, in-process (issue 12, items 1 and 10): bodies nested far
deeper than any manifest, bodies past the size limits, and ConfigMaps and Secrets past kube's
1 MiB. Each gets its surface's own 4xx, never a 500, and nothing is logged as an error; a body
exactly at a limit is served. The numbers come from emulator/limits.py (docs/limits.md)."""

from __future__ import annotations

import base64
import errno
import json
import logging
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from emulator import limits, messages
from emulator.app import create_app
from emulator.clock import FakeClock
from emulator.scenario import loader
from emulator.standalone.app import create_apiserver_app
from emulator.standalone.server import StandaloneApiserver
from emulator.state import EmulatorState

GATEWAY = "/v1/projects/123456789012/locations/global/memberships/my-cluster"
CONFIGMAPS = GATEWAY + "/api/v1/namespaces/default/configmaps"
SECRETS = GATEWAY + "/api/v1/namespaces/default/secrets"
ALICE = {"Authorization": "Bearer ya29.fake-alice"}
AS_JSON = {**ALICE, "Content-Type": "application/json"}
AS_YAML = {**ALICE, "Content-Type": "application/yaml"}
SA = "ci-bot@my-project.iam.gserviceaccount.com"
DEPTH = limits.MAX_NESTING_DEPTH
TOO_DEEP = messages.NESTING_TOO_DEEP.format(limit=DEPTH)
# The issue's repro: a thousand nested arrays.
THOUSAND = ("[" * 1000 + "]" * 1000).encode()


@pytest.fixture(autouse=True)
def no_server_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever a test sends, the emulator logs no error (a 500 logs its traceback)."""
    with caplog.at_level(logging.ERROR, logger="emulator"):
        yield
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.fixture
def state() -> EmulatorState:
    return EmulatorState(loader.load("quickstart"), FakeClock())


@pytest.fixture
def client(state: EmulatorState) -> TestClient:
    return TestClient(create_app(state))


def nested(depth: int) -> Any:
    """A JSON value ``depth`` levels deep, objects and arrays in turn."""
    value: Any = []
    for level in range(depth - 1):
        value = {"a": value} if level % 2 else [value]
    return value


def kube_status(response: httpx.Response, code: int, reason: str) -> dict[str, Any]:
    assert response.status_code == code, response.text
    status = response.json()
    assert (status["kind"], status["code"], status["reason"]) == ("Status", code, reason)
    return status


def google_error(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    return str(error["message"])


def control_error(response: httpx.Response, code: int, status: str) -> str:
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (code, status)
    return str(error["message"])


def configmap(name: str, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **fields}


# --- item 1: nesting, Kubernetes paths ---------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("POST", CONFIGMAPS),
    ("PUT", CONFIGMAPS + "/app"),
    ("DELETE", CONFIGMAPS + "/app"),
    ("POST", GATEWAY + "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"),
    ("POST", GATEWAY + "/api/v1/namespaces/default/serviceaccounts/default/token"),
])
@pytest.mark.parametrize("headers", [AS_JSON, AS_YAML], ids=["json", "yaml"])
def test_a_thousand_levels_deep_body_is_a_400_status(client: TestClient, method: str, path: str,
                                                      headers: dict[str, str]) -> None:
    status = kube_status(client.request(method, path, content=THOUSAND, headers=headers),
                         400, "BadRequest")
    assert status["message"].startswith(messages.K8S_DECODE_ERROR.format(detail=""))
    assert TOO_DEEP in status["message"]


@pytest.mark.parametrize("patch_type", ["application/merge-patch+json",
                                        "application/strategic-merge-patch+json",
                                        "application/json-patch+json"])
def test_a_thousand_levels_deep_patch_is_a_400_status(client: TestClient,
                                                      patch_type: str) -> None:
    client.post(CONFIGMAPS, json=configmap("app"), headers=ALICE)
    status = kube_status(client.patch(CONFIGMAPS + "/app", content=THOUSAND,
                                      headers={**ALICE, "Content-Type": patch_type}),
                         400, "BadRequest")
    assert status["message"] == messages.PATCH_TOO_DEEP


def test_bodies_exactly_at_the_depth_limit_are_served(client: TestClient) -> None:
    # The top-level object is the first level; an unknown field carries the rest (dropped, with
    # a warning, after field validation has walked it).
    body = {**configmap("deep"), "extra": nested(DEPTH - 1)}
    assert limits.json_depth(json.dumps(body)) == DEPTH
    assert client.post(CONFIGMAPS, json=body, headers=ALICE).status_code == 201
    as_yaml = {**body, "metadata": {"name": "deep-yaml"}}
    assert client.post(CONFIGMAPS, content=json.dumps(as_yaml), headers=AS_YAML).status_code == 201
    review = {"spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}},
              "extra": nested(DEPTH - 1)}
    assert client.post(GATEWAY + "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                       json=review, headers=ALICE).status_code == 201
    token = {"spec": {"expirationSeconds": 3600}, "extra": nested(DEPTH - 1)}
    assert client.post(GATEWAY + "/api/v1/namespaces/default/serviceaccounts/default/token",
                       json=token, headers=ALICE).status_code == 201
    for patch_type in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        assert client.patch(CONFIGMAPS + "/deep", content=json.dumps({"extra": nested(DEPTH - 1)}),
                            headers={**ALICE, "Content-Type": patch_type}).status_code == 200


# managedFields[0].fieldsV1, a valid field set sent by a client, is kept as sent (kube's field
# manager takes a client's managedFields as given when they decode): the deepest thing an object
# stores.
FIELDS_V1 = "/metadata/managedFields/0/fieldsV1"


def owned_fields(depth: int) -> dict[str, Any]:
    """A FieldsV1 set ``depth`` levels deep: one field in a field in a field ..."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"f:a": value}
    return value


def stored_at_the_limit(client: TestClient) -> None:
    """A ConfigMap whose fieldsV1 makes the stored object exactly DEPTH levels deep (a replace
    keeps the managedFields it sends)."""
    assert client.post(CONFIGMAPS, json=configmap("deep"), headers=ALICE).status_code == 201
    body = client.get(CONFIGMAPS + "/deep", headers=ALICE).json()
    fields = owned_fields(DEPTH - 4)  # under the object, metadata, managedFields and its entry
    body["metadata"]["managedFields"] = [
        {"manager": "test", "operation": "Update", "apiVersion": "v1", "time": "2026-01-01T00:00:00Z",
         "fieldsType": "FieldsV1", "fieldsV1": fields}]
    assert limits.json_depth(json.dumps(body)) == DEPTH
    assert client.put(CONFIGMAPS + "/deep", json=body, headers=ALICE).status_code == 200
    stored = client.get(CONFIGMAPS + "/deep", headers=ALICE)
    assert limits.json_depth(stored.text) == DEPTH


def test_an_object_stored_at_the_limit_is_read_listed_and_patched(client: TestClient) -> None:
    stored_at_the_limit(client)
    assert client.get(CONFIGMAPS, headers=ALICE).status_code == 200
    table = {**ALICE, "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}
    assert client.get(CONFIGMAPS, headers=table).status_code == 200
    replace = client.get(CONFIGMAPS + "/deep", headers=ALICE).json()
    assert client.put(CONFIGMAPS + "/deep", json=replace, headers=ALICE).status_code == 200
    merge = {"metadata": {"managedFields": replace["metadata"]["managedFields"]}, "data": {"a": "b"}}
    for patch_type in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        assert client.patch(CONFIGMAPS + "/deep", content=json.dumps(merge),
                            headers={**ALICE, "Content-Type": patch_type}).status_code == 200


# A new key of the innermost (empty) set of the stored object's fieldsV1:
INNERMOST = FIELDS_V1 + "/f:a" * (DEPTH - 5) + "/f:b"


@pytest.mark.parametrize("operation", [
    # A value as deep as a body may hold, added under the object's deepest field ...
    {"op": "add", "path": INNERMOST, "value": nested(DEPTH - 2)},
    # ... or the object's deepest subtree copied under itself.
    {"op": "copy", "from": FIELDS_V1, "path": INNERMOST},
], ids=["add", "copy"])
def test_a_json_patch_cannot_store_a_deeper_object(client: TestClient,
                                                   operation: dict[str, Any]) -> None:
    stored_at_the_limit(client)
    assert limits.json_depth(json.dumps([operation])) <= DEPTH  # the patch itself is fine
    before = client.get(CONFIGMAPS + "/deep", headers=ALICE).json()
    status = kube_status(client.patch(CONFIGMAPS + "/deep", content=json.dumps([operation]),
                                      headers={**ALICE,
                                               "Content-Type": "application/json-patch+json"}),
                         422, "Invalid")
    assert status["message"] == messages.K8S_PATCH_FAILED.format(detail=TOO_DEEP)
    assert client.get(CONFIGMAPS + "/deep", headers=ALICE).json() == before


def protobuf_configmap(fields_v1: bytes) -> bytes:
    """A protobuf ConfigMap body (kubectl 1.32+ sends these) whose one managedFields entry holds
    ``fields_v1``: FieldsV1's raw bytes are JSON, decoded as JSON."""
    def varint(number: int) -> bytes:
        out = bytearray()
        while True:
            out.append((number & 0x7F) | (0x80 if number > 0x7F else 0))
            number >>= 7
            if not number:
                return bytes(out)

    def field(number: int, value: bytes) -> bytes:  # a length-delimited field
        return varint(number << 3 | 2) + varint(len(value)) + value

    entry = field(1, b"test") + field(7, field(1, fields_v1))
    meta = field(1, b"proto") + field(17, entry)
    type_meta = field(1, b"v1") + field(2, b"ConfigMap")
    return b"k8s\x00" + field(1, type_meta) + field(2, field(1, meta))


def test_a_deep_fields_v1_in_a_protobuf_body_is_a_400(client: TestClient) -> None:
    headers = {**ALICE, "Content-Type": "application/vnd.kubernetes.protobuf"}
    assert client.post(CONFIGMAPS, content=protobuf_configmap(b'{"f:data": {}}'),
                       headers=headers).status_code == 201
    status = kube_status(client.post(CONFIGMAPS, content=protobuf_configmap(THOUSAND),
                                     headers=headers), 400, "BadRequest")
    assert TOO_DEEP in status["message"]


def test_a_deep_continue_token_is_a_400(client: TestClient) -> None:
    token = base64.urlsafe_b64encode(THOUSAND).decode()
    kube_status(client.get(CONFIGMAPS + f"?limit=1&continue={token}", headers=ALICE),
                400, "BadRequest")


@pytest.mark.parametrize("body", [
    # A "billion laughs": nine levels of ten aliases each.
    "\n".join(["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
              + [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 9)]),
    "metadata: &loop\n  name: *loop\n",  # an alias inside the collection it names
    "2024-01-02: a date as a key\n",  # no JSON key for it
    "metadata: {name: x}\ndata: {k: 2024-13-45}\n",  # no such date
])
def test_hostile_yaml_is_a_400_status(client: TestClient, body: str) -> None:
    kube_status(client.post(CONFIGMAPS, content=body, headers=AS_YAML), 400, "BadRequest")


def test_numbers_no_float_holds_are_refused_as_go_refuses_them(client: TestClient) -> None:
    body = b'{"metadata": {"name": "n", "managedFields": [{"fieldsV1": {"f": 1e999}}]}}'
    status = kube_status(client.post(CONFIGMAPS, content=body, headers=AS_JSON), 400, "BadRequest")
    assert messages.K8S_NUMBER_OUT_OF_RANGE.format(number="1e999") in status["message"]


# --- item 1: nesting, the control API and the Google APIs ------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/_emulator/iam/grant"), ("POST", "/_emulator/iam/revoke"),
    ("POST", "/_emulator/principals"), ("POST", "/_emulator/groups"),
    ("POST", "/_emulator/tokens"), ("PUT", "/_emulator/limits"), ("POST", "/_emulator/faults"),
])
def test_every_json_control_endpoint_refuses_a_deep_body(client: TestClient, method: str,
                                                         path: str) -> None:
    message = control_error(client.request(method, path, content=THOUSAND), 400,
                            "INVALID_ARGUMENT")
    assert message == messages.CONTROL_BODY_REFUSED.format(reason=TOO_DEEP)


def test_a_deep_posted_scenario_is_refused_at_its_line(client: TestClient) -> None:
    body = b"description: deep\nproject:\n  id: " + THOUSAND + b"\n"
    message = control_error(client.post("/_emulator/scenario", content=body,
                                        headers={"Content-Type": "application/yaml"}),
                            400, "INVALID_ARGUMENT")
    assert message == messages.SCENARIO_INVALID.format(
        path=messages.CONTROL_POSTED_SCENARIO, line=3, reason=TOO_DEEP)


@pytest.mark.parametrize(("body", "reason"), [
    # Item 3: a name of 5,000 characters used to become a file name ("File name too long").
    ("extends: " + "a" * 5000 + "\n", messages.SCENARIO_BAD_EXTENDS.format(
        name="a" * 5000, known=", ".join(loader.builtin_names()))),
    ("project: {id: p, number: '123456789012'}\nmemberships:\n  - name: c\n"
     "    kubernetes_version: v1.30.1\n    kubeconfig: " + "k" * 300 + "\n",
     messages.SCENARIO_BAD_PATH.format(key="kubeconfig", where="a membership",
                                       reason=os.strerror(errno.ENAMETOOLONG))),
])
def test_a_posted_scenario_naming_an_impossible_file_is_refused_at_its_line(
        client: TestClient, body: str, reason: str) -> None:
    message = control_error(client.post("/_emulator/scenario", content=body,
                                        headers={"Content-Type": "application/yaml"}),
                            400, "INVALID_ARGUMENT")
    line = body.count("\n")
    assert message == messages.SCENARIO_INVALID.format(path=messages.CONTROL_POSTED_SCENARIO,
                                                       line=line, reason=reason)


@pytest.mark.parametrize("path", ["/v1/projects/my-project:testIamPermissions",
                                  f"/v1/projects/-/serviceAccounts/{SA}:generateAccessToken"])
def test_the_google_apis_refuse_a_deep_body(client: TestClient, path: str) -> None:
    assert google_error(client.post(path, content=THOUSAND, headers=ALICE)) == (
        messages.GOOGLE_INVALID_JSON.format(detail=TOO_DEEP))


def test_the_google_apis_take_a_body_at_the_depth_limit(client: TestClient) -> None:
    asked = {"permissions": ["gkehub.memberships.list"], "extra": nested(DEPTH - 1)}
    answer = client.post("/v1/projects/my-project:testIamPermissions", json=asked, headers=ALICE)
    assert answer.status_code == 200
    assert answer.json() == {"permissions": ["gkehub.memberships.list"]}


def test_generate_credentials_reads_no_body(client: TestClient) -> None:
    answer = client.request("GET", GATEWAY + ":generateCredentials", content=THOUSAND,
                            headers=ALICE)
    assert answer.status_code == 200, answer.text


# --- item 10: request sizes --------------------------------------------------------------------------


def padded(body: dict[str, Any], size: int) -> bytes:
    """``body`` as JSON, padded with trailing whitespace (valid JSON) to exactly ``size`` bytes."""
    raw = json.dumps(body).encode()
    return raw + b" " * (size - len(raw))


def test_the_gateway_takes_a_body_of_exactly_the_limit(client: TestClient) -> None:
    body = padded(configmap("full"), limits.GATEWAY_MAX_REQUEST_BODY_BYTES)
    assert client.post(CONFIGMAPS, content=body, headers=AS_JSON).status_code == 201


def test_one_byte_more_is_kubes_413_and_the_cluster_never_sees_it(
        client: TestClient, state: EmulatorState) -> None:
    body = padded(configmap("over"), limits.GATEWAY_MAX_REQUEST_BODY_BYTES + 1)
    answer = client.post(CONFIGMAPS, content=body, headers=AS_JSON)
    assert kube_status(answer, 413, "RequestEntityTooLarge") == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Request entity too large: limit is 3145728",
        "reason": "RequestEntityTooLarge", "code": 413}
    record = state.audit.records()[-1]
    assert (record.status, record.cluster_audit_id) == (413, "")
    assert client.get(CONFIGMAPS + "/over", headers=ALICE).status_code == 404


def test_the_issues_fifty_megabyte_configmap_is_refused(client: TestClient) -> None:
    body = json.dumps(configmap("big", data={"k": "x" * (50 * 1024 * 1024)})).encode()
    kube_status(client.post(CONFIGMAPS, content=body, headers=AS_JSON), 413,
                "RequestEntityTooLarge")


def test_the_control_api_refuses_a_body_past_its_limit(client: TestClient) -> None:
    body = padded({}, limits.CONTROL_MAX_REQUEST_BODY_BYTES + 1)
    for method, path, headers in (("PUT", "/_emulator/limits", {}),
                                  ("POST", "/_emulator/scenario",
                                   {"Content-Type": "application/yaml"})):
        message = control_error(client.request(method, path, content=body, headers=headers),
                                413, "PAYLOAD_TOO_LARGE")
        assert message == messages.CONTROL_BODY_TOO_LARGE.format(
            limit=limits.CONTROL_MAX_REQUEST_BODY_BYTES)


def test_the_google_apis_refuse_a_payload_past_theirs(client: TestClient) -> None:
    body = padded({"permissions": []}, limits.GOOGLE_MAX_REQUEST_BODY_BYTES + 1)
    assert google_error(client.post("/v1/projects/my-project:testIamPermissions", content=body,
                                    headers=ALICE)) == (
        "Request payload size exceeds the limit: 10485760 bytes.")


def test_the_standalone_apiserver_answers_413_after_authentication() -> None:
    server = StandaloneApiserver(loader.load("quickstart"), "my-cluster", FakeClock())
    standalone = TestClient(create_apiserver_app(server))
    path = "/api/v1/namespaces/default/configmaps"
    body = padded(configmap("over"), limits.KUBE_MAX_REQUEST_BODY_BYTES + 1)
    kube_status(standalone.post(path, content=body, headers={"Content-Type": "application/json"}),
                401, "Unauthorized")
    admin = {"Authorization": f"Bearer {server.admin_token}", "Content-Type": "application/json"}
    kube_status(standalone.post(path, content=body, headers=admin), 413, "RequestEntityTooLarge")
    at_limit = padded(configmap("full"), limits.KUBE_MAX_REQUEST_BODY_BYTES)
    assert standalone.post(path, content=at_limit, headers=admin).status_code == 201


# --- item 10: ConfigMap and Secret data ---------------------------------------------------------------

MIB = limits.KUBE_MAX_DATA_BYTES
TOO_LONG = messages.K8S_TOO_LONG_CAUSE.format(limit=MIB)


def too_long(response: httpx.Response, kind: str, name: str, field: str) -> None:
    status = kube_status(response, 422, "Invalid")
    assert status["message"] == f'{kind} "{name}" is invalid: {field}: {TOO_LONG}'
    assert status["details"] == {"name": name, "kind": kind, "causes": [
        {"reason": "FieldValueTooLong", "message": TOO_LONG, "field": field}]}


def test_configmap_data_up_to_one_mebibyte_is_stored(client: TestClient) -> None:
    data = {"a": "x" * (MIB - 3), "b": "\u00e9"}  # é is two bytes: MIB - 1 bytes so far
    binary = {"c": base64.b64encode(b"\x00").decode()}
    answer = client.post(CONFIGMAPS, json=configmap("full", data=data, binaryData=binary),
                         headers=ALICE)
    assert answer.status_code == 201, answer.text[:200]


@pytest.mark.parametrize("fields", [
    {"data": {"a": "x" * (MIB + 1)}},
    {"data": {"a": "x" * (MIB - 2), "b": "\u00e9\u00e9"}},  # counted in UTF-8 bytes
    {"data": {"a": "x" * MIB}, "binaryData": {"b": base64.b64encode(b"\x00").decode()}},
])
def test_configmap_data_past_one_mebibyte_is_kubes_422(client: TestClient,
                                                      fields: dict[str, Any]) -> None:
    too_long(client.post(CONFIGMAPS, json=configmap("big", **fields), headers=ALICE),
             "ConfigMap", "big", "[]")
    assert client.get(CONFIGMAPS + "/big", headers=ALICE).status_code == 404


def test_an_update_or_patch_past_one_mebibyte_is_refused_and_changes_nothing(
        client: TestClient) -> None:
    assert client.post(CONFIGMAPS, json=configmap("grow", data={"a": "x" * MIB}),
                       headers=ALICE).status_code == 201
    before = client.get(CONFIGMAPS + "/grow", headers=ALICE).json()
    too_long(client.put(CONFIGMAPS + "/grow", json={**before, "data": {"a": "x" * (MIB + 1)}},
                        headers=ALICE), "ConfigMap", "grow", "[]")
    too_long(client.patch(CONFIGMAPS + "/grow", content=json.dumps({"data": {"b": "y"}}),
                          headers={**ALICE, "Content-Type": "application/merge-patch+json"}),
             "ConfigMap", "grow", "[]")
    assert client.get(CONFIGMAPS + "/grow", headers=ALICE).json() == before


@pytest.mark.parametrize("fields", [
    {"data": {"a": base64.b64encode(b"x" * (MIB + 1)).decode()}},
    {"stringData": {"a": "x" * (MIB + 1)}},
    {"data": {"a": base64.b64encode(b"x" * MIB).decode()}, "stringData": {"b": "y"}},
])
def test_secret_data_past_one_mebibyte_is_kubes_422(client: TestClient,
                                                   fields: dict[str, Any]) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "big"}, **fields}
    too_long(client.post(SECRETS, json=secret, headers=ALICE), "Secret", "big", "data")


def test_secret_data_of_one_mebibyte_is_stored(client: TestClient) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "full"},
              "data": {"a": base64.b64encode(b"x" * (MIB - 1)).decode()},
              "stringData": {"b": "y"}}
    assert client.post(SECRETS, json=secret, headers=ALICE).status_code == 201
