"""Server-side field validation (fieldValidation=Strict|Warn|Ignore) in the mock apiserver: unknown
and duplicate fields of create, update and patch bodies, worded, ordered and placed as
kube-apiserver does (sigs.k8s.io/json paths; transformDecodeError for bodies, an invalid
``patch`` for patches)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.cluster.mock.registry import fieldvalidation
from emulator.cluster.mock.apiserver import MockApiserver
from tests.unit.cluster.mock.conftest import (
    assert_status,
    call,
    configmap,
    create,
    deployment,
    pod,
    run,
    send,
)

CMS = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
STRICT = "fieldValidation=Strict"
STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


def cannot_handle(kind: str, detail: str, version: str = "v1") -> str:
    return f'{kind} in version "{version}" cannot be handled as a {kind}: {detail}'


def warnings(api: MockApiserver, method: str, path: str, query: str, body: Any,
             content_type: str | None = None) -> tuple[int, list[str]]:
    answer = run(send(api, method, path, query, body, content_type=content_type))
    return answer.status, [v for k, v in answer.headers if k == "warning"]


def typo_pod(name: str = "web") -> dict[str, Any]:
    body = pod(name, "main")
    body["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    return body


# --- create and update ------------------------------------------------------------------------


def test_strict_create_names_the_unknown_field(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, STRICT, body={**configmap("app"), "bogus": 1})
    assert_status(reply, 400, "BadRequest",
                  cannot_handle("ConfigMap", 'strict decoding error: unknown field "bogus"'))
    assert call(api, "GET", f"{CMS}/app").status == 404


def test_nested_paths_use_indexes_and_dots(api: MockApiserver) -> None:
    reply = call(api, "POST", PODS, STRICT, body=typo_pod())
    assert_status(reply, 400, "BadRequest", cannot_handle(
        "Pod", 'strict decoding error: unknown field "spec.containers[0].imagePullPolcy"'))


def test_every_problem_is_listed_once_in_document_order(api: MockApiserver) -> None:
    raw = (b'{"apiVersion":"v1","kind":"ConfigMap","zeta":1,'
           b'"metadata":{"name":"app","name":"app","labelz":{},"labels":{"a":"1","a":"2"}},'
           b'"zeta":2,"data":{"k":"v"}}')
    reply = call(api, "POST", CMS, STRICT, body=raw)
    assert_status(reply, 400, "BadRequest", cannot_handle("ConfigMap", (
        'strict decoding error: unknown field "zeta", duplicate field "metadata.name", '
        'unknown field "metadata.labelz", duplicate field "metadata.labels.a"')))


def test_a_deployment_names_its_own_version(api: MockApiserver) -> None:
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "main", "image": "x",
                                                           "port": 80}]}}}}
    reply = call(api, "POST", DEPLOYS, STRICT, body=body)
    assert_status(reply, 400, "BadRequest", cannot_handle(
        "Deployment",
        'strict decoding error: unknown field "spec.template.spec.containers[0].port"'))


def test_strict_update_refuses_as_create_does(api: MockApiserver) -> None:
    current = create(api, CMS, configmap("app"))
    reply = call(api, "PUT", f"{CMS}/app", STRICT, body={**current, "dta": {"k": "v"}})
    assert_status(reply, 400, "BadRequest",
                  cannot_handle("ConfigMap", 'strict decoding error: unknown field "dta"'))


def test_without_the_parameter_the_field_is_dropped_with_a_warning(api: MockApiserver) -> None:
    status, sent = warnings(api, "POST", CMS, "", {**configmap("app"), "bogus": 1})
    assert (status, sent) == (201, ['299 - "unknown field \\"bogus\\""'])
    assert "bogus" not in call(api, "GET", f"{CMS}/app").body


@pytest.mark.parametrize("query", ["fieldValidation=Warn", "fieldValidation="])
def test_warn_is_the_default_spelled_out(api: MockApiserver, query: str) -> None:
    status, sent = warnings(api, "POST", PODS, query, typo_pod())
    assert (status, sent) == (201, ['299 - "unknown field \\"spec.containers[0].imagePullPolcy\\""'])
    stored = call(api, "GET", f"{PODS}/web").body
    assert "imagePullPolcy" not in stored["spec"]["containers"][0]


def test_ignore_drops_the_field_silently(api: MockApiserver) -> None:
    status, sent = warnings(api, "POST", CMS, "fieldValidation=Ignore",
                            {**configmap("app"), "bogus": 1})
    assert (status, sent) == (201, [])
    assert "bogus" not in call(api, "GET", f"{CMS}/app").body


def test_a_wrong_json_type_outranks_strictness(api: MockApiserver) -> None:
    reply = call(api, "POST", PODS, STRICT, body={**pod("web", "main"), "spec": "x", "bogus": 1})
    assert reply.status == 400
    assert "strict decoding" not in reply.body["message"]


def test_real_fields_the_schema_leaves_out_are_accepted_and_kept(api: MockApiserver) -> None:
    body = pod("web", "main")
    body["spec"]["volumes"] = [{"name": "legacy", "gcePersistentDisk": {"pdName": "disk-1"}}]
    reply = call(api, "POST", PODS, STRICT, body=body)
    assert reply.status == 201, reply.body
    assert reply.body["spec"]["volumes"][0]["gcePersistentDisk"] == {"pdName": "disk-1"}


def test_free_form_values_are_not_field_names(api: MockApiserver) -> None:
    body = configmap("app", labels={"anything.example.com/goes": "yes"}, data={"bogus": "1"})
    body["metadata"]["annotations"] = {"x": "y"}
    body["metadata"]["managedFields"] = [{"manager": "kubectl", "operation": "Update",
                                          "fieldsType": "FieldsV1",
                                          "fieldsV1": {"f:data": {"f:bogus": {}}}}]
    status, sent = warnings(api, "POST", CMS, STRICT, body)
    assert (status, sent) == (201, [])


def test_an_invalid_directive_is_refused(api: MockApiserver) -> None:
    reply = call(api, "POST", CMS, "fieldValidation=Loud", body=configmap("app"))
    assert reply.status == 400
    assert "fieldValidation must be one of" in reply.body["message"]


# --- at any depth, as the schema says ------------------------------------------------------------


DEPTH_TYPO = 'unknown field "spec.template.spec.containers[0].imagee"'


def typo_deployment(name: str = "web") -> dict[str, Any]:
    body = deployment(name)
    body["spec"]["template"]["spec"]["containers"][0]["imagee"] = "nginx:1.27"
    return body


def test_strict_refuses_a_typo_deep_in_a_pod_template(api: MockApiserver) -> None:
    reply = call(api, "POST", DEPLOYS, STRICT, body=typo_deployment())
    assert_status(reply, 400, "BadRequest", cannot_handle(
        "Deployment", f"strict decoding error: {DEPTH_TYPO}"))
    assert call(api, "GET", f"{DEPLOYS}/web").status == 404


def test_warn_keeps_the_object_without_the_deep_typo(api: MockApiserver) -> None:
    status, sent = warnings(api, "POST", DEPLOYS, "fieldValidation=Warn", typo_deployment())
    assert (status, sent) == (
        201, ['299 - "unknown field \\"spec.template.spec.containers[0].imagee\\""'])
    stored = call(api, "GET", f"{DEPLOYS}/web").body
    container = stored["spec"]["template"]["spec"]["containers"][0]
    assert "imagee" not in container and container["image"] == "nginx:1.25"


def test_ignore_accepts_the_deep_typo_silently(api: MockApiserver) -> None:
    status, sent = warnings(api, "POST", DEPLOYS, "fieldValidation=Ignore", typo_deployment())
    assert (status, sent) == (201, [])
    stored = call(api, "GET", f"{DEPLOYS}/web").body
    assert "imagee" not in stored["spec"]["template"]["spec"]["containers"][0]


def test_problems_inside_lists_and_maps_of_objects() -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                        "openAPIV3Schema": {"type": "object", "properties": {
                            "spec": {"type": "object", "typ": "x",
                                     "properties": {"size": {"type": "integer"}}}}}}}]}}
    raw = json.dumps(crd).replace('"served": true', '"served": true, "served": false')
    checked = fieldvalidation.check(fieldvalidation.parse_json(raw), "CustomResourceDefinition")
    assert checked.problems == (
        'duplicate field "spec.versions[0].served"',
        'unknown field "spec.versions[0].schema.openAPIV3Schema.properties.spec.typ"')
    assert "typ" not in checked.obj["spec"]["versions"][0]["schema"]["openAPIV3Schema"][
        "properties"]["spec"]


@pytest.mark.parametrize(("kind", "body"), [
    # RawExtension: any JSON at all
    ("ControllerRevision", {"apiVersion": "apps/v1", "kind": "ControllerRevision",
                            "metadata": {"name": "r"}, "revision": 1,
                            "data": {"spec": {"anything": [{"goes": True}]}}}),
    # IntOrString and Quantity
    ("Deployment", {**deployment("web"), "spec": {
        **deployment("web")["spec"],
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}}}}),
    ("Pod", {**pod("web", "main"), "spec": {"containers": [
        {"name": "main", "image": "x", "resources": {"limits": {"cpu": "500m", "memory": 1}}}]}}),
])
def test_free_form_types_are_never_looked_into(kind: str, body: dict[str, Any]) -> None:
    assert fieldvalidation.check(body, kind).problems == ()


def test_the_minor_decides_which_fields_exist() -> None:
    body = pod("web", "main")
    body["spec"]["resourceClaims"] = [{"name": "gpu"}]
    assert fieldvalidation.check(body, "Pod", minor=25).problems == (
        'unknown field "spec.resourceClaims"',)
    assert fieldvalidation.check(body, "Pod", minor=26).problems == ()


def test_a_kind_without_a_schema_keeps_every_field() -> None:
    raw = '{"apiVersion":"example.com/v1","kind":"Widget","spec":{"a":1,"a":2,"b":{}}}'
    checked = fieldvalidation.check(fieldvalidation.parse_json(raw), "Widget")
    assert checked.problems == ('duplicate field "spec.a"',)
    assert checked.obj == {"apiVersion": "example.com/v1", "kind": "Widget",
                           "spec": {"a": 2, "b": {}}}


# --- patch ------------------------------------------------------------------------------------


def test_strict_strategic_patch_is_an_invalid_patch_quoting_the_map(api: MockApiserver) -> None:
    create(api, PODS, pod("web", "main"))
    patch = {"spec": {"containers": [{"name": "main", "imagePullPolcy": "Always"}]}}
    reply = call(api, "PATCH", f"{PODS}/web", STRICT, body=patch, content_type=STRATEGIC)
    value = '"map[spec:map[containers:[map[imagePullPolcy:Always name:main]]]]"'
    detail = 'strict decoding error: unknown field "spec.containers[0].imagePullPolcy"'
    assert_status(reply, 422, "Invalid", f' "" is invalid: patch: Invalid value: {value}: {detail}')
    assert reply.body["details"] == {"causes": [
        {"reason": "FieldValueInvalid", "message": f"Invalid value: {value}: {detail}",
         "field": "patch"}]}
    assert "imagePullPolcy" not in json.dumps(call(api, "GET", f"{PODS}/web").body)


def test_strict_merge_patch_quotes_the_patched_object(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PATCH", f"{CMS}/app", STRICT, body={"dta": {"k": "<v>"}},
                 content_type=MERGE)
    assert reply.status == 422
    message = reply.body["message"]
    assert message.startswith(' "" is invalid: patch: Invalid value: "{\\"apiVersion\\":\\"v1\\",')
    assert '\\"dta\\":{\\"k\\":\\"\\\\u003cv\\\\u003e\\"}' in message  # Go escapes < and >
    assert message.endswith('": strict decoding error: unknown field "dta"')


def test_a_strategic_patch_with_duplicate_keys(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    reply = call(api, "PATCH", f"{CMS}/app", STRICT, content_type=STRATEGIC,
                 body=b'{"data":{"k":"1","k":"2"}}')
    assert reply.status == 422
    assert reply.body["message"].endswith(
        'strict decoding error: duplicate field "data.k"')


def test_json_patch_operations_are_decoded_strictly(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    ops = [{"op": "add", "path": "/data", "value": {"k": "v"}, "valu": 1}]
    reply = call(api, "PATCH", f"{CMS}/app", STRICT, body=ops, content_type=JSON_PATCH)
    assert reply.status == 422
    assert reply.body["message"].endswith(
        'strict decoding error: json patch unknown field "[0].valu"')


def test_a_patch_warns_by_default_and_drops_the_field(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    status, sent = warnings(api, "PATCH", f"{CMS}/app", "", {"bogus": 1, "data": {"k": "v"}},
                            content_type=STRATEGIC)
    assert (status, sent) == (200, ['299 - "unknown field \\"bogus\\""'])
    stored = call(api, "GET", f"{CMS}/app").body
    assert ("bogus" in stored, stored["data"]) == (False, {"k": "v"})


def test_a_clean_strict_patch_succeeds(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    status, sent = warnings(api, "PATCH", f"{CMS}/app", STRICT, {"data": {"k": "v"}},
                            content_type=MERGE)
    assert (status, sent) == (200, [])


# --- Go's formatting ---------------------------------------------------------------------------


def test_go_value_prints_maps_sorted_as_fmt_does() -> None:
    value = {"b": [1, 2.5, None, True], "a": {"z": "x y", "c": 1.0}}
    assert fieldvalidation.go_value(value) == "map[a:map[c:1 z:x y] b:[1 2.5 <nil> true]]"


def test_go_quote_escapes_as_strconv_does() -> None:
    assert fieldvalidation.go_quote('a"b\\c\nd\x01é') == '"a\\"b\\\\c\\nd\\x01é"'
