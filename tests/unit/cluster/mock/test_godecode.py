"""Typed decoding (godecode.py): a body's values of the wrong type refused as kube's Go decoder
refuses them, in its words, whatever fieldValidation says.

The fixture's cases are Go's own answers (tests/fixtures/go-decode/, recorded by
tools/kubedata/godecode_fixtures.py from sigs.k8s.io/json, time.Parse and encoding/base64).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry import fieldvalidation, godecode, gotime, quantities
from tests.unit.cluster.mock.conftest import assert_status, call, create, deployment

CASES = json.loads((Path(__file__).parents[3] / "fixtures/go-decode/cases.json").read_text())
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
SECRETS = "/api/v1/namespaces/default/secrets"
LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
SMP = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"


def mock_answer(kind: str, body: str) -> str | None:
    if kind in ("time", "microtime"):
        return gotime.parse_error(body, gotime.RFC3339 if kind == "time" else
                                  gotime.RFC3339_MICRO)
    if kind == "base64":
        offset = godecode.base64_error(body)
        return None if offset is None else f"illegal base64 data at input byte {offset}"
    return fieldvalidation.check(fieldvalidation.parse_json(body), kind, minor=30).decode_error


def test_the_fixture_covers_every_way_a_value_is_refused() -> None:
    errors = [case["error"] or "" for case in CASES]
    for piece in ("cannot unmarshal string", "cannot unmarshal number into", "number 1.50",
                  "cannot unmarshal bool", "cannot unmarshal array", "cannot unmarshal object",
                  "of type uint8", "of type v1.PullPolicy", "illegal base64", "out of range",
                  "cannot parse", "extra text", "of type int32"):
        assert any(piece in error for error in errors), piece
    assert sum(case["error"] is None for case in CASES) >= 10


def test_the_mock_answers_as_gos_decoder_for_every_recorded_case() -> None:
    wrong = [(case["kind"], case["body"], case["error"], mock_answer(case["kind"], case["body"]))
             for case in CASES]
    assert [case for case in wrong if case[2] != case[3]] == []


@pytest.mark.parametrize("directive", ["Strict", "Warn", "Ignore"])
def test_no_field_validation_lets_a_wrong_type_through(quiet: MockApiserver,
                                                       directive: str) -> None:
    body = deployment("web")
    body["spec"]["replicas"] = "3"
    reply = call(quiet, "POST", DEPLOYS, f"fieldValidation={directive}", body)
    assert_status(reply, 400, "BadRequest", 'Deployment in version "v1" cannot be handled as a '
                  "Deployment: json: cannot unmarshal string into Go struct field "
                  "DeploymentSpec.spec.replicas of type int32")
    assert call(quiet, "GET", DEPLOYS).body["items"] == []


def test_an_update_and_a_status_update_are_decoded_alike(quiet: MockApiserver) -> None:
    created = create(quiet, DEPLOYS, deployment("web"))
    created["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "A", "value": 80}]
    reply = call(quiet, "PUT", f"{DEPLOYS}/web", body=created)
    assert reply.body["message"].endswith("json: cannot unmarshal number into Go struct field "
                                          "EnvVar.spec.template.spec.containers.env.value of "
                                          "type string")
    current = call(quiet, "GET", f"{DEPLOYS}/web").body
    current["status"] = {"replicas": "1"}
    reply = call(quiet, "PUT", f"{DEPLOYS}/web/status", body=current)
    assert_status(reply, 400, "BadRequest", 'Deployment in version "v1" cannot be handled as a '
                  "Deployment: json: cannot unmarshal string into Go struct field "
                  "DeploymentStatus.status.replicas of type int32")


def test_a_quantity_that_does_not_parse_ends_the_decoding(quiet: MockApiserver) -> None:
    body = deployment("web")
    body["spec"]["replicas"] = "3"  # saved first, but a failed UnmarshalJSON wins in Go
    body["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"memory": "1Gb"}}
    reply = call(quiet, "POST", DEPLOYS, body=body)
    assert reply.body["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: quantities must match the '
        "regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.mark.parametrize(("text", "error"), [
    ("1", None), ("1Gi", None), ("500m", None), ("1e3", None), ("1E-2", None), ("+.", None),
    ("e3", None), ("1Gb", "format"), ("1KiB", "format"), ("", "format"), ("abc", "format"),
    ("1.5.5", "format"), ("1mi", "suffix"), ("1e", "suffix"), ("1e+", "suffix"),
    ("1e99999999999999999999", "suffix"), ("1kk", "suffix")])
def test_quantities_parse_as_apimachinery_parses_them(text: str, error: str | None) -> None:
    found = quantities.parse_error(text)
    assert found == {None: None, "format": quantities.messages.K8S_QUANTITY_FORMAT,
                     "suffix": quantities.messages.K8S_QUANTITY_SUFFIX}[error]


def test_an_int_or_string_that_is_neither_ends_the_decoding(quiet: MockApiserver) -> None:
    body = deployment("web")
    body["spec"]["strategy"] = {"rollingUpdate": {"maxSurge": 1.5}}
    reply = call(quiet, "POST", DEPLOYS, body=json.dumps(body).encode())
    assert reply.body["message"].endswith(
        "json: cannot unmarshal number 1.5 into Go struct field "
        "RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32")


def test_a_lease_time_needs_six_fraction_digits(quiet: MockApiserver) -> None:
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
             "spec": {"holderIdentity": "me", "renewTime": "2026-08-11T19:37:19.103Z"}}
    assert_status(call(quiet, "POST", LEASES, body=lease), 400, "BadRequest",
                  'Lease in version "v1" cannot be handled as a Lease: parsing time '
                  '"2026-08-11T19:37:19.103Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse '
                  '".103Z" as ".000000"')
    lease["spec"]["renewTime"] = "2026-08-11T19:37:19.103000Z"
    assert create(quiet, LEASES, lease)["spec"]["renewTime"] == "2026-08-11T19:37:19.103000Z"


def test_bytes_may_be_a_list_of_numbers_and_are_kept_as_base64(quiet: MockApiserver) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
              "data": {"a": [104, 105]}}
    assert create(quiet, SECRETS, secret)["data"] == {"a": "aGk="}
    secret["metadata"]["name"], secret["data"]["a"] = "t", [104, 256]
    assert_status(call(quiet, "POST", SECRETS, body=secret), 400, "BadRequest",
                  'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal '
                  "number 256 into Go struct field Secret.data of type uint8")


def test_a_yaml_body_s_whole_floats_are_integers(quiet: MockApiserver) -> None:
    # kube turns YAML into JSON with Go's encoder, which writes a whole float64 as an integer
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: y}\nspec:\n  replicas: 2.0\n"
            "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
            "    spec: {containers: [{name: c, image: i}]}\n")
    reply = call(quiet, "POST", DEPLOYS, body=text.encode(), content_type="application/yaml")
    assert (reply.status, reply.body["spec"]["replicas"]) == (201, 2)
    reply = call(quiet, "POST", DEPLOYS, body=text.replace("2.0", "2.5").replace(
        "name: y", "name: z").encode(), content_type="application/yaml")
    assert reply.body["message"].endswith("json: cannot unmarshal number 2.5 into Go struct "
                                          "field DeploymentSpec.spec.replicas of type int32")


# A strategic merge patch's result is turned into the Go struct by apimachinery's unstructured
# converter (patch.go's applyPatchToObject), which words its errors otherwise.
@pytest.mark.parametrize(("patch", "shown", "error"), [
    ({"spec": {"replicas": "3"}}, "map[spec:map[replicas:3]]", "unrecognized type: int32"),
    ({"spec": {"replicas": 1.5}}, "map[spec:map[replicas:1.5]]",
     "cannot convert float64 to int32"),
    ({"spec": {"paused": 1}}, "map[spec:map[paused:1]]", "unrecognized type: bool"),
    ({"spec": {"template": {"spec": {"containers": [{"name": "app", "imagePullPolicy": 1}]}}}},
     "map[spec:map[template:map[spec:map[containers:[map[imagePullPolicy:1 name:app]]]]]]",
     "cannot convert int64 to v1.PullPolicy"),
    ({"spec": {"template": "x"}}, "map[spec:map[template:x]]",
     "cannot restore struct from: string"),
    ({"metadata": {"finalizers": {"a": "b"}}}, "map[metadata:map[finalizers:map[a:b]]]",
     "cannot restore slice from map"),
    ({"metadata": {"labels": "x"}}, "map[metadata:map[labels:x]]",
     "cannot restore map from string"),
    ({"spec": {"strategy": {"rollingUpdate": {"maxSurge": True}}}},
     "map[spec:map[strategy:map[rollingUpdate:map[maxSurge:true]]]]",
     "json: cannot unmarshal bool into Go value of type int32"),
])
def test_a_strategic_patch_of_the_wrong_type_is_an_invalid_patch(
        quiet: MockApiserver, patch: dict[str, Any], shown: str, error: str) -> None:
    create(quiet, DEPLOYS, deployment("web"))
    reply = call(quiet, "PATCH", f"{DEPLOYS}/web", body=patch, content_type=SMP)
    assert reply.status == 422, reply.body
    assert reply.body["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "message": f'Invalid value: "{shown}": {error}',
        "field": "patch"}]
    assert call(quiet, "GET", f"{DEPLOYS}/web").body["spec"]["replicas"] == 1


def test_a_strategic_patch_s_bytes_are_base64_too(quiet: MockApiserver) -> None:
    create(quiet, SECRETS, {"metadata": {"name": "s"}, "data": {"a": "aGk="}})
    reply = call(quiet, "PATCH", f"{SECRETS}/s", body={"data": {"a": "hi!"}}, content_type=SMP)
    assert reply.body["details"]["causes"][0]["message"] == (
        'Invalid value: "map[data:map[a:hi!]]": error decoding from json: illegal base64 data '
        "at input byte 2")


def test_a_json_patch_quotes_the_object_it_made(quiet: MockApiserver) -> None:
    create(quiet, DEPLOYS, deployment("web"))
    reply = call(quiet, "PATCH", f"{DEPLOYS}/web", content_type=JSON_PATCH,
                 body=[{"op": "replace", "path": "/spec/replicas", "value": "3"}])
    assert reply.status == 422
    message = reply.body["details"]["causes"][0]["message"]
    assert '\\"replicas\\":\\"3\\"' in message
    assert message.endswith(": json: cannot unmarshal string into Go struct field "
                            "DeploymentSpec.spec.replicas of type int32")


def test_a_server_side_apply_is_typed_by_structured_merge_diff_first(
        quiet: MockApiserver) -> None:
    # The apply configuration is typed by structured-merge-diff, not Go's decoder
    # (test_applycheck.py has its words)
    body = deployment("web")
    body["spec"]["replicas"] = "3"
    reply = call(quiet, "PATCH", f"{DEPLOYS}/web", "fieldManager=me", body,
                 content_type="application/apply-patch+yaml")
    assert reply.body["message"] == (
        "failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.replicas: "
        "expected numeric (int or float), got string")
    assert call(quiet, "GET", DEPLOYS).body["items"] == []


@pytest.mark.parametrize(("value", "text"), [
    # as Go's encoding/json writes a float64 (checked with Go: 2e-7, 0.00001, 1e+21)
    (godecode.GoNumber("1.50"), "1.50"), (1.0, "1"), (1.5, "1.5"), (2e-7, "2e-7"),
    (0.00001, "0.00001"), (1e21, "1e+21"), (3, "3")])
def test_numbers_are_quoted_as_their_json(value: float, text: str) -> None:
    assert godecode.number_text(value) == text


@pytest.mark.parametrize(("method", "path", "body", "error"), [
    ("POST", "/api/v1/namespaces/default/pods/web/eviction",
     {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "web"},
      "deleteOptions": {"gracePeriodSeconds": "5"}},
     'Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal string '
     "into Go struct field DeleteOptions.deleteOptions.gracePeriodSeconds of type int64"),
    ("POST", "/api/v1/namespaces/default/pods/web/binding",
     {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web"}, "target": {"name": 5}},
     'Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal number '
     "into Go struct field ObjectReference.target.name of type string"),
    ("POST", "/api/v1/namespaces/default/serviceaccounts/default/token",
     {"spec": {"audiences": "api"}},
     'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal '
     "string into Go struct field TokenRequestSpec.spec.audiences of type []string"),
    ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
     {"spec": {"resourceAttributes": {"verb": 5}}},
     'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: '
     "json: cannot unmarshal number into Go struct field ResourceAttributes.spec."
     "resourceAttributes.verb of type string"),
    ("PUT", "/api/v1/namespaces/default/finalize",
     {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"},
      "spec": {"finalizers": "kubernetes"}},
     'Namespace in version "v1" cannot be handled as a Namespace: json: cannot unmarshal string '
     "into Go struct field NamespaceSpec.spec.finalizers of type []v1.FinalizerName"),
])
def test_a_subresource_body_is_decoded_into_its_own_struct(
        quiet: MockApiserver, method: str, path: str, body: dict[str, Any], error: str) -> None:
    create(quiet, "/api/v1/namespaces/default/pods", {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "app", "image": "nginx"}]}})
    assert_status(call(quiet, method, path, body=body), 400, "BadRequest", error)
    assert call(quiet, "GET", "/api/v1/namespaces/default/pods/web").status == 200


def test_delete_options_of_the_wrong_type_are_gos_error(quiet: MockApiserver) -> None:
    # kube's delete handler passes the decoding error on as it is (a 500 there, a 400 here)
    create(quiet, DEPLOYS, deployment("web"))
    for method, path in (("DELETE", f"{DEPLOYS}/web"), ("DELETE", DEPLOYS)):
        reply = call(quiet, method, path, body={"apiVersion": "meta.k8s.io/v1",
                                                "kind": "DeleteOptions",
                                                "gracePeriodSeconds": "5"})
        assert_status(reply, 400, "BadRequest", "json: cannot unmarshal string into Go struct "
                      "field DeleteOptions.gracePeriodSeconds of type int64")
    assert call(quiet, "GET", f"{DEPLOYS}/web").status == 200
    assert call(quiet, "DELETE", f"{DEPLOYS}/web", body={"gracePeriodSeconds": 0}).status == 200
