"""Server-side apply's typing of a configuration (applycheck.py): what structured-merge-diff
refuses before merging, in its words (typed/validate.go), answered 400 where kube answers 500."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.cluster.mock.wire.gojson import go_number
from tests.unit.cluster.mock.conftest import MockApiserver, assert_status, call, deployment, \
    quiet_at

DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
APPLY = "application/apply-patch+yaml"
PREFIX = "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "


def applied(api: MockApiserver, body: dict[str, Any]) -> Any:
    body["metadata"]["namespace"] = "default"
    return call(api, "PATCH", f"{DEPLOYS}/web", "fieldManager=me", body, content_type=APPLY)


def with_container(**fields: Any) -> dict[str, Any]:
    body = deployment("web")
    body["spec"]["template"]["spec"]["containers"][0].update(fields)
    return body


@pytest.mark.parametrize(("body", "problem"), [
    ({**deployment("web"), "spec": {**deployment("web")["spec"], "replicas": "3"}},
     ".spec.replicas: expected numeric (int or float), got string"),
    (with_container(env=[{"name": "PORT", "value": 8080}]),
     '.spec.template.spec.containers[name="app"].env[name="PORT"].value: expected string, got '
     "&value.valueUnstructured{Value:8080}"),
    (with_container(image=3000000000),
     '.spec.template.spec.containers[name="app"].image: expected string, got '
     "&value.valueUnstructured{Value:3e+09}"),
    (with_container(command={"a": ["b"]}),
     '.spec.template.spec.containers[name="app"].command: expected list, got &{map[a:[b]]}'),
    (with_container(stdin="yes"),
     '.spec.template.spec.containers[name="app"].stdin: expected boolean, got &{yes}'),
    (with_container(ports=[{"containerPort": 80, "protocol": "TCP"},
                           {"containerPort": 80}]),
     '.spec.template.spec.containers[name="app"].ports: duplicate entries for key '
     '[containerPort=80,protocol="TCP"]'),
    (with_container(resources={"limits": {"cpu": ["1"]}}),
     '.spec.template.spec.containers[name="app"].resources.limits.cpu: expected any scalar, '
     "got &{[1]}"),
    (with_container(securityContext="privileged"),
     '.spec.template.spec.containers[name="app"].securityContext: expected map, got '
     "&{privileged}"),
])
def test_a_value_that_does_not_fit_is_refused_in_smds_words(quiet: MockApiserver,
                                                           body: dict[str, Any],
                                                           problem: str) -> None:
    assert_status(applied(quiet, body), 400, "BadRequest", PREFIX + problem)
    assert call(quiet, "GET", DEPLOYS).body["items"] == []


def test_an_item_without_its_key_or_twice_is_a_400_not_a_500(quiet: MockApiserver) -> None:
    body = deployment("web")
    body["spec"]["template"]["spec"]["containers"] = [{"image": "nginx"}]
    assert_status(applied(quiet, body), 400, "BadRequest", PREFIX + (
        ".spec.template.spec.containers: element 0: associative list with keys has an element "
        'that omits key field "name" (and doesn\'t have default value)'))
    body["spec"]["template"]["spec"]["containers"] = [{"name": "a", "image": "x"},
                                                      {"name": "a", "image": "y"}]
    assert_status(applied(quiet, body), 400, "BadRequest", PREFIX + (
        '.spec.template.spec.containers: duplicate entries for key [name="a"]'))


def test_every_problem_is_listed(quiet: MockApiserver) -> None:
    body = deployment("web")
    body["spec"].update(replicas="3", paused="no")
    assert applied(quiet, body).body["message"] == PREFIX + (
        "errors:\n  .spec.replicas: expected numeric (int or float), got string\n"
        "  .spec.paused: expected boolean, got &{no}")


def test_before_1_29_an_untyped_scalar_takes_anything() -> None:
    # structured-merge-diff v4.2 (1.27, 1.28) did not check untyped scalars; Go's decoding of
    # the merged object refuses the quantity afterwards
    old = quiet_at("v1.28.9")
    reply = applied(old, with_container(resources={"limits": {"cpu": ["1"]}}))
    assert reply.body["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: quantities must match '
        "the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


def test_a_well_typed_configuration_applies(quiet: MockApiserver) -> None:
    body = with_container(resources={"limits": {"cpu": 1, "memory": "1Gi"}},
                          ports=[{"containerPort": 80}], stdin=True)
    assert applied(quiet, body).status == 201


@pytest.mark.parametrize(("number", "text"), [
    (5.0, "5"), (1.5, "1.5"), (123456.0, "123456"), (1e6, "1e+06"), (1234567.0, "1.234567e+06"),
    (3e9, "3e+09"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.5, "-2.5"), (0.0, "0")])
def test_floats_print_as_gos_v(number: float, text: str) -> None:
    assert go_number(number, json_style=False) == text
