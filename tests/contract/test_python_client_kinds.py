"""The official Python clients read every served kind: one object of each is created, then listed
and read back through the gateway into the client's model of its kind, which checks required
fields (client_side_validation), so a seeded or defaulted object missing one fails here.
"""

from __future__ import annotations

import asyncio

import kubernetes.client.models
import kubernetes_asyncio.client.models
import lightkube
import pytest
from kubernetes import client
from kubernetes_asyncio import client as aclient
from kubernetes_asyncio import config as aconfig
from lightkube.resources.events_v1 import Event as LightEventV1

from emulator.cluster.mock.registry.resources import Registry, ResourceType
from tests.examples import example
from tests.harness import Served

pytestmark = [pytest.mark.contract, pytest.mark.mock_only("creates one object of every kind")]

MINOR = 30  # my-cluster
REGISTRY = Registry.for_version(f"1.{MINOR}")
READABLE = [r for r in REGISTRY.preferred() if "list" in r.verbs]
CREATABLE = [r for r in READABLE if "create" in r.verbs]
# events.k8s.io serves the core Events. The clients' EventsV1Event requires eventTime, which the
# Events kube's own components write through the core API leave null, so both clients fail to
# read them through events.k8s.io, on a real cluster as here (kubernetes-client/python#1826).
# The sweeps below read that list as JSON; test_the_clients_fail_on_... shows the failure.
EVENTS_V1 = "events.events.k8s.io"


def model(resource: ResourceType, suffix: str = "") -> str:
    """The clients' class name: V2HorizontalPodAutoscalerList for autoscaling/v2's list, and
    CoreV1Event / EventsV1Event where two groups share a kind's name."""
    name = f"{resource.version[0].upper()}{resource.version[1:]}{resource.kind}{suffix}"
    if hasattr(kubernetes.client.models, name):
        return name
    group = (resource.group.split(".")[0] or "core").capitalize()
    return f"{group}{name}"


def collection(resource: ResourceType, namespace: str | None = "default") -> str:
    ns = f"/namespaces/{namespace}" if resource.namespaced and namespace else ""
    return f"{resource.base_path}{ns}/{resource.plural}"


def call(api: client.ApiClient, method: str, path: str, response_type: str,
         body: dict | None = None) -> object:
    """One request with the client's own transport, its answer read into ``response_type``."""
    params = api.param_serialize(method, path, body=body, auth_settings=["BearerToken"],
                                 header_params={"Content-Type": "application/json",
                                                "Accept": "application/json"})
    answer = api.call_api(*params)
    answer.read()
    assert answer.status < 300, answer.data
    return api.deserialize(answer.data.decode(), response_type, "application/json")


def test_the_clients_model_every_served_kind() -> None:
    for models in (kubernetes.client.models, kubernetes_asyncio.client.models):
        missing = [model(r) for r in READABLE if not hasattr(models, model(r, "List"))]
        assert not missing, (models.__name__, missing)


@pytest.mark.parametrize("resource", CREATABLE, ids=[r.group_resource for r in CREATABLE])
def test_python_client_reads_back_each_kind(api: client.ApiClient,
                                            resource: ResourceType) -> None:
    # An APIService is named <version>.<group>, as kube-aggregator requires, and a CRD
    # <plural>.<group>, as apiextensions does (with a served storage version and a schema).
    name = {"APIService": "v1.sweep.example.com",
            "CustomResourceDefinition": "sweeps.example.com"}.get(resource.kind,
                                                                  f"sweep-{resource.singular}")
    body = example(MINOR, resource.group, resource.version, resource.kind, name)
    if resource.kind == "CustomResourceDefinition":
        body["spec"].update(group="example.com", scope="Namespaced",
                            names={"plural": "sweeps", "kind": "Sweep"}, versions=[{
                                "name": "v1", "served": True, "storage": True,
                                "schema": {"openAPIV3Schema": {"type": "object"}}}])
    call(api, "POST", collection(resource), "object", body)
    # Only this Event: the cluster's own would fail the client's model (see EVENTS_V1).
    only = f"?fieldSelector=metadata.name%3D{name}" if resource.group_resource == EVENTS_V1 else ""
    listed = call(api, "GET", collection(resource, None) + only, model(resource, "List"))
    assert name in {item.metadata.name for item in listed.items}
    read = call(api, "GET", f"{collection(resource)}/{name}", model(resource))
    assert read.metadata.name == name


def test_python_client_lists_every_seeded_kind(api: client.ApiClient) -> None:
    """What the cluster holds before any test writes: nodes, namespaces, RBAC, APIServices..."""
    counts = {}
    for resource in READABLE:
        if resource.group_resource == EVENTS_V1:
            listed_json = call(api, "GET", collection(resource, None), "object")
            counts[EVENTS_V1] = len(listed_json["items"])  # type: ignore[index]
            continue
        listed = call(api, "GET", collection(resource, None), model(resource, "List"))
        counts[resource.group_resource] = len(listed.items)
    assert counts["nodes"] == 1
    assert counts[EVENTS_V1] == counts["events"] > 0  # one storage, two APIs
    assert counts["apiservices.apiregistration.k8s.io"] == len(
        [v for g in ["", *REGISTRY.groups()] for v in REGISTRY.group_versions(g)])
    assert counts["priorityclasses.scheduling.k8s.io"] == 2


def test_kubernetes_asyncio_lists_every_kind(gateway: Served) -> None:
    async def sweep() -> dict[str, int]:
        api_client = await aconfig.new_client_from_config(config_file=str(gateway.kubeconfig()))
        counts = {}
        async with api_client:
            for resource in READABLE:
                as_json = resource.group_resource == EVENTS_V1
                listed = await api_client.call_api(
                    collection(resource, None), "GET",
                    response_types_map={200: "object" if as_json else model(resource, "List")},
                    auth_settings=["BearerToken"], _return_http_data_only=True)
                items = listed["items"] if as_json else listed.items
                assert items is not None, resource.group_resource
                counts[resource.group_resource] = len(items)
        return counts

    counts = asyncio.run(sweep())
    assert counts["nodes"] == 1
    assert counts[EVENTS_V1] == counts["events"] > 0
    assert len(counts) == len(READABLE)
    assert isinstance(aclient.V1Node, type)


def test_the_clients_fail_on_core_events_read_through_events_v1(api: client.ApiClient,
                                                              gateway: Served) -> None:
    """The scheduler's and the kubelet's Events (core API, eventTime null) listed through
    events.k8s.io: the official clients and lightkube refuse the list, as they do against a
    real cluster."""
    path = "/apis/events.k8s.io/v1/events"
    listed = call(api, "GET", path, "object")
    assert any(item["eventTime"] is None for item in listed["items"])  # type: ignore[index]
    with pytest.raises(Exception, match="(?i)event_?time"):
        call(api, "GET", path, "EventsV1EventList")

    async def read_async() -> None:
        api_client = await aconfig.new_client_from_config(config_file=str(gateway.kubeconfig()))
        async with api_client:
            await api_client.call_api(path, "GET", response_types_map={200: "EventsV1EventList"},
                                      auth_settings=["BearerToken"], _return_http_data_only=True)

    with pytest.raises(ValueError, match="event_time"):
        asyncio.run(read_async())

    light = lightkube.Client(lightkube.KubeConfig.from_file(gateway.kubeconfig()))
    with pytest.raises(Exception, match="eventTime"):  # lightkube's decoder's error
        list(light.list(LightEventV1, namespace=lightkube.ALL_NS))


def test_subject_access_review_answers_from_the_clusters_rbac(api: client.ApiClient) -> None:
    """bob has view on my-cluster (quickstart): he may list pods, not delete them."""
    def may(verb: str) -> bool:
        review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                  "spec": {"user": "bob@example.com", "resourceAttributes": {
                      "verb": verb, "resource": "pods", "namespace": "default"}}}
        answer = call(api, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                      "V1SubjectAccessReview", review)
        return bool(answer.status.allowed)

    assert may("list") and not may("delete")


def test_local_subject_access_review_asks_about_its_own_namespace(
        api: client.ApiClient) -> None:
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
              "metadata": {"namespace": "default"},
              "spec": {"user": "bob@example.com", "resourceAttributes": {
                  "verb": "get", "resource": "pods", "namespace": "default"}}}
    path = "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews"
    answer = call(api, "POST", path, "V1LocalSubjectAccessReview", review)
    assert answer.status.allowed is True
    review["spec"]["resourceAttributes"]["namespace"] = "kube-system"
    params = api.param_serialize("POST", path, body=review, auth_settings=["BearerToken"],
                                 header_params={"Content-Type": "application/json"})
    refused = api.call_api(*params)
    refused.read()
    assert refused.status == 400
    assert b"spec.resourceAttributes.namespace must match namespace: default" in refused.data


def test_token_review_knows_the_tokens_the_cluster_issued(api: client.ApiClient) -> None:
    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}
    issued = call(api, "POST", "/api/v1/namespaces/default/serviceaccounts/default/token",
                  "AuthenticationV1TokenRequest", request)
    def review(token: str) -> client.V1TokenReviewStatus:
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                "spec": {"token": token}}
        return call(api, "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                    "V1TokenReview", body).status

    known = review(issued.status.token)
    assert known.authenticated is True
    assert known.user.username == "system:serviceaccount:default:default"
    assert not review("not-a-token").authenticated
