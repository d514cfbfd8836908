"""deployments/scale: a Deployment read as an autoscaling/v1 Scale, and a Scale written back as
the Deployment's replicas (merge patch as kubectl scale sends it, or a replaced Scale)."""

from __future__ import annotations

import pytest

from emulator import messages
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry.selectors import label_selector_from_match
from tests.unit.cluster.mock.conftest import assert_status, call, create, deployment

DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
SCALE = f"{DEPLOYS}/web/scale"
MERGE = "application/merge-patch+json"


@pytest.fixture
def api(quiet: MockApiserver) -> MockApiserver:
    """The subresource's rules, without the Deployment controller's status writes moving the
    resourceVersion and status these tests compare (test_controllers_deployments.py has those)."""
    return quiet


@pytest.fixture
def web(api: MockApiserver) -> dict:
    return create(api, DEPLOYS, deployment("web", replicas=2))


def test_a_deployment_reads_as_a_scale(api: MockApiserver, web: dict) -> None:
    scale = call(api, "GET", SCALE).body
    meta = web["metadata"]
    assert scale == {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                          "creationTimestamp")},
        "spec": {"replicas": 2},
        "status": {"replicas": 0, "selector": "app=web"}}


def test_kubectl_scale_merge_patch_sets_the_deployment_replicas(api: MockApiserver,
                                                                web: dict) -> None:
    reply = call(api, "PATCH", SCALE, body={"spec": {"replicas": 5}}, content_type=MERGE)
    assert (reply.status, reply.body["spec"]) == (200, {"replicas": 5})
    stored = call(api, "GET", f"{DEPLOYS}/web").body
    assert stored["spec"]["replicas"] == 5
    assert stored["metadata"]["generation"] == web["metadata"]["generation"] + 1


def test_scaling_to_zero_leaves_an_empty_spec(api: MockApiserver, web: dict) -> None:
    reply = call(api, "PATCH", SCALE, body={"spec": {"replicas": 0}}, content_type=MERGE)
    assert reply.body["spec"] == {}  # ScaleSpec.replicas is omitempty
    assert call(api, "GET", f"{DEPLOYS}/web").body["spec"]["replicas"] == 0


def test_a_replaced_scale_with_a_stale_resource_version_conflicts(api: MockApiserver,
                                                                  web: dict) -> None:
    scale = call(api, "GET", SCALE).body
    assert call(api, "PUT", SCALE, body={**scale, "spec": {"replicas": 3}}).status == 200
    stale = call(api, "PUT", SCALE, body={**scale, "spec": {"replicas": 4}})
    assert stale.status == 409
    assert call(api, "GET", f"{DEPLOYS}/web").body["spec"]["replicas"] == 3


def test_dry_run_changes_nothing(api: MockApiserver, web: dict) -> None:
    reply = call(api, "PATCH", SCALE, "dryRun=All", body={"spec": {"replicas": 9}},
                 content_type=MERGE)
    assert reply.body["spec"] == {"replicas": 9}
    assert call(api, "GET", f"{DEPLOYS}/web").body["spec"]["replicas"] == 2


def test_negative_replicas_are_invalid(api: MockApiserver, web: dict) -> None:
    reply = call(api, "PATCH", SCALE, body={"spec": {"replicas": -1}}, content_type=MERGE)
    detail = messages.K8S_SCALE_NEGATIVE.format(replicas=-1)
    assert_status(reply, 422, "Invalid", f'Scale.autoscaling "web" is invalid: spec.replicas: {detail}')
    assert reply.body["details"]["causes"] == [
        {"reason": "FieldValueInvalid", "message": detail, "field": "spec.replicas"}]


def test_a_replaced_scale_of_the_wrong_type_cannot_be_decoded(api: MockApiserver,
                                                              web: dict) -> None:
    reply = call(api, "PUT", SCALE, body={"spec": {"replicas": "three"}})
    assert_status(reply, 400, "BadRequest", 'Scale in version "v1" cannot be handled as a Scale: '
                  "json: cannot unmarshal string into Go struct field ScaleSpec.spec.replicas "
                  "of type int32")


def test_a_patch_of_the_wrong_type_is_an_invalid_patch(api: MockApiserver, web: dict) -> None:
    reply = call(api, "PATCH", SCALE, body={"spec": {"replicas": 1.5}}, content_type=MERGE)
    assert reply.status == 422
    assert reply.body["message"].startswith(' "" is invalid: patch: Invalid value: "{')
    assert reply.body["message"].endswith(
        "json: cannot unmarshal number 1.5 into Go struct field ScaleSpec.spec.replicas of "
        "type int32")


def test_the_selector_is_written_as_apimachinery_writes_it() -> None:
    selector = label_selector_from_match({
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                             {"key": "canary", "operator": "DoesNotExist"},
                             {"key": "zone", "operator": "Exists"}]})
    assert selector.text() == "app=shop,!canary,env in (dev,prod),tier=web,zone"
