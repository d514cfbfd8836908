"""The mock apiserver as a client sees it: one ``handle()`` per request, exact codes and texts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock, rfc3339
from emulator.cluster.mock.wire import discovery
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.auth.authorizer import Attributes, Decision
from emulator.cluster.mock.auth.identity import UserInfo

from .conftest import (
    ADMIN,
    ADMIN_TOKEN,
    CLUSTER_NAME,
    CLUSTER_VERSION,
    TABLE_ACCEPT,
    Reply,
    assert_status,
    call,
    configmap,
    create,
    deployment,
    message,
    pod,
    request,
    run,
)

CMS = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"
SERVICES = "/api/v1/namespaces/default/services"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
NAMESPACES = "/api/v1/namespaces"
CLUSTERROLES = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
SUFFIX = re.compile(r"^[bcdfghjklmnpqrstvwxz2456789]{5}$")


def _rv(obj: dict[str, Any]) -> int:
    return int(obj["metadata"]["resourceVersion"])


def _names(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [item["metadata"]["name"] for item in reply.body["items"]]


def _whoami(api: MockApiserver, *headers: tuple[str, str]) -> Reply:
    return call(api, "POST", WHOAMI, body={"apiVersion": "authentication.k8s.io/v1",
                                           "kind": "SelfSubjectReview"}, headers=headers)


def _protobuf_envelope(api_version: str, kind: str) -> bytes:
    """``k8s\\0`` + runtime.Unknown{typeMeta{apiVersion, kind}} with an empty raw object."""
    def field(number: int, value: bytes) -> bytes:
        return bytes([number << 3 | 2, len(value)]) + value
    type_meta = field(1, api_version.encode()) + field(2, kind.encode())
    return b"k8s\x00" + field(1, type_meta) + field(2, b"")


@dataclass
class Deny:
    """Refuses whatever ``verb`` names (every verb when None)."""

    verb: str | None = None

    def authorize(self, user: UserInfo, attributes: Attributes) -> Decision:
        if self.verb is None or attributes.verb == self.verb:
            return Decision(False, "denied by the test")
        return Decision(True)


def _api_with(authorizer: Deny, clock: FakeClock) -> MockApiserver:
    server = MockApiserver(CLUSTER_NAME, CLUSTER_VERSION, clock, authorizer=authorizer)
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    return server


# --- authentication -------------------------------------------------------------------------------


def test_request_without_a_token_is_401(api: MockApiserver) -> None:
    assert_status(call(api, "GET", "/version", token=None), 401, "Unauthorized",
                  messages.K8S_UNAUTHORIZED)


def test_request_with_an_unknown_token_is_401(api: MockApiserver) -> None:
    assert_status(call(api, "GET", CMS, token="not-a-known-token"), 401, "Unauthorized",
                  messages.K8S_UNAUTHORIZED)


def test_known_token_under_another_scheme_is_401(api: MockApiserver) -> None:
    reply = call(api, "GET", "/version", token=None,
                 headers=[("authorization", f"Basic {ADMIN_TOKEN}")])
    assert_status(reply, 401, "Unauthorized", messages.K8S_UNAUTHORIZED)


def test_bearer_scheme_is_case_insensitive(api: MockApiserver) -> None:
    reply = call(api, "GET", "/version", token=None,
                 headers=[("authorization", f"bearer {ADMIN_TOKEN}")])
    assert reply.status == 200


# --- identity and impersonation -------------------------------------------------------------------


def test_whoami_without_impersonation_is_the_token_owner(api: MockApiserver) -> None:
    reply = _whoami(api)
    assert reply.status == 201
    assert reply.body == {
        "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
        "metadata": {"creationTimestamp": None},
        "status": {"userInfo": {"username": ADMIN.name, "groups": list(ADMIN.groups)}}}


def test_impersonate_user_and_groups_change_the_identity(api: MockApiserver) -> None:
    reply = _whoami(api, ("Impersonate-User", "alice@example.com"),
                    ("Impersonate-Group", "devs"), ("Impersonate-Group", "ops"))
    assert reply.status == 201
    assert reply.body["status"]["userInfo"] == {
        "username": "alice@example.com", "groups": ["devs", "ops", "system:authenticated"]}


def test_impersonated_user_without_groups_gets_system_authenticated(api: MockApiserver) -> None:
    reply = _whoami(api, ("Impersonate-User", "alice@example.com"))
    assert reply.body["status"]["userInfo"]["groups"] == ["system:authenticated"]


def test_impersonated_system_authenticated_group_is_not_repeated(api: MockApiserver) -> None:
    reply = _whoami(api, ("Impersonate-User", "alice@example.com"),
                    ("Impersonate-Group", "system:authenticated"), ("Impersonate-Group", "devs"))
    assert reply.body["status"]["userInfo"]["groups"] == ["system:authenticated", "devs"]


def test_impersonate_uid_and_extra_are_reported(api: MockApiserver) -> None:
    reply = _whoami(api, ("Impersonate-User", "alice@example.com"), ("Impersonate-Uid", "u-123"),
                    ("Impersonate-Extra-Scopes", "view"), ("Impersonate-Extra-Scopes", "edit"),
                    ("Impersonate-Extra-Reason", "audit"))
    info = reply.body["status"]["userInfo"]
    assert info["uid"] == "u-123"
    assert info["extra"] == {"reason": ["audit"], "scopes": ["view", "edit"]}


def test_impersonate_extra_key_is_percent_decoded(api: MockApiserver) -> None:
    reply = _whoami(api, ("Impersonate-User", "alice@example.com"),
                    ("Impersonate-Extra-Acme.com%2fProject", "p1"))
    assert reply.body["status"]["userInfo"]["extra"] == {"acme.com/project": ["p1"]}


def test_impersonated_service_account_gets_its_groups(api: MockApiserver) -> None:
    reply = _whoami(api, ("Impersonate-User", "system:serviceaccount:team:builder"))
    assert reply.body["status"]["userInfo"]["groups"] == [
        "system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"]


def test_impersonate_group_without_user_is_400(api: MockApiserver) -> None:
    reply = _whoami(api, ("Impersonate-Group", "devs"), ("Impersonate-Group", "ops"))
    assert_status(reply, 400, "BadRequest",
                  messages.K8S_IMPERSONATE_USER_REQUIRED.format(groups="devs, ops"))


def test_impersonate_uid_without_user_is_400(api: MockApiserver) -> None:
    reply = _whoami(api, ("Impersonate-Uid", "u-1"))
    assert_status(reply, 400, "BadRequest",
                  messages.K8S_IMPERSONATE_USER_REQUIRED.format(groups=""))


def test_impersonation_the_authorizer_refuses_is_403(clock: FakeClock) -> None:
    api = _api_with(Deny("impersonate"), clock)
    reply = _whoami(api, ("Impersonate-User", "bob@example.com"))
    assert_status(reply, 403, "Forbidden", messages.K8S_IMPERSONATE_FORBIDDEN.format(
        resource="users", name="bob@example.com", user=ADMIN.name,
        scope=messages.K8S_SCOPE_CLUSTER))


def test_whoami_v1beta1_is_served_for_kubectl_1_27(api: MockApiserver) -> None:
    reply = call(api, "POST", "/apis/authentication.k8s.io/v1beta1/selfsubjectreviews",
                 body={"apiVersion": "authentication.k8s.io/v1beta1", "kind": "SelfSubjectReview"})
    assert reply.status == 201
    assert reply.body["apiVersion"] == "authentication.k8s.io/v1beta1"
    assert reply.body["status"]["userInfo"]["username"] == ADMIN.name


def test_whoami_creates_nothing(api: MockApiserver) -> None:
    before = api.store.resource_version
    _whoami(api)
    assert api.store.resource_version == before


# --- authorization seam ---------------------------------------------------------------------------


def test_resource_request_the_authorizer_refuses_is_403_naming_it(clock: FakeClock) -> None:
    api = _api_with(Deny(), clock)
    reply = call(api, "GET", "/apis/apps/v1/namespaces/team/deployments/web")
    assert_status(reply, 403, "Forbidden", messages.K8S_FORBIDDEN.format(
        subject='deployments.apps "web"', user=ADMIN.name, verb="get", resource="deployments",
        group="apps", scope=messages.K8S_SCOPE_NAMESPACE.format(namespace="team")))


def test_cluster_scoped_list_the_authorizer_refuses_is_403(clock: FakeClock) -> None:
    api = _api_with(Deny(), clock)
    reply = call(api, "GET", NAMESPACES)
    assert_status(reply, 403, "Forbidden", messages.K8S_FORBIDDEN.format(
        subject="namespaces", user=ADMIN.name, verb="list", resource="namespaces", group="",
        scope=messages.K8S_SCOPE_CLUSTER))


def test_watch_is_authorized_as_watch(clock: FakeClock) -> None:
    api = _api_with(Deny("watch"), clock)
    assert call(api, "GET", CMS).status == 200
    reply = call(api, "GET", CMS, "watch=true")
    assert_status(reply, 403, "Forbidden", messages.K8S_FORBIDDEN.format(
        subject="configmaps", user=ADMIN.name, verb="watch", resource="configmaps", group="",
        scope=messages.K8S_SCOPE_NAMESPACE.format(namespace="default")))


def test_non_resource_path_the_authorizer_refuses_is_403(clock: FakeClock) -> None:
    api = _api_with(Deny(), clock)
    assert_status(call(api, "GET", "/version"), 403, "Forbidden",
                  messages.K8S_FORBIDDEN_PATH.format(user=ADMIN.name, verb="get",
                                                     path="/version"))


# --- configmaps: create, get, list, update, patch, delete -----------------------------------------


def test_create_fills_server_fields(api: MockApiserver, clock: FakeClock) -> None:
    before = api.store.resource_version
    created = create(api, CMS, configmap("app", data={"k": "v"}))
    meta = created["metadata"]
    assert (created["apiVersion"], created["kind"]) == ("v1", "ConfigMap")
    assert meta["namespace"] == "default"
    assert meta["creationTimestamp"] == rfc3339(clock.now())
    assert re.fullmatch(r"[0-9a-f-]{36}", meta["uid"])
    assert _rv(created) == before + 1
    assert created["data"] == {"k": "v"}


def test_create_without_apiversion_and_kind_takes_them_from_the_url(api: MockApiserver) -> None:
    created = create(api, CMS, {"metadata": {"name": "bare"}})
    assert (created["apiVersion"], created["kind"]) == ("v1", "ConfigMap")


def test_get_returns_what_create_stored(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app", data={"k": "v"}))
    reply = call(api, "GET", f"{CMS}/app")
    assert reply == (200, created)


def test_get_of_a_missing_object_is_404_with_details(api: MockApiserver) -> None:
    reply = call(api, "GET", f"{CMS}/absent")
    assert_status(reply, 404, "NotFound", messages.K8S_NOT_FOUND.format(
        resource="configmaps", name="absent"))
    assert reply.body["details"]["name"] == "absent"
    assert reply.body["details"]["kind"] == "configmaps"


@pytest.mark.parametrize("path", ["/apis/batch/v1beta1/namespaces/default/jobs",
                                  f"{PODS}/web/nope", "/nowhere",
                                  "/openapi/v3/apis/batch/v1beta1"])
def test_a_path_no_route_serves_is_404_with_empty_details(api: MockApiserver, path: str) -> None:
    reply = call(api, "GET", path)
    assert_status(reply, 404, "NotFound", messages.K8S_PATH_NOT_FOUND)
    assert reply.body["details"] == {}


def test_list_returns_a_typed_list_with_the_store_resource_version(quiet: MockApiserver) -> None:
    create(quiet, CMS, configmap("b"))
    create(quiet, CMS, configmap("a"))
    reply = call(quiet, "GET", CMS)
    assert reply.body["kind"] == "ConfigMapList"
    assert reply.body["apiVersion"] == "v1"
    assert reply.body["metadata"] == {"resourceVersion": str(quiet.store.resource_version)}
    assert _names(reply) == ["a", "b"]
    assert all(item["kind"] == "ConfigMap" for item in reply.body["items"])


def test_list_is_scoped_to_the_url_namespace(quiet: MockApiserver) -> None:
    create(quiet, NAMESPACES, {"metadata": {"name": "team"}})
    create(quiet, CMS, configmap("here"))
    create(quiet, "/api/v1/namespaces/team/configmaps", configmap("there"))
    assert _names(call(quiet, "GET", CMS)) == ["here"]
    assert _names(call(quiet, "GET", "/api/v1/configmaps")) == ["here", "there"]


def test_update_replaces_the_object_and_bumps_resource_version(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app", data={"k": "v"}))
    body = {**created, "data": {"k": "v2"}}
    reply = call(api, "PUT", f"{CMS}/app", body=body)
    assert reply.status == 200
    assert reply.body["data"] == {"k": "v2"}
    assert _rv(reply.body) > _rv(created)
    assert reply.body["metadata"]["uid"] == created["metadata"]["uid"]
    assert call(api, "GET", f"{CMS}/app").body == reply.body


def test_update_keeps_server_owned_metadata(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    body = configmap("app", data={"k": "v"})
    body["metadata"].update(uid="forged", creationTimestamp="2000-01-01T00:00:00Z")
    reply = call(api, "PUT", f"{CMS}/app", body=body)
    assert reply.body["metadata"]["uid"] == created["metadata"]["uid"]
    assert reply.body["metadata"]["creationTimestamp"] == created["metadata"]["creationTimestamp"]


def test_update_of_a_missing_object_is_404(api: MockApiserver) -> None:
    reply = call(api, "PUT", f"{CMS}/absent", body=configmap("absent"))
    assert_status(reply, 404, "NotFound", messages.K8S_NOT_FOUND.format(
        resource="configmaps", name="absent"))


def test_update_with_another_name_in_the_body_is_400(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PUT", f"{CMS}/app", body=configmap("other"))
    assert_status(reply, 400, "BadRequest", messages.K8S_NAME_MISMATCH.format(
        body_name="other", url_name="app"))


def test_create_with_another_namespace_in_the_body_is_400(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "team"}})
    reply = call(api, "POST", CMS, body=configmap("app", namespace="team"))
    assert_status(reply, 400, "BadRequest", messages.K8S_NAMESPACE_MISMATCH)


def test_merge_patch_changes_only_what_it_names(api: MockApiserver) -> None:
    create(api, CMS, configmap("app", labels={"a": "1"}, data={"k": "v", "x": "y"}))
    reply = call(api, "PATCH", f"{CMS}/app", body={"data": {"k": "v2", "x": None}},
                 content_type=MERGE)
    assert reply.status == 200
    assert reply.body["data"] == {"k": "v2"}
    assert reply.body["metadata"]["labels"] == {"a": "1"}


def test_json_patch_applies_operations(api: MockApiserver) -> None:
    create(api, CMS, configmap("app", data={"k": "v"}))
    ops = [{"op": "add", "path": "/data/n", "value": "1"}, {"op": "remove", "path": "/data/k"}]
    reply = call(api, "PATCH", f"{CMS}/app", body=ops, content_type=JSON_PATCH)
    assert reply.status == 200
    assert reply.body["data"] == {"n": "1"}


def test_json_patch_that_does_not_fit_is_422(api: MockApiserver) -> None:
    create(api, CMS, configmap("app", data={"k": "v"}))
    ops = [{"op": "test", "path": "/data/k", "value": "other"}]
    reply = call(api, "PATCH", f"{CMS}/app", body=ops, content_type=JSON_PATCH)
    assert reply.status == 422
    assert message(reply).startswith(messages.K8S_PATCH_FAILED.format(detail=""))


def test_strategic_merge_patch_merges_containers_by_name(api: MockApiserver) -> None:
    create(api, PODS, pod("web", "main", "sidecar"))
    patch = {"spec": {"containers": [{"name": "sidecar", "image": "sidecar:2"}]}}
    reply = call(api, "PATCH", f"{PODS}/web", body=patch, content_type=STRATEGIC)
    assert reply.status == 200
    images = {c["name"]: c["image"] for c in reply.body["spec"]["containers"]}
    assert images == {"main": "example.com/main:1", "sidecar": "sidecar:2"}


def test_patch_of_a_missing_object_is_404(api: MockApiserver) -> None:
    reply = call(api, "PATCH", f"{CMS}/absent", body={"data": {}}, content_type=MERGE)
    assert_status(reply, 404, "NotFound", messages.K8S_NOT_FOUND.format(
        resource="configmaps", name="absent"))


def test_delete_answers_a_success_status_and_removes_it(api: MockApiserver) -> None:
    # ConfigMaps' storage does not set ReturnDeletedObject: kube answers a Status naming it.
    created = create(api, CMS, configmap("app"))
    reply = call(api, "DELETE", f"{CMS}/app")
    assert reply.status == 200
    assert reply.body == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                          "status": "Success", "details": {
                              "name": "app", "kind": "configmaps",
                              "uid": created["metadata"]["uid"]}}
    assert call(api, "GET", f"{CMS}/app").status == 404


def test_delete_of_a_missing_object_is_404(api: MockApiserver) -> None:
    assert_status(call(api, "DELETE", f"{CMS}/absent"), 404, "NotFound",
                  messages.K8S_NOT_FOUND.format(resource="configmaps", name="absent"))


def test_yaml_body_is_accepted(api: MockApiserver) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n"
    reply = call(api, "POST", CMS, body=body, content_type="application/yaml")
    assert reply.status == 201
    assert reply.body["data"] == {"k": "v"}


# --- names ----------------------------------------------------------------------------------------


def test_generate_name_appends_a_five_character_suffix(api: MockApiserver) -> None:
    created = create(api, CMS, {"metadata": {"generateName": "job-"}})
    name = created["metadata"]["name"]
    assert name.startswith("job-")
    assert SUFFIX.match(name.removeprefix("job-"))
    assert call(api, "GET", f"{CMS}/{name}").status == 200


def test_generate_name_gives_distinct_names(api: MockApiserver) -> None:
    names = {create(api, CMS, {"metadata": {"generateName": "job-"}})["metadata"]["name"]
             for _ in range(5)}
    assert len(names) == 5


def test_create_without_name_or_generate_name_is_422(api: MockApiserver) -> None:
    assert_status(call(api, "POST", CMS, body={"metadata": {}}), 422, "Invalid",
                  messages.K8S_NAME_REQUIRED)


@pytest.mark.parametrize("name", ["Upper", "under_score", "-leading", "trailing-", "a" * 254])
def test_invalid_name_is_422(quiet: MockApiserver, name: str) -> None:
    reply = call(quiet, "POST", CMS, body=configmap(name))
    assert_status(reply, 422, "Invalid",
                  messages.K8S_INVALID_NAME.format(kind="ConfigMap", name=name))
    assert call(quiet, "GET", CMS).body["items"] == []


def test_dotted_name_of_253_characters_is_valid(api: MockApiserver) -> None:
    name = ".".join(["a" * 63] * 4)[:253]
    assert len(name) == 253
    create(api, CMS, configmap(name))


def go_refusal(kind: str, detail: str) -> str:
    """kube's 400 for a body its Go types cannot take (godecode.py)."""
    return f'{kind} in version "v1" cannot be handled as a {kind}: {detail}'


@pytest.mark.parametrize(("body", "detail"), [
    ({"metadata": {"name": 5}},
     "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string"),
    ({"metadata": {"generateName": 5}}, "json: cannot unmarshal number into Go struct field "
     "ObjectMeta.metadata.generateName of type string"),
    ({"metadata": {"name": "x", "labels": ["a"]}}, "json: cannot unmarshal array into Go struct "
     "field ObjectMeta.metadata.labels of type map[string]string"),
    ({"metadata": {"name": "x", "annotations": {"a": 1}}}, "json: cannot unmarshal number into "
     "Go struct field ObjectMeta.metadata.annotations of type string"),
])
def test_metadata_of_the_wrong_type_is_kubes_400(quiet: MockApiserver, body: dict[str, Any],
                                                 detail: str) -> None:
    reply = call(quiet, "POST", CMS, body=body)
    assert_status(reply, 400, "BadRequest", go_refusal("ConfigMap", detail))
    assert call(quiet, "GET", CMS).body["items"] == []


def test_namespace_of_the_wrong_type_in_the_body_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, body={"metadata": {"name": "x", "namespace": 7}})
    assert reply.status == 400


@pytest.mark.parametrize(("path", "body", "kind", "detail"), [
    (PODS, {"metadata": {"name": "p"}, "spec": "nope"}, "Pod",
     "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec"),
    (PODS, {"metadata": {"name": "p"}, "spec": {"containers": ["main"]}}, "Pod",
     "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type "
     "v1.Container"),
    (SERVICES, {"metadata": {"name": "s"}, "spec": {"ports": [80]}}, "Service",
     "json: cannot unmarshal number into Go struct field ServiceSpec.spec.ports of type "
     "v1.ServicePort"),
    # The service allocator keys ports by number and name: a list there was a 500.
    (SERVICES, {"metadata": {"name": "s"}, "spec": {"type": "NodePort", "ports": [
        {"port": 80}, {"port": [80]}]}}, "Service",
     "json: cannot unmarshal array into Go struct field ServicePort.spec.ports.port of type "
     "int32"),
    (SERVICES, {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "name": ["a"]}]}},
     "Service", "json: cannot unmarshal array into Go struct field ServicePort.spec.ports.name "
     "of type string"),
    (PODS, {"metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "a", "image": "b", "resources": "x"}]}}, "Pod",
     "json: cannot unmarshal string into Go struct field Container.spec.containers.resources "
     "of type v1.ResourceRequirements"),
    (DEPLOYS, {"metadata": {"name": "d"}, "status": []}, "Deployment",
     "json: cannot unmarshal array into Go struct field Deployment.status of type "
     "v1.DeploymentStatus"),
])
def test_spec_of_the_wrong_type_is_kubes_400(api: MockApiserver, path: str, body: dict[str, Any],
                                             kind: str, detail: str) -> None:
    assert_status(call(api, "POST", path, body=body), 400, "BadRequest", go_refusal(kind, detail))


@pytest.mark.parametrize("path", [PODS, SERVICES, DEPLOYS, NAMESPACES])
def test_explicit_null_spec_is_defaulted_not_a_500(api: MockApiserver, path: str) -> None:
    reply = call(api, "POST", path, body={"metadata": {"name": "n", "labels": None}, "spec": None})
    if path == DEPLOYS:  # defaulted, then refused as kube refuses a Deployment with no selector
        assert (reply.status, reply.body["details"]["causes"]) == (422, [
            {"reason": "FieldValueRequired", "message": "Required value",
             "field": "spec.selector"},
            {"reason": "FieldValueInvalid", "field": "spec.template.metadata.labels",
             "message": "Invalid value: map[string]string(nil): `selector` does not match "
                        "template `labels`"},
            {"reason": "FieldValueRequired", "message": "Required value",
             "field": "spec.template.spec.containers"}])
        return
    if path in (PODS, SERVICES):  # a pod needs a container, a service ports, as in kube
        assert (reply.status, reply.body["details"]["causes"]) == (422, [
            {"reason": "FieldValueRequired", "message": "Required value",
             "field": "spec.containers" if path == PODS else "spec.ports"}])
        return
    assert reply.status == 201, reply.body


def test_patch_that_makes_labels_a_list_is_kubes_422(api: MockApiserver) -> None:
    create(api, CMS, configmap("app", labels={"a": "1"}))
    reply = call(api, "PATCH", f"{CMS}/app", body={"metadata": {"labels": ["a"]}},
                 content_type=MERGE)
    # kube's jsonPatcher: the patched object does not decode, an invalid "patch" quoting it
    detail = ("json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of "
              "type map[string]string")
    assert reply.status == 422, reply.body
    [cause] = reply.body["details"]["causes"]
    assert (cause["field"], cause["reason"]) == ("patch", "FieldValueInvalid")
    assert cause["message"].startswith('Invalid value: "{\\"apiVersion\\":\\"v1\\"')
    assert '\\"labels\\":[\\"a\\"]' in cause["message"]  # the patched object, as Go quotes it
    assert cause["message"].endswith(": " + detail)
    assert call(api, "GET", f"{CMS}/app").body["metadata"]["labels"] == {"a": "1"}


def test_update_with_a_string_service_spec_is_400_not_500(api: MockApiserver) -> None:
    create(api, SERVICES, {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}})
    reply = call(api, "PUT", f"{SERVICES}/s", body={"metadata": {"name": "s"}, "spec": "x"})
    assert_status(reply, 400, "BadRequest", go_refusal("Service", "json: cannot unmarshal string "
                  "into Go struct field Service.spec of type v1.ServiceSpec"))


def test_namespace_name_with_a_dot_is_422(api: MockApiserver) -> None:
    assert call(api, "POST", NAMESPACES, body={"metadata": {"name": "a.b"}}).status == 422


def test_already_exists_is_409_with_kube_message(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "POST", CMS, body=configmap("app"))
    assert_status(reply, 409, "AlreadyExists", messages.K8S_ALREADY_EXISTS.format(
        resource="configmaps", name="app"))
    assert reply.body["details"]["name"] == "app"
    assert reply.body["details"]["kind"] == "configmaps"


def test_already_exists_names_the_group_for_named_groups(api: MockApiserver) -> None:
    create(api, DEPLOYS, deployment("web"))
    reply = call(api, "POST", DEPLOYS, body=deployment("web"))
    assert_status(reply, 409, "AlreadyExists", messages.K8S_ALREADY_EXISTS.format(
        resource="deployments.apps", name="web"))


# --- resourceVersion ------------------------------------------------------------------------------


def test_update_with_a_stale_resource_version_is_409(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app", data={"k": "1"}))
    call(api, "PUT", f"{CMS}/app", body={**created, "data": {"k": "2"}})
    reply = call(api, "PUT", f"{CMS}/app", body={**created, "data": {"k": "3"}})
    assert_status(reply, 409, "Conflict", messages.K8S_CONFLICT.format(
        resource="configmaps", name="app"))
    assert call(api, "GET", f"{CMS}/app").body["data"] == {"k": "2"}


def test_patch_with_a_stale_resource_version_is_409(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    call(api, "PATCH", f"{CMS}/app", body={"data": {"k": "1"}}, content_type=MERGE)
    stale = {"metadata": {"resourceVersion": created["metadata"]["resourceVersion"]},
             "data": {"k": "2"}}
    reply = call(api, "PATCH", f"{CMS}/app", body=stale, content_type=MERGE)
    assert_status(reply, 409, "Conflict", messages.K8S_CONFLICT.format(
        resource="configmaps", name="app"))


def test_update_without_resource_version_is_unconditional(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PUT", f"{CMS}/app", body=configmap("app", data={"k": "v"}))
    assert reply.status == 200
    assert reply.body["data"] == {"k": "v"}


def test_no_op_update_keeps_the_resource_version(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app", data={"k": "v"}))
    reply = call(api, "PUT", f"{CMS}/app", body=created)
    assert reply == (200, created)
    assert api.store.resource_version == _rv(created)


def test_no_op_update_without_resource_version_keeps_it(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app", data={"k": "v"}))
    reply = call(api, "PUT", f"{CMS}/app", body=configmap("app", data={"k": "v"}))
    assert reply == (200, created)


def test_no_op_patch_keeps_the_resource_version(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app", data={"k": "v"}))
    reply = call(api, "PATCH", f"{CMS}/app", body={"data": {"k": "v"}}, content_type=MERGE)
    assert reply == (200, created)


def test_every_write_gets_a_larger_resource_version(api: MockApiserver) -> None:
    first = create(api, CMS, configmap("a"))
    second = create(api, CMS, configmap("b"))
    patched = call(api, "PATCH", f"{CMS}/a", body={"data": {"k": "v"}}, content_type=MERGE).body
    assert _rv(first) < _rv(second) < _rv(patched)


# --- deployments: generation and status -----------------------------------------------------------
# The storage rules are tested on a cluster without controllers, whose status writes would
# otherwise move the resourceVersion under the test's feet (kube's apiserver is the same).


def test_deployment_create_sets_generation_and_defaults(api: MockApiserver) -> None:
    body = deployment("web")
    del body["spec"]["replicas"]
    created = create(api, DEPLOYS, body)
    assert created["metadata"]["generation"] == 1
    assert created["spec"]["replicas"] == 1
    assert created["spec"]["strategy"]["type"] == "RollingUpdate"


def test_deployment_spec_change_bumps_generation(api: MockApiserver) -> None:
    create(api, DEPLOYS, deployment("web"))
    reply = call(api, "PATCH", f"{DEPLOYS}/web", body={"spec": {"replicas": 3}},
                 content_type=MERGE)
    assert reply.body["metadata"]["generation"] == 2


def test_deployment_metadata_change_keeps_generation(api: MockApiserver) -> None:
    created = create(api, DEPLOYS, deployment("web"))
    reply = call(api, "PATCH", f"{DEPLOYS}/web", body={"metadata": {"labels": {"tier": "fe"}}},
                 content_type=MERGE)
    assert reply.body["metadata"]["generation"] == 1
    assert _rv(reply.body) > _rv(created)


def test_client_cannot_set_generation(quiet: MockApiserver) -> None:
    created = create(quiet, DEPLOYS, deployment("web"))
    body = {**created, "metadata": {**created["metadata"], "generation": 42}}
    reply = call(quiet, "PUT", f"{DEPLOYS}/web", body=body)
    assert reply.body["metadata"]["generation"] == 1


def test_main_resource_update_keeps_status(quiet: MockApiserver) -> None:
    created = create(quiet, DEPLOYS, deployment("web"))
    call(quiet, "PUT", f"{DEPLOYS}/web/status", body={**created, "status": {"replicas": 1}})
    current = call(quiet, "GET", f"{DEPLOYS}/web").body
    body = {**current, "status": {"replicas": 99}, "spec": {**current["spec"], "replicas": 2}}
    reply = call(quiet, "PUT", f"{DEPLOYS}/web", body=body)
    assert reply.body["status"] == {"replicas": 1}
    assert reply.body["spec"]["replicas"] == 2


def test_status_update_changes_only_status(quiet: MockApiserver) -> None:
    created = create(quiet, DEPLOYS, deployment("web"))
    body = {**created, "spec": {**created["spec"], "replicas": 5},
            "status": {"replicas": 1, "readyReplicas": 1}}
    reply = call(quiet, "PUT", f"{DEPLOYS}/web/status", body=body)
    assert reply.status == 200
    assert reply.body["status"] == {"replicas": 1, "readyReplicas": 1}
    assert reply.body["spec"] == created["spec"]
    assert reply.body["metadata"]["generation"] == 1


def test_status_patch_changes_only_status(api: MockApiserver) -> None:
    create(api, PODS, pod("web"))
    created = call(api, "GET", f"{PODS}/web").body  # bound by the scheduler since
    patch = {"status": {"phase": "Succeeded"}, "spec": {"nodeName": "elsewhere"}}
    reply = call(api, "PATCH", f"{PODS}/web/status", body=patch, content_type=MERGE)
    assert reply.body["status"]["phase"] == "Succeeded"
    assert reply.body["spec"]["nodeName"] == created["spec"]["nodeName"]


def test_status_get_returns_the_object(quiet: MockApiserver) -> None:
    created = create(quiet, DEPLOYS, deployment("web"))
    assert call(quiet, "GET", f"{DEPLOYS}/web/status") == (200, created)


def test_deployment_list_update_and_delete(quiet: MockApiserver) -> None:
    created = create(quiet, DEPLOYS, deployment("web"))
    create(quiet, DEPLOYS, deployment("api"))
    assert _names(call(quiet, "GET", DEPLOYS)) == ["api", "web"]
    assert _names(call(quiet, "GET", "/apis/apps/v1/deployments")) == ["api", "web"]
    body = {**created, "spec": {**created["spec"], "replicas": 4}}
    updated = call(quiet, "PUT", f"{DEPLOYS}/web", body=body)
    assert (updated.status, updated.body["spec"]["replicas"]) == (200, 4)
    assert call(quiet, "DELETE", f"{DEPLOYS}/web").status == 200
    assert _names(call(quiet, "GET", DEPLOYS)) == ["api"]


def test_pod_update_keeps_status_and_delete_removes_it(api: MockApiserver) -> None:
    create(api, PODS, pod("web", labels={"app": "web"}))
    created = call(api, "GET", f"{PODS}/web").body  # started by the kubelet since
    body = {**created, "metadata": {**created["metadata"], "labels": {"app": "v2"}},
            "status": {"phase": "Failed"}}
    updated = call(api, "PUT", f"{PODS}/web", body=body)
    assert updated.body["metadata"]["labels"] == {"app": "v2"}
    assert updated.body["status"] == created["status"]
    assert call(api, "DELETE", f"{PODS}/web").status == 200
    assert_status(call(api, "GET", f"{PODS}/web"), 404, "NotFound",
                  messages.K8S_NOT_FOUND.format(resource="pods", name="web"))


def test_deployment_not_found_names_the_group(api: MockApiserver) -> None:
    assert_status(call(api, "GET", f"{DEPLOYS}/absent"), 404, "NotFound",
                  messages.K8S_NOT_FOUND.format(resource="deployments.apps", name="absent"))


def test_deployment_update_without_replicas_defaults_them(quiet: MockApiserver) -> None:
    created = create(quiet, DEPLOYS, deployment("web", replicas=3))
    body = {**created, "spec": {k: v for k, v in created["spec"].items() if k != "replicas"}}
    reply = call(quiet, "PUT", f"{DEPLOYS}/web", body=body)
    assert reply.body["spec"]["replicas"] == 1


# --- namespaces -----------------------------------------------------------------------------------


def test_new_namespace_is_active_and_labelled(api: MockApiserver) -> None:
    created = create(api, NAMESPACES, {"metadata": {"name": "team", "namespace": "ignored"}})
    assert created["status"] == {"phase": "Active"}
    assert created["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team"}
    assert "namespace" not in created["metadata"]


def test_new_namespace_gets_a_default_service_account(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "team"}})
    reply = call(api, "GET", "/api/v1/namespaces/team/serviceaccounts")
    assert _names(reply) == ["default"]


def test_namespace_update_keeps_the_name_label(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "team"}})
    reply = call(api, "PUT", f"{NAMESPACES}/team",
                 body={"metadata": {"name": "team", "labels": {"env": "dev"}}})
    assert reply.body["metadata"]["labels"] == {"env": "dev",
                                                "kubernetes.io/metadata.name": "team"}


def test_create_in_a_missing_namespace_is_404(api: MockApiserver) -> None:
    reply = call(api, "POST", "/api/v1/namespaces/nope/configmaps", body=configmap("app"))
    assert_status(reply, 404, "NotFound", messages.K8S_NAMESPACE_NOT_FOUND.format(namespace="nope"))
    assert reply.body["details"] == {"name": "nope", "kind": "namespaces"}


def test_deleting_a_namespace_deletes_its_contents(quiet: MockApiserver) -> None:
    create(quiet, NAMESPACES, {"metadata": {"name": "team"}})
    create(quiet, "/api/v1/namespaces/team/configmaps", configmap("app"))
    create(quiet, "/api/v1/namespaces/team/pods", pod("web"))
    create(quiet, CMS, configmap("survivor"))
    assert call(quiet, "DELETE", f"{NAMESPACES}/team").status == 200
    assert call(quiet, "GET", f"{NAMESPACES}/team").status == 404
    assert call(quiet, "GET", "/api/v1/configmaps").body["items"][0]["metadata"]["name"] == "survivor"
    assert _names(call(quiet, "GET", "/api/v1/pods")) == []
    assert _names(call(quiet, "GET", "/api/v1/serviceaccounts")) == [
        "default", "default", "default", "default"]  # only the boot namespaces' accounts


def test_recreated_namespace_starts_empty_with_a_new_service_account(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "team"}})
    create(api, "/api/v1/namespaces/team/configmaps", configmap("app"))
    old_sa = call(api, "GET", "/api/v1/namespaces/team/serviceaccounts/default").body
    old_ca = call(api, "GET", "/api/v1/namespaces/team/configmaps/kube-root-ca.crt").body
    call(api, "DELETE", f"{NAMESPACES}/team")
    create(api, NAMESPACES, {"metadata": {"name": "team"}})
    # Only what the root CA publisher puts in every namespace, made again.
    assert _names(call(api, "GET", "/api/v1/namespaces/team/configmaps")) == ["kube-root-ca.crt"]
    new_ca = call(api, "GET", "/api/v1/namespaces/team/configmaps/kube-root-ca.crt").body
    assert new_ca["metadata"]["uid"] != old_ca["metadata"]["uid"]
    new_sa = call(api, "GET", "/api/v1/namespaces/team/serviceaccounts/default").body
    assert new_sa["metadata"]["uid"] != old_sa["metadata"]["uid"]


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_protected_namespace_delete_is_403(api: MockApiserver, name: str) -> None:
    reply = call(api, "DELETE", f"{NAMESPACES}/{name}")
    assert_status(reply, 403, "Forbidden", messages.K8S_NAMESPACE_PROTECTED.format(namespace=name))
    assert call(api, "GET", f"{NAMESPACES}/{name}").status == 200


def test_boot_namespaces_exist(api: MockApiserver) -> None:
    assert _names(call(api, "GET", NAMESPACES)) == [
        "default", "kube-node-lease", "kube-public", "kube-system"]


# --- cluster-scoped objects -----------------------------------------------------------------------


def _clusterrole(name: str) -> dict[str, Any]:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}


def test_clusterrole_crud(api: MockApiserver) -> None:
    created = create(api, CLUSTERROLES, _clusterrole("reader"))
    assert "namespace" not in created["metadata"]
    assert call(api, "GET", f"{CLUSTERROLES}/reader") == (200, created)
    assert "reader" in _names(call(api, "GET", CLUSTERROLES))
    patched = call(api, "PATCH", f"{CLUSTERROLES}/reader",
                   body=[{"op": "replace", "path": "/rules/0/verbs", "value": ["get", "list"]}],
                   content_type=JSON_PATCH)
    assert patched.body["rules"][0]["verbs"] == ["get", "list"]
    assert call(api, "DELETE", f"{CLUSTERROLES}/reader").status == 200
    assert_status(call(api, "GET", f"{CLUSTERROLES}/reader"), 404, "NotFound",
                  messages.K8S_NOT_FOUND.format(resource="clusterroles.rbac.authorization.k8s.io",
                                                name="reader"))


def test_clusterrole_namespace_in_the_body_is_dropped(api: MockApiserver) -> None:
    body = _clusterrole("reader")
    body["metadata"]["namespace"] = "default"
    assert "namespace" not in create(api, CLUSTERROLES, body)["metadata"]


def test_rbac_names_may_contain_colons(api: MockApiserver) -> None:
    created = create(api, CLUSTERROLES, _clusterrole("system:custom-reader"))
    assert created["metadata"]["name"] == "system:custom-reader"
    assert call(api, "GET", f"{CLUSTERROLES}/system:custom-reader").status == 200


def test_rbac_name_with_a_slash_is_422(api: MockApiserver) -> None:
    reply = call(api, "POST", CLUSTERROLES, body=_clusterrole("a/b"))
    assert reply.status == 422, reply.body


def test_clusterroles_under_a_namespace_path_is_404(api: MockApiserver) -> None:
    reply = call(api, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/clusterroles")
    assert_status(reply, 404, "NotFound", messages.K8S_PATH_NOT_FOUND)


# --- dry run --------------------------------------------------------------------------------------


def test_dry_run_create_stores_nothing(api: MockApiserver) -> None:
    before = api.store.resource_version
    reply = call(api, "POST", CMS, "dryRun=All", body=configmap("app"))
    assert reply.status == 201
    assert reply.body["metadata"]["name"] == "app"
    assert "resourceVersion" not in reply.body["metadata"]
    assert call(api, "GET", f"{CMS}/app").status == 404
    assert api.store.resource_version == before


def test_dry_run_namespace_create_makes_no_service_account(api: MockApiserver) -> None:
    reply = call(api, "POST", NAMESPACES, "dryRun=All", body={"metadata": {"name": "t"}})
    assert reply.status == 201
    assert call(api, "GET", "/api/v1/namespaces/t/serviceaccounts/default").status == 404


def test_dry_run_update_changes_nothing(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app", data={"k": "v"}))
    reply = call(api, "PUT", f"{CMS}/app", "dryRun=All", body={**created, "data": {"k": "new"}})
    assert reply.body["data"] == {"k": "new"}
    assert call(api, "GET", f"{CMS}/app").body == created


def test_dry_run_patch_changes_nothing(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app", data={"k": "v"}))
    call(api, "PATCH", f"{CMS}/app", "dryRun=All", body={"data": {"k": "x"}}, content_type=MERGE)
    assert call(api, "GET", f"{CMS}/app").body == created


def test_dry_run_delete_keeps_the_object(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    assert call(api, "DELETE", f"{CMS}/app", "dryRun=All").status == 200
    assert call(api, "GET", f"{CMS}/app").status == 200


def test_dry_run_delete_in_the_body_keeps_the_object(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    assert call(api, "DELETE", f"{CMS}/app", body={"dryRun": ["All"]}).status == 200
    assert call(api, "GET", f"{CMS}/app").status == 200


def test_dry_run_namespace_delete_keeps_its_contents(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "team"}})
    create(api, "/api/v1/namespaces/team/configmaps", configmap("app"))
    assert call(api, "DELETE", f"{NAMESPACES}/team", "dryRun=All").status == 200
    assert call(api, "GET", "/api/v1/namespaces/team/configmaps/app").status == 200


def test_dry_run_other_than_all_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, "dryRun=Some", body=configmap("app"))
    assert_status(reply, 400, "BadRequest", messages.K8S_INVALID_DRY_RUN.format(value="Some"))
    assert call(api, "GET", f"{CMS}/app").status == 404


# --- deletecollection and delete preconditions ----------------------------------------------------


def test_deletecollection_deletes_only_selected_objects(quiet: MockApiserver) -> None:
    create(quiet, CMS, configmap("a", labels={"app": "x"}))
    create(quiet, CMS, configmap("b", labels={"app": "y"}))
    create(quiet, CMS, configmap("c", labels={"app": "x"}))
    reply = call(quiet, "DELETE", CMS, "labelSelector=app%3Dx")
    assert reply.status == 200
    assert reply.body["kind"] == "ConfigMapList"
    assert _names(reply) == ["a", "c"]
    assert _names(call(quiet, "GET", CMS)) == ["b"]


def test_deletecollection_with_dry_run_deletes_nothing(quiet: MockApiserver) -> None:
    create(quiet, CMS, configmap("a"))
    assert _names(call(quiet, "DELETE", CMS, "dryRun=All")) == ["a"]
    assert _names(call(quiet, "GET", CMS)) == ["a"]


def test_deletecollection_of_namespaces_is_405_and_deletes_nothing(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "aaa"}})
    reply = call(api, "DELETE", NAMESPACES)
    assert_status(reply, 405, "MethodNotAllowed", messages.K8S_METHOD_NOT_ALLOWED)
    assert call(api, "GET", f"{NAMESPACES}/aaa").status == 200


def test_delete_with_a_wrong_uid_precondition_is_409(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    reply = call(api, "DELETE", f"{CMS}/app", body={"preconditions": {"uid": "other"}})
    assert_status(reply, 409, "Conflict", messages.K8S_PRECONDITION_UID.format(
        want="other", got=created["metadata"]["uid"]))
    assert call(api, "GET", f"{CMS}/app").status == 200


def test_delete_with_a_stale_resource_version_precondition_is_409(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    patched = call(api, "PATCH", f"{CMS}/app", body={"data": {"k": "v"}}, content_type=MERGE).body
    stale = created["metadata"]["resourceVersion"]
    reply = call(api, "DELETE", f"{CMS}/app", body={"preconditions": {"resourceVersion": stale}})
    assert_status(reply, 409, "Conflict", messages.K8S_PRECONDITION_RV.format(
        want=stale, got=patched["metadata"]["resourceVersion"]))


def test_delete_with_matching_preconditions_deletes(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    body = {"preconditions": {"uid": created["metadata"]["uid"],
                              "resourceVersion": created["metadata"]["resourceVersion"]}}
    assert call(api, "DELETE", f"{CMS}/app", body=body).status == 200
    assert call(api, "GET", f"{CMS}/app").status == 404


def test_delete_with_preconditions_that_are_not_an_object_is_400(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "DELETE", f"{CMS}/app", body={"preconditions": "uid"})
    assert reply.status == 400, reply.body
    assert call(api, "GET", f"{CMS}/app").status == 200


# --- selectors ------------------------------------------------------------------------------------


@pytest.fixture
def labelled(quiet: MockApiserver) -> MockApiserver:
    create(quiet, CMS, configmap("a", labels={"app": "web", "tier": "fe"}))
    create(quiet, CMS, configmap("b", labels={"app": "db"}))
    create(quiet, CMS, configmap("c", labels={"app": "web"}))
    create(quiet, CMS, configmap("d"))
    return quiet


@pytest.mark.parametrize(("selector", "expected"), [
    ("app=web", ["a", "c"]),
    ("app==web", ["a", "c"]),
    ("app!=web", ["b", "d"]),
    ("app in (db,web),tier", ["a"]),
    ("app notin (web)", ["b", "d"]),
    ("!app", ["d"]),
    ("app", ["a", "b", "c"]),
])
def test_label_selector_on_list(labelled: MockApiserver, selector: str,
                                expected: list[str]) -> None:
    from urllib.parse import urlencode
    assert _names(call(labelled, "GET", CMS, urlencode({"labelSelector": selector}))) == expected


def test_malformed_label_selector_is_400(labelled: MockApiserver) -> None:
    reply = call(labelled, "GET", CMS, "labelSelector=app%20in%20(web")
    assert reply.status == 400
    assert message(reply).startswith(messages.SELECTOR_UNABLE_TO_PARSE.format(detail=""))


def test_field_selector_on_name(labelled: MockApiserver) -> None:
    assert _names(call(labelled, "GET", CMS, "fieldSelector=metadata.name%3Db")) == ["b"]
    assert _names(call(labelled, "GET", CMS, "fieldSelector=metadata.name!%3Db")) == ["a", "c", "d"]


def test_field_selector_on_pod_phase(api: MockApiserver) -> None:
    create(api, PODS, pod("running"))
    call(api, "PATCH", f"{PODS}/running/status", body={"status": {"phase": "Failed"}},
         content_type=MERGE)
    create(api, PODS, pod("other"))
    assert _names(call(api, "GET", PODS, "fieldSelector=status.phase%3DRunning")) == ["other"]
    assert _names(call(api, "GET", PODS, "fieldSelector=status.phase%3DFailed")) == ["running"]


def test_unsupported_field_selector_is_400(api: MockApiserver) -> None:
    reply = call(api, "GET", CMS, "fieldSelector=data.k%3Dv")
    assert_status(reply, 400, "BadRequest",
                  messages.SELECTOR_FIELD_NOT_SUPPORTED.format(field="data.k"))


def test_pod_field_is_not_a_configmap_field(api: MockApiserver) -> None:
    reply = call(api, "GET", CMS, "fieldSelector=status.phase%3DRunning")
    assert_status(reply, 400, "BadRequest",
                  messages.SELECTOR_FIELD_NOT_SUPPORTED.format(field="status.phase"))


# --- paging ---------------------------------------------------------------------------------------


def _page(api: MockApiserver, query: str) -> tuple[list[str], str | None]:
    reply = call(api, "GET", CMS, query)
    assert reply.status == 200, reply.body
    return _names(reply), reply.body["metadata"].get("continue")


def test_limit_and_continue_walk_every_page(quiet: MockApiserver) -> None:
    for name in ["e", "a", "d", "b", "c"]:
        create(quiet, CMS, configmap(name))
    first, token = _page(quiet, "limit=2")
    assert first == ["a", "b"] and token
    second, token = _page(quiet, f"limit=2&continue={token}")
    assert second == ["c", "d"] and token
    third, token = _page(quiet, f"limit=2&continue={token}")
    assert (third, token) == (["e"], None)


def test_a_page_that_holds_the_rest_has_no_continue(quiet: MockApiserver) -> None:
    create(quiet, CMS, configmap("a"))
    create(quiet, CMS, configmap("b"))
    assert _page(quiet, "limit=2") == (["a", "b"], None)


def test_continue_keeps_the_label_selector(labelled: MockApiserver) -> None:
    names, token = _page(labelled, "labelSelector=app&limit=1")
    assert names == ["a"]
    rest, token = _page(labelled, f"labelSelector=app&limit=5&continue={token}")
    assert (rest, token) == (["b", "c"], None)


def test_continue_survives_a_deleted_boundary_object(quiet: MockApiserver) -> None:
    for name in "abc":
        create(quiet, CMS, configmap(name))
    names, token = _page(quiet, "limit=1")
    call(quiet, "DELETE", f"{CMS}/a")
    assert _page(quiet, f"continue={token}") == (["b", "c"], None)


@pytest.mark.parametrize("token", ["garbage!", "eyJ2IjogMX0=", "W10="])
def test_garbage_continue_token_is_400(api: MockApiserver, token: str) -> None:
    reply = call(api, "GET", CMS, f"continue={token}")
    assert reply.status == 400
    assert reply.body["reason"] == "BadRequest"
    assert message(reply).startswith(messages.K8S_INVALID_CONTINUE.format(detail=""))


def test_negative_limit_is_400(api: MockApiserver) -> None:
    assert_status(call(api, "GET", CMS, "limit=-1"), 400, "BadRequest",
                  messages.K8S_INVALID_INTEGER.format(name="limit", value="-1"))


# --- query parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", CMS, None),
    ("GET", f"{CMS}/app", None),
    ("POST", CMS, {"metadata": {"name": "new"}}),
    ("DELETE", f"{CMS}/app", None),
])
def test_unknown_query_parameter_is_400_naming_it(quiet: MockApiserver, method: str, path: str,
                                                  body: dict[str, Any] | None) -> None:
    create(quiet, CMS, configmap("app"))
    reply = call(quiet, method, path, "bogus=1", body=body)
    assert_status(reply, 400, "BadRequest",
                  messages.K8S_UNSUPPORTED_PARAMETER.format(name="bogus", value="1"))
    assert _names(call(quiet, "GET", CMS)) == ["app"]


def test_list_parameter_on_a_get_is_400(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    assert_status(call(api, "GET", f"{CMS}/app", "labelSelector=a"), 400, "BadRequest",
                  messages.K8S_UNSUPPORTED_PARAMETER.format(name="labelSelector", value="a"))


def test_resource_version_match_exact_is_refused(api: MockApiserver) -> None:
    assert_status(call(api, "GET", CMS, "resourceVersionMatch=Exact&resourceVersion=1"),
                  400, "BadRequest", messages.K8S_UNSUPPORTED_PARAMETER.format(
                      name="resourceVersionMatch", value="Exact"))


def test_field_validation_wrong_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, "fieldValidation=Wrong", body=configmap("app"))
    assert_status(reply, 400, "BadRequest",
                  messages.K8S_INVALID_FIELD_VALIDATION.format(value="Wrong"))


@pytest.mark.parametrize("value", ["Ignore", "Warn", "Strict"])
def test_field_validation_values_kubectl_sends_are_accepted(api: MockApiserver, value: str) -> None:
    assert call(api, "POST", CMS, f"fieldValidation={value}", body=configmap("app")).status == 201


def test_pretty_and_timeout_are_accepted_everywhere(api: MockApiserver) -> None:
    assert call(api, "GET", CMS, "pretty=true&timeout=32s").status == 200


# --- malformed bodies -----------------------------------------------------------------------------


def _json_error(raw: bytes) -> str:
    try:
        json.loads(raw)
    except ValueError as exc:
        return str(exc)
    raise AssertionError("expected invalid JSON")


def test_malformed_json_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, body=b"{not json")
    assert_status(reply, 400, "BadRequest",
                  messages.K8S_DECODE_ERROR.format(detail=_json_error(b"{not json")))


def test_malformed_json_on_update_is_400(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PUT", f"{CMS}/app", body=b'{"metadata": ')
    assert_status(reply, 400, "BadRequest",
                  messages.K8S_DECODE_ERROR.format(detail=_json_error(b'{"metadata": ')))


def test_malformed_merge_patch_is_400(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PATCH", f"{CMS}/app", body=b"{oops", content_type=MERGE)
    assert reply.status == 400
    assert message(reply).startswith(messages.PATCH_INVALID_JSON.format(detail=""))


def test_json_list_body_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, body=[configmap("app")])
    assert_status(reply, 400, "BadRequest", messages.K8S_BODY_NOT_OBJECT.format(detail="list"))


def test_metadata_that_is_not_an_object_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, body={"metadata": "app"})
    assert_status(reply, 400, "BadRequest", go_refusal("ConfigMap", "json: cannot unmarshal "
                  "string into Go struct field ConfigMap.metadata of type v1.ObjectMeta"))


def test_wrong_api_version_in_the_body_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, body={**configmap("app"), "apiVersion": "apps/v1"})
    assert_status(reply, 400, "BadRequest",
                  messages.K8S_KIND_MISMATCH.format(got="apps/v1", want="v1"))


def test_wrong_kind_in_the_body_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, body={**configmap("app"), "kind": "Secret"})
    assert_status(reply, 400, "BadRequest",
                  messages.K8S_KIND_WRONG.format(kind="Secret", version="v1", want="ConfigMap"))


def test_unknown_body_media_type_is_415(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, body=b"name=app", content_type="text/plain")
    assert_status(reply, 415, "UnsupportedMediaType", messages.K8S_UNSUPPORTED_MEDIA_TYPE.format(
        accepted="application/json, application/yaml"))


def test_yaml_body_with_an_unquoted_date_is_not_a_500(api: MockApiserver) -> None:
    body = b"metadata:\n  name: dated\ndata:\n  when: 2024-01-02\n"
    reply = call(api, "POST", CMS, body=body, content_type="application/yaml")
    assert reply.status in (201, 400), reply.body


def test_nan_in_a_json_body_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", PODS, body=b'{"metadata": {"name": "p"}, '
                 b'"spec": {"containers": [], "terminationGracePeriodSeconds": NaN}}')
    assert reply.status == 400, reply.body


def test_server_side_apply_updates_and_records_the_manager(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PATCH", f"{CMS}/app", "fieldManager=tool&force=true",
                 body=b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {k: v}",
                 content_type=APPLY)
    assert reply.status == 200, reply.body
    assert reply.body["data"]["k"] == "v"
    entry = next(e for e in reply.body["metadata"]["managedFields"] if e["manager"] == "tool")
    assert (entry["operation"], entry["fieldsV1"]) == ("Apply", {"f:data": {"f:k": {}}})


def test_server_side_apply_needs_a_field_manager(api: MockApiserver) -> None:
    reply = call(api, "PATCH", f"{CMS}/new", body=b"{}", content_type=APPLY)
    assert_status(reply, 422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                  'Required value: is required for apply patch')


def test_force_is_for_apply_alone(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PATCH", f"{CMS}/app", "force=true", body={"data": {"k": "v"}},
                 content_type="application/merge-patch+json")
    assert_status(reply, 422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: force: '
                  'Forbidden: may not be specified for non-apply patch')


def test_server_side_apply_of_a_new_object_creates_it(api: MockApiserver) -> None:
    reply = call(api, "PATCH", f"{CMS}/new", "fieldManager=kubectl",
                 body=b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new}\ndata: {a: b}\n",
                 content_type=APPLY)
    assert reply.status == 201, reply.body
    assert [e["operation"] for e in reply.body["metadata"]["managedFields"]] == ["Apply"]
    assert reply.body["data"] == {"a": "b"}


def test_empty_metadata_maps_are_not_stored(api: MockApiserver) -> None:
    # kubectl diff's strategic patch holds "annotations": {}; kube decodes every write into the
    # typed ObjectMeta, whose maps and lists are omitempty, so none of them comes back empty.
    create(api, CMS, {**configmap("app"), "metadata": {"name": "app", "labels": {},
                                                       "finalizers": []}})
    reply = call(api, "PATCH", f"{CMS}/app", "dryRun=All",
                 body={"metadata": {"annotations": {}, "labels": {}}, "data": {"k": "v"}},
                 content_type=STRATEGIC)
    assert reply.status == 200, reply.body
    assert {"annotations", "labels", "finalizers"} & set(reply.body["metadata"]) == set()
    assert reply.body["data"]["k"] == "v"


def test_patch_with_an_unknown_media_type_is_415(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PATCH", f"{CMS}/app", body={"data": {}})
    assert reply.status == 415
    assert reply.body["reason"] == "UnsupportedMediaType"


def test_protobuf_only_accept_is_406(api: MockApiserver) -> None:
    reply = call(api, "GET", CMS, accept=PROTOBUF)
    assert_status(reply, 406, "NotAcceptable", messages.K8S_NOT_ACCEPTABLE)


def test_protobuf_with_json_fallback_is_served_as_json(api: MockApiserver) -> None:
    reply = call(api, "GET", CMS, accept=f"{PROTOBUF}, application/json")
    assert reply.status == 200
    assert reply.body["kind"] == "ConfigMapList"


def test_protobuf_body_of_a_kind_without_a_schema_is_415(quiet: MockApiserver) -> None:
    # Every kind of k8s.io/quiet has a message; a custom resource's kind has none.
    reply = call(quiet, "POST", CMS, body=_protobuf_envelope("stable.example.com/v1", "CronTab"),
                 content_type=PROTOBUF)
    assert_status(reply, 415, "UnsupportedMediaType",
                  messages.K8S_PROTOBUF_UNSUPPORTED.format(kind="CronTab"))
    assert call(quiet, "GET", CMS).body["items"] == []


def test_protobuf_whoami_is_served(api: MockApiserver) -> None:
    reply = call(api, "POST", WHOAMI,
                 body=_protobuf_envelope("authentication.k8s.io/v1", "SelfSubjectReview"),
                 content_type=PROTOBUF)
    assert reply.status == 201
    assert reply.body["status"]["userInfo"]["username"] == ADMIN.name


# --- paths and methods ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/apis/nope/v1/things", "/apis/nope", "/apis/apps/v9/deployments", "/api/v1/bogus", "/foo",
    "/api/v1/namespaces/default/bogus", "/api/v1/namespaces/default/pods/web/bogus",
    "/api/v1/namespaces/default/configmaps/a/b/c", "/api/v1/pods/web",
    "/api/v1/namespaces/default/nodes/n1",
])
def test_unknown_paths_are_404(api: MockApiserver, path: str) -> None:
    assert_status(call(api, "GET", path), 404, "NotFound", messages.K8S_PATH_NOT_FOUND)


@pytest.mark.parametrize("path", ["/apis/nope/v1", "/api/v2"])
def test_unknown_group_versions_are_404(api: MockApiserver, path: str) -> None:
    assert_status(call(api, "GET", path), 404, "NotFound", messages.K8S_PATH_NOT_FOUND)


@pytest.mark.parametrize(("method", "path"), [
    ("POST", f"{PODS}/web/exec"),
    ("GET", f"{PODS}/web/exec"),
    ("POST", f"{PODS}/web/attach"),
    ("POST", f"{PODS}/web/portforward"),
])
def test_streaming_subresource_without_an_upgrade_is_400(api: MockApiserver, method: str,
                                                         path: str) -> None:
    # A plain request (or a SPDY POST, which an ASGI server cannot switch to) gets kube's answer.
    reply = call(api, method, path, "command=ls&stdout=true" if path.endswith("exec") else "")
    assert_status(reply, 400, "BadRequest", messages.K8S_UPGRADE_REQUIRED)


@pytest.mark.parametrize(("method", "path", "resource", "subresource"), [
    ("GET", f"{PODS}/web/proxy", "pods", "proxy"),
    ("PUT", f"{PODS}/web/proxy", "pods", "proxy"),
])
def test_unserved_subresource_is_400_naming_it(api: MockApiserver, method: str, path: str,
                                               resource: str, subresource: str) -> None:
    reply = call(api, method, path, "command=ls&stdout=true" if subresource == "exec" else "")
    assert_status(reply, 400, "BadRequest", messages.K8S_SUBRESOURCE_UNSUPPORTED.format(
        resource=resource, subresource=subresource))


@pytest.mark.parametrize(("method", "path"), [
    ("POST", f"{CMS}/app"),
    ("PUT", CMS),
    ("PATCH", CMS),
    ("POST", "/version"),
    ("DELETE", "/api"),
])
def test_method_the_path_does_not_take_is_405(api: MockApiserver, method: str, path: str) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, method, path, body=configmap("app"), content_type=MERGE
                 if method == "PATCH" else None)
    assert_status(reply, 405, "MethodNotAllowed", messages.K8S_METHOD_NOT_ALLOWED)


def test_delete_on_the_status_subresource_is_405(api: MockApiserver) -> None:
    create(api, PODS, pod("web"))
    reply = call(api, "DELETE", f"{PODS}/web/status")
    assert_status(reply, 405, "MethodNotAllowed", messages.K8S_METHOD_NOT_ALLOWED)
    assert call(api, "GET", f"{PODS}/web").status == 200


def test_put_on_the_log_subresource_is_405(api: MockApiserver) -> None:
    create(api, PODS, pod("web"))
    reply = call(api, "PUT", f"{PODS}/web/log", body={})
    assert_status(reply, 405, "MethodNotAllowed", messages.K8S_METHOD_NOT_ALLOWED)


def test_get_on_a_create_only_review_resource_is_405(api: MockApiserver) -> None:
    reply = call(api, "GET", WHOAMI)
    assert_status(reply, 405, "MethodNotAllowed", messages.K8S_METHOD_NOT_ALLOWED)


def test_head_is_served_like_get(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    assert call(api, "HEAD", "/version").status == 200
    assert call(api, "HEAD", f"{CMS}/app").status == 200
    assert_status(call(api, "HEAD", "/foo"), 404, "NotFound", messages.K8S_PATH_NOT_FOUND)


def test_health_endpoints_answer_ok(api: MockApiserver) -> None:
    for path in ("/healthz", "/livez", "/readyz"):
        assert call(api, "GET", path) == (200, b"ok")


# --- Tables ---------------------------------------------------------------------------------------


def test_list_as_table(quiet: MockApiserver, clock: FakeClock) -> None:
    create(quiet, CMS, configmap("app", data={"a": "1", "b": "2"}))
    clock.advance(90)
    reply = call(quiet, "GET", CMS, accept=f"{TABLE_ACCEPT},application/json")
    assert reply.status == 200
    table = reply.body
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert [row["cells"] for row in table["rows"]] == [["app", 2, "90s"]]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert table["rows"][0]["object"]["metadata"]["name"] == "app"
    assert table["metadata"]["resourceVersion"] == str(quiet.store.resource_version)


def test_get_as_table_has_one_row(api: MockApiserver) -> None:
    created = create(api, NAMESPACES, {"metadata": {"name": "team"}})
    reply = call(api, "GET", f"{NAMESPACES}/team", accept=TABLE_ACCEPT)
    assert [row["cells"] for row in reply.body["rows"]] == [["team", "Active", "0s"]]
    assert reply.body["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_table_with_include_object_carries_the_object(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    reply = call(api, "GET", CMS, "includeObject=Object", accept=TABLE_ACCEPT)
    assert reply.body["rows"][0]["object"] == created


def test_table_with_a_bad_include_object_is_400(api: MockApiserver) -> None:
    assert_status(call(api, "GET", CMS, "includeObject=All", accept=TABLE_ACCEPT), 400,
                  "BadRequest", messages.TABLE_INVALID_INCLUDE_OBJECT.format(value="All"))


def test_table_page_carries_the_continue_token(api: MockApiserver) -> None:
    for name in "abc":
        create(api, CMS, configmap(name))
    plain = call(api, "GET", CMS, "limit=2").body["metadata"]["continue"]
    table = call(api, "GET", CMS, "limit=2", accept=TABLE_ACCEPT).body
    assert len(table["rows"]) == 2
    assert table["metadata"]["continue"] == plain


def test_pod_table_shows_running(api: MockApiserver) -> None:
    create(api, PODS, pod("web"))
    cells = call(api, "GET", f"{PODS}/web", accept=TABLE_ACCEPT).body["rows"][0]["cells"]
    assert cells[:4] == ["web", "1/1", "Running", "0"]


# --- discovery and OpenAPI ------------------------------------------------------------------------


def test_version_reports_the_cluster_version(api: MockApiserver) -> None:
    reply = call(api, "GET", "/version")
    assert reply.status == 200
    assert reply.body["gitVersion"] == CLUSTER_VERSION
    assert (reply.body["major"], reply.body["minor"]) == ("1", "30")


def test_version_follows_the_constructor_argument(clock: FakeClock) -> None:
    other = MockApiserver("old", "v1.29.8", clock)
    other.authenticator.add(ADMIN_TOKEN, ADMIN)
    assert call(other, "GET", "/version").body["gitVersion"] == "v1.29.8"


def test_legacy_api_discovery(api: MockApiserver) -> None:
    reply = call(api, "GET", "/api", accept="application/json")
    assert reply.body["kind"] == "APIVersions"
    assert reply.body["versions"] == ["v1"]


@pytest.mark.parametrize("version", ["v2", "v2beta1"])
def test_aggregated_api_discovery(api: MockApiserver, version: str) -> None:
    accept = (f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList,"
              "application/json")
    response = run(api.handle(request("GET", "/api", accept=accept)))
    assert response.status == 200
    assert response.content_type == discovery.aggregated_content_type(version)
    body = json.loads(response.body)
    assert body["kind"] == "APIGroupDiscoveryList"
    assert body["apiVersion"] == f"apidiscovery.k8s.io/{version}"
    resources = {r["resource"] for r in body["items"][0]["versions"][0]["resources"]}
    assert {"pods", "configmaps", "namespaces"} <= resources


def test_legacy_apis_discovery_lists_the_groups(api: MockApiserver) -> None:
    reply = call(api, "GET", "/apis")
    assert reply.body["kind"] == "APIGroupList"
    assert [g["name"] for g in reply.body["groups"]] == api.registry.groups()
    assert "batch" in api.registry.groups()


def test_aggregated_apis_discovery(api: MockApiserver) -> None:
    reply = call(api, "GET", "/apis",
                 accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
    assert reply.body["kind"] == "APIGroupDiscoveryList"
    names = [g["metadata"]["name"] for g in reply.body["items"]]
    # kube-aggregator's group order, which puts its own group first
    assert names[:3] == ["apiregistration.k8s.io", "apps", "events.k8s.io"]
    assert names == api.registry.groups()


def test_group_version_resource_list(api: MockApiserver) -> None:
    reply = call(api, "GET", "/apis/apps/v1")
    assert reply.body["kind"] == "APIResourceList"
    assert reply.body["groupVersion"] == "apps/v1"
    assert {"deployments", "deployments/status"} <= {r["name"] for r in reply.body["resources"]}


def test_openapi_v3_index_links_fetchable_documents(api: MockApiserver) -> None:
    index = call(api, "GET", "/openapi/v3").body
    assert {"api/v1", "apis/apps/v1"} <= set(index["paths"])
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    path, _, query = url.partition("?")
    assert query.startswith("hash=")
    document = call(api, "GET", path, query)
    assert document.status == 200
    assert document.body["openapi"].startswith("3.")


def test_openapi_v3_unknown_document_is_404(api: MockApiserver) -> None:
    assert_status(call(api, "GET", "/openapi/v3/apis/nope/v1"), 404, "NotFound",
                  messages.K8S_PATH_NOT_FOUND)


# --- the fake node and controllers ----------------------------------------------------------------


def test_pod_is_scheduled_and_running(api: MockApiserver, clock: FakeClock) -> None:
    answer = create(api, PODS, pod("web", "main", "sidecar"))
    # kube answers a create with the pod as stored: Pending, bound to no node yet.
    assert (answer["status"], answer["spec"].get("nodeName")) == (
        {"phase": "Pending", "qosClass": "BestEffort"}, None)
    created = call(api, "GET", f"{PODS}/web").body  # the scheduler and kubelet, before any read
    status = created["status"]
    assert status["phase"] == "Running"
    assert re.fullmatch(r"10\.244\.\d+\.\d+", status["podIP"])
    assert status["podIPs"] == [{"ip": status["podIP"]}]
    assert status["startTime"] == rfc3339(clock.now())
    assert [(c["name"], c["ready"], c["started"]) for c in status["containerStatuses"]] == [
        ("main", True, True), ("sidecar", True, True)]
    assert {c["type"]: c["status"] for c in status["conditions"]}["Ready"] == "True"
    assert created["spec"]["nodeName"] == f"{CLUSTER_NAME}-node-1"


def test_pods_get_distinct_ips(api: MockApiserver) -> None:
    for i in range(5):
        create(api, PODS, pod(f"p{i}"))
    ips = {call(api, "GET", f"{PODS}/p{i}").body["status"]["podIP"] for i in range(5)}
    assert len(ips) == 5


def test_pod_node_exists(api: MockApiserver) -> None:
    create(api, PODS, pod("web"))
    created = call(api, "GET", f"{PODS}/web").body
    assert call(api, "GET", f"/api/v1/nodes/{created['spec']['nodeName']}").status == 200


def test_service_gets_a_cluster_ip(api: MockApiserver) -> None:
    created = create(api, SERVICES, {"metadata": {"name": "web"},
                                     "spec": {"ports": [{"port": 80}]}})
    spec = created["spec"]
    # The first of the upper band (10.96.1.1 up), which kube keeps for the IPs it picks; the
    # lower one is left to the IPs clients choose (10.96.0.1 is the kubernetes service's).
    assert spec["clusterIP"] == "10.96.1.1"
    assert spec["clusterIPs"] == ["10.96.1.1"]
    assert spec["type"] == "ClusterIP"
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]


def test_services_get_distinct_cluster_ips(api: MockApiserver) -> None:
    ips = {create(api, SERVICES, {"metadata": {"name": f"s{i}"}, "spec": {"ports": [
        {"port": 80}]}})["spec"]["clusterIP"] for i in range(3)}
    assert len(ips) == 3 and "10.96.0.1" not in ips


def test_headless_service_keeps_cluster_ip_none(api: MockApiserver) -> None:
    created = create(api, SERVICES, {"metadata": {"name": "db"}, "spec": {"clusterIP": "None"}})
    assert created["spec"]["clusterIP"] == "None"


def test_service_update_without_cluster_ip_keeps_it(api: MockApiserver) -> None:
    created = create(api, SERVICES, {"metadata": {"name": "web"},
                                     "spec": {"ports": [{"port": 80}]}})
    reply = call(api, "PUT", f"{SERVICES}/web",
                 body={"metadata": {"name": "web"}, "spec": {"ports": [{"port": 8080}]}})
    assert reply.status == 200
    assert reply.body["spec"]["clusterIP"] == created["spec"]["clusterIP"]
    assert reply.body["spec"]["clusterIPs"] == created["spec"]["clusterIPs"]


def test_secret_string_data_is_merged_into_data(api: MockApiserver) -> None:
    created = create(api, "/api/v1/namespaces/default/secrets", {
        "metadata": {"name": "creds"}, "data": {"user": "YWRtaW4="},
        "stringData": {"password": "s3cret"}})
    assert created["data"] == {"user": "YWRtaW4=", "password": "czNjcmV0"}
    assert "stringData" not in created
    assert created["type"] == "Opaque"


def test_secret_string_data_wins_over_data_on_update(api: MockApiserver) -> None:
    create(api, "/api/v1/namespaces/default/secrets", {"metadata": {"name": "creds"}})
    reply = call(api, "PUT", "/api/v1/namespaces/default/secrets/creds", body={
        "metadata": {"name": "creds"}, "data": {"k": "b2xk"}, "stringData": {"k": "new"}})
    assert reply.body["data"] == {"k": "bmV3"}
    assert "stringData" not in reply.body


def test_secret_string_data_that_is_not_strings_is_400(api: MockApiserver) -> None:
    reply = call(api, "POST", "/api/v1/namespaces/default/secrets",
                 body={"metadata": {"name": "creds"}, "stringData": {"n": 1}})
    assert_status(reply, 400, "BadRequest", go_refusal("Secret", "json: cannot unmarshal number "
                  "into Go struct field Secret.stringData of type string"))


def test_allocated_cluster_ips_skip_ones_clients_chose(api: MockApiserver) -> None:
    create(api, SERVICES, {"metadata": {"name": "fixed"},
                           "spec": {"clusterIP": "10.96.1.2", "ports": [{"port": 80}]}})
    ips = [create(api, SERVICES, {"metadata": {"name": f"s{i}"}, "spec": {"ports": [
        {"port": 80}]}})["spec"]["clusterIP"] for i in range(2)]
    assert ips == ["10.96.1.1", "10.96.1.3"]


def test_kubernetes_service_is_booted(api: MockApiserver) -> None:
    reply = call(api, "GET", f"{SERVICES}/kubernetes")
    assert reply.body["spec"]["clusterIP"] == "10.96.0.1"


def test_default_namespace_has_a_default_service_account(api: MockApiserver) -> None:
    assert call(api, "GET", "/api/v1/namespaces/default/serviceaccounts/default").status == 200


def test_a_clients_create_cannot_set_status(api: MockApiserver) -> None:
    made = create(api, PODS, {**pod("fresh"), "status": {"phase": "Failed"}})
    assert made["status"]["phase"] == "Pending"  # the pod strategy's, not the client's
    assert call(api, "GET", f"{PODS}/fresh").body["status"]["phase"] == "Running"  # the kubelet's
    deploy = create(api, DEPLOYS, {**deployment("quiet"), "status": {"readyReplicas": 9}})
    assert "status" not in deploy


def test_seeding_keeps_a_scenario_status(api: MockApiserver) -> None:
    seeded = api.seed({"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": "done", "namespace": "default"},
                       "spec": {"containers": [{"name": "main", "image": "busybox"}]},
                       "status": {"phase": "Succeeded"}})
    assert seeded["status"]["phase"] == "Succeeded"


def test_a_created_deployments_managed_fields_are_kubes(api: MockApiserver) -> None:
    # kube compares a create with Go's zero Deployment, whose spec.template and spec.strategy are
    # non-pointer structs: they get no "." of their own, the new labels map and the pointer
    # rollingUpdate do. The shape is a real cluster's, as recorded with
    # `kubectl get deployment --show-managed-fields -o yaml` in
    # github.com/openshift/cluster-network-operator pull 3121 (f:strategy without ".",
    # f:rollingUpdate and f:labels with it).
    reply = call(api, "POST", "/apis/apps/v1/namespaces/default/deployments",
                 "fieldManager=kubectl-create", body={
                     "apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": {"name": "web", "labels": {"app": "web"}},
                     "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                         "metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})
    assert reply.status == 201, reply.body
    [entry] = reply.body["metadata"]["managedFields"]
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {
            "f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {},
            "f:selector": {},
            "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                           "f:type": {}},
            "f:template": {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:containers": {'k:{"name":"nginx"}': {
                        ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
                        "f:resources": {}, "f:terminationMessagePath": {},
                        "f:terminationMessagePolicy": {}}},
                    "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                    "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}}}}
