"""The ``kubernetes`` Python client through the gateway URL, loading the emulator's kubeconfig."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes_asyncio import client as aclient
from kubernetes_asyncio import config as aconfig
from kubernetes_asyncio import watch as awatch
import lightkube
from lightkube.resources.core_v1 import ConfigMap

from emulator import messages
from tests.harness import Served

pytestmark = pytest.mark.contract


def test_list_namespaces(api: client.ApiClient) -> None:
    names = {ns.metadata.name for ns in client.CoreV1Api(api).list_namespace().items}
    assert {"default", "gke-connect", "kube-system", "kube-public", "kube-node-lease"} <= names


@pytest.mark.mock_only("the Connect Agent's pod exists in the mock cluster only")
def test_list_pods_in_all_namespaces(api: client.ApiClient) -> None:
    pods = client.CoreV1Api(api).list_pod_for_all_namespaces().items
    by_name = {(p.metadata.namespace, p.metadata.name): p for p in pods}
    assert by_name[("default", "web")].status.phase == "Running"
    agent = [p for (ns, _), p in by_name.items() if ns == "gke-connect"]
    assert len(agent) == 1, agent  # the agent Deployment's one pod, made by its ReplicaSet
    labels = agent[0].metadata.labels
    assert labels["app"] == "gke-connect-agent" and set(labels) == {"app", "pod-template-hash"}


def test_configmap_create_read_replace_delete(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm"), data={"k": "v"})
    created = core.create_namespaced_config_map("default", body)
    assert created.metadata.uid and created.metadata.resource_version
    read = core.read_namespaced_config_map("py-cm", "default")
    assert read.data == {"k": "v"}
    read.data = {"k": "v2"}
    replaced = core.replace_namespaced_config_map("py-cm", "default", read)
    assert replaced.data == {"k": "v2"}
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)
    # The first read's resourceVersion is stale now: a replace with it conflicts.
    read.data = {"k": "stale"}
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_config_map("py-cm", "default", read)
    assert conflict.value.status == 409
    core.delete_namespaced_config_map("py-cm", "default")
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("py-cm", "default")
    assert missing.value.status == 404
    assert json.loads(missing.value.body)["message"] == 'configmaps "py-cm" not found'


def test_deployment_create_patch_delete(api: client.ApiClient) -> None:
    apps = client.AppsV1Api(api)
    labels = {"app": "py"}
    body = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="py-deploy"),
        spec=client.V1DeploymentSpec(
            replicas=1, selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="a:1")]))))
    apps.create_namespaced_deployment("default", body)
    patched = apps.patch_namespaced_deployment("py-deploy", "default", {"spec": {"replicas": 3}})
    assert patched.spec.replicas == 3
    assert [d.metadata.name for d in apps.list_namespaced_deployment(
        "default", label_selector="app=py").items] == []  # the selector is on pods, not the object
    apps.delete_namespaced_deployment("py-deploy", "default")
    assert apps.list_namespaced_deployment("default").items == []


def test_watch_sees_a_created_configmap(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    start_rv = core.list_namespaced_config_map("default").metadata.resource_version
    creator = threading.Timer(0.2, lambda: core.create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="watched-cm"))))
    creator.start()
    events = []
    for event in watch.Watch().stream(core.list_namespaced_config_map, "default",
                                      resource_version=start_rv, timeout_seconds=5):
        events.append((event["type"], event["object"].metadata.name))
        if event["object"].metadata.name == "watched-cm":
            break
    creator.join()
    assert ("ADDED", "watched-cm") in events


def test_watch_clients_read_a_replay_written_as_one_chunk(api: client.ApiClient,
                                                           gateway: Served) -> None:
    """A watch from an older resourceVersion has every later change queued at once, which the
    server writes together, as kube-apiserver does (it flushes only when nothing more is
    queued): each client must still read 30 whole events, in order."""
    core = client.CoreV1Api(api)
    start_rv = core.list_namespaced_config_map("default").metadata.resource_version
    names = [f"burst-{n:02d}" for n in range(30)]
    for name in names:
        core.create_namespaced_config_map("default", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=name), data={"payload": "x" * 200}))

    def burst(seen: list[str]) -> list[str]:
        return [name for name in seen if name.startswith("burst-")]

    # kubernetes
    seen = [event["object"].metadata.name for event in watch.Watch().stream(
        core.list_namespaced_config_map, "default", resource_version=start_rv,
        timeout_seconds=1)]
    assert burst(seen) == names

    # kubernetes_asyncio
    async def asyncio_client() -> list[str]:
        api_client = await aconfig.new_client_from_config(config_file=str(gateway.kubeconfig()))
        async with api_client:
            stream = awatch.Watch().stream(aclient.CoreV1Api(api_client).list_namespaced_config_map,
                                           "default", resource_version=start_rv,
                                           timeout_seconds=1)
            return [event["object"].metadata.name async for event in stream]

    assert burst(asyncio.run(asyncio_client())) == names

    # lightkube (its watch never ends: it watches again after each timeout)
    light = lightkube.Client(lightkube.KubeConfig.from_file(gateway.kubeconfig()))
    seen = []
    try:
        for _, obj in light.watch(ConfigMap, namespace="default", resource_version=start_rv,
                                  server_timeout=1):
            seen.append(obj.metadata.name)
            if obj.metadata.name == names[-1] or len(seen) > 100:
                break
    finally:
        light.close()
    assert burst(seen) == names


@pytest.mark.mock_only("the web pod's log lines are seeded by the scenario")
def test_read_pod_log(api: client.ApiClient) -> None:
    text = client.CoreV1Api(api).read_namespaced_pod_log("web", "default", tail_lines=1)
    assert text == "GET / HTTP/1.1 200\n"


def test_self_subject_review_names_the_google_principal(api: client.ApiClient) -> None:
    review = client.AuthenticationV1Api(api).create_self_subject_review(
        client.V1SelfSubjectReview())
    assert review.status.user_info.username == "alice@example.com"


def test_label_and_field_selectors(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    assert [p.metadata.name for p in core.list_pod_for_all_namespaces(
        label_selector="app in (web, nothing)").items] == ["web"]
    assert [p.metadata.name for p in core.list_pod_for_all_namespaces(
        field_selector="metadata.namespace=default,status.phase=Running").items] == ["web"]
    with pytest.raises(ApiException) as bad:
        core.list_namespaced_pod("default", field_selector="spec.bogus=1")
    assert bad.value.status == 400
    assert json.loads(bad.value.body)["message"] == messages.SELECTOR_FIELD_NOT_SUPPORTED.format(
        field="spec.bogus")


def test_unknown_membership_error_body(gateway: Served) -> None:
    path = gateway.kubeconfig(server_path=(
        "/v1/projects/123456789012/locations/global/memberships/no-such-cluster"))
    api_client = config.new_client_from_config(config_file=str(path))
    with pytest.raises(ApiException) as caught:
        client.CoreV1Api(api_client).list_namespace()
    api_client.close()
    assert caught.value.status == 400
    assert json.loads(caught.value.body)["message"] == messages.NO_ACTIVE_CONNECTION.format(
        project_number="123456789012", membership="no-such-cluster")


def test_waiting_on_a_deployments_available_condition(api: client.ApiClient) -> None:
    """What a deploy step in a test does: create a Deployment, then watch it until its
    Available condition is True (the controllers make the ReplicaSet and start the pods)."""
    apps = client.AppsV1Api(api)
    labels = {"app": "py-wait"}
    body = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="py-wait"),
        spec=client.V1DeploymentSpec(
            replicas=2, selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web",
                                                                     image="nginx")]))))
    apps.create_namespaced_deployment("default", body)
    try:
        available = None
        for event in watch.Watch().stream(apps.list_namespaced_deployment, "default",
                                          field_selector="metadata.name=py-wait",
                                          timeout_seconds=30):
            conditions = {c.type: c for c in event["object"].status.conditions or []}
            if "Available" in conditions and conditions["Available"].status == "True":
                available = event["object"]
                break
        assert available is not None, "the Deployment never became Available"
        assert (available.status.ready_replicas, available.status.available_replicas) == (2, 2)
        assert conditions["Available"].reason == "MinimumReplicasAvailable"
    finally:
        apps.delete_namespaced_deployment("py-wait", "default")
