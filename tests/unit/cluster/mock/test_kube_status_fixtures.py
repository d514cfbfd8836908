"""The mock's answers byte for byte against kube-apiserver's, recorded in tests/fixtures/kube-status
(its README says where each came from). Each test sets up the situation the recording shows, with
the same resource and names, and compares the raw body the mock writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator import limits
from emulator.clock import FakeClock
from emulator.cluster.mock.wire import gojson
from emulator.cluster.backend import ClusterRequest
from emulator.cluster.mock.apiserver import MockApiserver, _Trail
from emulator.cluster.mock.auth.authorizer import Attributes, Decision
from emulator.cluster.mock.auth.identity import UserInfo
from emulator.cluster.mock.registry.objects import conflict
from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.wire.status import KubeError, status_body

from .conftest import (ADMIN, ADMIN_TOKEN, CLUSTER_NAME, configmap, create, deployment, request,
                       run, send)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "kube-status"
PODS = "/api/v1/namespaces/default/pods"
SERVICES = "/api/v1/namespaces/default/services"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
CMS = "/api/v1/namespaces/default/configmaps"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def raw(api: MockApiserver, method: str, path: str, query: str = "", body: object = None
        ) -> tuple[int, bytes]:
    response = run(send(api, method, path, query, body))
    return response.status, response.body


def test_every_fixture_is_one_compact_json_value_and_a_newline() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        data = path.read_bytes()
        assert data.endswith(b"}\n") and data.count(b"\n") == 1, path.name
        assert gojson.encode(json.loads(data)) == data, path.name


def test_not_found(api: MockApiserver) -> None:
    assert raw(api, "GET", f"{PODS}/nginx-ingress-controller-57f4b84b5-ldkk5") == (
        404, fixture("notfound-pod.json"))


def test_already_exists_in_the_core_group(api: MockApiserver) -> None:
    service = {"metadata": {"name": "mock-2"}, "spec": {"ports": [{"port": 99}]}}
    create(api, SERVICES, service)
    assert raw(api, "POST", SERVICES, body=service) == (409, fixture("alreadyexists-service.json"))


def test_already_exists_in_a_named_group(api: MockApiserver) -> None:
    create(api, DEPLOYS, deployment("triple-nginx"))
    assert raw(api, "POST", DEPLOYS, body=deployment("triple-nginx")) == (
        409, fixture("alreadyexists-deployment.json"))


def test_conflict_on_a_stale_resource_version(api: MockApiserver) -> None:
    quotas = "/api/v1/namespaces/default/resourcequotas"
    created = create(api, quotas, {"metadata": {"name": "quota"},
                                   "spec": {"hard": {"pods": "10"}}})
    stale = json.loads(json.dumps(created))
    create_rv = created["metadata"]["resourceVersion"]
    created["spec"]["hard"]["pods"] = "20"
    assert raw(api, "PUT", f"{quotas}/quota", body=created)[0] == 200
    stale["metadata"]["resourceVersion"] = create_rv
    stale["spec"]["hard"]["pods"] = "30"
    assert raw(api, "PUT", f"{quotas}/quota", body=stale) == (
        409, fixture("conflict-resourcequota.json"))


def test_conflict_helper_writes_the_recorded_bytes() -> None:
    quotas = ResourceType("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", True)
    assert gojson.encode(conflict(quotas, "quota").status()) == fixture(
        "conflict-resourcequota.json")


def test_bad_request_for_a_log_without_container(api: MockApiserver) -> None:
    pod = {"metadata": {"name": "kube-dns-v20-mz5cv"}, "spec": {"containers": [
        {"name": name, "image": "x:1"} for name in ("kubedns", "dnsmasq", "healthz")]}}
    create(api, PODS, pod)
    assert raw(api, "GET", f"{PODS}/kube-dns-v20-mz5cv/log") == (
        400, fixture("badrequest-container-name.json"))


def test_method_not_allowed(api: MockApiserver) -> None:
    assert raw(api, "DELETE", "/api/v1/namespaces") == (405, fixture("methodnotallowed.json"))


def test_request_entity_too_large(api: MockApiserver) -> None:
    body = b" " * (limits.KUBE_MAX_REQUEST_BODY_BYTES + 1)
    response = run(api.handle(_request("POST", CMS, body)))
    assert (response.status, response.body) == (413, fixture("requestentitytoolarge.json"))


@pytest.mark.parametrize(("version", "name"), [
    ("v1.31.4", "invalid-configmap-too-long-1.31.json"),
    ("v1.32.0", "invalid-configmap-too-long-1.32.json"),
    ("v1.33.1", "invalid-configmap-too-long-1.32.json"),
])
def test_configmap_data_too_long_in_each_minors_words(version: str, name: str) -> None:
    api = MockApiserver(CLUSTER_NAME, version, FakeClock())
    api.authenticator.add(ADMIN_TOKEN, ADMIN)
    body = configmap("big", data={"a": "x" * (limits.KUBE_MAX_DATA_BYTES + 1)})
    assert raw(api, "POST", CMS, body=body) == (422, fixture(name))


def test_invalid_with_two_causes_is_written_in_kubes_field_order() -> None:
    recorded = json.loads(fixture("invalid-deployment-two-causes.json"))
    details = recorded["details"]
    # The mock builds its Status from unordered parts; the bytes must still be kube's.
    shuffled = {"causes": [{"field": c["field"], "message": c["message"], "reason": c["reason"]}
                           for c in details["causes"]],
                "kind": details["kind"], "group": details["group"], "name": details["name"]}
    error = KubeError(422, recorded["message"], reason="Invalid", details=shuffled)
    assert gojson.encode(error.status()) == fixture("invalid-deployment-two-causes.json")


def test_an_invalid_name_is_kubes_invalid_with_its_cause(api: MockApiserver) -> None:
    status, body = raw(api, "POST", DEPLOYS, body=deployment("test_deploy"))
    parsed = json.loads(body)
    message = parsed["message"]
    assert (status, parsed["reason"]) == (422, "Invalid")
    assert message.startswith('Deployment.apps "test_deploy" is invalid: metadata.name: ')
    cause = {"reason": "FieldValueInvalid", "message": message.split("metadata.name: ", 1)[1],
             "field": "metadata.name"}
    assert parsed["details"] == {"name": "test_deploy", "group": "apps", "kind": "Deployment",
                                 "causes": [cause]}
    assert body == gojson.encode(status_body(422, "Invalid", message, parsed["details"]))


class _DenyAll:
    def authorize(self, user: UserInfo, attributes: Attributes) -> Decision:
        return Decision(False, "")


@pytest.mark.parametrize(("name", "attributes"), [
    ("forbidden-path.json", Attributes(verb="GET", path="/whatever", resource_request=False)),
    ("forbidden-path-escaped.json",
     Attributes(verb="GET", path="/<script>", resource_request=False)),
    ("forbidden-resource.json", Attributes(verb="get", resource="pod")),
    ("forbidden-named-resource.json", Attributes(verb="get", resource="pod", name="mypod")),
    ("forbidden-group-subresource.json", Attributes(
        verb="get", namespace="test", api_group="v2", resource="pod", subresource="quota")),
])
def test_forbidden_as_kubes_responsewriters_test_expects(name: str,
                                                         attributes: Attributes) -> None:
    api = MockApiserver(CLUSTER_NAME, "v1.30.5", FakeClock(), authorizer=_DenyAll())
    with pytest.raises(KubeError) as denied:
        api._authorize(UserInfo("NAME", ()), attributes, _trail())
    assert gojson.encode(denied.value.status()) == fixture(name)


def test_a_denied_request_answers_the_forbidden_bytes(api: MockApiserver) -> None:
    api.authenticator.add("bob-token", UserInfo("bob@example.com", ("system:authenticated",)))
    response = run(api.handle(_request("GET", f"{PODS}/web", token="bob-token")))
    expected = fixture("forbidden-named-resource.json").replace(
        b'pod \\"mypod\\"', b'pods \\"web\\"').replace(b'\\"NAME\\"', b'\\"bob@example.com\\"'
    ).replace(b'resource \\"pod\\"', b'resource \\"pods\\"').replace(
        b"at the cluster scope", b'in the namespace \\"default\\"').replace(
        b'"name":"mypod","kind":"pod"', b'"name":"web","kind":"pods"')
    assert (response.status, response.body) == (403, expected)


def test_a_delete_answers_the_success_status_bytes(api: MockApiserver) -> None:
    created = create(api, DEPLOYS, deployment("web"))
    expected = fixture("success-delete.json").replace(b"pulp-operator", b"web").replace(
        b"operators.coreos.com", b"apps").replace(b"subscriptions", b"deployments").replace(
        b"75d1ad18-fdc7-42ac-a3fe-95bcf9fb8f7b", created["metadata"]["uid"].encode())
    assert raw(api, "DELETE", f"{DEPLOYS}/web") == (200, expected)


def test_a_core_delete_status_leaves_the_empty_group_out(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    uid = created["metadata"]["uid"]
    assert raw(api, "DELETE", f"{CMS}/app") == (200, (
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",'
        f'"details":{{"name":"app","kind":"configmaps","uid":"{uid}"}}}}\n').encode())


def _request(method: str, path: str, body: bytes = b"",
             token: str = ADMIN_TOKEN) -> ClusterRequest:
    return request(method, path, body=body or None, token=token,
                   content_type="application/json" if body else None)


def _trail() -> _Trail:
    return _Trail("audit-id")


def test_a_watch_frame_is_one_compact_event_and_a_newline(quiet: MockApiserver) -> None:
    created = create(quiet, CMS, configmap("a"))

    async def first_frame() -> bytes:
        response = await send(quiet, "GET", CMS, "watch=true")
        assert response.stream is not None
        try:
            return await anext(response.stream)
        finally:
            await response.stream.aclose()  # type: ignore[attr-defined]

    frame = run(first_frame())
    assert frame == b'{"type":"ADDED","object":' + gojson.encode(created)[:-1] + b"}\n"
