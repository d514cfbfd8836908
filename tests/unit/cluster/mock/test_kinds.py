"""kinds.py: one behaviour per built-in kind, reached through each served resource."""

from __future__ import annotations

import pytest

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry import fieldvalidation, kinds
from emulator.cluster.mock.registry.resources import FIRST_MINOR, LAST_MINOR, Registry
from emulator.cluster.mock.seed import boot_objects
from tests.unit.cluster.mock.conftest import call

SERVED_KINDS = {(r.group, r.kind) for minor in range(FIRST_MINOR, LAST_MINOR + 1)
                for r in Registry.for_version(f"1.{minor}").resources}


def test_every_behaviour_is_of_a_kind_some_minor_serves() -> None:
    # MutatingAdmissionPolicy is beta, off by default, through 1.35: printed when a cluster
    # serves it, which none of these minors does without --runtime-config.
    unserved = set(kinds.BUILTIN) - SERVED_KINDS
    assert unserved == {("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
                        ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding")}


def test_a_served_resource_reaches_its_kinds_behaviour() -> None:
    registry = Registry.for_version("1.30")
    jobs = registry.lookup("batch", "v1", "jobs")
    assert jobs is not None
    assert jobs.behaviour is kinds.BUILTIN[("batch", "Job")]
    assert "status.successful" in jobs.field_selectors
    hpa_v1, hpa_v2 = (registry.lookup("autoscaling", v, "horizontalpodautoscalers")
                      for v in ("v1", "v2"))
    assert hpa_v1 is not None and hpa_v2 is not None
    assert hpa_v1.behaviour is hpa_v2.behaviour  # one kind, whichever version is asked
    leases = registry.lookup("coordination.k8s.io", "v1", "leases")
    assert leases is not None and leases.behaviour.defaults is None


def test_a_kind_without_an_entry_gets_the_plain_behaviour() -> None:
    reviews = Registry.for_version("1.30").lookup("authorization.k8s.io", "v1",
                                                  "subjectaccessreviews")
    assert reviews is not None and reviews.behaviour is kinds.PLAIN
    assert reviews.field_selectors == ("metadata.name", "metadata.namespace")


def test_generation_is_tracked_for_the_kinds_whose_strategy_sets_it(api: MockApiserver) -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                      "metadata": {"labels": {"a": "b"}},
                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    created = call(api, "POST", "/apis/apps/v1/namespaces/default/deployments", body=deployment)
    assert created.body["metadata"]["generation"] == 1
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    created = call(api, "POST", "/api/v1/namespaces/default/pods", body=pod)
    assert "generation" not in created.body["metadata"]


def test_every_group_version_has_a_local_apiservice_named_as_kube_names_it(
        api: MockApiserver) -> None:
    listed = call(api, "GET", "/apis/apiregistration.k8s.io/v1/apiservices").body["items"]
    names = {item["metadata"]["name"] for item in listed}
    assert {"v1.", "v1.apps", "v2.autoscaling", "v1.autoscaling"} <= names
    assert len(names) == sum(len(api.registry.group_versions(g))
                             for g in ["", *api.registry.groups()])
    refused = call(api, "POST", "/apis/apiregistration.k8s.io/v1/apiservices", body={
        "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
        "metadata": {"name": "no-version"}, "spec": {}})
    assert refused.status == 422


@pytest.mark.parametrize("minor", range(FIRST_MINOR, LAST_MINOR + 1))
def test_the_trusted_boot_objects_pass_strict_field_validation(minor: int) -> None:
    """MockApiserver seeds its own boot objects without the schema walk (``trusted``): this is
    the check that lets it."""
    registry = Registry.for_version(f"1.{minor}")
    group_versions = [(g, v) for g in ["", *registry.groups()] for v in registry.group_versions(g)]
    for obj in [*boot_objects("c", f"v1.{minor}.0", group_versions),
                {"apiVersion": "v1", "kind": "ServiceAccount",
                 "metadata": {"name": "default", "namespace": "default"}}]:
        checked = fieldvalidation.check(obj, obj["kind"], api_version=obj["apiVersion"],
                                        minor=minor)
        assert not checked.problems, (obj["kind"], obj["metadata"]["name"], checked.problems)
