"""Server-side apply from Python through the gateway: the official client's
``utils.create_from_yaml(..., apply=True)`` (its dynamic client, field manager ``python-client``)
and lightkube's ``Client.apply`` (the field manager the caller names). Each applies a ConfigMap
and a Deployment, then a changed copy; a field another manager owns is a 409 Conflict raised as
each client's own exception, carrying kube's message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, utils
from kubernetes.client.rest import ApiException
from lightkube import ApiError, Client, KubeConfig, codecs
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap

from tests.harness import Served

pytestmark = pytest.mark.contract

LIGHTKUBE_MANAGER = "lightkube-app"


def manifests(prefix: str, color: str, replicas: int, image: str) -> list[dict[str, Any]]:
    labels = {"app": f"{prefix}-web"}
    return [
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": f"{prefix}-settings", "namespace": "default"},
         "data": {"color": color}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": f"{prefix}-web", "namespace": "default"},
         "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels},
                               "spec": {"containers": [{"name": "main", "image": image}]}}}},
    ]


def appliers(managed_fields: list[Any]) -> dict[str, dict[str, Any]]:
    """manager → fieldsV1 of the Apply entries (from either client's models or plain dicts)."""
    found = {}
    for entry in managed_fields:
        entry = entry if isinstance(entry, dict) else entry.to_dict()
        operation = entry.get("operation")
        if operation == "Apply":
            found[entry["manager"]] = entry.get("fieldsV1") or entry.get("fields_v1")
    return found


@pytest.fixture
def lightkube(gateway: Served) -> Iterator[Client]:
    kube = Client(config=KubeConfig.from_file(gateway.kubeconfig()),
                  field_manager=LIGHTKUBE_MANAGER)
    yield kube
    kube._client._client.close()


def test_create_from_yaml_applies_and_reapplies(api: client.ApiClient, tmp_path: Path) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(yaml.safe_dump_all(manifests("py", "blue", 1, "nginx:1.27")))
    created = utils.create_from_yaml(api, str(manifest), apply=True)
    assert [[o.kind for o in each] for each in created] == [["ConfigMap"], ["Deployment"]]
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    first = core.read_namespaced_config_map("py-settings", "default")
    assert first.data == {"color": "blue"}

    manifest.write_text(yaml.safe_dump_all(manifests("py", "red", 3, "nginx:1.28")))
    utils.create_from_yaml(api, str(manifest), apply=True)
    settings = core.read_namespaced_config_map("py-settings", "default")
    assert settings.data == {"color": "red"}
    assert int(settings.metadata.resource_version) > int(first.metadata.resource_version)
    assert settings.metadata.uid == first.metadata.uid
    assert list(appliers(settings.metadata.managed_fields)) == ["python-client"]
    assert appliers(settings.metadata.managed_fields)["python-client"] == {
        "f:data": {"f:color": {}}}
    web = apps.read_namespaced_deployment("py-web", "default")
    assert (web.spec.replicas, web.spec.template.spec.containers[0].image) == (3, "nginx:1.28")
    owned = appliers(web.metadata.managed_fields)["python-client"]
    assert owned["f:spec"]["f:replicas"] == {}
    assert 'k:{"name":"main"}' in owned["f:spec"]["f:template"]["f:spec"]["f:containers"]


def test_create_from_yaml_conflict_is_a_409_api_exception(api: client.ApiClient,
                                                           lightkube: Client) -> None:
    lightkube.apply(codecs.from_dict(manifests("py", "blue", 1, "nginx:1.27")[0]))
    with pytest.raises(utils.FailToCreateError) as failed:
        utils.create_from_yaml(api, yaml_objects=manifests("py", "red", 1, "nginx:1.27")[:1],
                               apply=True)
    [conflict] = failed.value.api_exceptions
    assert isinstance(conflict, ApiException)
    assert (conflict.status, conflict.reason) == (409, "Conflict")
    body = json.loads(conflict.body)
    assert body["reason"] == "Conflict"
    assert body["message"] == (
        f'Apply failed with 1 conflict: conflict with "{LIGHTKUBE_MANAGER}": .data.color')
    # force_conflicts takes the field over; the other manager keeps none of it.
    utils.create_from_yaml(api, yaml_objects=manifests("py", "red", 1, "nginx:1.27")[:1],
                           apply=True, force_conflicts=True)
    settings = client.CoreV1Api(api).read_namespaced_config_map("py-settings", "default")
    assert settings.data == {"color": "red"}
    assert appliers(settings.metadata.managed_fields)["python-client"] == {
        "f:data": {"f:color": {}}}


def test_lightkube_applies_and_reapplies(lightkube: Client) -> None:
    for obj in manifests("lk", "blue", 1, "nginx:1.27"):
        lightkube.apply(codecs.from_dict(obj))
    first = lightkube.get(ConfigMap, "lk-settings", namespace="default")
    assert first.data == {"color": "blue"}
    returned = [lightkube.apply(codecs.from_dict(obj))
                for obj in manifests("lk", "red", 2, "nginx:1.28")]
    assert returned[0].data == {"color": "red"}
    settings = lightkube.get(ConfigMap, "lk-settings", namespace="default")
    assert settings.data == {"color": "red"}
    assert settings.metadata.uid == first.metadata.uid
    assert int(settings.metadata.resourceVersion) > int(first.metadata.resourceVersion)
    assert appliers(settings.metadata.managedFields) == {
        LIGHTKUBE_MANAGER: {"f:data": {"f:color": {}}}}
    web = lightkube.get(Deployment, "lk-web", namespace="default")
    assert (web.spec.replicas, web.spec.template.spec.containers[0].image) == (2, "nginx:1.28")
    assert list(appliers(web.metadata.managedFields)) == [LIGHTKUBE_MANAGER]


def test_lightkube_conflict_is_an_api_error(api: client.ApiClient, lightkube: Client) -> None:
    utils.create_from_yaml(api, yaml_objects=manifests("lk", "blue", 1, "nginx:1.27")[1:],
                           apply=True)
    changed = codecs.from_dict(manifests("lk", "blue", 4, "nginx:1.27")[1])
    with pytest.raises(ApiError) as conflict:
        lightkube.apply(changed)
    assert (conflict.value.status.code, conflict.value.status.reason) == (409, "Conflict")
    assert conflict.value.status.message == (
        'Apply failed with 1 conflict: conflict with "python-client": .spec.replicas')
    forced = lightkube.apply(changed, force=True)
    assert forced.spec.replicas == 4
    managers = appliers(forced.metadata.managedFields)
    assert "f:replicas" in managers[LIGHTKUBE_MANAGER]["f:spec"]
    assert "f:replicas" not in managers["python-client"]["f:spec"]
